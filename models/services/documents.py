"""Formal documents from stored records: content built from ORM rows, rendered by reports.pdf.

Quarterly statistics (季度通报) are defined here, once:
- 线索: cases received (受理) in the quarter; 立案: cases filed in the quarter; by the case's 领域.
- 发出建议: suggestions issued in the quarter; 领域 = that of the linked case, else 其他.
- 到期应回复: suggestions whose reply deadline falls in the quarter; 已回复: those of them replied by
  the quarter's end; 已整改: those replied and marked 已整改. So 回复率 = 已回复 / 到期应回复 and
  整改率 = 已整改 / 已回复, numerators always inside their denominators.
- 逾期未回复: deadline passed by the quarter's end (or today, if earlier) with no reply then.
"""
from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from models.case import DEFAULT_DOMAINS, Case
from models.errors import DomainError
from models.rules.deadlines import reply_period_text
from models.services.common import get_live
from models.services.suggestions import items_of
from models.settings import get_setting
from models.suggestion import Suggestion
from reports.pdf import RenderOptions, render_batch
from reports.pdf.builders import (
    OverdueSuggestion, build_quarterly_report, build_reminder_letter, build_service_receipt,
    build_suggestion_letter,
)
from reports.pdf.content import (
    QuarterlyReport, ReminderLetter, ServiceReceipt, StatisticsRow, SuggestionLetter,
)

OTHER_DOMAIN = "其他"
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
        reply_limit_phrase=reply_period_text(bool(s.urgent)), reply_due=s.reply_due,
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
        reply_limit_phrase=reply_period_text(bool(s.urgent)))


def quarter_span(year: int, quarter: int) -> tuple[dt.date, dt.date]:
    if quarter not in (1, 2, 3, 4):
        raise DomainError("quarter_invalid", "季度只能是1至4", quarter=quarter)
    first = dt.date(year, 3 * quarter - 2, 1)
    next_first = dt.date(year + 1, 1, 1) if quarter == 4 else dt.date(year, 3 * quarter + 1, 1)
    return first, next_first - dt.timedelta(days=1)


def _within(day: dt.date | None, first: dt.date, last: dt.date) -> bool:
    return day is not None and first <= day <= last


def quarterly_statistics(session: Session, year: int, quarter: int, today: dt.date
                         ) -> tuple[list[StatisticsRow], list[OverdueSuggestion]]:
    first, last = quarter_span(year, quarter)
    last_year_first, last_year_last = quarter_span(year - 1, quarter)
    cases = list(session.scalars(select(Case).where(Case.deleted.is_(False))))
    suggestions = list(session.scalars(select(Suggestion).where(Suggestion.deleted.is_(False))))
    domain_of_case = {c.id: (c.domain or OTHER_DOMAIN) for c in cases}
    counts: dict[str, list[int]] = {}

    def bump(domain: str, column: int) -> None:
        counts.setdefault(domain, [0] * 7)[column] += 1

    for case in cases:
        if _within(case.received_on, first, last):
            bump(domain_of_case[case.id], 0)
        if _within(case.filed_on, first, last):
            bump(domain_of_case[case.id], 1)
    for s in suggestions:
        domain = domain_of_case.get(s.case_id, OTHER_DOMAIN) if s.case_id else OTHER_DOMAIN
        if _within(s.issued_on, first, last):
            bump(domain, 2)
        if _within(s.reply_due, first, last):
            bump(domain, 3)
            if s.replied_on is not None and s.replied_on <= last:
                bump(domain, 4)
                if s.rectification == "已整改":
                    bump(domain, 5)
        if _within(s.issued_on, last_year_first, last_year_last):
            bump(domain, 6)
    order = {d: n for n, d in enumerate(DEFAULT_DOMAINS)}
    domains = sorted(counts, key=lambda d: (d == OTHER_DOMAIN, order.get(d, len(order)), d))
    rows = [StatisticsRow(d, *counts[d]) for d in domains]
    as_of = min(last, today)
    overdue = [OverdueSuggestion(s.addressee_name, s.doc_no, s.reply_due, (as_of - s.reply_due).days)
               for s in suggestions
               if s.reply_due is not None and s.reply_due < as_of and not s.closed_on
               and (s.replied_on is None or s.replied_on > as_of)]
    overdue.sort(key=lambda o: (o.reply_due, o.doc_no))
    return rows, overdue


def quarterly_report(session: Session, year: int, quarter: int, today: dt.date,
                     government_name: str = "") -> QuarterlyReport:
    rows, overdue = quarterly_statistics(session, year, quarter, today)
    office = office_name(session)
    government = government_name or office.replace("人民检察院", "人民政府")
    return build_quarterly_report(office_name=office, government_name=government, year=year, quarter=quarter,
                                  rows=rows, overdue=overdue, signed_on=today)


def render_documents(session: Session, documents: Sequence[SuggestionLetter | ServiceReceipt | ReminderLetter
                                                             | QuarterlyReport]) -> bytes:
    return render_batch(documents, render_options(session))
