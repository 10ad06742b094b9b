"""Locally derived columns (reply deadline, measure due date), recomputed whenever their inputs
change — by a local edit or by a merge — and never replicated."""
from __future__ import annotations

import uuid
from functools import cache
from pathlib import Path
from typing import TypeVar

from sqlalchemy import select
from sqlalchemy.orm import Session

from models.base import SyncedMixin
from models.platform import user_data_dir
from models.rules.deadline_phrase import parse_deadline_phrase
from models.rules.deadlines import reply_due
from models.rules.holidays import HolidayCalendar
from models.suggestion import Suggestion
from models.tasklist import Measure, Task, TaskAspect, TaskList

T = TypeVar("T", bound=SyncedMixin)


OTHER_DOMAIN = "其他"


def suggestion_domain(own_domain: str, case_domain: str | None) -> str:
    """领域 of a 检察建议: its own when set, else that of its linked case, else 其他. Read-time, not a stored
    column: a case's 领域 may change (or arrive by sync) after the suggestion was written."""
    return own_domain.strip() or (case_domain or "").strip() or OTHER_DOMAIN


def office_holiday_path() -> Path:
    """An office's own holiday file (e.g. next year's 国务院办公厅 notice), layered over the bundled one."""
    return user_data_dir() / "holidays.json"


@cache
def default_calendar() -> HolidayCalendar:
    bundled = HolidayCalendar.load_default()
    office = office_holiday_path()
    return HolidayCalendar.combined(bundled, HolidayCalendar.from_file(office)) if office.exists() else bundled


def recompute_all(session: Session) -> int:
    """Derive every suggestion's and measure's dates again (after the holiday calendar changed)."""
    count = 0
    for cls in (Suggestion, Measure):
        for obj in session.scalars(select(cls).where(cls.deleted.is_(False))):
            derive(session, obj)
            count += 1
    return count


def _find(session: Session, cls: type[T], row_id: uuid.UUID | None) -> T | None:
    """A row by id, including rows added in this session but not flushed yet."""
    if row_id is None:
        return None
    with session.no_autoflush:
        found = session.get(cls, row_id)
    if found is None:
        found = next((o for o in session.new if isinstance(o, cls) and o.id == row_id), None)
    return found


def measure_year(session: Session, measure: Measure) -> int | None:
    task = _find(session, Task, measure.task_id)
    aspect = _find(session, TaskAspect, task.aspect_id) if task else None
    task_list = _find(session, TaskList, aspect.list_id) if aspect else None
    return task_list.year if task_list else None


def derive(session: Session, obj: SyncedMixin) -> None:
    if isinstance(obj, Suggestion):
        obj.reply_due = (reply_due(obj.served_on, bool(obj.urgent), custom_days=obj.reply_period_days or None,
                                   calendar=default_calendar()) if obj.served_on else None)
    elif isinstance(obj, Measure):
        year = measure_year(session, obj)
        parsed = parse_deadline_phrase(obj.deadline_phrase or "", year) if year else None
        obj.due_on = parsed.due_on if parsed else None
        obj.recurrence = str(parsed.recurrence or "") if parsed else ""
