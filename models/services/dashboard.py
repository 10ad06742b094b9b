"""首页 in one read: the overdue and near-due list (红黄绿 by the one rule), its counts per tile, and
the counts of cases by status and suggestions by stage, counted by the database (SQL GROUP BY) so a
100 000-case file opens as fast as the demo. Session: any scope (reads only)."""
from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field

from sqlalchemy import and_, case, func, select
from sqlalchemy.orm import Session

from models.case import Case
from models.rules.warning import WarningLevel
from models.services.due import DueItem, UnclearDeadline, due_items, near_days_setting, unclear_deadlines
from models.suggestion import Suggestion

SUGGESTION_STAGES = ("草稿", "已制发", "待回复", "已回复", "整改跟进", "已结案", "已起诉")

# models.services.suggestions.stage_of as one SQL expression (a test checks both agree on every stage).
STAGE_SQL = case(
    (Suggestion.litigation.is_(True), "已起诉"),
    (Suggestion.closed_on.is_not(None), "已结案"),
    (and_(Suggestion.replied_on.is_not(None), Suggestion.rectification.in_(("整改中", "已整改", "未整改"))), "整改跟进"),
    (Suggestion.replied_on.is_not(None), "已回复"),
    (Suggestion.served_on.is_not(None), "待回复"),
    (Suggestion.issued_on.is_not(None), "已制发"),
    else_="草稿")


@dataclass(frozen=True)
class DashboardData:
    today: dt.date
    near_days: int
    due: list[DueItem]
    due_counts: Counter[str] = field(default_factory=Counter)   # "red", "yellow", "reply", "follow_up", "measure"
    case_counts: dict[str, int] = field(default_factory=dict)   # 办理状态 -> n
    stage_counts: dict[str, int] = field(default_factory=dict)  # 阶段 -> n
    unclear: list[UnclearDeadline] = field(default_factory=list)  # 时限待确认: never dropped from 首页


def case_counts(session: Session) -> dict[str, int]:
    rows = session.execute(select(Case.status, func.count()).where(Case.deleted.is_(False)).group_by(Case.status))
    return {status: n for status, n in rows}


def stage_counts(session: Session) -> dict[str, int]:
    rows = session.execute(select(STAGE_SQL, func.count()).where(Suggestion.deleted.is_(False)).group_by(STAGE_SQL))
    return {stage: n for stage, n in rows}


def due_counts(items: list[DueItem]) -> Counter[str]:
    counts: Counter[str] = Counter()
    for item in items:
        counts[item.kind] += 1
        if item.level in (WarningLevel.RED, WarningLevel.YELLOW):
            counts[str(item.level)] += 1
    return counts


def dashboard_data(session: Session, today: dt.date) -> DashboardData:
    near = near_days_setting(session)
    items = due_items(session, today, near)
    return DashboardData(today, near, items, due_counts(items), case_counts(session), stage_counts(session),
                         unclear_deadlines(session))
