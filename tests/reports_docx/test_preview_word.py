"""导出Word in the PDF preview: shown only with a .docx job, which runs off the GUI thread and
writes the file whole; a failure is one message, no file."""
from __future__ import annotations

import sys
import zipfile
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "reports_pdf"))

import samples  # noqa: E402

from reports.docx import render_docx  # noqa: E402
from reports.pdf import RenderOptions, render_pdf  # noqa: E402


@pytest.fixture(scope="module")
def letter_pdf() -> bytes:
    return render_pdf(samples.reminder_letter(), RenderOptions(system_font_dirs=()))


def test_word_button_only_with_a_docx_job(qtbot, letter_pdf):
    from ui.pdf_preview import PdfPreviewDialog

    plain = PdfPreviewDialog(None, letter_pdf, "督促回复函.pdf")
    qtbot.addWidget(plain)
    with_word = PdfPreviewDialog(None, letter_pdf, "督促回复函.pdf", docx_job=lambda: b"")
    qtbot.addWidget(with_word)
    assert plain.word_button.isHidden() and not with_word.word_button.isHidden()
    assert with_word.word_button.text() == "导出Word…"


def test_export_word_writes_the_docx(qtbot, letter_pdf, tmp_path, monkeypatch):
    from ui import files, messages
    from ui.pdf_preview import PdfPreviewDialog

    target = tmp_path / "督促回复函.docx"
    asked: list[str] = []
    monkeypatch.setattr(files, "ask_save_path", lambda parent, title, name, flt: asked.append(name) or target)
    notes: list[str] = []
    monkeypatch.setattr(messages, "notify", lambda widget, text: notes.append(text))
    dialog = PdfPreviewDialog(None, letter_pdf, "督促回复函.pdf",
                              docx_job=lambda: render_docx(samples.reminder_letter()))
    qtbot.addWidget(dialog)
    dialog.word_button.click()
    qtbot.waitUntil(lambda: bool(notes), timeout=20000)
    assert asked == ["督促回复函.docx"]
    assert zipfile.is_zipfile(target) and str(target) in notes[0]


def test_a_failing_export_shows_one_error_and_writes_nothing(qtbot, letter_pdf, tmp_path, monkeypatch):
    from models.errors import DomainError
    from ui import messages
    from ui.pdf_preview import PdfPreviewDialog

    errors: list[object] = []
    monkeypatch.setattr(messages, "show_error", lambda parent, exc: errors.append(exc))

    def broken() -> bytes:
        raise DomainError("font_unreadable", "无法读取字体文件“broken.ttf”")

    dialog = PdfPreviewDialog(None, letter_pdf, "x.pdf", docx_job=broken)
    qtbot.addWidget(dialog)
    dialog.save_word_to(tmp_path / "x.docx")
    qtbot.waitUntil(lambda: bool(errors), timeout=20000)
    assert getattr(errors[0], "code", "") == "font_unreadable"
    assert list(tmp_path.iterdir()) == []
