"""Letter-style documents (检察建议书, 督促回复函) and the furniture they share with the 通报:
two-line title, 文号, 主送, 署名/成文日期 with the seal area, 抄送 版记."""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from reports.pdf.content import Paragraph, ReminderLetter, Signature, Span, SuggestionLetter
from reports.pdf.flow import Block, ImageMark, Page, Row, RuleMark, TextMark, paginate
from reports.pdf.fonts import Face
from reports.pdf.geometry import (
    BLOCK_LEFT,
    BLOCK_RIGHT,
    BLOCK_WIDTH,
    CELL,
    LINE_PITCH,
    NOTE_SIZE,
    SEAL_DIAMETER,
    THICK_RULE,
)
from reports.pdf.typeset import Align, Typesetter, blank_row
from reports.pdf.wording import join_copy_to

DATE_RIGHT_CELLS = 4  # 成文日期 右空四字 when the document is sealed (GB/T 9704 §7.3.5.1)
SEAL_GAP_LINES = 2  # blank lines between the body and the 署名: the upper half of the seal


def header_rows(ts: Typesetter, office_name: str, title: str, doc_no: str) -> list[Row]:
    """院名 and 文书名 (2号小标宋, centred), 文号 right-aligned (编号在标题右下方), one blank line."""
    rows = [*ts.title_rows(office_name), *ts.title_rows(title)]
    if doc_no:
        rows += ts.aligned_row(doc_no, Align.RIGHT)
    rows.append(blank_row())
    return rows


def addressee_block(ts: Typesetter, addressee: str) -> Block:
    """主送机关 顶格, ends with a full-width colon (§7.3.2)."""
    return ts.paragraph(Paragraph((Span(addressee + "："),), first_indent=0))


def signature_block(ts: Typesetter, signature: Signature, seal_image: bytes | None) -> Block:
    """Sealed layout: date 右空四字, 署名 centred over the date, seal area starting on the line
    after the body so the seal presses both; kept together and never alone on a page."""
    (date_row,) = ts.aligned_row(signature.date_text, Align.RIGHT, right_space=DATE_RIGHT_CELLS * CELL)
    date_mark = date_row.marks[0]
    assert isinstance(date_mark, TextMark)
    centre = date_mark.x + ts.visual_width(date_mark) / 2
    signer_mark = ts.lines([(Face.FANGSONG, signature.signer)], cell=CELL, justify=False)[0]
    signer_row = Row([replace(signer_mark, x=centre - ts.visual_width(signer_mark) / 2)])
    seal_row = blank_row()
    if seal_image:
        seal_row = Row([ImageMark(centre - SEAL_DIAMETER / 2, 0.0, SEAL_DIAMETER, SEAL_DIAMETER, seal_image)],
                       is_body=False)
    rows = [seal_row, *[blank_row() for _ in range(SEAL_GAP_LINES - 1)], signer_row, date_row]
    return Block(rows, keep_together=True, pull_previous=2)


def copy_to_footer(ts: Typesetter, copy_to: Sequence[str]) -> list[Row]:
    """版记: 4号 抄送 line(s) between two 0.35 mm rules, the last on the 版心 bottom edge (§7.4)."""
    if not copy_to:
        return []
    text = join_copy_to(tuple(copy_to))
    label_width = sum(ts.fonts.width(Face.FANGSONG, c, NOTE_SIZE) for c in "抄送：")
    marks = ts.lines([(Face.FANGSONG, text)], size=NOTE_SIZE, left=BLOCK_LEFT + NOTE_SIZE,
                     width=BLOCK_WIDTH - 2 * NOTE_SIZE, rest_indent=label_width, centre_in=LINE_PITCH)
    rows = [Row([m], is_body=False) for m in marks]
    rows[0].marks.insert(0, RuleMark(BLOCK_LEFT, 0.0, BLOCK_RIGHT, 0.0, THICK_RULE))
    rows[-1].marks.append(RuleMark(BLOCK_LEFT, LINE_PITCH, BLOCK_RIGHT, LINE_PITCH, THICK_RULE))
    return rows


def letter_pages(ts: Typesetter, *, office_name: str, title: str, doc_no: str, addressee: str,
                 body: Sequence[Block], signature: Signature, copy_to: Sequence[str],
                 seal_image: bytes | None) -> list[Page]:
    blocks = [Block(header_rows(ts, office_name, title, doc_no), keep_together=True),
              addressee_block(ts, addressee), *body, signature_block(ts, signature, seal_image)]
    return paginate(blocks, copy_to_footer(ts, copy_to))


def suggestion_pages(ts: Typesetter, letter: SuggestionLetter, seal_image: bytes | None = None) -> list[Page]:
    return letter_pages(ts, office_name=letter.office_name, title=letter.title, doc_no=letter.doc_no,
                        addressee=letter.addressee, body=[ts.block_rows(b) for b in letter.blocks()],
                        signature=letter.signature, copy_to=letter.copy_to, seal_image=seal_image)


def reminder_pages(ts: Typesetter, letter: ReminderLetter, seal_image: bytes | None = None) -> list[Page]:
    return letter_pages(ts, office_name=letter.office_name, title=letter.title, doc_no=letter.doc_no,
                        addressee=letter.addressee, body=[ts.block_rows(b) for b in letter.body],
                        signature=letter.signature, copy_to=letter.copy_to, seal_image=seal_image)
