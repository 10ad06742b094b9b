"""The Excel use cases as the CLI and the GUI both run them: read or write files, with every import
inside Database.import_scope (verified backup first, one transaction)."""
from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from pathlib import Path

from models.audit import append_audit
from models.fsutil import atomic_write_bytes
from models.permissions import require
from models.services.common import get_live
from models.services.tasklists import (
    CollectReport,
    apply_returned_sheets,
    fill_sheet_key,
    find_task_list,
    plan_fill_sheets,
    read_returned_sheets,
    save_task_list,
    stored_fill_key,
    task_list_data,
)
from models.storage import Database
from models.tasklist import TaskList
from reports.xlsx.data import ImportedTaskList, TaskListData
from reports.xlsx.fill_sheets import export_fill_sheets
from reports.xlsx.ledger import LedgerFilter
from reports.xlsx.tasklist_export import ExportOptions, export_task_list
from reports.xlsx.tasklist_import import import_task_list


def import_task_list_file(db: Database, path: Path, today: dt.date, year: int | None = None,
                          sheet_name: str | None = None) -> ImportedTaskList:
    """Parse the whole workbook first (a bad file writes nothing), then save it in one transaction."""
    require(db, "import")
    imported = import_task_list(path, year=year, sheet_name=sheet_name)
    with db.import_scope("before_xlsx_import") as session:
        save_task_list(session, imported.data, today)
    return imported


@dataclass(frozen=True)
class FillSheetsWritten:
    files: list[Path]
    flagged: list[str]  # names that got no sheet (vague phrase, not in the unit directory), with the reason


def write_fill_sheets(db: Database, year: int, period: str, as_of: dt.date, folder: Path,
                      only_units: tuple[str, ...] = ()) -> FillSheetsWritten:
    """One 填报表 per real unit (matched in the directory; 各成员单位 = the member units)."""
    require(db, "task.export")
    with db.write_scope() as session:  # the first export makes the sheets' HMAC key
        task_list = find_task_list(session, year)
        plan = plan_fill_sheets(session, task_list, period, as_of, only_units)
        key = fill_sheet_key(session)
    written = []
    for unit, xlsx in export_fill_sheets(plan.requests, key).items():
        target = folder / f"{task_list.year}年任务清单进展填报表_{period}_{unit}.xlsx"
        atomic_write_bytes(target, xlsx)
        written.append(target)
    _audit_export(db, "export_fill_sheets", f"{year} {period}", {"sheets": len(written)})
    return FillSheetsWritten(written, plan.flagged)


def write_task_list(db: Database, list_id: uuid.UUID, target: Path, options: ExportOptions | None = None) -> TaskListData:
    require(db, "task.export")
    with db.session_scope() as session:
        data = task_list_data(session, get_live(session, TaskList, list_id))
    atomic_write_bytes(target, export_task_list(data, options or ExportOptions()))
    _audit_export(db, "export_task_list", target.name, {"year": data.year})
    return data


def _audit_export(db: Database, event: str, ref: str, detail: dict[str, object]) -> None:
    """Files written for others are plaintext: each export leaves a trace in the audit log (留痕)."""
    with db.session_scope() as session:
        append_audit(session, event, object_ref=ref, detail=detail)


def collect_returned_sheets(db: Database, files: list[Path], period: str | None = None) -> CollectReport:
    """Every file on its own line; a bad file never blocks the others. Files are read and reviewed first
    (read scope); only when some file has rows to write is the database backed up, once for the batch,
    and the rows written in one transaction. A file refused before its rows were read writes nothing."""
    with db.read_scope() as session:
        key = stored_fill_key(session)
    read = read_returned_sheets(files, key, period)
    with db.read_scope() as session:
        dry = apply_returned_sheets(session, read, key, write=False)
    if not any(f.added or f.conflicts for f in dry.files):
        return dry
    with db.import_scope("before_collect") as session:
        report = apply_returned_sheets(session, read, key)
    report.backed_up = True
    return report


def write_ledger(db: Database, target: Path, row_filter: LedgerFilter, today: dt.date) -> None:
    require(db, "export")
    from models.services.ledger import write_ledger_file

    write_ledger_file(db, target, row_filter, today)
