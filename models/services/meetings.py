"""联席会议 use cases; an 议定事项 can become a task in a year's list. Every function takes a Session
(read_scope for the list_/…_of/choices readers, write_scope for the rest)."""
from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from models.errors import DomainError
from models.meeting import MEETING_KINDS, Meeting, MeetingDecision
from models.services.common import get_live, next_sort_key, update_fields
from models.services.edit_guard import EditBase
from models.services.tasks import add_measure, add_task
from models.tasklist import Task, TaskAspect, TaskList

MEETING_FIELDS = ("title", "held_on", "kind", "attendees", "topics", "minutes")


@dataclass(frozen=True)
class MeetingRow:
    id: uuid.UUID
    held_on: dt.date | None
    kind: str
    title: str
    topics: str


@dataclass(frozen=True)
class DecisionRow:
    id: uuid.UUID
    text: str
    task_id: uuid.UUID | None


def _validate(meeting: Meeting) -> None:
    if not meeting.title.strip():
        raise DomainError("meeting_title_empty", "请填写会议名称")
    if meeting.held_on is None:
        raise DomainError("date_required", "请填写会议日期")
    if meeting.kind not in MEETING_KINDS:
        raise DomainError("meeting_kind", f"会议类型只能是：{'、'.join(MEETING_KINDS)}")


def add_meeting(session: Session, title: str, held_on: dt.date | None, *, kind: str = "年度联席会议",
                attendees: str = "", topics: str = "", minutes: str = "") -> Meeting:
    meeting = Meeting(title=title.strip(), held_on=held_on, kind=kind, attendees=attendees, topics=topics,
                      minutes=minutes)
    _validate(meeting)
    session.add(meeting)
    session.flush()
    return meeting


def edit_meeting(session: Session, meeting_id: uuid.UUID | str, *, base: EditBase | None = None,
                 **changes: object) -> Meeting:
    """`base`: the field heads the form loaded (edit_guard); someone else's newer edit is not overwritten."""
    meeting = get_live(session, Meeting, meeting_id)
    update_fields(meeting, changes, base)
    _validate(meeting)
    session.flush()
    return meeting


def list_meetings(session: Session) -> list[MeetingRow]:
    """Live meetings, newest first."""
    meetings = session.scalars(select(Meeting).where(Meeting.deleted.is_(False))
                               .order_by(Meeting.held_on.desc(), Meeting.id))
    return [MeetingRow(m.id, m.held_on, m.kind, m.title, m.topics) for m in meetings]


def meeting_values(session: Session, meeting_id: uuid.UUID | str) -> dict[str, object]:
    """The editable fields of one meeting, for its form."""
    meeting = get_live(session, Meeting, meeting_id)
    return {name: getattr(meeting, name) for name in MEETING_FIELDS}


def decision_rows(session: Session, meeting_id: uuid.UUID) -> list[DecisionRow]:
    return [DecisionRow(d.id, d.text, d.task_id) for d in decisions_of(session, meeting_id)]


def aspect_choices(session: Session) -> dict[str, uuid.UUID]:
    """Where an 议定事项 can go: "2022年 方面" -> aspect id, newest list first."""
    rows = session.execute(select(TaskAspect.id, TaskAspect.title, TaskList.year)
                           .join(TaskList, TaskAspect.list_id == TaskList.id)
                           .where(TaskAspect.deleted.is_(False), TaskList.deleted.is_(False))
                           .order_by(TaskList.year.desc(), TaskAspect.sort_key)).all()
    return {f"{year}年 {title}": aspect_id for aspect_id, title, year in rows}


def decisions_of(session: Session, meeting_id: uuid.UUID) -> list[MeetingDecision]:
    return list(session.scalars(select(MeetingDecision).where(
        MeetingDecision.meeting_id == meeting_id, MeetingDecision.deleted.is_(False))
        .order_by(MeetingDecision.sort_key)))


def add_decision(session: Session, meeting_id: uuid.UUID, text: str) -> MeetingDecision:
    if not text.strip():
        raise DomainError("decision_empty", "议定事项不能为空")
    keys = [d.sort_key for d in decisions_of(session, meeting_id)]
    decision = MeetingDecision(meeting_id=meeting_id, text=text.strip(), sort_key=next_sort_key(keys))
    session.add(decision)
    session.flush()
    return decision


def decision_to_task(session: Session, decision_id: uuid.UUID | str, aspect_id: uuid.UUID, *,
                     deadline: str = "", units: str = "") -> Task:
    """议定事项 → 任务 with one 措施, linked back so the next meeting can report on it."""
    decision = get_live(session, MeetingDecision, decision_id)
    if decision.task_id is not None:
        raise DomainError("decision_has_task", "该议定事项已转为任务")
    aspect = get_live(session, TaskAspect, aspect_id)
    # 任务 numbers run on across 方面 within one list (1…14 in the 2022 list), so take the list's maximum.
    numbers = list(session.scalars(select(Task.number).join(TaskAspect, Task.aspect_id == TaskAspect.id)
                                   .where(TaskAspect.list_id == aspect.list_id)))
    task = add_task(session, aspect_id, max(numbers, default=0) + 1, decision.text)
    add_measure(session, task.id, decision.text, deadline=deadline, units=units)
    decision.task_id = task.id
    session.flush()
    return task
