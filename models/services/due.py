"""What is overdue or near due: replies awaited on served suggestions, 回头看 dates and task measures.
Works offline from the local database alone (no server, no SMS). Session: any scope (reads only)."""
from __future__ import annotations

import datetime as dt
import uuid
from collections import Counter
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, and_, func, literal, select, tuple_
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


# Equal (date, 事项) pairs are ordered by kind, then by record, so that a page boundary is never ambiguous.
KIND_ORDER = ("reply", "follow_up", "measure", "transfer", "campaign", "info_share")
ALERT_TILES = ("red", "yellow")   # `only` may also name a level; otherwise it names a kind (KIND_LABELS)


def due_sort_key(item: DueItem) -> tuple[dt.date, str, int, str]:
    """The order of the due list: earliest date first (the most overdue on top), then 事项 by code point
    (the order SQL compares text in), kind and record."""
    return (item.due, item.title, KIND_ORDER.index(item.kind), item.ref_id.hex)


@dataclass(frozen=True)
class _SuggestionClock:
    """A date on the suggestion table that makes a due item: listed, counted and paged by the database,
    since a county file holds tens of thousands of suggestions."""
    kind: str
    prefix: str
    suffix: str

    def column(self) -> Any:
        return Suggestion.reply_due if self.kind == "reply" else Suggestion.follow_up_due

    def open_conditions(self) -> tuple[Any, ...]:
        """Still running (in the order of the clock's index)."""
        done = (Suggestion.closed_on.is_(None),)
        return (*done, Suggestion.replied_on.is_(None)) if self.kind == "reply" else done


SUGGESTION_CLOCKS = (_SuggestionClock("reply", "检察建议 ", " 待回复"),
                     _SuggestionClock("follow_up", "检察建议 ", " 跟进调查/回头看"))


def _code_point_order(session: Session, text: Any) -> Any:
    """Text ordered by code point, as Python sorts str: SQLite's default (BINARY) does; PostgreSQL needs
    the "C" collation (UTF-8 bytes compare in code point order)."""
    return text.collate("C") if session.get_bind().dialect.name == "postgresql" else text


def _suggestion_page(session: Session, clock: _SuggestionClock, today: dt.date, near: int, horizon: dt.date | None,
                     level: str | None, after: DueItem | None, limit: int | None) -> list[DueItem]:
    due = clock.column()
    title = literal(clock.prefix) + Suggestion.doc_no + literal(clock.suffix)
    ordered_title = _code_point_order(session, title)
    query = select(Suggestion.id, title, Suggestion.addressee_name, due).where(
        Suggestion.deleted.is_(False), due.is_not(None), *clock.open_conditions())
    if horizon is not None:
        query = query.where(due <= horizon)
    if level == "red":
        query = query.where(due < today)
    elif level == "yellow":
        query = query.where(due >= today)
    if after is not None:   # keyset: strictly after the last item shown, in due_sort_key order
        rank, after_rank = KIND_ORDER.index(clock.kind), KIND_ORDER.index(after.kind)
        key = (literal(after.due, due.type), literal(after.title))
        if rank > after_rank:
            query = query.where(tuple_(due, ordered_title) >= tuple_(*key))
        elif rank < after_rank:
            query = query.where(tuple_(due, ordered_title) > tuple_(*key))
        else:
            query = query.where(tuple_(due, ordered_title, Suggestion.id)
                                > tuple_(*key, literal(after.ref_id, Suggestion.id.type)))
    query = query.order_by(due, ordered_title, Suggestion.id)
    if limit is not None:
        query = query.limit(limit)
    return [DueItem(clock.kind, row_id, text, party, day, days_left(day, today),
                    warning_level(day, today, done=False, near_days=near))
            for row_id, text, party, day in session.execute(query)]


def _matches(item: DueItem, only: str | None) -> bool:
    if only is None:
        return True
    return str(item.level) == only if only in ALERT_TILES else item.kind == only


def due_page(session: Session, today: dt.date, near_days: int | None = None, *, include_green: bool = False,
             only: str | None = None, after: DueItem | None = None, limit: int | None = None,
             computed: list[DueItem] | None = None) -> list[DueItem]:
    """The due list in due_sort_key order, `limit` items after the item `after` (None: from the top),
    only one tile's items when `only` names a level ("red", "yellow") or a kind. Pages joined are the
    whole list: the suggestions' clocks are sorted and cut by the database, the few task measures and
    register rows are computed and cut here (`computed`: computed_items() already read in this session)."""
    near = int(near_days if near_days is not None else near_days_setting(session))
    # Without green items nothing due after the 临期 horizon can show: the database leaves it out.
    horizon = None if include_green else today + dt.timedelta(days=near)
    level = only if only in ALERT_TILES else None
    items: list[DueItem] = []
    for clock in SUGGESTION_CLOCKS:
        if only is None or only == clock.kind or level is not None:
            items += _suggestion_page(session, clock, today, near, horizon, level, after, limit)
    if only is None or level is not None or only not in {clock.kind for clock in SUGGESTION_CLOCKS}:
        after_key = due_sort_key(after) if after is not None else None
        if computed is None:
            computed = computed_items(session, today, near)
        items += [item for item in computed
                  if (include_green or item.level in ALERT_LEVELS) and _matches(item, only)
                  and (after_key is None or due_sort_key(item) > after_key)]
    items.sort(key=due_sort_key)
    return items if limit is None else items[:limit]


def due_items(session: Session, today: dt.date, near_days: int | None = None, *,
              include_green: bool = False) -> list[DueItem]:
    """The whole due list (the `due` CLI; 首页 reads it page by page with due_page)."""
    return due_page(session, today, near_days, include_green=include_green)


def due_counts(session: Session, today: dt.date, near_days: int | None = None, *,
               computed: list[DueItem] | None = None) -> Counter[str]:
    """What 首页's tiles count, exactly: the red and yellow items per kind and per level ("red",
    "yellow"). The suggestions' clocks are counted by the database (SQL GROUP BY)."""
    near = int(near_days if near_days is not None else near_days_setting(session))
    horizon = today + dt.timedelta(days=near)
    counts: Counter[str] = Counter()
    # Each level of each clock is a date range of an index (models.suggestion: ix_suggestion_open_*):
    # counted from the index alone, as fast with 20 000 suggestions as with 20.
    for clock in SUGGESTION_CLOCKS:
        due = clock.column()
        for level, in_range in (("red", due < today), ("yellow", and_(due >= today, due <= horizon))):
            n = session.execute(select(func.count()).select_from(Suggestion).where(
                Suggestion.deleted.is_(False), *clock.open_conditions(), in_range)).scalar_one()
            counts[clock.kind] += n
            counts[level] += n
    for item in computed if computed is not None else computed_items(session, today, near):
        if item.level in ALERT_LEVELS:
            counts[item.kind] += 1
            counts[str(item.level)] += 1
    return counts


def computed_items(session: Session, today: dt.date, near: int) -> list[DueItem]:
    """The due items worked out here rather than by SQL, every level: task measures (their 完成时限
    phrases, recurring report dates) and the registers' clocks."""
    items: list[DueItem] = []
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
    return items + register_items(session, today, near)


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
