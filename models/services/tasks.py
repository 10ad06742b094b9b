"""任务清单 use cases (each takes a Session): build a list (方面 → 任务 → 措施), append 进展 entries, read
each reporting unit's latest progress and the measure's derived status (see derive_status)."""
from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from models.errors import DomainError
from models.permissions import require
from models.services.common import get_live, next_sort_key
from models.services.units import UnitDirectory
from models.tasklist import (
    DONE_STATUSES,
    PROGRESS_STATUSES,
    REVIEW_PENDING,
    REVIEW_REPLACED,
    Measure,
    ProgressEntry,
    Task,
    TaskAspect,
    TaskList,
)
from reports.xlsx.units import is_all_members, is_vague, unit_names


def create_task_list(session: Session, year: int, title: str) -> TaskList:
    if not 2000 <= year <= 2100:
        raise DomainError("bad_year", f"年份不对：{year}")
    task_list = TaskList(year=year, title=title.strip() or f"{year}年度“府检联动”重点工作任务清单")
    session.add(task_list)
    session.flush()
    return task_list


def add_aspect(session: Session, list_id: uuid.UUID, title: str) -> TaskAspect:
    keys = list(session.scalars(select(TaskAspect.sort_key).where(TaskAspect.list_id == list_id)))
    aspect = TaskAspect(list_id=list_id, title=title.strip(), sort_key=next_sort_key(keys))
    session.add(aspect)
    session.flush()
    return aspect


def add_task(session: Session, aspect_id: uuid.UUID, number: int, text: str, *, deadlines_cell: str = "",
             units_cell: str = "") -> Task:
    if not text.strip():
        raise DomainError("task_empty", "任务内容不能为空")
    task = Task(aspect_id=aspect_id, number=number, text=text.strip(), deadlines_cell=deadlines_cell,
                units_cell=units_cell)
    session.add(task)
    session.flush()
    return task


def add_measure(session: Session, task_id: uuid.UUID, text: str, *, deadline: str = "", units: str = "") -> Measure:
    keys = list(session.scalars(select(Measure.sort_key).where(Measure.task_id == task_id)))
    measure = Measure(task_id=task_id, text=text.strip(), deadline_phrase=deadline.strip(),
                      units_text=units.strip(), sort_key=next_sort_key(keys))
    session.add(measure)
    session.flush()
    return measure


def create_task_list_from_dict(session: Session, data: dict[str, Any]) -> TaskList:
    """From the plain structure of resources/demo/tasklist_2022.json (aspects → tasks → measures)."""
    try:
        task_list = create_task_list(session, int(data["year"]), str(data.get("title", "")))
        for aspect_data in data["aspects"]:
            aspect = add_aspect(session, task_list.id, aspect_data["title"])
            for task_data in aspect_data["tasks"]:
                task = add_task(session, aspect.id, int(task_data["number"]), task_data["text"],
                                deadlines_cell=task_data.get("deadlines_cell", ""),
                                units_cell=task_data.get("units_cell", ""))
                for m in task_data["measures"]:
                    add_measure(session, task.id, m["text"], deadline=m.get("deadline", ""),
                                units=m.get("units", ""))
    except (KeyError, TypeError, ValueError) as exc:
        raise DomainError("bad_task_data", f"任务清单数据格式不对：缺少或错误的字段 {exc}") from None
    return task_list


def add_progress(session: Session, measure_id: uuid.UUID | str, *, status: str, text: str,
                 reported_on: dt.date, reporter: str = "", period: str = "", unit_name: str = "",
                 unit_id: uuid.UUID | None = None, review: str = "") -> ProgressEntry:
    """One unit's progress for one period (unit_name "" = for the measure as a whole). text "" is a
    status-only entry: it never hides the unit's last real text."""
    measure = get_live(session, Measure, measure_id)
    if status not in PROGRESS_STATUSES:
        raise DomainError("progress_status", f"进展状态只能是：{'、'.join(PROGRESS_STATUSES)}")
    entry = ProgressEntry(measure_id=measure.id, status=status, text=text.strip(), reported_on=reported_on,
                          reporter=reporter.strip(), period=period or quarter_label(reported_on),
                          unit_name=unit_name.strip(), unit_id=unit_id, review=review)
    session.add(entry)
    session.flush()
    return entry


def quarter_label(day: dt.date) -> str:
    return f"{day.year}Q{(day.month - 1) // 3 + 1}"


def latest_progress(session: Session, measure_ids: list[uuid.UUID] | None = None) -> dict[uuid.UUID, ProgressEntry]:
    """The newest counted entry per measure (by report date, then clock), whichever unit gave it."""
    query = select(ProgressEntry).where(ProgressEntry.deleted.is_(False), ProgressEntry.review == "")
    if measure_ids is not None:
        query = query.where(ProgressEntry.measure_id.in_(measure_ids))
    latest: dict[uuid.UUID, ProgressEntry] = {}
    for entry in session.scalars(query):
        current = latest.get(entry.measure_id)
        if current is None or entry_order(entry) > entry_order(current):
            latest[entry.measure_id] = entry
    return latest


def entry_order(entry: ProgressEntry) -> tuple[dt.date, int]:
    return (entry.reported_on or dt.date.min, entry.created_hlc)


@dataclass(frozen=True)
class UnitProgress:
    """One reporting unit's newest state for a measure (unit "" = entries for the measure as a whole)."""

    unit: str  # label: the directory's 简称 (or 全称), else the name on the return
    unit_key: str  # the unit's directory id, else "name:<name>"; "" for the measure as a whole
    status: str  # of the unit's newest entry
    text: str  # the unit's newest non-empty text: a status-only return never hides it
    text_on: dt.date | None
    period: str  # of the newest entry
    entry_id: uuid.UUID  # the newest entry
    order: tuple[dt.date, int]  # of the newest entry


@dataclass(frozen=True)
class MeasureProgress:
    status: str  # derived, see derive_status
    units: tuple[UnitProgress, ...]  # 责任单位 in list order (牵头 first), then other reporters, then ""
    pending: int = 0  # returns waiting for a person to choose (待确认)

    def of_unit(self, unit_key: str) -> UnitProgress | None:
        return next((u for u in self.units if u.unit_key == unit_key), None)

    def newest(self) -> UnitProgress | None:
        return max(self.units, key=lambda u: u.order, default=None)

    def newest_text(self) -> UnitProgress | None:
        with_text = [u for u in self.units if u.text]
        return max(with_text, key=lambda u: (u.text_on or dt.date.min, u.order), default=None)


def derive_status(unit_statuses: dict[str, str], responsible: list[str], newest_is_whole: bool,
                  newest_status: str) -> str:
    """A measure's overall status from its units' newest statuses (never stored; the same everywhere).

    1. no entry at all: 未启动;
    2. the newest entry is for the measure as a whole (typed in by the office, or imported without a
       unit): its status stands for the measure;
    3. any unit's newest status is 滞后: 滞后;
    4. every 责任单位 in the unit directory (各成员单位 = the directory's member units; vague phrases such as
       相关行政执法机关 and names not in the directory get no 填报表, so they are not waited for) has reported
       and all units agree: that status;
       all report a done status (已完成, 已完成并长期坚持, 已调整或取消) but differ: 已完成;
    5. otherwise 推进中 (some unit is still at work, or some 责任单位 has not reported yet).
    Lateness against the 完成时限 is the colour rule's business (models/rules/warning.py), not this one's.
    """
    if not unit_statuses:
        return "未启动"
    if newest_is_whole:
        return newest_status
    units = {key: status for key, status in unit_statuses.items() if key}
    statuses = set(units.values())
    if "滞后" in statuses:
        return "滞后"
    all_reported = all(key in units for key in responsible)
    if all_reported and len(statuses) == 1:
        return next(iter(statuses))
    if all_reported and statuses <= DONE_STATUSES:
        return "已完成"
    return "推进中"


def measure_progress(session: Session, measures: list[Measure],
                     directory: UnitDirectory | None = None) -> dict[uuid.UUID, MeasureProgress]:
    """Per measure: each reporting unit's newest status and text, and the derived overall status."""
    directory = directory or UnitDirectory.load(session)
    entries: dict[uuid.UUID, list[ProgressEntry]] = {}
    pending: dict[uuid.UUID, int] = {}
    ids = [m.id for m in measures]
    for entry in session.scalars(select(ProgressEntry).where(ProgressEntry.measure_id.in_(ids),
                                                             ProgressEntry.deleted.is_(False))):
        if entry.review == REVIEW_PENDING:
            pending[entry.measure_id] = pending.get(entry.measure_id, 0) + 1
        elif entry.review == "":
            entries.setdefault(entry.measure_id, []).append(entry)
    result = {}
    for measure in measures:
        responsible = responsible_keys(directory, measure.units_text)
        units = _unit_progress(directory, entries.get(measure.id, []), responsible)
        newest = max(units, key=lambda u: u.order, default=None)
        status = derive_status({u.unit_key: u.status for u in units}, responsible,
                               newest is not None and newest.unit_key == "", newest.status if newest else "")
        result[measure.id] = MeasureProgress(status, tuple(units), pending.get(measure.id, 0))
    return result


def responsible_keys(directory: UnitDirectory, units_text: str) -> list[str]:
    keys: list[str] = []
    for name in unit_names(units_text):
        if is_all_members(name):
            found = [str(u.id) for u in directory.members()]
        elif is_vague(name):
            found = []
        else:  # a name not in the directory gets no sheet (it is flagged there), so it is not waited for
            unit = directory.match(name)
            found = [str(unit.id)] if unit else []
        keys += [key for key in found if key not in keys]
    return keys


def unit_key(directory: UnitDirectory, unit_id: uuid.UUID | None, unit_name: str) -> str:
    """Which unit an entry belongs to: its directory id when known (by id, else by name), else its name."""
    unit = directory.by_id(unit_id) or (directory.match(unit_name) if unit_name else None)
    if unit is not None:
        return str(unit.id)
    return f"name:{unit_name}" if unit_name else ""


def unit_label(directory: UnitDirectory, key: str, fallback: str) -> str:
    for unit in directory.units:
        if str(unit.id) == key:
            return unit.short_name or unit.name
    return fallback


def _unit_progress(directory: UnitDirectory, entries: list[ProgressEntry], responsible: list[str]) -> list[UnitProgress]:
    groups: dict[str, list[ProgressEntry]] = {}
    for entry in sorted(entries, key=entry_order):
        groups.setdefault(unit_key(directory, entry.unit_id, entry.unit_name), []).append(entry)
    units = []
    for key, group in groups.items():
        newest = group[-1]
        texts = [e for e in group if e.text]
        text_entry = texts[-1] if texts else None
        units.append(UnitProgress(unit_label(directory, key, newest.unit_name), key, newest.status,
                                  text_entry.text if text_entry else "", text_entry.reported_on if text_entry else None,
                                  newest.period, newest.id, entry_order(newest)))

    def rank(unit: UnitProgress) -> tuple[int, int, tuple[dt.date, int]]:
        if unit.unit_key == "":
            return (2, 0, unit.order)
        if unit.unit_key in responsible:
            return (0, responsible.index(unit.unit_key), unit.order)
        return (1, 0, unit.order)

    return sorted(units, key=rank)


def progress_summary(progress: MeasureProgress | None) -> str:
    """The text a list shows for a measure: each unit's newest text, one per line (牵头 first)."""
    if progress is None:
        return ""
    lines = [f"{u.unit}：{u.text}" if u.unit else u.text for u in shown_units(progress)]
    return "\n".join(lines)


def shown_units(progress: MeasureProgress) -> list[UnitProgress]:
    """The units whose text an export prints: every unit with text; the measure-wide text only while it is
    newer than every unit's (an imported or typed overall note does not outlive the units' returns)."""
    units = [u for u in progress.units if u.text and u.unit_key]
    whole = next((u for u in progress.units if u.unit_key == "" and u.text), None)
    if whole is not None and all((whole.text_on or dt.date.min, whole.order) > (u.text_on or dt.date.min, u.order)
                                 for u in units):
        units.append(whole)
    return units


def measure_status(session: Session, measures: list[Measure]) -> dict[uuid.UUID, str]:
    return {measure_id: progress.status for measure_id, progress in measure_progress(session, measures).items()}


@dataclass(frozen=True)
class MeasureRow:
    id: uuid.UUID
    aspect: str
    task_number: int
    task_text: str
    text: str
    deadline_phrase: str
    due_on: dt.date | None
    units_text: str
    status: str
    progress: str


def task_list_rows(session: Session, list_id: uuid.UUID) -> list[MeasureRow]:
    query = (select(TaskAspect, Task, Measure)
             .join(Task, Task.aspect_id == TaskAspect.id).join(Measure, Measure.task_id == Task.id)
             .where(TaskAspect.list_id == list_id, TaskAspect.deleted.is_(False), Task.deleted.is_(False),
                    Measure.deleted.is_(False))
             .order_by(TaskAspect.sort_key, Task.number, Measure.sort_key))
    triples = session.execute(query).all()
    progress = measure_progress(session, [m for _, _, m in triples])
    rows = []
    for aspect, task, measure in triples:
        found = progress.get(measure.id)
        rows.append(MeasureRow(measure.id, aspect.title, task.number, task.text, measure.text,
                               measure.deadline_phrase, measure.due_on, measure.units_text,
                               found.status if found else "未启动", progress_summary(found)))
    return rows


def task_lists(session: Session) -> list[TaskList]:
    return list(session.scalars(select(TaskList).where(TaskList.deleted.is_(False)).order_by(TaskList.year.desc())))


@dataclass(frozen=True)
class ProgressConflict:
    """A second, different return of one unit for one period: both texts, side by side, for a person."""

    pending_id: uuid.UUID  # the later return (待确认)
    measure_id: uuid.UUID
    measure_text: str
    unit: str
    period: str
    new_text: str
    new_status: str
    new_on: dt.date | None
    kept_id: uuid.UUID | None  # the unit's entry for the period that counts now
    kept_text: str
    kept_status: str
    kept_on: dt.date | None


def progress_conflicts(session: Session) -> list[ProgressConflict]:
    pending = list(session.scalars(select(ProgressEntry).where(
        ProgressEntry.deleted.is_(False), ProgressEntry.review == REVIEW_PENDING)))
    if not pending:
        return []
    directory = UnitDirectory.load(session)
    measure_ids = {e.measure_id for e in pending}
    measures = {m.id: m for m in session.scalars(select(Measure).where(Measure.id.in_(measure_ids)))}
    counted = list(session.scalars(select(ProgressEntry).where(
        ProgressEntry.measure_id.in_(measure_ids), ProgressEntry.deleted.is_(False), ProgressEntry.review == "")))
    conflicts = []
    for entry in sorted(pending, key=entry_order):
        measure = measures.get(entry.measure_id)
        if measure is None or measure.deleted:
            continue
        key = unit_key(directory, entry.unit_id, entry.unit_name)
        same = [e for e in counted if e.measure_id == entry.measure_id and e.period == entry.period and e.text
                and unit_key(directory, e.unit_id, e.unit_name) == key]
        kept = max(same, key=entry_order, default=None)
        conflicts.append(ProgressConflict(
            entry.id, measure.id, measure.text, entry.unit_name, entry.period, entry.text, entry.status,
            entry.reported_on, kept.id if kept else None, kept.text if kept else "", kept.status if kept else "",
            kept.reported_on if kept else None))
    return conflicts


def choose_progress(session: Session, pending_id: uuid.UUID | str, keep_new: bool) -> None:
    """Settle a 待确认 return: keep_new makes it the unit's text for the period (the texts it differed from
    are marked 已替换), else it is marked 已替换. Nothing is deleted: both texts stay in the history."""
    require(session, "approve")
    entry = get_live(session, ProgressEntry, pending_id)
    if entry.review != REVIEW_PENDING:
        raise DomainError("progress_not_pending", "该进展不是待确认的冲突（可能已处理）")
    if not keep_new:
        entry.review = REVIEW_REPLACED
        session.flush()
        return
    directory = UnitDirectory.load(session)
    key = unit_key(directory, entry.unit_id, entry.unit_name)
    for other in session.scalars(select(ProgressEntry).where(
            ProgressEntry.measure_id == entry.measure_id, ProgressEntry.period == entry.period,
            ProgressEntry.deleted.is_(False), ProgressEntry.review == "", ProgressEntry.id != entry.id)):
        if other.text and other.text != entry.text and unit_key(directory, other.unit_id, other.unit_name) == key:
            other.review = REVIEW_REPLACED
    entry.review = ""
    session.flush()
