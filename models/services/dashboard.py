"""首页 in one read: the first page of the overdue and near-due list (红黄绿 by the one rule; the rest
comes page by page from models.services.due.due_page), its exact counts per tile (index range counts),
and the counts of cases by status (SQL GROUP BY) and suggestions by stage (index range counts), all
counted by the database; the window reads the last two from a worker thread (record_counts), so a
100 000-case file opens about as fast as the demo. Session: any scope (reads only)."""
from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from models.case import Case
from models.services.due import (
    KIND_LABELS,
    DueItem,
    UnclearDeadline,
    computed_items,
    due_counts,
    due_page,
    near_days_setting,
    unclear_deadlines,
)
from models.suggestion import Suggestion

FIRST_PAGE = 50   # due items read at start-up (two screens); the list reads the next ones as it is scrolled
SUGGESTION_STAGES = ("草稿", "已制发", "待回复", "已回复", "整改跟进", "已结案", "已起诉")

# models.services.suggestions.stage_of as conditions on the columns of ix_suggestion_live_stage, in its
# order: each stage is a range of that index, counted from the index alone (a test checks they agree).
_OPEN = (Suggestion.litigation.is_(False), Suggestion.closed_on.is_(None))
_FOLLOWED = Suggestion.rectification.in_(("整改中", "已整改", "未整改"))
STAGE_CONDITIONS: dict[str, tuple[Any, ...]] = {
    "已起诉": (Suggestion.litigation.is_(True),),
    "已结案": (Suggestion.litigation.is_(False), Suggestion.closed_on.is_not(None)),
    "整改跟进": (*_OPEN, Suggestion.replied_on.is_not(None), _FOLLOWED),
    "已回复": (*_OPEN, Suggestion.replied_on.is_not(None), or_(Suggestion.rectification.is_(None), ~_FOLLOWED)),
    "待回复": (*_OPEN, Suggestion.replied_on.is_(None), Suggestion.served_on.is_not(None)),
    "已制发": (*_OPEN, Suggestion.replied_on.is_(None), Suggestion.served_on.is_(None),
               Suggestion.issued_on.is_not(None)),
    "草稿": (*_OPEN, Suggestion.replied_on.is_(None), Suggestion.served_on.is_(None), Suggestion.issued_on.is_(None)),
}


@dataclass(frozen=True)
class DashboardData:
    today: dt.date
    near_days: int
    due: list[DueItem]                                          # the first page (due_page continues it)
    due_counts: Counter[str] = field(default_factory=Counter)   # "red", "yellow", "reply", "follow_up", "measure"
    case_counts: dict[str, int] = field(default_factory=dict)   # 办理状态 -> n
    stage_counts: dict[str, int] = field(default_factory=dict)  # 阶段 -> n
    unclear: list[UnclearDeadline] = field(default_factory=list)  # 时限待确认: never dropped from 首页

    @property
    def due_total(self) -> int:
        """Every red and yellow item (all pages), as the tiles count them."""
        return sum(self.due_counts[kind] for kind in KIND_LABELS)

    @property
    def due_complete(self) -> bool:
        """Whether `due` already holds the whole list."""
        return len(self.due) >= self.due_total


def case_counts(session: Session) -> dict[str, int]:
    rows = session.execute(select(Case.status, func.count()).where(Case.deleted.is_(False)).group_by(Case.status))
    return {status: n for status, n in rows}


def stage_counts(session: Session) -> dict[str, int]:
    """Live suggestions per stage (stages with none left out), in one statement."""
    counts = session.execute(select(*(
        select(func.count()).select_from(Suggestion).where(Suggestion.deleted.is_(False), *conditions)
        .scalar_subquery() for conditions in STAGE_CONDITIONS.values()))).one()
    return {stage: n for stage, n in zip(STAGE_CONDITIONS, counts, strict=True) if n}


def record_counts(session: Session) -> tuple[dict[str, int], dict[str, int]]:
    """Cases by 办理状态 and suggestions by stage: they read every live row (a county's 100 000 cases
    take tens of milliseconds), so the window asks for them from a worker thread."""
    return case_counts(session), stage_counts(session)


def dashboard_data(session: Session, today: dt.date, page: int | None = FIRST_PAGE, *,
                   only: str | None = None, with_record_counts: bool = True) -> DashboardData:
    """The first `page` due items (None: all of them; `only`: of one tile, as due_page) with the exact
    counts of every tile, and the record counts unless `with_record_counts` is False."""
    near = near_days_setting(session)
    computed = computed_items(session, today, near)
    cases, stages = record_counts(session) if with_record_counts else ({}, {})
    return DashboardData(today, near, due_page(session, today, near, only=only, limit=page, computed=computed),
                         due_counts(session, today, near, computed=computed), cases, stages,
                         unclear_deadlines(session))
