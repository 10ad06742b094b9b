"""任务清单 and 台账 <-> the Excel dataclasses of reports/xlsx: read the DB for export, write imports into it,
and merge returned per-unit 填报表 as new, dated ProgressEntry rows (append-only, so history is kept)."""
from __future__ import annotations

import datetime as dt
import secrets
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from models.errors import DomainError
from models.services.tasks import (
    add_aspect,
    add_measure,
    add_progress,
    add_task,
    create_task_list,
    latest_progress,
)
from models.settings import get_setting, set_setting
from models.tasklist import Measure, ProgressEntry, Task, TaskAspect, TaskList
from models.unit import Unit
from reports.xlsx.data import AspectData, MeasureData, TaskData, TaskListData
from reports.xlsx.fill_returns import NEW, CurrentMeasure, RowOutcome, read_fill_sheet, review_returns
from reports.xlsx.fill_sheets import FillSheetRequest
from reports.xlsx.units import all_named_units

FILL_KEY_SETTING = "fill_sheet_hmac_key"


def fill_sheet_key(session: Session) -> bytes:
    """The HMAC key of this workstation's 填报表, made on first use and kept in the encrypted DB."""
    key_hex = get_setting(session, FILL_KEY_SETTING)
    if not key_hex:
        key_hex = secrets.token_hex(32)
        set_setting(session, FILL_KEY_SETTING, key_hex)
    return bytes.fromhex(key_hex)


def find_task_list(session: Session, year: int) -> TaskList:
    task_list = session.scalars(select(TaskList).where(TaskList.year == year, TaskList.deleted.is_(False))
                                .order_by(TaskList.created_hlc.desc())).first()
    if task_list is None:
        raise DomainError("tasklist_not_found", f"没有{year}年度的任务清单")
    return task_list


def task_list_data(session: Session, task_list: TaskList) -> TaskListData:
    aspects = list(session.scalars(select(TaskAspect).where(TaskAspect.list_id == task_list.id,
                                                            TaskAspect.deleted.is_(False)).order_by(TaskAspect.sort_key)))
    tasks = list(session.scalars(select(Task).where(Task.aspect_id.in_([a.id for a in aspects]),
                                                    Task.deleted.is_(False)).order_by(Task.number)))
    measures = list(session.scalars(select(Measure).where(Measure.task_id.in_([t.id for t in tasks]),
                                                          Measure.deleted.is_(False)).order_by(Measure.sort_key)))
    latest = latest_progress(session, [m.id for m in measures])
    measures_of: dict[uuid.UUID, list[MeasureData]] = {}
    for measure in measures:
        entry = latest.get(measure.id)
        measures_of.setdefault(measure.task_id, []).append(MeasureData(
            measure.text, measure.deadline_phrase, measure.units_text, id=str(measure.id),
            latest_progress=entry.text if entry else "", progress_on=entry.reported_on if entry else None,
            status=entry.status if entry else "", progress_id=str(entry.id) if entry else ""))
    tasks_of: dict[uuid.UUID, list[TaskData]] = {}
    for task in tasks:
        tasks_of.setdefault(task.aspect_id, []).append(
            TaskData(task.number, task.text, tuple(measures_of.get(task.id, [])),
                     deadlines_cell=task.deadlines_cell or None, units_cell=task.units_cell or None))
    return TaskListData(task_list.year, task_list.title,
                        tuple(AspectData(a.title, tuple(tasks_of.get(a.id, []))) for a in aspects))


def save_task_list(session: Session, data: TaskListData, imported_on: dt.date) -> TaskList:
    """Create the list with its 方面/任务/措施; progress found in the sheet becomes dated entries."""
    task_list = create_task_list(session, data.year, data.title)
    for aspect_data in data.aspects:
        aspect = add_aspect(session, task_list.id, aspect_data.title)
        for task_data in aspect_data.tasks:
            task = add_task(session, aspect.id, task_data.number, task_data.text,
                            deadlines_cell=task_data.deadlines_cell or "", units_cell=task_data.units_cell or "")
            for measure_data in task_data.measures:
                measure = add_measure(session, task.id, measure_data.text, deadline=measure_data.deadline,
                                      units=measure_data.units)
                if measure_data.latest_progress:
                    add_progress(session, measure.id, status=measure_data.status or "推进中",
                                 text=measure_data.latest_progress,
                                 reported_on=measure_data.progress_on or imported_on, reporter="导入")
    return task_list


def unit_requests(session: Session, data: TaskListData, period: str, as_of: dt.date,
                  only: Iterable[str] = ()) -> list[FillSheetRequest]:
    """One request per unit named in the list (or the `only` names), with the unit's 全称 and 简称 as aliases."""
    directory = list(session.scalars(select(Unit).where(Unit.deleted.is_(False))))
    export_id = str(uuid.uuid4())
    wanted = list(only) or all_named_units([m.units for _, _, m in data.measures()])
    requests: list[FillSheetRequest] = []
    for name in wanted:
        unit = next((u for u in directory if name in (u.name, u.short_name)), None)
        aliases = frozenset(alias for alias in ((unit.name, unit.short_name) if unit else (name,)) if alias)
        label = unit.name if unit else name
        if all(r.unit != label for r in requests):
            requests.append(FillSheetRequest(label, aliases | {name}, period, as_of, export_id))
    return requests


@dataclass
class CollectReport:
    added: list[RowOutcome] = field(default_factory=list)
    unchanged: list[RowOutcome] = field(default_factory=list)
    flagged: list[RowOutcome] = field(default_factory=list)  # conflicts and unmatched rows, for the clerk
    sheets: list[str] = field(default_factory=list)  # "市司法局 2022Q2 (file.xlsx)"


def current_states(session: Session, measure_ids: list[str]) -> dict[str, CurrentMeasure]:
    ids = [uuid.UUID(m) for m in measure_ids if _is_uuid(m)]
    found = {m.id for m in session.scalars(select(Measure).where(Measure.id.in_(ids), Measure.deleted.is_(False)))}
    latest = latest_progress(session, list(found))
    states = {}
    for measure_id in found:
        entry = latest.get(measure_id)
        states[str(measure_id)] = CurrentMeasure(str(measure_id), str(entry.id) if entry else "",
                                                 entry.text if entry else "", entry.period if entry else "",
                                                 entry.status if entry else "")
    return states


def _is_uuid(text: str) -> bool:
    try:
        uuid.UUID(text)
    except ValueError:
        return False
    return True


def _already_recorded(session: Session, outcome: RowOutcome, period: str) -> bool:
    return session.scalars(select(ProgressEntry.id).where(
        ProgressEntry.measure_id == uuid.UUID(outcome.measure_id), ProgressEntry.period == period,
        ProgressEntry.text == outcome.progress.strip(), ProgressEntry.deleted.is_(False))).first() is not None


def collect_returns(session: Session, files: list[Path], period: str | None = None) -> CollectReport:
    """Review every returned sheet against the state before this batch (so 60 units returning a shared
    各成员单位 measure do not make each other stale), then append the new entries."""
    key = fill_sheet_key(session)
    report = CollectReport()
    reviewed = []
    for path in files:
        sheet = read_fill_sheet(path, key)
        report.sheets.append(f"{sheet.unit} {sheet.period}（{path.name}）")
        reviewed.append((sheet, review_returns(sheet, key, current_states(session, [r.measure_id for r in sheet.rows]),
                                               expected_period=period)))
    for sheet, outcomes in reviewed:
        for outcome in outcomes:
            if outcome.kind != NEW:
                (report.unchanged if outcome.kind == "无变化" else report.flagged).append(outcome)
            elif outcome.progress and _already_recorded(session, outcome, sheet.period):
                report.unchanged.append(outcome)
            else:
                state = current_states(session, [outcome.measure_id])[outcome.measure_id]
                reporter = "　".join(part for part in (sheet.unit, outcome.reporter) if part)
                add_progress(session, outcome.measure_id, status=outcome.status or state.status or "推进中",
                             text=outcome.progress or f"状态更新为{outcome.status}", reported_on=sheet.as_of,
                             reporter=reporter, period=sheet.period)
                report.added.append(outcome)
    return report
