"""任务清单 use cases: build a list (方面 → 任务 → 措施), append 进展 entries, read the latest."""
from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from models.errors import DomainError
from models.services.common import get_live, next_sort_key
from models.tasklist import PROGRESS_STATUSES, Measure, ProgressEntry, Task, TaskAspect, TaskList


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
                 reported_on: dt.date, reporter: str = "", period: str = "") -> ProgressEntry:
    measure = get_live(session, Measure, measure_id)
    if status not in PROGRESS_STATUSES:
        raise DomainError("progress_status", f"进展状态只能是：{'、'.join(PROGRESS_STATUSES)}")
    entry = ProgressEntry(measure_id=measure.id, status=status, text=text.strip(), reported_on=reported_on,
                          reporter=reporter.strip(), period=period or quarter_label(reported_on))
    session.add(entry)
    session.flush()
    return entry


def quarter_label(day: dt.date) -> str:
    return f"{day.year}Q{(day.month - 1) // 3 + 1}"


def latest_progress(session: Session, measure_ids: list[uuid.UUID] | None = None) -> dict[uuid.UUID, ProgressEntry]:
    """The newest entry per measure (by report date, then clock): what 进展情况 shows."""
    query = select(ProgressEntry).where(ProgressEntry.deleted.is_(False))
    if measure_ids is not None:
        query = query.where(ProgressEntry.measure_id.in_(measure_ids))
    latest: dict[uuid.UUID, ProgressEntry] = {}
    for entry in session.scalars(query):
        current = latest.get(entry.measure_id)
        key = (entry.reported_on or dt.date.min, entry.created_hlc)
        if current is None or key > (current.reported_on or dt.date.min, current.created_hlc):
            latest[entry.measure_id] = entry
    return latest


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
    latest = latest_progress(session, [m.id for _, _, m in triples])
    rows = []
    for aspect, task, measure in triples:
        entry = latest.get(measure.id)
        rows.append(MeasureRow(measure.id, aspect.title, task.number, task.text, measure.text,
                               measure.deadline_phrase, measure.due_on, measure.units_text,
                               entry.status if entry else "未启动", entry.text if entry else ""))
    return rows


def task_lists(session: Session) -> list[TaskList]:
    return list(session.scalars(select(TaskList).where(TaskList.deleted.is_(False)).order_by(TaskList.year.desc())))
