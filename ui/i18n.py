"""One place for user-facing text: every label goes through tr(), so a translator can ship a .qm file
in resources/translations without touching code (the source language is Chinese).

Qt's own texts (OK/Cancel of standard buttons, the context menu of text fields, file, print and print
preview dialogs, calendar month names) come from Qt's qtbase_zh_CN.qm, loaded whatever the system
language is: the program is Chinese on an English Windows too."""
from __future__ import annotations

import sys
from pathlib import Path

import PySide6
from PySide6.QtCore import QCoreApplication, QLibraryInfo, QLocale, QTranslator

from models.platform import resources_dir

# pyside6-lupdate files the strings of plain tr("…") calls under the empty context, so the
# translations it extracts match only when looked up there too.
CONTEXT = ""
CHINESE = QLocale(QLocale.Language.Chinese, QLocale.Country.China)
QT_CATALOGUES = ("qtbase",)
QT_SUPPLEMENT = "qt_supplement"   # resources/translations/qt_supplement_zh_CN.qm: strings qtbase_zh_CN lacks


def tr(text: str) -> str:
    return QCoreApplication.translate(CONTEXT, text)


def qt_translation_dirs() -> list[Path]:
    """Where Qt's own .qm files may be: Qt's configured folder, the PySide6 wheel layouts (Linux keeps
    them in PySide6/Qt/translations, Windows in PySide6/translations; a PyInstaller bundle keeps the
    wheel layout under _internal) and, last, our resources/translations."""
    package = Path(PySide6.__file__).resolve().parent
    candidates = [Path(QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)),
                  package / "Qt" / "translations", package / "translations"]
    frozen = getattr(sys, "_MEIPASS", None)
    if frozen:
        candidates += [Path(frozen) / "PySide6" / "Qt" / "translations", Path(frozen) / "PySide6" / "translations"]
    candidates.append(resources_dir() / "translations")
    seen: list[Path] = []
    for folder in candidates:
        if folder not in seen:
            seen.append(folder)
    return seen


def install_qt_translations(app: QCoreApplication) -> list[QTranslator]:
    installed = []
    for catalogue in QT_CATALOGUES:
        translator = QTranslator(app)
        for folder in qt_translation_dirs():
            if translator.load(CHINESE, catalogue, "_", str(folder)):
                app.installTranslator(translator)
                installed.append(translator)
                break
    supplement = QTranslator(app)   # installed last, so it is asked first; it holds only what Qt lacks
    if supplement.load(CHINESE, QT_SUPPLEMENT, "_", str(resources_dir() / "translations")):
        app.installTranslator(supplement)
        installed.append(supplement)
    return installed


def install_translator(app: QCoreApplication, locale: QLocale | None = None) -> QTranslator | None:
    """Makes Chinese the default locale (dates, numbers, calendar), loads Qt's own Chinese texts, and
    resources/translations/fjld_<locale>.qm when one exists (Chinese needs none). Returns the latter."""
    QLocale.setDefault(CHINESE)
    install_qt_translations(app)
    translator = QTranslator(app)
    folder = str(resources_dir() / "translations")
    if translator.load(locale or QLocale.system(), "fjld", "_", folder):
        app.installTranslator(translator)
        return translator
    return None
