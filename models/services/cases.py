"""线索/案件 register use cases."""
from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from models.case import CASE_KINDS, CASE_SOURCES, CASE_STATUSES, Case
from models.errors import DomainError
from models.registry import fill_defaults
from models.services.common import get_live, update_fields


@dataclass(frozen=True)
class CaseRow:
    id: uuid.UUID
    case_no: str
    title: str
    kind: str
    source: str
    domain: str
    received_on: dt.date | None
    status: str
    handler: str


def _validate(case: Case) -> None:
    if not case.title.strip():
        raise DomainError("case_title_empty", "请填写案件名称")
    if case.kind not in CASE_KINDS:
        raise DomainError("case_kind", f"案件类型只能是：{'、'.join(CASE_KINDS)}")
    if case.source not in CASE_SOURCES:
        raise DomainError("case_source", f"线索来源只能是：{'、'.join(CASE_SOURCES)}")
    if case.status not in CASE_STATUSES:
        raise DomainError("case_status", f"办理状态只能是：{'、'.join(CASE_STATUSES)}")
    dates = [d for d in (case.received_on, case.filed_on, case.closed_on) if d is not None]
    if dates != sorted(dates):
        raise DomainError("case_dates", "日期顺序不对：应为 受理 ≤ 立案 ≤ 结案")


def register_case(session: Session, title: str, **fields: object) -> Case:
    case = Case(title=title.strip())
    update_fields(case, fields)
    fill_defaults(case)
    _validate(case)
    session.add(case)
    session.flush()
    return case


def edit_case(session: Session, case_id: uuid.UUID | str, **changes: object) -> Case:
    case = get_live(session, Case, case_id)
    update_fields(case, changes)
    _validate(case)
    session.flush()
    return case


def list_cases(session: Session, *, limit: int | None = None) -> list[CaseRow]:
    query = (select(Case.id, Case.case_no, Case.title, Case.kind, Case.source, Case.domain, Case.received_on,
                    Case.status, Case.handler)
             .where(Case.deleted.is_(False)).order_by(Case.received_on.desc(), Case.case_no))
    if limit:
        query = query.limit(limit)
    return [CaseRow(*row) for row in session.execute(query)]
