"""What is overdue or near due: replies awaited on served suggestions, 回头看 dates and task measures.
Works offline from the local database alone (no server, no SMS). Session: any scope (reads only)."""
from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from models.rules.deadlines import days_left
from models.rules.warning import ALERT_LEVELS, WarningLevel, warning_level
from models.services.tasks import latest_progress
from models.settings import get_setting
from models.suggestion import Suggestion
from models.tasklist import DONE_STATUSES, Measure, ProgressEntry, Task, TaskAspect, TaskList

KIND_LABELS = {"reply": "检察建议回复", "follow_up": "回头看", "measure": "任务措施"}


@dataclass(frozen=True)
class DueItem:
    kind: str            # "reply" (检察建议回复), "follow_up" (跟进调查/回头看) or "measure" (任务措施)
    ref_id: uuid.UUID
    title: str
    party: str           # who must act: 被建议单位 or 责任单位
    due: dt.date
    days_left: int
    level: WarningLevel

    @property
    def kind_label(self) -> str:
        return KIND_LABELS[self.kind]

    @property
    def target(self) -> tuple[str, uuid.UUID]:
        """The record a double-click opens: the suggestion (also for its 回头看), or the measure."""
        return ("measure" if self.kind == "measure" else "suggestion", self.ref_id)


def near_days_setting(session: Session) -> int:
    return int(get_setting(session, "near_days"))


def measure_done(latest: ProgressEntry | None) -> bool:
    """A measure counts as done when its latest 进展 says so (已完成, 已完成并长期坚持, 已调整或取消)."""
    return latest is not None and latest.status in DONE_STATUSES


def measure_level(measure: Measure, latest: ProgressEntry | None, today: dt.date, near_days: int) -> WarningLevel:
    """The colour of a measure: its due date (from the 完成时限 phrase) and whether it is done."""
    return warning_level(measure.due_on, today, done=measure_done(latest), near_days=near_days)


def live_measures_query() -> Select[tuple[Measure, Task]]:
    """(Measure, Task) of every measure whose task, 方面 and list are all live."""
    return (select(Measure, Task).join(Task, Measure.task_id == Task.id)
            .join(TaskAspect, Task.aspect_id == TaskAspect.id).join(TaskList, TaskAspect.list_id == TaskList.id)
            .where(Measure.deleted.is_(False), Task.deleted.is_(False), TaskAspect.deleted.is_(False),
                   TaskList.deleted.is_(False)))


def due_items(session: Session, today: dt.date, near_days: int | None = None, *,
              include_green: bool = False) -> list[DueItem]:
    near = int(near_days if near_days is not None else near_days_setting(session))
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
    measures = session.execute(live_measures_query().where(Measure.due_on.is_not(None))).all()
    latest = latest_progress(session, [m.id for m, _ in measures])
    for measure, task in measures:
        entry = latest.get(measure.id)
        if measure_done(entry):
            continue
        level = measure_level(measure, entry, today, near)
        items.append(DueItem("measure", measure.id, f"任务{task.number}：{measure.text[:30]}",
                             measure.units_text, measure.due_on, days_left(measure.due_on, today), level))
    shown = [i for i in items if include_green or i.level in ALERT_LEVELS]
    return sorted(shown, key=lambda i: (i.due, i.title))
