"""检察建议台账 from the database: the rows (Session first) and the exported file with its 季度统计 sheet
(Database: a whole-file job that reads in a read scope and audits the export)."""
from __future__ import annotations

import datetime as dt
import uuid
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from models.audit import append_audit
from models.case import Case
from models.derived import suggestion_domain
from models.errors import DomainError
from models.fsutil import atomic_write_bytes
from models.permissions import require
from models.services.statistics import transfer_year, year_statistics
from models.services.unit_statistics import unit_statistics
from models.settings import get_setting
from models.storage import Database
from models.suggestion import Suggestion, SuggestionItem
from reports.statistics import UnitStatistics
from reports.xlsx.data import LedgerRow
from reports.xlsx.ledger import LedgerFilter, export_ledger


def ledger_rows(session: Session) -> list[LedgerRow]:
    """Every live suggestion as a 台账 row; 办案部门 is the suggestion's own, else its case's."""
    suggestions = list(session.scalars(select(Suggestion).where(Suggestion.deleted.is_(False))))
    cases = {c.id: c for c in session.scalars(select(Case).where(Case.deleted.is_(False)))}
    items: dict[uuid.UUID, list[SuggestionItem]] = {}
    for item in session.scalars(select(SuggestionItem).where(SuggestionItem.deleted.is_(False))
                                .order_by(SuggestionItem.sort_key)):
        items.setdefault(item.suggestion_id, []).append(item)
    rows = []
    for s in suggestions:
        case = cases.get(s.case_id) if s.case_id else None
        rows.append(LedgerRow(
            doc_no=s.doc_no, kind=s.kind, addressee=s.addressee_name, issued_on=s.issued_on,
            case_no=case.case_no if case else "", case_title=case.title if case else "",
            domain=suggestion_domain(s.domain, case.domain if case else None), department=s.department or (case.department if case else ""),
            items=tuple(i.text for i in items.get(s.id, [])),
            service_method=s.service_method, served_on=s.served_on, urgent=s.urgent, reply_due=s.reply_due,
            replied_on=s.replied_on, reply_doc_no=s.reply_doc_no, reply_content=s.reply_content,
            adoption=s.adoption, objection=s.objection, review_result=s.review_result,
            rectification=s.rectification, rectification_detail=s.rectification_detail, follow_up=s.follow_up,
            follow_up_due=s.follow_up_due,
            litigation=s.litigation, closed_on=s.closed_on, copy_to=s.copy_to))
    return rows


def unit_period(row_filter: LedgerFilter, today: dt.date,
                period: tuple[dt.date, dt.date] | None = None) -> tuple[dt.date, dt.date]:
    """The 单位考核统计 period: the one chosen, else the filter's year (else this year), never past today."""
    year = row_filter.year or today.year
    first, last = period or (dt.date(year, 1, 1), dt.date(year, 12, 31))
    if last < first:
        raise DomainError("period_invalid", "统计期间的结束日期早于开始日期")
    return first, max(first, min(last, today))


def ledger_bytes(session: Session, row_filter: LedgerFilter, today: dt.date,
                 period: tuple[dt.date, dt.date] | None = None) -> bytes:
    """The 台账 workbook; its 季度统计 sheet is always there, for the filter's year or else this year, and
    so is the 单位考核统计 sheet, for `period` (see unit_period), and the 线索移送统计 sheet for the same year."""
    require(session, "export")
    office = str(get_setting(session, "office_name") or "")
    statistics = year_statistics(session, row_filter.year or today.year, today)
    first, last = unit_period(row_filter, today, period)
    per_unit = UnitStatistics(first, last, tuple(unit_statistics(session, first, last, today)))
    transfers = transfer_year(session, row_filter.year or today.year, today)
    return export_ledger(ledger_rows(session), today, row_filter, office, statistics=statistics,
                         unit_statistics=per_unit, transfer_statistics=transfers)


def write_ledger_file(db: Database, target: Path, row_filter: LedgerFilter, today: dt.date,
                      period: tuple[dt.date, dt.date] | None = None) -> None:
    with db.read_scope() as session:
        data = ledger_bytes(session, row_filter, today, period)
    atomic_write_bytes(target, data)
    with db.write_scope() as session:  # files written for others are plaintext: each export is audited (留痕)
        append_audit(session, "export_ledger", object_ref=target.name, detail={"filter": row_filter.describe()})
