"""One place for user-facing text: every label goes through tr(), so a translator can ship a .qm file
in resources/translations without touching code (the source language is Chinese)."""
from __future__ import annotations

from PySide6.QtCore import QCoreApplication, QLocale, QTranslator

from models.platform import resources_dir

# pyside6-lupdate files the strings of plain tr("…") calls under the empty context, so the
# translations it extracts match only when looked up there too.
CONTEXT = ""


def tr(text: str) -> str:
    return QCoreApplication.translate(CONTEXT, text)


def install_translator(app: QCoreApplication, locale: QLocale | None = None) -> QTranslator | None:
    """Loads resources/translations/fjld_<locale>.qm when one exists; Chinese needs none."""
    translator = QTranslator(app)
    folder = str(resources_dir() / "translations")
    if translator.load(locale or QLocale(), "fjld", "_", folder):
        app.installTranslator(translator)
        return translator
    return None
