"""任务清单 and 台账 <-> the Excel dataclasses of reports/xlsx (services take a Session): read the DB for export,
write imports into it, plan per-unit 填报表 for the directory's real units, and merge returned sheets as new,
dated ProgressEntry rows of their unit (append-only: units never overwrite each other; history is kept)."""
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
    MeasureProgress,
    add_aspect,
    add_measure,
    add_progress,
    add_task,
    create_task_list,
    entry_order,
    measure_progress,
    shown_units,
    unit_key,
)
from models.services.units import UnitDirectory
from models.settings import get_setting, set_setting
from models.tasklist import REVIEW_PENDING, Measure, ProgressEntry, Task, TaskAspect, TaskList
from reports.xlsx.data import AspectData, MeasureData, TaskData, TaskListData, UnitProgressData
from reports.xlsx.fill_returns import (
    CONFLICT,
    NEW,
    UNCHANGED,
    CurrentMeasure,
    ReturnedSheet,
    RowOutcome,
    read_fill_sheet,
    review_returns,
    sheet_problem,
)
from reports.xlsx.fill_sheets import FillSheetRequest
from reports.xlsx.units import unit_names

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


def task_list_data(session: Session, task_list: TaskList, *, for_unit: str | None = None,
                   directory: UnitDirectory | None = None) -> TaskListData:
    """The list for export. Each measure carries its derived status and every unit's newest text (牵头
    first). With for_unit (a unit key, see models.services.tasks.unit_key) it is the list as that unit's
    填报表 shows it: the unit's own last text (else the measure-wide one), status and entry id."""
    directory = directory or UnitDirectory.load(session)
    aspects = list(session.scalars(select(TaskAspect).where(TaskAspect.list_id == task_list.id,
                                                            TaskAspect.deleted.is_(False)).order_by(TaskAspect.sort_key)))
    tasks = list(session.scalars(select(Task).where(Task.aspect_id.in_([a.id for a in aspects]),
                                                    Task.deleted.is_(False)).order_by(Task.number)))
    measures = list(session.scalars(select(Measure).where(Measure.task_id.in_([t.id for t in tasks]),
                                                          Measure.deleted.is_(False)).order_by(Measure.sort_key)))
    progress = measure_progress(session, measures, directory)
    measures_of: dict[uuid.UUID, list[MeasureData]] = {}
    for measure in measures:
        found = progress[measure.id]
        measures_of.setdefault(measure.task_id, []).append(
            _unit_view(measure, found, for_unit) if for_unit is not None else _overall_view(measure, found))
    tasks_of: dict[uuid.UUID, list[TaskData]] = {}
    for task in tasks:
        tasks_of.setdefault(task.aspect_id, []).append(
            TaskData(task.number, task.text, tuple(measures_of.get(task.id, [])),
                     deadlines_cell=task.deadlines_cell or None, units_cell=task.units_cell or None))
    return TaskListData(task_list.year, task_list.title,
                        tuple(AspectData(a.title, tuple(tasks_of.get(a.id, []))) for a in aspects))


def _overall_view(measure: Measure, progress: MeasureProgress) -> MeasureData:
    newest, with_text = progress.newest(), progress.newest_text()
    return MeasureData(
        measure.text, measure.deadline_phrase, measure.units_text, id=str(measure.id),
        latest_progress=with_text.text if with_text else "", progress_on=with_text.text_on if with_text else None,
        status=progress.status if newest else "", progress_id=str(newest.entry_id) if newest else "",
        unit_progress=tuple(UnitProgressData(u.unit, u.text, u.text_on, u.status) for u in shown_units(progress)))


def _unit_view(measure: Measure, progress: MeasureProgress, unit: str) -> MeasureData:
    own, whole = progress.of_unit(unit), progress.of_unit("")
    shown = own if own is not None and own.text else whole
    return MeasureData(
        measure.text, measure.deadline_phrase, measure.units_text, id=str(measure.id),
        latest_progress=shown.text if shown else "", progress_on=shown.text_on if shown else None,
        status=own.status if own else "", progress_id=str(own.entry_id) if own else "")


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


@dataclass(frozen=True)
class FillSheetPlan:
    requests: list[tuple[FillSheetRequest, TaskListData]]  # one per real unit, with the list as it sees it
    flagged: list[str]  # names that got no sheet, with the reason (vague phrase, not in the directory)


def plan_fill_sheets(session: Session, task_list: TaskList, period: str, as_of: dt.date,
                     only: Iterable[str] = ()) -> FillSheetPlan:
    """Sheets only for real units: each 责任单位 name (or each `only` name) is matched to the directory by
    全称, 简称 or 别名; 各成员单位 becomes the directory's member units; vague phrases (相关行政执法机关) and
    names not in the directory are flagged, never given a sheet of their own."""
    directory = UnitDirectory.load(session)
    overall = task_list_data(session, task_list, directory=directory)
    names = list(only) or [name for _, _, m in overall.measures() for name in unit_names(m.units)]
    found = directory.resolve(list(dict.fromkeys(n.strip() for n in names if n.strip())))
    export_id = str(uuid.uuid4())
    requests = []
    for unit in found.units:
        request = FillSheetRequest(unit.name, unit.names, period, as_of, export_id, member=unit.member)
        requests.append((request, task_list_data(session, task_list, for_unit=str(unit.id), directory=directory)))
    return FillSheetPlan(requests, list(found.flagged))


@dataclass
class FileReport:
    """What became of one returned file: refused whole (reason) or its rows, each naming its row."""

    file: str
    unit: str = ""
    period: str = ""
    refused: str = ""  # the whole file was refused before its rows were read
    added: list[RowOutcome] = field(default_factory=list)
    unchanged: list[RowOutcome] = field(default_factory=list)
    conflicts: list[RowOutcome] = field(default_factory=list)  # both texts kept, a person chooses
    rejected: list[RowOutcome] = field(default_factory=list)  # rows not imported (tampered, unknown status…)

    @property
    def to_confirm(self) -> list[RowOutcome]:
        return self.conflicts + self.rejected

    def line(self) -> str:
        if self.refused:
            return f"{self.file}：拒收：{self.refused}"
        return (f"{self.file}（{self.unit} {self.period}）：已接收 {len(self.added)} 行，待确认 {len(self.to_confirm)} 行"
                f"，无变化 {len(self.unchanged)} 行")

    def details(self) -> list[str]:
        return [f"{self.file} {outcome.reason}" for outcome in self.to_confirm]


@dataclass
class CollectReport:
    files: list[FileReport] = field(default_factory=list)
    backed_up: bool = False

    @property
    def added(self) -> list[RowOutcome]:
        return [o for f in self.files for o in f.added]

    @property
    def unchanged(self) -> list[RowOutcome]:
        return [o for f in self.files for o in f.unchanged]

    @property
    def flagged(self) -> list[RowOutcome]:
        return [o for f in self.files for o in f.to_confirm]

    def lines(self) -> list[str]:
        out = []
        for report in self.files:
            out.append(report.line())
            out += ["  " + detail for detail in report.details()]
        return out


@dataclass(frozen=True)
class ReadSheet:
    path: Path
    sheet: ReturnedSheet | None
    refused: str = ""


def read_returned_sheets(files: list[Path], key: bytes, period: str | None = None) -> list[ReadSheet]:
    """Read every file on its own: one that cannot be read, is not ours or is of another period is refused
    with its reason; the others go on."""
    read = []
    for path in files:
        try:
            sheet = read_fill_sheet(path, key)
        except DomainError as error:
            read.append(ReadSheet(path, None, error.message))
            continue
        except OSError as error:  # missing, a folder, no permission: this file only
            read.append(ReadSheet(path, None, _file_problem(error)))
            continue
        problem = sheet_problem(sheet, period)
        read.append(ReadSheet(path, None, problem) if problem else ReadSheet(path, sheet))
    return read


def _file_problem(error: OSError) -> str:
    if isinstance(error, FileNotFoundError):
        return "文件不存在"
    if isinstance(error, IsADirectoryError):
        return "这是文件夹，不是Excel文件"
    if isinstance(error, PermissionError):
        return "没有读取该文件的权限（文件可能正被其他程序打开）"
    return f"无法读取该文件（{error.strerror or '读写错误'}）"


def unit_states(session: Session, sheet: ReturnedSheet, directory: UnitDirectory) -> dict[str, CurrentMeasure]:
    """Per measure on the sheet: what the database holds from the sheet's unit (only from that unit)."""
    key = unit_key(directory, None, sheet.unit)
    ids = [uuid.UUID(row.measure_id) for row in sheet.rows if _is_uuid(row.measure_id)]
    found = set(session.scalars(select(Measure.id).where(Measure.id.in_(ids), Measure.deleted.is_(False))))
    entries: dict[uuid.UUID, list[ProgressEntry]] = {}
    for entry in session.scalars(select(ProgressEntry).where(ProgressEntry.measure_id.in_(found),
                                                             ProgressEntry.deleted.is_(False))):
        entries.setdefault(entry.measure_id, []).append(entry)
    bases = {row.measure_id: row.base_progress_id for row in sheet.rows}
    states = {}
    for measure_id in found:
        all_entries = entries.get(measure_id, [])
        own = [e for e in all_entries if unit_key(directory, e.unit_id, e.unit_name) == key]
        counted = sorted((e for e in own if e.review == ""), key=entry_order)
        newest = counted[-1] if counted else None
        texts = [e for e in counted if e.text]
        base = next((e for e in all_entries if str(e.id) == bases.get(str(measure_id))), None)
        states[str(measure_id)] = CurrentMeasure(
            str(measure_id), str(newest.id) if newest else "", texts[-1].text if texts else "",
            newest.period if newest else "", newest.status if newest else "", base.status if base else "",
            frozenset((e.period, e.text) for e in own if e.text))
    return states


def _is_uuid(text: str) -> bool:
    try:
        uuid.UUID(text)
    except ValueError:
        return False
    return True


def stored_fill_key(session: Session) -> bytes:
    """The 填报表 key without making one (read scope); a fresh random key when none was ever made, so every
    returned file simply fails its check."""
    key_hex = get_setting(session, FILL_KEY_SETTING)
    return bytes.fromhex(str(key_hex)) if key_hex else secrets.token_bytes(32)


def apply_sheet(session: Session, sheet: ReturnedSheet, key: bytes, directory: UnitDirectory,
                report: FileReport, write: bool = True) -> None:
    """Review one sheet against its unit's current state and (write=True) add its entries: a conflict is
    stored as a 待确认 entry beside the text it differs from, so the typed text is never lost."""
    unit = directory.match(sheet.unit)
    states = unit_states(session, sheet, directory)
    for outcome in review_returns(sheet, key, states):
        if outcome.kind == UNCHANGED:
            report.unchanged.append(outcome)
        elif outcome.kind in (NEW, CONFLICT):
            if write:
                state = states[outcome.measure_id]
                add_progress(session, outcome.measure_id, status=outcome.status or state.status or "推进中",
                             text=outcome.progress, reported_on=sheet.as_of, reporter=outcome.reporter,
                             period=sheet.period, unit_name=unit.name if unit else sheet.unit,
                             unit_id=unit.id if unit else None,
                             review=REVIEW_PENDING if outcome.kind == CONFLICT else "")
            (report.conflicts if outcome.kind == CONFLICT else report.added).append(outcome)
        else:
            report.rejected.append(outcome)


def apply_returned_sheets(session: Session, read: list[ReadSheet], key: bytes, write: bool = True) -> CollectReport:
    """Every file in turn (a file's entries are visible to the next one: the same unit returning twice in
    one batch is caught as a conflict); units never make each other stale."""
    directory = UnitDirectory.load(session)
    report = CollectReport()
    for item in read:
        file_report = FileReport(item.path.name, refused=item.refused)
        report.files.append(file_report)
        if item.sheet is not None:
            file_report.unit, file_report.period = item.sheet.unit, item.sheet.period
            apply_sheet(session, item.sheet, key, directory, file_report, write)
    return report


def collect_returns(session: Session, files: list[Path], period: str | None = None) -> CollectReport:
    """Read, review and add every returned sheet in this (write) transaction."""
    key = fill_sheet_key(session)
    return apply_returned_sheets(session, read_returned_sheets(files, key, period), key)

