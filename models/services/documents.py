"""Formal documents from stored records: content built from ORM rows, rendered by reports.pdf.
The quarterly 通报 takes its numbers from models/services/statistics.py, like the 季度统计 sheet."""
from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence

from sqlalchemy.orm import Session

from models.audit import append_audit
from models.errors import DomainError
from models.rules.deadlines import reply_period_text
from models.services.common import get_live
from models.services.statistics import quarterly_statistics
from models.services.suggestions import items_of
from models.settings import get_setting
from models.suggestion import Suggestion
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


def suggestion_letter(session: Session, suggestion_id: SuggestionId, today: dt.date) -> SuggestionLetter:
    s = get_live(session, Suggestion, suggestion_id)
    items = [i.text for i in items_of(session, s.id)]
    if not items:
        raise DomainError("suggestion_no_items", "该检察建议还没有建议内容，无法生成检察建议书")
    return build_suggestion_letter(
        office_name=office_name(session), doc_no=s.doc_no, addressee=s.addressee_name, origin=s.origin,
        facts=s.facts, legal_basis=s.legal_basis, items=items, signed_on=s.issued_on or today,
        reply_limit_phrase=reply_period_text(bool(s.urgent), custom_days=s.reply_period_days or None), reply_due=s.reply_due,
        reply_requirement=s.reply_requirement, copy_to=_split_units(s.copy_to))


def service_receipt(session: Session, suggestion_id: SuggestionId) -> ServiceReceipt:
    s = get_live(session, Suggestion, suggestion_id)
    if not s.doc_no:
        raise DomainError("suggestion_not_issued", "该检察建议尚未编号制发，无法生成送达回证")
    return build_service_receipt(office_name=office_name(session), document_title="检察建议书",
                                 doc_no=s.doc_no, recipient=s.addressee_name, service_method=s.service_method)


def reminder_letter(session: Session, suggestion_id: SuggestionId, today: dt.date) -> ReminderLetter:
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
        reply_limit_phrase=reply_period_text(bool(s.urgent), custom_days=s.reply_period_days or None))


def quarterly_report(session: Session, year: int, quarter: int, today: dt.date,
                     government_name: str = "") -> QuarterlyReport:
    rows, overdue = quarterly_statistics(session, year, quarter, today)
    office = office_name(session)
    government = government_name or office.replace("人民检察院", "人民政府")
    return build_quarterly_report(office_name=office, government_name=government, year=year, quarter=quarter,
                                  rows=rows, overdue=overdue, signed_on=today)


def render_documents(session: Session, documents: Sequence[SuggestionLetter | ServiceReceipt | ReminderLetter
                                                             | QuarterlyReport]) -> bytes:
    """PDF bytes for the documents; the rendering is recorded in the audit log (a PDF is plaintext
    outside the encrypted database, so it leaves a trace: 留痕)."""
    data = render_batch(documents, render_options(session))
    refs = [f"{type(d).__name__}:{getattr(d, 'doc_no', '') or getattr(d, 'title', '')}" for d in documents]
    append_audit(session, "export_pdf", object_ref="；".join(refs)[:200], detail={"documents": len(documents)})
    return data
