"""Locally derived columns (reply deadline, measure due date), recomputed whenever their inputs
change — by a local edit or by a merge — and never replicated."""
from __future__ import annotations

import uuid
from functools import cache
from typing import TypeVar

from sqlalchemy.orm import Session

from models.base import SyncedMixin
from models.rules.deadline_phrase import parse_deadline_phrase
from models.rules.deadlines import reply_due
from models.rules.holidays import HolidayCalendar
from models.suggestion import Suggestion
from models.tasklist import Measure, Task, TaskAspect, TaskList

T = TypeVar("T", bound=SyncedMixin)


@cache
def default_calendar() -> HolidayCalendar:
    return HolidayCalendar.load_default()


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
        obj.reply_due = (reply_due(obj.served_on, bool(obj.urgent), calendar=default_calendar())
                         if obj.served_on else None)
    elif isinstance(obj, Measure):
        year = measure_year(session, obj)
        parsed = parse_deadline_phrase(obj.deadline_phrase or "", year) if year else None
        obj.due_on = parsed.due_on if parsed else None
        obj.recurrence = str(parsed.recurrence or "") if parsed else ""
