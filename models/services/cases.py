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
from models.services.edit_guard import EditBase


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


def edit_case(session: Session, case_id: uuid.UUID | str, *, base: EditBase | None = None,
              **changes: object) -> Case:
    """`base`: the field heads the form loaded (models/services/edit_guard.py); a field someone else
    changed since is refused with edit_conflict instead of overwritten."""
    case = get_live(session, Case, case_id)
    update_fields(case, changes, base)
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


@dataclass(frozen=True)
class CaseChoice:
    """A case as the suggestion form offers it: "案号 案件名称", with its 领域."""

    id: uuid.UUID
    case_no: str
    title: str
    domain: str

    @property
    def label(self) -> str:
        return case_label(self.case_no, self.title)


def case_label(case_no: str, title: str) -> str:
    return f"{case_no} {title}".strip()


def find_cases(session: Session, text: str, limit: int = 20) -> list[CaseChoice]:
    """Cases whose 案号 or 案件名称 contains `text` (search as you type), those starting with it first,
    then the most recently received; an empty text gives the latest cases."""
    text = text.strip()
    query = select(Case.id, Case.case_no, Case.title, Case.domain).where(Case.deleted.is_(False))
    if text:
        pattern = "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        label = Case.case_no + " " + Case.title
        query = query.where(Case.case_no.like(pattern, escape="\\") | Case.title.like(pattern, escape="\\")
                            | label.like(pattern, escape="\\"))
        starts = Case.case_no.startswith(text, autoescape=True) | Case.title.startswith(text, autoescape=True)
        query = query.order_by(starts.desc())
    query = query.order_by(Case.received_on.desc().nulls_last(), Case.case_no).limit(limit)
    return [CaseChoice(*row) for row in session.execute(query)]


def resolve_case(session: Session, text: str) -> uuid.UUID | None:
    """The case a clerk picked or typed ("案号 案件名称", the 案号 alone or the 案件名称 alone); None for
    an empty text. Anything else is an error naming the field, so nothing is linked by guesswork."""
    text = text.strip()
    if not text:
        return None
    matches = {c.id for c in find_cases(session, text, limit=50) if text in (c.label, c.case_no, c.title)}
    if len(matches) == 1:
        return matches.pop()
    if not matches:
        raise DomainError("case_not_found", f"找不到案件“{text}”，请从下拉列表中选择", field="case")
    raise DomainError("case_ambiguous", f"有多个案件与“{text}”相符，请从下拉列表中选择", field="case")


def case_choice(session: Session, case_id: uuid.UUID | None) -> CaseChoice | None:
    if case_id is None:
        return None
    row = session.execute(select(Case.id, Case.case_no, Case.title, Case.domain)
                          .where(Case.id == case_id, Case.deleted.is_(False))).first()
    return CaseChoice(*row) if row else None


def case_values(session: Session, case_id: uuid.UUID | str, fields: tuple[str, ...]) -> dict[str, object]:
    """One case's fields by name (for the form)."""
    case = get_live(session, Case, case_id)
    return {name: getattr(case, name) for name in fields}
