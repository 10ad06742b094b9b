"""任务清单 edited by hand on the 任务清单 screen: 方面, 任务 and 措施 added, edited, moved up or down and
deleted; a 进展 entry corrected or deleted; a new list for a year, blank or rolled over from last year's.

Writes take a Session in a write scope, reads any scope. Every edit is an ordinary field op, so the
修改记录 of a record comes from the op log. Deleting is a tombstone (models.services.trash): it travels to
peers and the 回收站 brings it back; a deleted 方面 or 任务 hides its whole subtree, which comes back with
it. 任务 are numbered 1…N through the whole list in 方面 order (as the published lists are), so adding,
moving or deleting one renumbers those after it.
"""
from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from models.errors import DomainError
from models.oplog import LocalState
from models.rules.deadline_phrase import PhraseKind, parse_deadline_phrase
from models.rules.warning import WarningLevel
from models.services import tasks
from models.services.common import FieldChange, as_uuid, change_history, get_live, update_fields
from models.services.due import live_measures_query, measure_level, near_days_setting
from models.services.edit_guard import EditBase
from models.services.trash import delete_record
from models.sync.peers import Peer
from models.tasklist import (
    DONE_STATUSES,
    PROGRESS_STATUSES,
    Measure,
    ProgressEntry,
    Task,
    TaskAspect,
    TaskList,
)

NODE_CLASSES: dict[str, type[TaskAspect] | type[Task] | type[Measure]] = {
    "aspect": TaskAspect, "task": Task, "measure": Measure}
EDITABLE = {"aspect": ("title",), "task": ("text",), "measure": ("text", "deadline_phrase", "units_text")}
NODE_LABELS = {"aspect": "方面", "task": "任务", "measure": "措施"}
CANCELLED_STATUS = "已调整或取消"
LONG_TERM_STATUSES = frozenset({"长期坚持", "已完成并长期坚持"})


# -- reading the tree -----------------------------------------------------------------------------
@dataclass(frozen=True)
class MeasureNode:
    id: uuid.UUID
    text: str
    deadline_phrase: str
    due_on: dt.date | None
    units_text: str
    status: str           # of the latest 进展 ("未启动" without one)
    progress: str         # its text
    level: WarningLevel   # the one 红黄绿 rule, with the 临期天数 setting
    carried_from_year: int | None  # 延续自 that year's list (year roll-over)


@dataclass(frozen=True)
class TaskNode:
    id: uuid.UUID
    number: int
    text: str
    measures: tuple[MeasureNode, ...]


@dataclass(frozen=True)
class AspectNode:
    id: uuid.UUID
    title: str
    tasks: tuple[TaskNode, ...]


@dataclass(frozen=True)
class ListTree:
    id: uuid.UUID
    year: int
    title: str
    near_days: int
    aspects: tuple[AspectNode, ...]


def _aspects(session: Session, list_id: uuid.UUID) -> list[TaskAspect]:
    return list(session.scalars(select(TaskAspect).where(TaskAspect.list_id == list_id, TaskAspect.deleted.is_(False))
                                .order_by(TaskAspect.sort_key, TaskAspect.created_hlc)))


def _tasks(session: Session, aspect_ids: list[uuid.UUID]) -> list[Task]:
    return list(session.scalars(select(Task).where(Task.aspect_id.in_(aspect_ids), Task.deleted.is_(False))
                                .order_by(Task.number, Task.created_hlc)))


def _measures(session: Session, task_ids: list[uuid.UUID]) -> list[Measure]:
    return list(session.scalars(select(Measure).where(Measure.task_id.in_(task_ids), Measure.deleted.is_(False))
                                .order_by(Measure.sort_key, Measure.created_hlc)))


def _source_years(session: Session, measures: list[Measure]) -> dict[uuid.UUID, int]:
    """measure id -> year of the list its carried_from measure belongs to."""
    sources = {m.carried_from for m in measures if m.carried_from is not None}
    if not sources:
        return {}
    rows = session.execute(select(Measure.id, TaskList.year).join(Task, Measure.task_id == Task.id)
                           .join(TaskAspect, Task.aspect_id == TaskAspect.id)
                           .join(TaskList, TaskAspect.list_id == TaskList.id).where(Measure.id.in_(sources)))
    year_of = {measure_id: year for measure_id, year in rows}
    return {m.id: year_of[m.carried_from] for m in measures if m.carried_from in year_of}


def task_tree(session: Session, list_id: uuid.UUID | str, today: dt.date) -> ListTree:
    task_list = get_live(session, TaskList, list_id)
    near = near_days_setting(session)
    aspects = _aspects(session, task_list.id)
    all_tasks = _tasks(session, [a.id for a in aspects])
    measures = _measures(session, [t.id for t in all_tasks])
    progress = tasks.measure_progress(session, measures)  # every unit's newest, and the derived status
    years = _source_years(session, measures)
    measures_of: dict[uuid.UUID, list[MeasureNode]] = {}
    for m in measures:
        state = progress.get(m.id)
        status = state.status if state else "未启动"
        newest = state.newest_text() if state else None
        measures_of.setdefault(m.task_id, []).append(MeasureNode(
            m.id, m.text, m.deadline_phrase, m.due_on, m.units_text, status,
            newest.text if newest else "", measure_level(m, status, today, near), years.get(m.id)))
    tasks_of: dict[uuid.UUID, list[TaskNode]] = {}
    for t in all_tasks:
        tasks_of.setdefault(t.aspect_id, []).append(TaskNode(t.id, t.number, t.text, tuple(measures_of.get(t.id, []))))
    return ListTree(task_list.id, task_list.year, task_list.title, near,
                    tuple(AspectNode(a.id, a.title, tuple(tasks_of.get(a.id, []))) for a in aspects))


@dataclass(frozen=True)
class ListChoice:
    id: uuid.UUID
    year: int
    title: str


def list_choices(session: Session) -> list[ListChoice]:
    return [ListChoice(t.id, t.year, t.title) for t in tasks.task_lists(session)]


def list_of_measure(session: Session, measure_id: uuid.UUID | str) -> uuid.UUID:
    """The list a live measure is shown in (to open it from 首页)."""
    row = session.execute(live_measures_query().add_columns(TaskAspect.list_id)
                          .where(Measure.id == as_uuid(measure_id))).first()
    if row is None:
        raise DomainError("not_found", "找不到该措施，可能已被删除")
    return row[2]


# -- 方面 / 任务 / 措施 by hand ------------------------------------------------------------------
def _required(text: str, what: str) -> str:
    if not text.strip():
        raise DomainError("node_empty", f"{what}不能为空", field="text")
    return text.strip()


def renumber_tasks(session: Session, list_id: uuid.UUID, last_of_its_aspect: Task | None = None) -> None:
    """Number the live tasks 1…N in 方面 order, then their current order (`last_of_its_aspect`: a new
    task, placed after its siblings); numbers that do not change are not written."""
    number = 0
    for aspect in _aspects(session, list_id):
        ordered = [t for t in _tasks(session, [aspect.id]) if t is not last_of_its_aspect]
        if last_of_its_aspect is not None and last_of_its_aspect.aspect_id == aspect.id:
            ordered.append(last_of_its_aspect)
        for task in ordered:
            number += 1
            if task.number != number:
                task.number = number
    session.flush()


def create_aspect(session: Session, list_id: uuid.UUID | str, title: str) -> TaskAspect:
    task_list = get_live(session, TaskList, list_id)
    return tasks.add_aspect(session, task_list.id, _required(title, "方面名称"))


def create_task(session: Session, aspect_id: uuid.UUID | str, text: str) -> Task:
    """A new 任务 at the end of its 方面; the tasks after it move down one number."""
    aspect = get_live(session, TaskAspect, aspect_id)
    task = tasks.add_task(session, aspect.id, 0, _required(text, "任务内容"))
    renumber_tasks(session, aspect.list_id, last_of_its_aspect=task)
    return task


def create_measure(session: Session, task_id: uuid.UUID | str, text: str, *, deadline: str = "",
                   units: str = "") -> Measure:
    task = get_live(session, Task, task_id)
    return tasks.add_measure(session, task.id, _required(text, "措施内容"), deadline=deadline, units=units)


def _node(session: Session, kind: str, node_id: uuid.UUID | str) -> TaskAspect | Task | Measure:
    cls = NODE_CLASSES.get(kind)
    if cls is None:
        raise DomainError("bad_node", f"无法编辑这类记录：{kind}")
    return get_live(session, cls, node_id)


def node_values(session: Session, kind: str, node_id: uuid.UUID | str) -> dict[str, object]:
    """The editable fields of a 方面/任务/措施 as stored now (what its edit dialog shows)."""
    node = _node(session, kind, node_id)
    return {name: getattr(node, name) for name in EDITABLE[kind]}


def edit_node(session: Session, kind: str, node_id: uuid.UUID | str, *, base: EditBase | None = None,
              **changes: str) -> None:
    """Change a 方面's title, a 任务's text or a 措施's text, 完成时限 and 责任单位 (its due date follows).
    `base`: the field heads the dialog loaded (edit_guard); someone else's newer edit is not overwritten."""
    node = _node(session, kind, node_id)
    allowed = EDITABLE[kind]
    for key in changes:
        if key not in allowed:
            raise DomainError("bad_field", f"不能修改的字段：{key}")
    cleaned = {key: str(value).strip() for key, value in changes.items()}
    main = allowed[0]
    if main in cleaned:
        _required(cleaned[main], f"{NODE_LABELS[kind]}内容" if kind != "aspect" else "方面名称")
    update_fields(node, {k: v for k, v in cleaned.items() if getattr(node, k) != v}, base)
    session.flush()


def _siblings(session: Session, node: TaskAspect | Task | Measure) -> list:  # type: ignore[type-arg]
    if isinstance(node, TaskAspect):
        return _aspects(session, node.list_id)
    if isinstance(node, Task):
        return _tasks(session, [node.aspect_id])
    return _measures(session, [node.task_id])


def move_node(session: Session, kind: str, node_id: uuid.UUID | str, step: int) -> None:
    """Up (step -1) or down (+1) among its siblings."""
    node = _node(session, kind, node_id)
    siblings = _siblings(session, node)
    index = next(i for i, s in enumerate(siblings) if s.id == node.id)
    target = index + step
    if step not in (-1, 1) or not 0 <= target < len(siblings):
        raise DomainError("cannot_move", f"该{NODE_LABELS[kind]}已在{'最前' if step < 0 else '最后'}，不能再移动")
    siblings[index], siblings[target] = siblings[target], siblings[index]
    if isinstance(node, Task):
        numbers = sorted(t.number for t in siblings)
        if len(set(numbers)) < len(numbers):   # equal numbers (e.g. after a merge): make them distinct
            numbers = [numbers[0] + n for n in range(len(numbers))]
        for n, task in zip(numbers, siblings, strict=True):
            if task.number != n:
                task.number = n
        session.flush()
        aspect = session.get(TaskAspect, node.aspect_id)
        if aspect is not None:
            renumber_tasks(session, aspect.list_id)
        return
    for n, sibling in enumerate(siblings, start=1):
        key = f"{n * 10:06d}"
        if sibling.sort_key != key:
            sibling.sort_key = key
    session.flush()
    if isinstance(node, TaskAspect):
        renumber_tasks(session, node.list_id)


def delete_node(session: Session, kind: str, node_id: uuid.UUID | str) -> None:
    """A tombstone on the node only: its subtree is hidden with it and comes back when it is restored."""
    node = _node(session, kind, node_id)
    list_id = None
    if isinstance(node, TaskAspect):
        list_id = node.list_id
    elif isinstance(node, Task):
        aspect = session.get(TaskAspect, node.aspect_id)
        list_id = aspect.list_id if aspect else None
    delete_record(session, node.entity_name, node.id)
    if list_id is not None:
        renumber_tasks(session, list_id)


def subtree_size(session: Session, kind: str, node_id: uuid.UUID | str) -> tuple[int, int]:
    """(tasks, measures) under a node, for the 删除 confirmation."""
    node = _node(session, kind, node_id)
    if isinstance(node, Measure):
        return 0, 0
    task_ids = [t.id for t in _tasks(session, [node.id])] if isinstance(node, TaskAspect) else [node.id]
    measures = len(_measures(session, task_ids))
    return (len(task_ids) if isinstance(node, TaskAspect) else 0), measures


# -- 进展 entries ----------------------------------------------------------------------------------
@dataclass(frozen=True)
class ProgressRow:
    id: uuid.UUID
    reported_on: dt.date | None
    period: str
    status: str
    text: str
    reporter: str
    unit_name: str = ""   # the reporting unit ("" = the measure as a whole)
    review: str = ""      # "" counts; 待确认 waits for a person to choose; 已替换 was not chosen


def progress_entries(session: Session, measure_id: uuid.UUID | str) -> list[ProgressRow]:
    """Newest first (by report date, then clock), as 最新进展 picks them."""
    entries = session.scalars(select(ProgressEntry).where(
        ProgressEntry.measure_id == as_uuid(measure_id), ProgressEntry.deleted.is_(False))
        .order_by(ProgressEntry.reported_on.desc(), ProgressEntry.created_hlc.desc()))
    return [ProgressRow(e.id, e.reported_on, e.period, e.status, e.text, e.reporter, e.unit_name, e.review)
            for e in entries]


PROGRESS_FIELDS = ("status", "reported_on", "reporter", "text")


def progress_values(session: Session, entry_id: uuid.UUID | str) -> dict[str, object]:
    """A 进展 entry's correctable fields as stored now (what its edit dialog shows)."""
    entry = get_live(session, ProgressEntry, entry_id)
    return {name: getattr(entry, name) for name in PROGRESS_FIELDS}


def correct_progress(session: Session, entry_id: uuid.UUID | str, *, status: str, text: str,
                     reported_on: dt.date, reporter: str = "", base: EditBase | None = None) -> None:
    """Correct a 进展 entry in place (the op log keeps what it said before, shown in 修改记录).
    The quarter it counts for follows a changed report date. `base`: as edit_node's."""
    entry = get_live(session, ProgressEntry, entry_id)
    if status not in PROGRESS_STATUSES:
        raise DomainError("progress_status", f"进展状态只能是：{'、'.join(PROGRESS_STATUSES)}", field="status")
    if reported_on is None:
        raise DomainError("progress_date", "请填写填报日期", field="reported_on")
    changes: dict[str, object] = {"status": status, "text": text.strip(), "reported_on": reported_on,
                                  "reporter": reporter.strip()}
    if reported_on != entry.reported_on and entry.period == tasks.quarter_label(entry.reported_on or reported_on):
        changes["period"] = tasks.quarter_label(reported_on)
    update_fields(entry, {k: v for k, v in changes.items() if getattr(entry, k) != v}, base)
    session.flush()


def delete_progress(session: Session, entry_id: uuid.UUID | str) -> None:
    delete_record(session, "progress_entry", entry_id)


def progress_history(session: Session, entry_id: uuid.UUID | str) -> tuple[list[FieldChange], dict[str, str]]:
    """修改记录 of one 进展 entry and the names of the workstations that made the changes."""
    entry = session.get(ProgressEntry, as_uuid(entry_id))
    if entry is None:
        raise DomainError("not_found", "找不到该进展记录")
    sites = {peer.site_id: f"{peer.unit} {peer.workstation}".strip() for peer in session.scalars(select(Peer))}
    sites.update({state.site_id: "本机" for state in session.scalars(select(LocalState))})
    return change_history(session, entry), sites


# -- a new list for a year: blank or the roll-over -------------------------------------------------
def carries_over(deadline_phrase: str, list_year: int, latest_status: str | None) -> bool:
    """Whether a measure goes on into next year's list: 长期坚持 (also 完成并长期坚持, by phrase or by
    status), recurring reports (每月, 每季度 …) and anything not finished; never one 已调整或取消."""
    if latest_status == CANCELLED_STATUS:
        return False
    if latest_status in LONG_TERM_STATUSES:
        return True
    kind = parse_deadline_phrase(deadline_phrase, list_year).kind
    if kind in (PhraseKind.ONGOING, PhraseKind.FIXED_THEN_ONGOING, PhraseKind.RECURRING):
        return True
    return latest_status not in DONE_STATUSES


@dataclass(frozen=True)
class NewList:
    id: uuid.UUID
    year: int
    aspects: int
    tasks: int
    measures: int


def new_task_list(session: Session, year: int, title: str = "", copy_from: uuid.UUID | str | None = None) -> NewList:
    """A list for `year`: blank, or with last year's 长期坚持, recurring and unfinished measures carried
    over (each remembers the measure it continues; 完成时限 phrases are kept verbatim and read again
    against the new year, so "12月底前" in the 2023 list is due 2023-12-31)."""
    existing = session.scalars(select(TaskList.id).where(TaskList.year == year, TaskList.deleted.is_(False))).first()
    if existing is not None:
        raise DomainError("tasklist_exists", f"已有{year}年度的任务清单", field="year")
    source = get_live(session, TaskList, copy_from) if copy_from is not None else None
    if source is not None and source.year >= year:
        raise DomainError("rollover_year", f"只能由往年清单生成新清单（所选清单为{source.year}年度）", field="year")
    task_list = tasks.create_task_list(session, year, title)
    counts = [0, 0, 0]
    if source is not None:
        tree = task_tree(session, source.id, dt.date(year, 1, 1))
        number = 0
        for aspect_node in tree.aspects:
            kept = [(t, [m for m in t.measures if carries_over(m.deadline_phrase, source.year,
                                                                   None if m.status == "未启动" else m.status)])
                    for t in aspect_node.tasks]
            kept = [(t, ms) for t, ms in kept if ms]
            if not kept:
                continue
            aspect = tasks.add_aspect(session, task_list.id, aspect_node.title)
            counts[0] += 1
            for task_node, measure_nodes in kept:
                number += 1
                task = tasks.add_task(session, aspect.id, number, task_node.text)
                counts[1] += 1
                for m in measure_nodes:
                    measure = tasks.add_measure(session, task.id, m.text, deadline=m.deadline_phrase,
                                                units=m.units_text)
                    measure.carried_from = m.id
                    counts[2] += 1
        session.flush()
    return NewList(task_list.id, year, *counts)
