"""Document content -> .docx bytes (python-docx), laid out as the PDF: A4, margins 37/35/28/26 mm,
the 22 × 28 document grid, 3号仿宋 body, 一、黑体 / （一）楷体 / 1. 仿宋 headings kept with the next
paragraph, 小标宋 titles, odd/even "— N —" footers, 版记 rules as paragraph borders, tables with
explicit gridCol widths.

Word lays the text out itself, so what is shared with the PDF is the content model, the geometry and
the layout decisions the PDF engine makes for whole lines (title breaks, 版记 lines, table cell lines and
row heights, the seal gap by the one rule letters.seal_gap, 署名 centred over the date), not the body
line breaks; the body keeps the PDF's pitches (writer.BODY_LINES), so its lines break at nearly the same
places and the converted file has the PDF's page count.
"""
from __future__ import annotations

from collections.abc import Iterable, Sequence

from reports.docx.ooxml import child, set_fonts, twips
from reports.docx.writer import LINE_BREAK, DocxOptions, DocxWriter
from reports.pdf.content import (
    Block,
    FormRow,
    QuarterlyReport,
    ReminderLetter,
    ServiceReceipt,
    Signature,
    SuggestionLetter,
    Table,
)
from reports.pdf.fonts import Face, FontSet, load_fonts
from reports.pdf.geometry import BLOCK_WIDTH, NOTE_SIZE, TITLE_SIZE
from reports.pdf.letters import reminder_layout, seal_gap, suggestion_layout
from reports.pdf.render import quarterly_layout
from reports.pdf.tables import FORM_LABEL_SIZE, FORM_VALUE_SIZE, LABEL_COLUMN, table_cell_lines

__all__ = ["DocxOptions", "render_docx", "render_docx_batch"]

Document = SuggestionLetter | ServiceReceipt | ReminderLetter | QuarterlyReport


def _letter(w: DocxWriter, *, office: str, title: str, doc_no: str, addressee: str, blocks: Sequence[Block],
            signature: Signature, copy_to: Sequence[str], note: str, draft: bool, seal_gap: int) -> None:
    w.start_section(numbered=True)
    w.letter_header(office, title, doc_no, draft)
    w.addressee(addressee)
    for n, block in enumerate(blocks):
        w.block(block, keep_next=n == len(blocks) - 1)  # the signature never stands alone
    w.signature(signature, note, seal_gap)
    w.imprint(copy_to)


def _receipt(w: DocxWriter, receipt: ServiceReceipt) -> None:
    w.start_section(numbered=False)
    w.title(receipt.office_name)
    spaced = w.para("FjldTitle", [(None, receipt.title)])
    for run in spaced.runs:
        child(run._r.get_or_add_rPr(), "w:spacing", val=twips(TITLE_SIZE / 2))
        set_fonts(run._r.get_or_add_rPr(), w.faces[Face.TITLE])
    rows: Sequence[FormRow] = receipt.rows
    table = w.table([LABEL_COLUMN, BLOCK_WIDTH - LABEL_COLUMN], [(r.label, r.value) for r in rows],
                    heights=[r.lines for r in rows], size=(FORM_LABEL_SIZE, FORM_VALUE_SIZE),
                    align=("center", "left"), exact=True)
    for row, form_row in zip(table.rows, rows):
        if form_row.date_blank:
            w.date_blank(row.cells[1], form_row.date_blank)
    if receipt.footnote:
        # a little less than a band: Word adds the table's border widths to its exact row heights
        w.para("FjldImprint", [(None, receipt.footnote)], spacing={"line": twips(NOTE_SIZE * 1.4), "lineRule": "exact",
                                                                    "before": twips(4)})


def _quarterly(w: DocxWriter, report: QuarterlyReport) -> None:
    w.start_section(numbered=True)
    w.official_header(report.issuer_mark, report.doc_no, report.title, report.draft)
    w.addressee(report.addressee)
    for block in report.before_table:
        w.block(block)
    _captioned_table(w, report.table_caption, report.table)
    tail: list[Block | Table] = list(report.after_table)
    captions: dict[int, str] = {}
    for section in report.sections:
        tail += section.before
        if section.table is not None:
            captions[len(tail)] = section.caption
            tail.append(section.table)
        tail += section.after
    for n, item in enumerate(tail):
        if isinstance(item, Table):
            _captioned_table(w, captions[n], item)
        else:
            w.block(item, keep_next=n == len(tail) - 1)  # the signature never stands alone
    w.signature(report.signature, report.note,
                seal_gap(quarterly_layout(w.typesetter, report)))
    w.imprint(report.copy_to, report.printed_by, report.printed_on)


def _captioned_table(w: DocxWriter, caption: str, table: Table) -> None:
    w.para("FjldBody", [(None, caption)], jc={"val": "center"},
           ind={"firstLineChars": "0", "firstLine": "0"}, keepNext={})
    total = sum(table.column_weights)
    widths = [BLOCK_WIDTH * weight / total for weight in table.column_weights]
    lines = table_cell_lines(w.typesetter, table)
    w.table(widths, [[LINE_BREAK.join(cell) for cell in row] for row in lines], header_rows=len(table.header),
            heights=[max(1, *(len(cell) for cell in row)) for row in lines])


def _add(w: DocxWriter, document: Document) -> None:
    if isinstance(document, SuggestionLetter):
        gap = seal_gap(suggestion_layout(w.typesetter, document))
        _letter(w, office=document.office_name, title=document.title, doc_no=document.doc_no,
                addressee=document.addressee, blocks=document.blocks(), signature=document.signature,
                copy_to=document.copy_to, note=document.note, draft=document.draft, seal_gap=gap)
    elif isinstance(document, ReminderLetter):
        gap = seal_gap(reminder_layout(w.typesetter, document))
        _letter(w, office=document.office_name, title=document.title, doc_no=document.doc_no,
                addressee=document.addressee, blocks=document.body, signature=document.signature,
                copy_to=document.copy_to, note=document.note, draft=document.draft, seal_gap=gap)
    elif isinstance(document, ServiceReceipt):
        _receipt(w, document)
    else:
        _quarterly(w, document)


def render_docx(document: Document, options: DocxOptions | None = None, fonts: FontSet | None = None) -> bytes:
    """One document -> .docx bytes."""
    return render_docx_batch([document], options, fonts)


def render_docx_batch(documents: Iterable[Document], options: DocxOptions | None = None,
                      fonts: FontSet | None = None) -> bytes:
    """Many documents in one .docx, one section each (page numbers restart at 1 per document)."""
    writer = DocxWriter(options or DocxOptions(), fonts or load_fonts(system_dirs=()))
    for document in documents:
        _add(writer, document)
    if not writer.sections:
        raise ValueError("render_docx_batch needs at least one document")
    return writer.finish()
