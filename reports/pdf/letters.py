"""Letter-style documents (检察建议书, 督促回复函) and the furniture they share with the 通报:
two-line title, 文号, 主送, 署名/成文日期 with the seal area, 抄送 版记."""
from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

from reports.pdf.content import Paragraph, ReminderLetter, Signature, Span, SuggestionLetter
from reports.pdf.flow import Block, ImageMark, Page, Row, RuleMark, TextMark, paginate
from reports.pdf.fonts import Face
from reports.pdf.geometry import (
    BLOCK_LEFT,
    BLOCK_RIGHT,
    BLOCK_WIDTH,
    BODY_SIZE,
    CELL,
    EM_ASCENT,
    ISSUER_MARK_SIZE,
    ISSUER_MARK_TOP,
    LINE_PITCH,
    MM,
    NOTE_SIZE,
    RED,
    RED_RULE,
    SEAL_DIAMETER,
    THICK_RULE,
    THIN_RULE,
)
from reports.pdf.typeset import Align, Typesetter, blank_row
from reports.pdf.wording import join_copy_to

DATE_RIGHT_CELLS = 4  # 成文日期 右空四字 when the document is sealed (GB/T 9704 §7.3.5.1)
SEAL_GAP_LINES = 2  # blank lines between the body and the 署名: the upper half of the seal


DRAFT_MARK = "草稿"
RED_RULE_BELOW_DOC_NO = 4 * MM  # 版头 red rule 4 mm under the 发文字号 (§7.2.7)
ISSUER_TO_DOC_NO_BLANKS = 2  # 文号 two lines under the 发文机关标志 (§7.2.5)
RULE_TO_TITLE_BLANKS = 2  # title two lines under the red rule (§7.3.1)


def draft_rows(ts: Typesetter, draft: bool) -> list[Row]:
    """草稿 in 3号黑体 顶格 on line 1, where GB/T 9704 puts 份号/密级/紧急程度: a clerk's draft is
    never mistaken for the signed document."""
    if not draft:
        return []
    return [Row(ts.aligned_row(DRAFT_MARK, Align.LEFT, face=Face.HEITI)[0].marks, is_body=False)]


def header_rows(ts: Typesetter, office_name: str, title: str, doc_no: str, draft: bool = False) -> list[Row]:
    """院名 and 文书名 (2号小标宋, centred), 文号 right-aligned (编号在标题右下方), one blank line."""
    rows = [*draft_rows(ts, draft), *ts.title_rows(office_name), *ts.title_rows(title)]
    if doc_no:
        rows += ts.aligned_row(doc_no, Align.RIGHT)
    rows.append(blank_row())
    return rows


def official_header_rows(ts: Typesetter, issuer: str, doc_no: str, title: str, draft: bool = False) -> list[Row]:
    """公文 版头 (GB/T 9704 §7.2): red 发文机关标志 in 小标宋 whose top edge is 35 mm under the 版心
    top, 文号 centred two lines under it, the red rule 4 mm under the 文号, the title two lines under
    the rule and one blank line before 主送."""
    rows = draft_rows(ts, draft)
    before = len(rows) * LINE_PITCH
    (mark,) = ts.lines([(Face.TITLE, issuer)], size=ISSUER_MARK_SIZE, justify=False, align=Align.CENTRE,
                       stroke=ts.title_stroke(ISSUER_MARK_SIZE))
    dy = ISSUER_MARK_TOP - before + EM_ASCENT * ISSUER_MARK_SIZE
    bands = -int(-(ISSUER_MARK_TOP - before + ISSUER_MARK_SIZE) // LINE_PITCH)
    rows.append(Row([replace(mark, dy=dy, rgb=RED)], bands=bands, is_body=False))
    rows += [blank_row() for _ in range(ISSUER_TO_DOC_NO_BLANKS)]
    rule_dy = BODY_SIZE + RED_RULE_BELOW_DOC_NO
    rule = RuleMark(BLOCK_LEFT, rule_dy, BLOCK_RIGHT, rule_dy, RED_RULE, RED)
    if doc_no:
        (doc_no_row,) = ts.aligned_row(doc_no, Align.CENTRE)
        rows.append(Row([*doc_no_row.marks, rule], is_body=False))
    else:
        rows.append(Row([rule], is_body=False))
    rows += [blank_row() for _ in range(RULE_TO_TITLE_BLANKS)]
    rows += ts.title_rows(title)
    rows.append(blank_row())
    return rows


def note_rows(ts: Typesetter, note: str) -> list[Row]:
    """附注: 3号仿宋 in （）, 左空二字, on the line under the 成文日期 (§7.3.6)."""
    if not note:
        return []
    return ts.block_rows(Paragraph((Span(note),))).rows


def addressee_block(ts: Typesetter, addressee: str) -> Block:
    """主送机关 顶格, ends with a full-width colon (§7.3.2)."""
    return ts.paragraph(Paragraph((Span(addressee + "："),), first_indent=0))


def signature_block(ts: Typesetter, signature: Signature, seal_image: bytes | None, note: str = "",
                    seal_gap: int = SEAL_GAP_LINES) -> Block:
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
    rows = [seal_row, *[blank_row() for _ in range(seal_gap - 1)], signer_row, date_row,
            *note_rows(ts, note)]
    return Block(rows, keep_together=True, pull_previous=2)


def copy_to_footer(ts: Typesetter, copy_to: Sequence[str], printed_by: str = "", printed_on: str = "") -> list[Row]:
    """版记 (§7.4): 4号 抄送 line(s) 左右各空一字, then 印发机关 (左空一字) and 印发日期 (右空一字); the
    first and last rules 0.35 mm, a 0.25 mm rule between 抄送 and 印发; the last rule on the 版心
    bottom edge (paginate puts the footer at the page bottom)."""
    rows: list[Row] = []
    if copy_to:
        text = join_copy_to(tuple(copy_to))
        label_width = sum(ts.fonts.width(Face.FANGSONG, c, NOTE_SIZE) for c in "抄送：")
        marks = ts.lines([(Face.FANGSONG, text)], size=NOTE_SIZE, left=BLOCK_LEFT + NOTE_SIZE,
                         width=BLOCK_WIDTH - 2 * NOTE_SIZE, rest_indent=label_width, centre_in=LINE_PITCH)
        rows += [Row([m], is_body=False) for m in marks]
    if printed_by and printed_on:
        (organ,) = ts.lines([(Face.FANGSONG, printed_by)], size=NOTE_SIZE, left=BLOCK_LEFT + NOTE_SIZE,
                            width=BLOCK_WIDTH - 2 * NOTE_SIZE, justify=False, centre_in=LINE_PITCH)
        (day,) = ts.lines([(Face.FANGSONG, printed_on + "印发")], size=NOTE_SIZE, left=BLOCK_LEFT + NOTE_SIZE,
                          width=BLOCK_WIDTH - 2 * NOTE_SIZE, justify=False, align=Align.RIGHT,
                          centre_in=LINE_PITCH)
        printed = Row([organ, day], is_body=False)
        if rows:
            printed.marks.insert(0, RuleMark(BLOCK_LEFT, 0.0, BLOCK_RIGHT, 0.0, THIN_RULE))
        rows.append(printed)
    if not rows:
        return []
    rows[0].marks.insert(0, RuleMark(BLOCK_LEFT, 0.0, BLOCK_RIGHT, 0.0, THICK_RULE))
    rows[-1].marks.append(RuleMark(BLOCK_LEFT, LINE_PITCH, BLOCK_RIGHT, LINE_PITCH, THICK_RULE))
    return rows


@dataclass(frozen=True)
class Layout:
    """A document laid out up to its close: the body blocks, the signature block for a given seal gap,
    and the 版记 rows. `seal_gap` chooses the gap; `fitted_pages` paginates with it."""

    blocks: Sequence[Block]
    closing: Callable[[int], Block]
    footer: list[Row]


def letter_layout(ts: Typesetter, *, office_name: str, title: str, doc_no: str, addressee: str,
                  body: Sequence[Block], signature: Signature, copy_to: Sequence[str],
                  seal_image: bytes | None, note: str = "", draft: bool = False) -> Layout:
    blocks = [Block(header_rows(ts, office_name, title, doc_no, draft), keep_together=True),
              addressee_block(ts, addressee), *body]
    return Layout(blocks, lambda gap: signature_block(ts, signature, seal_image, note, gap), copy_to_footer(ts, copy_to))


def seal_gap(layout: Layout) -> int:
    """The rule for short documents, shared by the PDF and the .docx writer: blank lines between the body
    and the 署名. When the signature block would start a page of its own (only the few body lines it pulls
    along above it), GB/T 9704 §7.3.5.5 asks to adjust the spacing instead: the gap is tightened to one
    line if the document then ends a page earlier."""
    loose = paginate([*layout.blocks, layout.closing(SEAL_GAP_LINES)], layout.footer)
    if len(loose) > 1:
        tight = paginate([*layout.blocks, layout.closing(1)], layout.footer)
        if len(tight) < len(loose):
            return 1
    return SEAL_GAP_LINES


def fitted_pages(layout: Layout) -> list[Page]:
    """Paginate with the signature block last, its seal gap chosen by `seal_gap`."""
    return paginate([*layout.blocks, layout.closing(seal_gap(layout))], layout.footer)


def suggestion_layout(ts: Typesetter, letter: SuggestionLetter, seal_image: bytes | None = None) -> Layout:
    return letter_layout(ts, office_name=letter.office_name, title=letter.title, doc_no=letter.doc_no,
                         addressee=letter.addressee, body=[ts.block_rows(b) for b in letter.blocks()],
                         signature=letter.signature, copy_to=letter.copy_to, seal_image=seal_image,
                         note=letter.note, draft=letter.draft)


def reminder_layout(ts: Typesetter, letter: ReminderLetter, seal_image: bytes | None = None) -> Layout:
    return letter_layout(ts, office_name=letter.office_name, title=letter.title, doc_no=letter.doc_no,
                         addressee=letter.addressee, body=[ts.block_rows(b) for b in letter.body],
                         signature=letter.signature, copy_to=letter.copy_to, seal_image=seal_image,
                         note=letter.note, draft=letter.draft)


def suggestion_pages(ts: Typesetter, letter: SuggestionLetter, seal_image: bytes | None = None) -> list[Page]:
    return fitted_pages(suggestion_layout(ts, letter, seal_image))


def reminder_pages(ts: Typesetter, letter: ReminderLetter, seal_image: bytes | None = None) -> list[Page]:
    return fitted_pages(reminder_layout(ts, letter, seal_image))
