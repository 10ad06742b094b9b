"""Translations are ready for other languages: lupdate extracts the tr() strings of ui/, and a compiled
.qm put in resources/translations changes what the interface shows."""
import subprocess
import sys
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QLocale

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
