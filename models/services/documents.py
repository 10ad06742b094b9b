"""Formal documents from stored records: content built from ORM rows, rendered by reports.pdf (PDF)
or reports.docx (an editable Word file of the same content). The quarterly 通报 takes its numbers
from models/services/statistics.py, like the 季度统计 sheet, and its 分单位 table from
models/services/unit_statistics.py, like the 单位考核统计 sheet. Functions take a Session (the read or
write scope of the caller); render_documents appends an audit event, so it needs a write scope."""
from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence

from sqlalchemy.orm import Session

from models.audit import append_audit
from models.errors import DomainError
from models.permissions import require
from models.rules.deadlines import reply_period_text
from models.services.common import get_live
from models.services.statistics import period_statistics, quarter_span, transfer_statistics
from models.services.suggestions import items_of
from models.services.unit_statistics import unit_statistics
from models.settings import get_setting, set_setting
from models.suggestion import Suggestion
from models.unit import Unit
from reports.docx import DocxOptions, render_docx_batch
from reports.pdf import RenderOptions, render_batch
from reports.pdf.builders import (
    build_quarterly_report,
    build_reminder_letter,
    build_service_receipt,
    build_suggestion_letter,
)
from reports.pdf.content import (
    QuarterlyReport,
    ReminderLetter,
    ServiceReceipt,
    SuggestionLetter,
)

SuggestionId = uuid.UUID | str
Document = SuggestionLetter | ServiceReceipt | ReminderLetter | QuarterlyReport
FORMATS = ("pdf", "docx")
BULLETIN_SETTING = "quarterly_bulletin"  # last 文号 / 主送 / 抄送 / 印发机关 the clerk used for the 通报


def _split_units(text: str) -> tuple[str, ...]:
    for separator in ("，", ",", "；", ";", "\n"):
        text = text.replace(separator, "、")
    return tuple(u.strip().rstrip("。") for u in text.split("、") if u.strip())


def office_name(session: Session) -> str:
    return str(get_setting(session, "office_name"))


def render_options(session: Session) -> RenderOptions:
    """Font overrides the office chose in settings (role -> font file)."""
    overrides = get_setting(session, "font_overrides") or {}
    return RenderOptions(font_overrides=dict(overrides))


def suggestion_letter(session: Session, suggestion_id: SuggestionId, today: dt.date,
                      note: str = "") -> SuggestionLetter:
    s = get_live(session, Suggestion, suggestion_id)
    items = [i.text for i in items_of(session, s.id)]
    if not items:
        raise DomainError("suggestion_no_items", "该检察建议还没有建议内容，无法生成检察建议书")
    return build_suggestion_letter(
        office_name=office_name(session), doc_no=s.doc_no, addressee=s.addressee_name, origin=s.origin,
        facts=s.facts, legal_basis=s.legal_basis, items=items, signed_on=s.issued_on or today,
        reply_limit_phrase=reply_period_text(bool(s.urgent), custom_days=s.reply_period_days or None),
        reply_due=s.reply_due, reply_requirement=s.reply_requirement, copy_to=_split_units(s.copy_to), note=note,
        draft=not s.doc_no or s.issued_on is None)


def service_receipt(session: Session, suggestion_id: SuggestionId) -> ServiceReceipt:
    s = get_live(session, Suggestion, suggestion_id)
    if not s.doc_no:
        raise DomainError("suggestion_not_issued", "该检察建议尚未编号制发，无法生成送达回证")
    return build_service_receipt(office_name=office_name(session), document_title="检察建议书",
                                 doc_no=s.doc_no, recipient=s.addressee_name, address=unit_address(session, s),
                                 service_method=s.service_method)


def unit_address(session: Session, s: Suggestion) -> str:
    """送达地点 from the unit directory: the unit's address field where the schema has one, else a
    "地址：……" line in its note."""
    unit = session.get(Unit, s.addressee_unit_id) if s.addressee_unit_id else None
    if unit is None or unit.deleted:
        return ""
    address = str(getattr(unit, "address", "") or "")
    if address:
        return address.strip()
    for line in (unit.note or "").splitlines():
        line = line.strip()
        if line.startswith(("地址：", "地址:")):
            return line[3:].strip()
    return ""


def reminder_letter(session: Session, suggestion_id: SuggestionId, today: dt.date, doc_no: str = "",
                    copy_to: str = "", note: str = "") -> ReminderLetter:
    s = get_live(session, Suggestion, suggestion_id)
    if s.reply_due is None or s.issued_on is None:
        raise DomainError("suggestion_not_served", "该检察建议尚未送达，没有回复期限，无需督促")
    if s.replied_on is not None:
        raise DomainError("suggestion_replied", "被建议单位已经书面回复，无需督促")
    if today <= s.reply_due:
        raise DomainError("suggestion_not_overdue",
                          f"回复期限为{s.reply_due.year}年{s.reply_due.month}月{s.reply_due.day}日，尚未逾期")
    return build_reminder_letter(
        office_name=office_name(session), addressee=s.addressee_name, suggestion_doc_no=s.doc_no,
        issued_on=s.issued_on, served_on=s.served_on, reply_due=s.reply_due, as_of=today, signed_on=today,
        reply_limit_phrase=reply_period_text(bool(s.urgent), custom_days=s.reply_period_days or None),
        doc_no=_checked_doc_no(doc_no), copy_to=_split_units(copy_to), note=note)


def _checked_doc_no(doc_no: str) -> str:
    from models.rules.doc_number import check_doc_number
    from reports.pdf.wording import normalize_doc_no

    doc_no = normalize_doc_no(doc_no)
    if doc_no:
        check_doc_number(doc_no)
    return doc_no


def bulletin_defaults(session: Session, year: int) -> dict[str, str]:
    """What to propose for the next 通报: 文号 (the prefix last used, else 院代字, with the next serial
    of the year), 主送, 抄送 and 印发机关 as last time (office settings, not a table)."""
    from models.rules.doc_number import format_doc_number, is_valid_doc_number, parse_doc_number

    saved = dict(get_setting(session, BULLETIN_SETTING) or {})
    office = office_name(session)
    prefix, serial = str(get_setting(session, "office_code") or ""), 1
    last = str(saved.get("doc_no", ""))
    if last and is_valid_doc_number(last):
        last_prefix, last_year, last_serial = parse_doc_number(last)
        prefix, serial = last_prefix, (last_serial + 1 if last_year == year else 1)
    return {"doc_no": format_doc_number(prefix, year, serial) if prefix.strip() else "",
            "government": str(saved.get("government", "")) or office.replace("人民检察院", "人民政府"),
            "copy_to": str(saved.get("copy_to", "")), "printed_by": str(saved.get("printed_by", "")) or office}


def quarterly_report(session: Session, year: int, quarter: int, today: dt.date, government_name: str = "",
                     *, doc_no: str = "", copy_to: str = "", printed_by: str = "", note: str = "",
                     remember: bool = False) -> QuarterlyReport:
    """The 通报, every figure counted to one date: the quarter's end, or `today` if earlier. With
    `remember` (a write scope) the 文号/主送/抄送/印发机关 are kept as next time's proposal."""
    first, last = quarter_span(year, quarter)
    if today < first:
        raise DomainError("quarter_not_started", f"{year}年第{quarter}季度尚未开始，无法通报")
    as_of = min(last, today)
    rows, overdue = period_statistics(session, first, as_of, as_of)
    per_unit = unit_statistics(session, first, as_of, as_of)
    transfers = transfer_statistics(session, first, as_of, as_of)
    office = office_name(session)
    government = government_name.strip() or office.replace("人民检察院", "人民政府")
    doc_no = _checked_doc_no(doc_no)
    if remember:
        set_setting(session, BULLETIN_SETTING, {"doc_no": doc_no, "government": government, "copy_to": copy_to,
                                                "printed_by": printed_by})
    return build_quarterly_report(office_name=office, government_name=government, year=year, quarter=quarter,
                                  rows=rows, overdue=overdue, signed_on=today, doc_no=doc_no,
                                  copy_to=_split_units(copy_to), as_of=as_of, printed_by=printed_by, note=note,
                                  unit_rows=per_unit, transfer_rows=transfers)


def docx_options(session: Session) -> DocxOptions:
    """The title font's family name when the office configured a 小标宋 file, else 方正小标宋简体."""
    from pathlib import Path

    from reportlab.pdfbase.ttfonts import TTFontFile

    path = (get_setting(session, "font_overrides") or {}).get("title")
    if not path:
        return DocxOptions()
    try:
        family = TTFontFile(str(Path(path))).familyName
    except Exception:  # an unreadable file is reported when the PDF is made; Word just gets the default
        return DocxOptions()
    return DocxOptions(title_font=family.decode() if isinstance(family, bytes) else str(family))


def file_stem(document: Document, doc_no: str = "") -> str:
    """Batch file name by 文号: 临检行公建〔2024〕3号-送达回证 (草稿 when there is none yet)."""
    number = doc_no or getattr(document, "doc_no", "") or "草稿"
    return f"{number}-{document.title}"


def render_documents(session: Session, documents: Sequence[Document], fmt: str = "pdf") -> bytes:
    """PDF or .docx bytes for the documents; the rendering is recorded in the audit log (a file is
    plaintext outside the encrypted database, so it leaves a trace: 留痕)."""
    require(session, "document")
    if fmt not in FORMATS:
        raise DomainError("document_format", f"不支持的文书格式“{fmt}”，只能是 PDF 或 Word（.docx）")
    options = render_options(session)
    if fmt == "pdf":
        data = render_batch(documents, options)
    else:
        from reports.pdf.fonts import load_fonts

        data = render_docx_batch(documents, docx_options(session), load_fonts(options.font_overrides))
    refs = [f"{type(d).__name__}:{getattr(d, 'doc_no', '') or getattr(d, 'title', '')}" for d in documents]
    append_audit(session, f"export_{fmt}", object_ref="；".join(refs)[:200], detail={"documents": len(documents)})
    return data
