"""What is overdue or near due: replies awaited on served suggestions and task measures.
Works offline from the local database alone (no server, no SMS)."""
from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from models.rules.deadlines import days_left
from models.rules.warning import WarningLevel, warning_level
from models.services.tasks import measure_status
from models.settings import get_setting
from models.suggestion import Suggestion
from models.tasklist import DONE_STATUSES, Measure, Task, TaskAspect, TaskList


@dataclass(frozen=True)
class DueItem:
    kind: str            # "reply" (检察建议回复), "follow_up" (跟进调查/回头看) or "measure" (任务措施)
    ref_id: uuid.UUID
    title: str
    party: str           # who must act: 被建议单位 or 责任单位
    due: dt.date
    days_left: int
    level: WarningLevel


def due_items(session: Session, today: dt.date, near_days: int | None = None, *,
              include_green: bool = False) -> list[DueItem]:
    near = int(near_days if near_days is not None else get_setting(session, "near_days"))
    items: list[DueItem] = []
    awaiting = session.scalars(select(Suggestion).where(
        Suggestion.deleted.is_(False), Suggestion.reply_due.is_not(None), Suggestion.replied_on.is_(None),
        Suggestion.closed_on.is_(None)))
    for s in awaiting:
        level = warning_level(s.reply_due, today, done=False, near_days=near)
        items.append(DueItem("reply", s.id, f"检察建议 {s.doc_no} 待回复", s.addressee_name, s.reply_due,
                             days_left(s.reply_due, today), level))
    following = session.scalars(select(Suggestion).where(
        Suggestion.deleted.is_(False), Suggestion.follow_up_due.is_not(None), Suggestion.closed_on.is_(None)))
    for s in following:
        level = warning_level(s.follow_up_due, today, done=False, near_days=near)
        items.append(DueItem("follow_up", s.id, f"检察建议 {s.doc_no} 跟进调查/回头看", s.addressee_name,
                             s.follow_up_due, days_left(s.follow_up_due, today), level))
    measures = session.execute(
        select(Measure, Task).join(Task, Measure.task_id == Task.id)
        .join(TaskAspect, Task.aspect_id == TaskAspect.id).join(TaskList, TaskAspect.list_id == TaskList.id)
        .where(Measure.deleted.is_(False), Task.deleted.is_(False), TaskList.deleted.is_(False),
               Measure.due_on.is_not(None))).all()
    status = measure_status(session, [m for m, _ in measures])  # derived from every unit's progress
    for measure, task in measures:
        if status.get(measure.id) in DONE_STATUSES:
            continue
        level = warning_level(measure.due_on, today, done=False, near_days=near)
        items.append(DueItem("measure", measure.id, f"任务{task.number}：{measure.text[:30]}",
                             measure.units_text, measure.due_on, days_left(measure.due_on, today), level))
    shown = [i for i in items if include_green or i.level in (WarningLevel.RED, WarningLevel.YELLOW)]
    return sorted(shown, key=lambda i: (i.due, i.title))
