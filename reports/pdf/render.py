"""Public entry points: document content -> PDF bytes."""
from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from reports.pdf.content import QuarterlyReport, ReminderLetter, ServiceReceipt, SuggestionLetter
from reports.pdf.draw import PdfWriter
from reports.pdf.flow import Block, Page, paginate
from reports.pdf.fonts import Face, FontOverride, load_fonts
from reports.pdf.geometry import LINE_PITCH, NOTE_SIZE
from reports.pdf.letters import (
    Layout,
    addressee_block,
    copy_to_footer,
    fitted_pages,
    official_header_rows,
    reminder_pages,
    signature_block,
    suggestion_pages,
)
from reports.pdf.tables import form_block, table_block
from reports.pdf.typeset import Align, Typesetter

Document = SuggestionLetter | ServiceReceipt | ReminderLetter | QuarterlyReport


@dataclass(frozen=True)
class RenderOptions:
    """How to draw, not what to say. `font_overrides` maps fangsong/heiti/kaiti/title/song/fallback
    to font files; `system_font_dirs` None = the platform's font folders; `seal_image` is the office's
    院印 (PNG with transparency) for electronic copies, none by default: the clerk stamps paper."""

    font_overrides: Mapping[str, FontOverride] | None = None
    system_font_dirs: Sequence[Path] | None = None
    seal_image: bytes | None = None


def _typesetter(options: RenderOptions) -> Typesetter:
    return Typesetter(load_fonts(options.font_overrides, options.system_font_dirs))


def receipt_pages(ts: Typesetter, receipt: ServiceReceipt) -> list[Page]:
    """One page, no page number (a form, not a 公文 body)."""
    header = [*ts.title_rows(receipt.office_name), ts.spaced_title_row(receipt.title, 0.5)]
    blocks = [Block(header, keep_together=True), form_block(ts, receipt.rows)]
    if receipt.footnote:
        blocks.append(Block(ts.rows(ts.lines([(Face.FANGSONG, receipt.footnote)], size=NOTE_SIZE,
                                                     centre_in=LINE_PITCH))))
    pages = paginate(blocks)
    for page in pages:
        page.numbered = False
    return pages


def quarterly_layout(ts: Typesetter, report: QuarterlyReport, seal_image: bytes | None = None) -> Layout:
    caption = Block(ts.aligned_row(report.table_caption, Align.CENTRE), keep_with_next=True)
    header = official_header_rows(ts, report.issuer_mark, report.doc_no, report.title, report.draft)
    blocks = [Block(header, keep_together=True), addressee_block(ts, report.addressee),
              *[ts.block_rows(b) for b in report.before_table], caption, table_block(ts, report.table),
              *[ts.block_rows(b) for b in report.after_table]]
    for section in report.sections:
        blocks += [ts.block_rows(b) for b in section.before]
        if section.table is not None:
            blocks += [Block(ts.aligned_row(section.caption, Align.CENTRE), keep_with_next=True),
                       table_block(ts, section.table)]
        blocks += [ts.block_rows(b) for b in section.after]
    return Layout(blocks, lambda gap: signature_block(ts, report.signature, seal_image, report.note, gap),
                  copy_to_footer(ts, report.copy_to, report.printed_by, report.printed_on))


def quarterly_pages(ts: Typesetter, report: QuarterlyReport, seal_image: bytes | None = None) -> list[Page]:
    return fitted_pages(quarterly_layout(ts, report, seal_image))


def _pages(ts: Typesetter, document: Document, options: RenderOptions) -> list[Page]:
    if isinstance(document, SuggestionLetter):
        return suggestion_pages(ts, document, options.seal_image)
    if isinstance(document, ReminderLetter):
        return reminder_pages(ts, document, options.seal_image)
    if isinstance(document, ServiceReceipt):
        return receipt_pages(ts, document)
    return quarterly_pages(ts, document, options.seal_image)


def _title(document: Document) -> str:
    doc_no = getattr(document, "doc_no", "")
    return f"{document.title}（{doc_no}）" if doc_no else document.title


def render_pdf(document: Document, options: RenderOptions = RenderOptions()) -> bytes:
    """One document -> PDF bytes."""
    return render_batch([document], options)


def render_batch(documents: Iterable[Document], options: RenderOptions = RenderOptions()) -> bytes:
    """Many documents in one PDF (batch printing); each keeps its own page numbering. Fonts are
    subset once for the whole file."""
    ts = _typesetter(options)
    writer: PdfWriter | None = None
    for document in documents:
        if writer is None:
            writer = PdfWriter(ts.fonts, title=_title(document), author=document.office_name)
        writer.add_pages(_pages(ts, document, options))
    if writer is None:
        raise ValueError("render_batch needs at least one document")
    return writer.finish()
