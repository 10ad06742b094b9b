"""Pure functions: plain values -> document content (no database, no drawing)."""
from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from reports.pdf.content import (
    Block,
    FormRow,
    Heading,
    Paragraph,
    QuarterlyReport,
    ReminderLetter,
    ServiceReceipt,
    Signature,
    Span,
    StatisticsRow,
    SuggestionLetter,
    Table,
    TableSection,
    plain,
)
from reports.pdf.wording import (
    addressee_pronoun,
    chinese_numeral,
    format_cn_date,
    heading_marker,
    normalize_doc_no,
    parse_body_text,
)
from reports.statistics import (
    COLUMNS,
    TRANSFER_COLUMN_WEIGHTS,
    TRANSFER_COLUMNS,
    TRANSFER_FOOTNOTE,
    UNIT_COLUMN_WEIGHTS,
    UNIT_COLUMNS,
    UNIT_FOOTNOTE,
    TransferStatisticsRow,
    UnitStatisticsRow,
    rate_text,
    rate_with_basis,
    row_cells,
    total_row,
    transfer_cells,
    transfer_total_row,
    unit_cells,
    unit_total_row,
)

_LEADING_MARKER = re.compile(r"^\s*(?:[一二三四五六七八九十]+、|（[一二三四五六七八九十\d]+）|\d+[.．、](?!\d))\s*")
# the sentence that introduces the items ("……提出如下检察建议：", "建议如下：")
_LEAD_IN = re.compile(r"(?:提出|作出|发出)(?:以下|如下)?(?:检察)?建议[：:。]?$|(?:建议)?如下[：:。]?$")


def _lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


def numbered_items(texts: Sequence[str], *, under_section_heading: bool = False) -> tuple[Paragraph, ...]:
    """建议 items. When the clerk numbered every item, the numbers are kept as typed; otherwise they
    are numbered 一、二、 — or （一）（二） when the letter's body has 一、 section headings, so the
    items never clash with them. Each item ends with ；, the last with 。; further lines of an item
    are paragraphs of their own (line breaks are kept)."""
    items = [_lines(t) for t in texts if t.strip()]
    typed = all(_LEADING_MARKER.match(lines[0]) for lines in items) if items else False
    level = 2 if under_section_heading else 1
    paragraphs: list[Paragraph] = []
    for n, lines in enumerate(items, start=1):
        first = lines[0] if typed else _LEADING_MARKER.sub("", lines[0]).strip()
        if len(lines) == 1:
            first = first.rstrip("；;。.，,") + ("。" if n == len(items) else "；")
        marker = "" if typed else heading_marker(level, n)
        paragraphs.append(Paragraph((Span(marker + first),)))
        rest = lines[1:]
        for m, line in enumerate(rest, start=1):
            if m == len(rest):
                line = line.rstrip("；;。.，,") + ("。" if n == len(items) else "；")
            paragraphs.append(plain(line))
    return tuple(paragraphs)


def reply_requirement_text(addressee: str, limit_phrase: str, reply_due: date | None) -> str:
    pronoun = addressee_pronoun(addressee)
    due = f"（即{format_cn_date(reply_due)}前）" if reply_due else ""
    return (f"请{pronoun}在收到本检察建议书之日起{limit_phrase}内{due}依法办理，"
            f"并将办理情况书面回复本院。")


def _with_lead_in(body: list[Block], addressee: str) -> list[Block]:
    """Exactly one sentence introducing the items: the clerk's own (ending in ：) or the standard one."""
    last = body[-1] if body else None
    if isinstance(last, Paragraph) and _LEAD_IN.search(last.text):
        if not last.text.endswith("："):
            spans = list(last.spans)
            spans[-1] = Span(spans[-1].text.rstrip("：:。") + "：", spans[-1].heading_level)
            body[-1] = Paragraph(tuple(spans), last.first_indent)
        return body
    if isinstance(last, Paragraph) and last.text.endswith("："):
        return body
    return [*body, plain(f"现向{addressee_pronoun(addressee)}提出如下检察建议：")]


def note_text(note: str) -> str:
    """附注 in full-width parentheses (GB/T 9704 §7.3.6); empty stays empty."""
    text = " ".join(_lines(note))
    if not text:
        return ""
    return text if text.startswith("（") and text.endswith("）") else f"（{text.strip('()（）')}）"


def build_suggestion_letter(
    *, office_name: str, doc_no: str, addressee: str, origin: str, facts: str, legal_basis: str,
    items: Sequence[str], signed_on: date, reply_limit_phrase: str = "两个月",
    reply_due: date | None = None, reply_requirement: str = "", objection_days: int | None = None,
    copy_to: Sequence[str] = (), signer: str = "", note: str = "", draft: bool | None = None,
) -> SuggestionLetter:
    """检察建议书 content. `reply_requirement` is the clerk's own wording (used verbatim, one paragraph
    per line, with the computed due date appended when it lacks one); empty -> the standard sentence.
    `draft` None: a letter without 文号 is a draft."""
    body: list[Block] = [*parse_body_text(origin), *parse_body_text(facts), *parse_body_text(legal_basis)]
    body = _with_lead_in(body, addressee)
    has_sections = any(isinstance(b, Heading) and b.level == 1 for b in body) or any(
        isinstance(b, Paragraph) and b.spans[0].heading_level == 1 for b in body)
    closing: list[Paragraph] = []
    if reply_requirement.strip():
        lines = _lines(reply_requirement)
        if reply_due and format_cn_date(reply_due) not in reply_requirement:
            lines[-1] += f"（回复期限：{format_cn_date(reply_due)}）"
        closing.extend(plain(line) for line in lines)
    else:
        closing.append(plain(reply_requirement_text(addressee, reply_limit_phrase, reply_due)))
    if objection_days:
        closing.append(plain(f"如对本检察建议书有异议，请在收到之日起{chinese_numeral(objection_days)}日内"
                             "向本院书面提出。"))
    return SuggestionLetter(
        office_name=office_name, doc_no=normalize_doc_no(doc_no), addressee=addressee.strip().rstrip("：:"),
        body=tuple(body), items=numbered_items(items, under_section_heading=has_sections),
        closing=tuple(closing), signature=Signature(signer or office_name, format_cn_date(signed_on)),
        copy_to=tuple(c for c in copy_to if c.strip()), note=note_text(note),
        draft=not doc_no.strip() if draft is None else draft)


SERVICE_METHODS = ("直接送达", "宣告送达", "留置送达", "邮寄送达（检察专递）", "委托送达", "其他")


def build_service_receipt(
    *, office_name: str, document_title: str, doc_no: str, recipient: str, address: str = "",
    copies: int = 1, service_method: str = "", note: str = "",
) -> ServiceReceipt:
    """送达回证 (documents-spec §4): rows 1-4 and 9 pre-filled, signature rows left blank."""
    boxes = [("■" if service_method and m.startswith(service_method) else "□") + m for m in SERVICE_METHODS]
    methods = "　".join(boxes[:3]) + "\n" + "　".join(boxes[3:])
    date_blank = "年　　月　　日　　时"
    # labels break only between words (explicit \n); every row is at least 2 lines (20 mm) high so
    # there is room to sign (documents-spec §4: rows >= 12 mm)
    rows = (
        FormRow("送达文书\n名称及文号", f"{document_title}（{normalize_doc_no(doc_no)}）共{copies}份", 2),
        FormRow("受送达人", recipient, 2),
        FormRow("送达地点", address, 2),
        FormRow("送达方式", methods, 2),
        FormRow("受送达人\n签名（盖章）", "", 3, date_blank),
        FormRow("代收人及\n代收理由", "", 2),
        FormRow("见证人及\n拒收事由", "", 2),
        FormRow("送达人", "", 2, date_blank),
        FormRow("备注", note, 2),
    )
    return ServiceReceipt(office_name=office_name, rows=rows,
                          footnote=f"注：受送达人签收后，请将本回证退回{office_name}。")


def build_reminder_letter(
    *, office_name: str, addressee: str, suggestion_doc_no: str, issued_on: date, reply_due: date,
    as_of: date, signed_on: date, served_on: date | None = None, reply_limit_phrase: str = "两个月",
    new_limit_days: int = 10, doc_no: str = "", copy_to: Sequence[str] = (), note: str = "",
    draft: bool | None = None,
) -> ReminderLetter:
    pronoun = addressee_pronoun(addressee)
    served = f"，{pronoun}于{format_cn_date(served_on)}签收" if served_on else ""
    overdue_days = (as_of - reply_due).days
    body = (
        plain(f"本院于{format_cn_date(issued_on)}向{pronoun}制发《检察建议书》"
              f"（{normalize_doc_no(suggestion_doc_no)}）{served}。按照检察建议书的要求，{pronoun}应当在收到"
              f"检察建议书之日起{reply_limit_phrase}内（即{format_cn_date(reply_due)}前）将办理情况书面回复"
              f"本院。截至{format_cn_date(as_of)}，本院尚未收到{pronoun}的书面回复，已逾期{overdue_days}日。"),
        plain("根据《中华人民共和国人民检察院组织法》第二十一条的规定，有关单位应当予以配合，"
              "并及时将采纳检察建议的情况书面回复人民检察院。"),
        plain(f"请{pronoun}高度重视，在收到本函之日起{chinese_numeral(new_limit_days)}日内将检察建议"
              "的办理和整改落实情况书面回复本院。逾期仍不回复的，本院将依照《人民检察院检察建议工作"
              "规定》向有关机关通报或者依法采取其他监督措施。"),
        plain("特此函告。"),
    )
    return ReminderLetter(office_name=office_name, doc_no=normalize_doc_no(doc_no) if doc_no else "",
                          addressee=addressee.strip().rstrip("：:"), body=body,
                          signature=Signature(office_name, format_cn_date(signed_on)),
                          copy_to=tuple(c for c in copy_to if c.strip()), note=note_text(note),
                          draft=not doc_no.strip() if draft is None else draft)


@dataclass(frozen=True)
class OverdueSuggestion:
    unit: str
    doc_no: str
    reply_due: date
    days_overdue: int


QUARTER_SPANS = {1: ("1月1日", "3月31日"), 2: ("4月1日", "6月30日"), 3: ("7月1日", "9月30日"),
                 4: ("10月1日", "12月31日")}


def _change_text(now: int, before: int) -> str:
    if now == before:
        return "与去年同期持平"
    direction = "增加" if now > before else "减少"
    percent = f"，{'增长' if now > before else '下降'}{rate_text(abs(now - before), before)}" if before else ""
    return f"同比{direction}{abs(now - before)}件{percent}"


def government_level(government_name: str) -> str:
    """县/市/区/旗 of the addressed government (宿州市人民政府 -> 市), for 县人民政府-style wording."""
    match = re.search(r"([县市区旗])人民政府$", government_name.strip().rstrip("：:"))
    return match.group(1) if match else "县"


def build_quarterly_report(
    *, office_name: str, government_name: str, year: int, quarter: int, rows: Sequence[StatisticsRow],
    overdue: Sequence[OverdueSuggestion], signed_on: date, doc_no: str = "", copy_to: Sequence[str] = (),
    as_of: date | None = None, printed_by: str = "", note: str = "", draft: bool | None = None,
    unit_rows: Sequence[UnitStatisticsRow] | None = None,
    transfer_rows: Sequence[TransferStatisticsRow] | None = None,
) -> QuarterlyReport:
    """季度通报: totals with 回复率/整改率 and their denominators, the 领域 table (+ 合计 row),
    overdue units, the same quarter last year, (with `unit_rows`) the 分单位 table for 考核 and (with
    `transfer_rows`) the 线索移送 table. Every figure is counted to one date, `as_of`:
    the quarter's end, or the day of making the 通报 if earlier (then the text says so)."""
    if quarter not in QUARTER_SPANS:
        raise ValueError(f"quarter must be 1-4, got {quarter}")
    total = total_row(rows)
    first_day, last_day = QUARTER_SPANS[quarter]
    quarter_end = date(year, 3 * quarter, 31 if quarter in (1, 4) else 30)
    as_of = min(as_of or quarter_end, quarter_end)
    as_of_text = format_cn_date(as_of)
    partial = as_of < quarter_end
    period = f"{first_day}至{as_of.month}月{as_of.day}日" if partial else f"{first_day}至{last_day}"
    span = "本季度截至目前" if partial else "本季度"
    level = government_level(government_name)
    quarter_cn = f"第{chinese_numeral(quarter)}季度"
    before_table: tuple[Block, ...] = (
        plain(f"为推动府检联动工作深入开展，现将本院{year}年{quarter_cn}（{period}）"
              f"公益诉讼和检察建议工作情况通报如下{'（本季度尚未结束，各项数据均统计至' + as_of_text + '）' if partial else ''}："),
        Heading(1, "一、总体情况"),
        plain(f"{span}本院共受理公益诉讼案件线索{total.clues}件，立案{total.cases_filed}件；发出检察建议"
              f"{total.suggestions_issued}件，{_change_text(total.suggestions_issued, total.issued_last_year)}"
              f"（去年同期{total.issued_last_year}件）。回复期限在{as_of_text}前届满的检察建议{total.replies_due}件，"
              f"已书面回复{total.replied}件，回复率"
              f"{rate_with_basis(total.replied, total.replies_due, '已回复', '到期应回复')}；已整改到位"
              f"{total.rectified}件，整改率{rate_with_basis(total.rectified, total.replied, '已整改', '已回复')}。"),
        Heading(1, "二、分领域情况"),
    )
    after_table: list[Block] = [
        plain(f"注：各项数据统计至{as_of_text}；到期应回复指回复期限在本季度内且不晚于{as_of_text}届满的检察建议；"
              "回复率＝已回复件数÷到期应回复件数；整改率＝已整改件数÷已回复件数；分母为零时记作“—”。"),
        Heading(1, "三、逾期未回复情况"),
    ]
    if overdue:
        after_table.append(plain(f"截至{as_of_text}，以下{len(overdue)}件检察建议逾期未书面回复："))
        after_table.extend(
            plain(f"{heading_marker(3, n)}{o.unit}：{normalize_doc_no(o.doc_no)}，回复期限"
                  f"{format_cn_date(o.reply_due)}，已逾期{o.days_overdue}日。")
            for n, o in enumerate(overdue, start=1))
        after_table.append(plain(f"请上述单位抓紧办理并书面回复，建议{level}人民政府督促相关单位落实整改。"))
    else:
        after_table.append(plain(f"截至{as_of_text}，无逾期未书面回复的检察建议。"))
    table = Table(header=(COLUMNS,), rows=(*(row_cells(r) for r in rows), row_cells(total)),
                  column_weights=(2.2, 0.9, 0.9, 1.1, 1.15, 1.15, 1.3, 1.15, 1.3, 1.15))
    period_name = f"{year}年{quarter_cn}"
    sections: tuple[TableSection, ...] = ()
    if unit_rows is not None:
        sections += (unit_section(unit_rows, period_name, as_of_text),)
    if transfer_rows is not None:
        sections += (transfer_section(transfer_rows, period_name, as_of_text, 4 + len(sections)),)
    return QuarterlyReport(
        office_name=office_name, doc_no=normalize_doc_no(doc_no) if doc_no else "",
        title=f"关于{year}年{quarter_cn}公益诉讼和检察建议工作情况的通报",
        addressee=government_name.strip().rstrip("：:"), before_table=before_table,
        table_caption=f"{year}年{quarter_cn}分领域公益诉讼和检察建议情况", table=table,
        after_table=tuple(after_table), signature=Signature(office_name, format_cn_date(signed_on)),
        copy_to=tuple(c for c in copy_to if c.strip()), printed_by=printed_by or office_name,
        printed_on=format_cn_date(signed_on), note=note_text(note),
        draft=not doc_no.strip() if draft is None else draft, as_of_text=as_of_text, sections=sections)


def unit_section(rows: Sequence[UnitStatisticsRow], period_name: str, as_of_text: str) -> TableSection:
    """四、分单位情况: each 被建议单位's replies and each 责任单位's task measures (考核), with a 合计 line and
    every figure's definition under the table."""
    heading = Heading(1, "四、分单位情况")
    if not rows:
        return TableSection((heading,), "", None, (plain(f"{period_name}没有应按单位统计的检察建议和任务措施。"),))
    total = unit_total_row(rows)
    intro = plain(f"截至{as_of_text}，各被建议单位回复检察建议、各责任单位落实任务措施情况如下表"
                  f"（到期措施{total.measures_due}项，按期完成{total.measures_on_time}项，"
                  f"逾期{total.measures_late}项）：")
    table = Table(header=(UNIT_COLUMNS,), rows=(*(unit_cells(r) for r in rows), unit_cells(total)),
                  column_weights=UNIT_COLUMN_WEIGHTS)
    note = plain(f"{UNIT_FOOTNOTE[:-1]}；各项数据统计至{as_of_text}。")
    return TableSection((heading, intro), f"{period_name}各单位检察建议回复和任务落实情况", table, (note,))


def transfer_section(rows: Sequence[TransferStatisticsRow], period_name: str, as_of_text: str,
                     number: int) -> TableSection:
    """N、线索移送情况: 移送/接收 and the 反馈 clock per kind and direction (行政机关↔检察院, 两法衔接), with a 合计
    line and the definitions under the table."""
    heading = Heading(1, f"{chinese_numeral(number)}、线索移送情况")
    if not rows:
        return TableSection((heading,), "", None, (plain(f"{period_name}没有线索移送。"),))
    total = transfer_total_row(rows)
    intro = plain(f"{period_name}共移送线索和案件{total.sent}件，接收{total.received}件；反馈期限届满的{total.feedback_due}件，"
                  f"已反馈{total.fed_back}件（按期{total.on_time}件），反馈率"
                  f"{rate_with_basis(total.fed_back, total.feedback_due, '已反馈', '应反馈')}；截至{as_of_text}逾期未反馈"
                  f"{total.overdue}件。分类情况如下表：")
    table = Table(header=(TRANSFER_COLUMNS,), rows=(*(transfer_cells(r) for r in rows), transfer_cells(total)),
                  column_weights=TRANSFER_COLUMN_WEIGHTS)
    note = plain(f"{TRANSFER_FOOTNOTE[:-1]}；各项数据统计至{as_of_text}。")
    return TableSection((heading, intro), f"{period_name}线索移送情况", table, (note,))
