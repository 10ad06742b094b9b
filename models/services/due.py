"""What is overdue or near due: replies awaited on served suggestions, 回头看 dates and task measures.
Works offline from the local database alone (no server, no SMS). Session: any scope (reads only)."""
from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from models.derived import default_calendar
from models.rules.deadline_phrase import PhraseKind, parse_deadline_phrase
from models.rules.deadlines import days_left
from models.rules.warning import ALERT_LEVELS, WarningLevel, warning_level
from models.services.campaigns import campaign_deadlines
from models.services.info_sharing import share_deadlines
from models.services.tasks import measure_status
from models.services.transfers import awaiting_feedback
from models.settings import get_setting
from models.suggestion import Suggestion
from models.tasklist import DONE_STATUSES, Measure, ProgressEntry, Task, TaskAspect, TaskList

KIND_LABELS = {"reply": "检察建议回复", "follow_up": "回头看", "measure": "任务措施", "transfer": "线索移送反馈",
               "campaign": "专项活动", "info_share": "信息共享报送"}
# The record a due item opens (a 回头看 opens its suggestion; the registers open themselves).
KIND_TARGETS = {"reply": "suggestion", "follow_up": "suggestion", "measure": "measure", "transfer": "transfer",
                "campaign": "campaign", "info_share": "info_share"}


@dataclass(frozen=True)
class DueItem:
    kind: str            # "reply" (检察建议回复), "follow_up" (跟进调查/回头看), "measure" (任务措施), or a
                         # register's clock: "transfer" (反馈期限), "campaign" (阶段/总结), "info_share" (下次报送)
    ref_id: uuid.UUID
    title: str
    party: str           # who must act: 被建议单位 or 责任单位
    due: dt.date
    days_left: int
    level: WarningLevel
    open_id: uuid.UUID | None = None   # the record to open when it is not ref_id (a 专项活动 phase opens its 活动)

    @property
    def kind_label(self) -> str:
        return KIND_LABELS[self.kind]

    @property
    def target(self) -> tuple[str, uuid.UUID]:
        """The record a double-click opens: the suggestion (also for its 回头看), the measure, the register's row."""
        return (KIND_TARGETS[self.kind], self.open_id or self.ref_id)


def near_days_setting(session: Session) -> int:
    return int(get_setting(session, "near_days"))


def measure_done(status: str | None) -> bool:
    """A measure counts as done when its status (derived from every unit's 进展, models.services.tasks
    .derive_status) says so (已完成, 已完成并长期坚持, 已调整或取消)."""
    return status in DONE_STATUSES


def measure_level(measure: Measure, status: str | None, today: dt.date, near_days: int) -> WarningLevel:
    """The colour of a measure: its due date (from the 完成时限 phrase) and whether it is done."""
    return warning_level(measure.due_on, today, done=measure_done(status), near_days=near_days)


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
    # Without green items nothing due after the 临期 horizon can show: the database leaves it out, and
    # only the columns shown are read (a 100 000-record file opens 首页 as fast as a small one).
    horizon = None if include_green else today + dt.timedelta(days=near)
    awaiting = select(Suggestion.id, Suggestion.doc_no, Suggestion.addressee_name, Suggestion.reply_due).where(
        Suggestion.deleted.is_(False), Suggestion.reply_due.is_not(None), Suggestion.replied_on.is_(None),
        Suggestion.closed_on.is_(None))
    if horizon is not None:
        awaiting = awaiting.where(Suggestion.reply_due <= horizon)
    for row_id, doc_no, addressee, due in session.execute(awaiting):
        level = warning_level(due, today, done=False, near_days=near)
        items.append(DueItem("reply", row_id, f"检察建议 {doc_no} 待回复", addressee, due, days_left(due, today),
                             level))
    following = select(Suggestion.id, Suggestion.doc_no, Suggestion.addressee_name, Suggestion.follow_up_due).where(
        Suggestion.deleted.is_(False), Suggestion.follow_up_due.is_not(None), Suggestion.closed_on.is_(None))
    if horizon is not None:
        following = following.where(Suggestion.follow_up_due <= horizon)
    for row_id, doc_no, addressee, due in session.execute(following):
        level = warning_level(due, today, done=False, near_days=near)
        items.append(DueItem("follow_up", row_id, f"检察建议 {doc_no} 跟进调查/回头看", addressee, due,
                             days_left(due, today), level))
    rows = session.execute(live_measures_query().add_columns(TaskList.year).where(
        Measure.due_on.is_not(None) | (Measure.recurrence != ""))).all()
    status = measure_status(session, [m for m, _, _ in rows])  # derived from every unit's progress
    reports = _report_dates(session, [m.id for m, _, _ in rows])
    for measure, task, year in rows:
        if measure_done(status.get(measure.id)):
            continue
        parsed = parse_deadline_phrase(measure.deadline_phrase, year)
        title = f"任务{task.number}：{measure.text[:30]}"
        if parsed.kind in (PhraseKind.RECURRING, PhraseKind.FIXED_THEN_RECURRING):
            # A report due every period: each occurrence is listed until a progress entry answers it.
            for due in open_occurrences(parsed.checkpoints, reports.get(measure.id, [])):
                level = warning_level(due, today, done=False, near_days=near)
                items.append(DueItem("measure", measure.id, f"{title}（{due.month}月{due.day}日报送）",
                                     measure.units_text, due, days_left(due, today), level))
        elif measure.due_on is not None:
            items.append(DueItem("measure", measure.id, title, measure.units_text, measure.due_on,
                                 days_left(measure.due_on, today), measure_level(measure, None, today, near)))
    items += register_items(session, today, near)
    shown = [i for i in items if include_green or i.level in ALERT_LEVELS]
    return sorted(shown, key=lambda i: (i.due, i.title))


def register_items(session: Session, today: dt.date, near: int) -> list[DueItem]:
    """The registers' clocks: 线索移送 反馈期限, 专项活动 phase ends and 总结, 信息共享 next submission."""
    calendar = default_calendar()
    sources = (("transfer", awaiting_feedback(session, calendar)), ("campaign", campaign_deadlines(session)),
               ("info_share", share_deadlines(session)))
    return [DueItem(kind, d.ref_id, d.title, d.party, d.due, days_left(d.due, today),
                    warning_level(d.due, today, done=False, near_days=near), d.open_id)
            for kind, deadlines in sources for d in deadlines]


def _report_dates(session: Session, measure_ids: list[uuid.UUID]) -> dict[uuid.UUID, list[dt.date]]:
    dates: dict[uuid.UUID, list[dt.date]] = {}
    for measure_id, reported_on in session.execute(
            select(ProgressEntry.measure_id, ProgressEntry.reported_on).where(
                ProgressEntry.deleted.is_(False), ProgressEntry.review == "",  # not a pending second return
                ProgressEntry.reported_on.is_not(None), ProgressEntry.measure_id.in_(measure_ids))):
        dates.setdefault(measure_id, []).append(reported_on)
    return dates


def open_occurrences(occurrences: tuple[dt.date, ...], reported: list[dt.date]) -> list[dt.date]:
    """The report dates of a recurring measure not yet answered by a progress entry. An entry answers
    the earliest open occurrence after the previous occurrence (its period): on time if reported by the
    date, late if after it; one entry answers one occurrence."""
    remaining = sorted(reported)
    still_open = []
    previous = dt.date.min
    for due in sorted(occurrences):
        answer = next((day for day in remaining if day > previous), None)
        if answer is None:
            still_open.append(due)
        else:
            remaining.remove(answer)
        previous = due
    return still_open


@dataclass(frozen=True)
class UnclearDeadline:
    """A measure whose 完成时限 the parser cannot read: 时限待确认, never silently dropped."""
    ref_id: uuid.UUID
    title: str
    phrase: str
    party: str


def unclear_deadlines(session: Session) -> list[UnclearDeadline]:
    found = []
    for measure, task, year in session.execute(live_measures_query().add_columns(TaskList.year).where(
            Measure.deadline_phrase != "")).all():
        if parse_deadline_phrase(measure.deadline_phrase, year).kind is PhraseKind.UNKNOWN:
            found.append(UnclearDeadline(measure.id, f"任务{task.number}：{measure.text[:30]}",
                                         measure.deadline_phrase, measure.units_text))
    return sorted(found, key=lambda item: item.title)
