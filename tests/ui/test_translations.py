"""Translations are ready for other languages: lupdate extracts the tr() strings of ui/, and a compiled
.qm put in resources/translations changes what the interface shows. Qt's own texts are Chinese."""
import re
import subprocess
import sys
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QLocale, Qt
from PySide6.QtWidgets import QDialogButtonBox, QFileDialog, QLabel, QLineEdit

from tests.conftest import DEMO_TODAY
from ui import i18n

ROOT = Path(__file__).resolve().parents[2]
SOURCE = "请先保存记录，再添加附件"


def _tool(name: str) -> str:
    return str(Path(sys.executable).parent / name)


def test_extracted_strings_translate_once_compiled(qapp, tmp_path, monkeypatch):
    ts = tmp_path / "fjld_en.ts"
    subprocess.run([_tool("pyside6-lupdate"), *map(str, sorted((ROOT / "ui").glob("*.py"))), "-ts", str(ts)],
                   check=True, capture_output=True, timeout=120)
    text = ts.read_text(encoding="utf-8")
    assert text.count("<message") > 200 and f"<source>{SOURCE}</source>" in text
    ts.write_text(text.replace(f"<source>{SOURCE}</source>\n        <translation type=\"unfinished\"></translation>",
                               f"<source>{SOURCE}</source>\n        <translation>Save the record first</translation>"),
                  encoding="utf-8")
    folder = tmp_path / "resources" / "translations"
    folder.mkdir(parents=True)
    subprocess.run([_tool("pyside6-lrelease"), str(ts), "-qm", str(folder / "fjld_en.qm")], check=True,
                   capture_output=True, timeout=120)
    monkeypatch.setattr(i18n, "resources_dir", lambda: tmp_path / "resources")
    translator = i18n.install_translator(QCoreApplication.instance(), QLocale("en"))
    try:
        assert translator is not None
        assert i18n.tr(SOURCE) == "Save the record first"
    finally:
        QCoreApplication.removeTranslator(translator)
    assert i18n.tr(SOURCE) == SOURCE


def test_qt_own_texts_are_chinese_whatever_the_system_language(qapp):
    """qtbase_zh_CN.qm is loaded at start-up (the session's application is made by ui.app.make_application):
    standard buttons, text-field context menus and the calendar are Chinese under LANG=C too."""
    box = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
                           | QDialogButtonBox.StandardButton.Close)
    assert box.button(QDialogButtonBox.StandardButton.Cancel).text() == "取消"
    assert box.button(QDialogButtonBox.StandardButton.Close).text() == "关闭"
    edit = QLineEdit("某县")
    menu = edit.createStandardContextMenu()
    texts = [action.text() for action in menu.actions() if action.text()]
    assert any(text.startswith("复制") for text in texts) and any(text.startswith("粘贴") for text in texts)
    assert not any(text.startswith(("&Copy", "Copy", "Paste", "&Paste")) for text in texts)
    menu.deleteLater()
    assert QLocale().language() == QLocale.Language.Chinese
    assert QLocale().monthName(3) == "三月"


def test_qt_translations_are_found_in_a_bundle_layout(qapp, tmp_path, monkeypatch):
    """A PyInstaller bundle keeps PySide6's translations under _MEIPASS; the search looks there too."""
    monkeypatch.setattr(sys, "_MEIPASS", str(tmp_path), raising=False)
    folders = i18n.qt_translation_dirs()
    assert tmp_path / "PySide6" / "Qt" / "translations" in folders
    assert tmp_path / "PySide6" / "translations" in folders
    assert any((folder / "qtbase_zh_CN.qm").exists() for folder in folders)


def test_file_dialog_labels_qt_left_untranslated_come_from_our_supplement(qapp, tmp_path):
    dialog = QFileDialog(None, "选择文件")
    dialog.setOption(QFileDialog.Option.DontUseNativeDialog, True)
    labels = {label.objectName(): label.text() for label in dialog.findChildren(QLabel)}
    dialog.deleteLater()
    assert labels["lookInLabel"] == "查找范围(&L)：" and labels["fileTypeLabel"] == "文件类型(&T)："
    # the committed .qm is the compiled .ts next to it
    folder = ROOT / "resources" / "translations"
    subprocess.run([_tool("pyside6-lrelease"), str(folder / "qt_supplement_zh_CN.ts"), "-qm",
                    str(tmp_path / "check.qm")], check=True, capture_output=True, timeout=120)
    assert (tmp_path / "check.qm").read_bytes() == (folder / "qt_supplement_zh_CN.qm").read_bytes()


ALLOWED_LATIN = {"Excel", "Word", "Windows", "backups", "json", "PDF", "pt"}  # product names, file types


def _latin_words(widget) -> set[str]:
    """Latin words a clerk would read on `widget` and its children (labels, buttons, group titles,
    placeholders, tool tips, table headers)."""
    from PySide6.QtWidgets import QAbstractButton, QAbstractItemView, QGroupBox, QLabel, QLineEdit, QWidget

    texts: list[str] = []
    for child in [widget, *widget.findChildren(QWidget)]:
        if isinstance(child, QLabel | QAbstractButton):
            texts.append(child.text())
        if isinstance(child, QGroupBox):
            texts.append(child.title())
        if isinstance(child, QLineEdit):
            texts.append(child.placeholderText())
        if isinstance(child, QAbstractItemView) and child.model() is not None:
            model = child.model()
            texts += [str(model.headerData(c, Qt.Orientation.Horizontal) or "") for c in range(model.columnCount())]
        texts.append(child.toolTip())
    return {word for text in texts for word in re.findall(r"[A-Za-z]{2,}", text.replace("&", ""))} - ALLOWED_LATIN


def test_no_english_on_the_settings_and_unit_screens_or_the_first_run_dialog(qtbot, demo_ctx):
    from ui.settings_page import SettingsPage
    from ui.start_dialogs import setup_dialog
    from ui.unit_page import UnitPage

    for widget in (SettingsPage(demo_ctx), UnitPage(demo_ctx), setup_dialog(None, lambda values: None)):
        qtbot.addWidget(widget)
        assert _latin_words(widget) == set(), type(widget).__name__


def test_no_english_in_the_print_preview(qtbot, demo_ctx):
    from reports.xlsx.list_table import ListTable
    from ui.list_print import preview_dialog

    dialog = preview_dialog(None, ListTable("单位", "某院", ("名称",), [("某局",)], DEMO_TODAY))
    qtbot.addWidget(dialog)
    dialog.show()
    from PySide6.QtGui import QAction
    words = {word for action in dialog.findChildren(QAction)
             for word in re.findall(r"[A-Za-z]{2,}", action.text() + action.toolTip())}
    assert words - ALLOWED_LATIN == set()
