<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<!-- Qt texts that Qt's own qtbase_zh_CN.qm does not translate yet (newer source strings). Loaded after
     qtbase_zh_CN by ui.i18n; compile with:
     .venv/bin/pyside6-lrelease resources/translations/qt_supplement_zh_CN.ts -qm resources/translations/qt_supplement_zh_CN.qm -->
<TS version="2.1" language="zh_CN">
<context>
    <name>QFileDialog</name>
    <message>
        <source>&amp;Look in:</source>
        <translation>查找范围(&amp;L)：</translation>
    </message>
    <message>
        <source>Files of &amp;type:</source>
        <translation>文件类型(&amp;T)：</translation>
    </message>
</context>
<context>
    <name>QAbstractFileIconProvider</name>
    <message>
        <source>Folder</source>
        <translation>文件夹</translation>
    </message>
    <message>
        <source>File</source>
        <translation>文件</translation>
    </message>
    <message>
        <source>Drive</source>
        <translation>驱动器</translation>
    </message>
</context>
<context>
    <name>QCalendarWidget</name>
    <message>
        <source>Week</source>
        <translation>周</translation>
    </message>
</context>
</TS>
