"""What each formal document SAYS, apart from how it is drawn.

Frozen dataclasses of final text, built by the pure functions in `reports.pdf.wording` from plain
values. The PDF layer (reports.pdf.render) and the Word layer (reports.docx) render them.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from reports.statistics import StatisticsRow  # noqa: F401  (part of the content model)


@dataclass(frozen=True)
class Span:
    """A piece of paragraph text; heading_level 1-4 marks a run-in heading (一、/（一）/1./（1）)."""

    text: str
    heading_level: int = 0


@dataclass(frozen=True)
class Paragraph:
    spans: tuple[Span, ...]
    first_indent: int = 2  # 左空二字

    @property
    def text(self) -> str:
        return "".join(s.text for s in self.spans)


@dataclass(frozen=True)
class Heading:
    """A heading on its own line; `text` includes its marker (一、 （一） 1. （1）)."""

    level: int
    text: str


Block = Paragraph | Heading


def plain(text: str) -> Paragraph:
    return Paragraph((Span(text),))


@dataclass(frozen=True)
class Signature:
    """署名 and 成文日期 (date already formatted as 2024年3月5日)."""

    signer: str
    date_text: str


@dataclass(frozen=True)
class SuggestionLetter:
    """检察建议书."""

    office_name: str  # 院名, first title line
    doc_no: str  # 文号 with 〔〕
    addressee: str  # 主送, without the colon
    body: tuple[Block, ...]  # 来源, 事实, 理由, 依据 and the lead-in to the items
    items: tuple[Paragraph, ...]  # numbered 建议 items
    closing: tuple[Paragraph, ...]  # reply requirement (with the computed 回复期限), objection notice
    signature: Signature
    copy_to: tuple[str, ...] = ()  # 抄送 units, printed in the 版记
    title: str = "检察建议书"
    note: str = ""  # 附注 (GB/T 9704 §7.3.6), printed in （） under the date
    draft: bool = False  # no 文号 yet or not yet 制发: printed with a 草稿 mark

    def blocks(self) -> tuple[Block, ...]:
        return (*self.body, *self.items, *self.closing)


@dataclass(frozen=True)
class FormRow:
    """One row of a ruled form: label, pre-filled value, height in grid lines, and whether a
    hand-filled "年　月　日" goes at its bottom right (signature rows)."""

    label: str
    value: str
    lines: int = 1
    date_blank: str = ""


@dataclass(frozen=True)
class ServiceReceipt:
    """送达回证."""

    office_name: str
    rows: tuple[FormRow, ...]
    footnote: str = ""
    title: str = "送达回证"


@dataclass(frozen=True)
class ReminderLetter:
    """督促回复函 for a 检察建议 whose reply is overdue."""

    office_name: str
    doc_no: str  # may be empty when the office does not number its 函
    addressee: str
    body: tuple[Paragraph, ...]
    signature: Signature
    copy_to: tuple[str, ...] = ()
    title: str = "督促回复函"
    note: str = ""
    draft: bool = False


@dataclass(frozen=True)
class Table:
    header: tuple[tuple[str, ...], ...]  # header rows, repeated on each page the table spans
    rows: tuple[tuple[str, ...], ...]
    column_weights: tuple[float, ...]  # relative column widths


@dataclass(frozen=True)
class TableSection:
    """A further captioned table of the 通报 (e.g. 四、分单位情况): text before it, the caption, the
    table and the notes under it."""

    before: tuple[Block, ...]
    caption: str
    table: Table | None  # None: nothing to tabulate, `after` says so
    after: tuple[Block, ...] = ()


@dataclass(frozen=True)
class QuarterlyReport:
    """季度公益诉讼/检察建议情况通报 to the government: a 公文 (GB/T 9704) with the red 发文机关标志
    and rule, 文号, 主送, and 抄送/印发 in the 版记."""

    office_name: str
    doc_no: str
    title: str  # e.g. 关于2024年第一季度公益诉讼和检察建议工作情况的通报
    addressee: str
    before_table: tuple[Block, ...]
    table_caption: str
    table: Table
    after_table: tuple[Block, ...]
    signature: Signature
    copy_to: tuple[str, ...] = field(default=())
    printed_by: str = ""  # 印发机关 (版记), e.g. the office's 办公室
    printed_on: str = ""  # 印发日期, formatted
    note: str = ""
    draft: bool = False
    as_of_text: str = ""  # the one date every figure is counted to (formatted)
    sections: tuple[TableSection, ...] = ()  # after `after_table`, before the signature

    @property
    def issuer_mark(self) -> str:
        """发文机关标志 (red, 小标宋): the organ's full name."""
        return self.office_name
