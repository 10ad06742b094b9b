"""DB <-> Excel: export the demo list, import a sheet into the DB, per-unit sheets and collecting returns."""
from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
from io import BytesIO

from openpyxl import load_workbook
from sqlalchemy import func, select

from models.services.ledger import ledger_rows
from models.services.tasklists import (
    collect_returns,
    fill_sheet_key,
    find_task_list,
    plan_fill_sheets,
    save_task_list,
    task_list_data,
)
from models.tasklist import ProgressEntry
from reports.xlsx.circled import normalise_cell
from reports.xlsx.fill_sheets import export_fill_sheets
from reports.xlsx.ledger import LedgerFilter, export_ledger
from reports.xlsx.tasklist_export import export_task_list
from reports.xlsx.tasklist_import import import_task_list
from tests.conftest import TEST_PASSWORD
from tests.reports_xlsx.builders import seed_published_xlsx, workbook_bytes
from tests.reports_xlsx.seed_table import ROOT, read_seed_rows


def test_imported_seed_saved_and_exported_from_the_database_keeps_every_cell(new_db):
    with new_db.session_scope() as session:
        save_task_list(session, import_task_list(seed_published_xlsx()).data, dt.date(2022, 5, 10))
    with new_db.session_scope() as session:
        data = task_list_data(session, find_task_list(session, 2022))
    sheet = load_workbook(BytesIO(export_task_list(data))).active
    _, seed_rows = read_seed_rows()
    task_rows = [row for row in sheet.iter_rows(min_row=4, values_only=True) if row[1]]
    for exported, seed in zip(task_rows, seed_rows, strict=True):
        # the published grouping travels through the database too (task 2's ungrouped ②③ 责任单位)
        assert normalise_cell(exported[0]) == normalise_cell(seed.task)
        assert normalise_cell(exported[1]) == normalise_cell(seed.measures)
        assert normalise_cell(exported[2]) == normalise_cell(seed.deadlines)
        assert normalise_cell(exported[3]) == normalise_cell(seed.units)


def fill(xlsx: bytes, edits: dict[str, str]) -> bytes:
    workbook = load_workbook(BytesIO(xlsx))
    for ref, value in edits.items():
        workbook["进展填报"][ref] = value
    return workbook_bytes(workbook)


def test_sheets_then_collect_adds_dated_entries_once_and_flags_conflicts(demo_db, tmp_path):
    with demo_db.session_scope() as session:
        plan = plan_fill_sheets(session, find_task_list(session, 2022), "2022Q2", dt.date(2022, 6, 30),
                                ["市司法局", "市民政局"])
        sheets = export_fill_sheets(plan.requests, fill_sheet_key(session))
        before = session.scalar(select(func.count()).select_from(ProgressEntry))
    assert set(sheets) == {"宿州市司法局", "宿州市民政局"}  # the directory's 全称 for the list's 简称
    justice = tmp_path / "司法局.xlsx"
    justice.write_bytes(fill(sheets["宿州市司法局"], {"G4": "已协调化解行政争议3件", "H4": "推进中", "I4": "张三",
                                                 "C5": "被改动的措施"}))
    with demo_db.session_scope() as session:
        report = collect_returns(session, [justice], "2022Q2")
    assert [o.progress for o in report.added] == ["已协调化解行政争议3件"]
    assert [o.kind for o in report.flagged] == ["拒收"] and "锁定列" in report.flagged[0].reason
    assert report.lines()[0] == "司法局.xlsx（宿州市司法局 2022Q2）：已接收 1 行，待确认 1 行，无变化 8 行"
    assert report.lines()[1].startswith("  司法局.xlsx 第5行：锁定列")
    with demo_db.session_scope() as session:
        entries = list(session.scalars(select(ProgressEntry).where(ProgressEntry.text == "已协调化解行政争议3件")))
        assert [(e.reported_on, e.period, e.reporter, e.status, e.unit_name) for e in entries] == [
            (dt.date(2022, 6, 30), "2022Q2", "张三", "推进中", "宿州市司法局")]
        assert session.scalar(select(func.count()).select_from(ProgressEntry)) == before + 1
        again = collect_returns(session, [justice], "2022Q2")
        assert again.added == [] and session.scalar(select(func.count()).select_from(ProgressEntry)) == before + 1
        other_period = collect_returns(session, [justice], "2022Q3")
        assert other_period.added == [] and other_period.files[0].refused == "表格属于2022Q2期次，不是本次收集的2022Q3期次"


def test_ledger_rows_from_the_demo_database(demo_db):
    with demo_db.session_scope() as session:
        rows = ledger_rows(session)
    assert rows and all(row.addressee for row in rows)
    sheet = load_workbook(BytesIO(export_ledger(rows, dt.date(2026, 11, 23), LedgerFilter()))).active
    assert sheet.max_row == 3 + len(rows)


def run_cli(*args: str, data_dir) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "FJLD_DATA_DIR": str(data_dir), "FJLD_PASSWORD": TEST_PASSWORD}
    return subprocess.run([sys.executable, str(ROOT / "main.py"), *args], capture_output=True, text=True, env=env,
                          cwd=ROOT, timeout=120)


def test_cli_import_export_sheets_collect_and_ledger(tmp_path):
    data_dir = tmp_path / "数据"
    db = str(data_dir / "库.db")
    assert run_cli("--db", db, "init", "--demo", data_dir=data_dir).returncode == 0  # the demo unit directory
    seed = tmp_path / "清单.xlsx"
    seed.write_bytes(seed_published_xlsx())
    imported = run_cli("--db", db, "tasks", "import", str(seed), data_dir=data_dir)
    assert imported.returncode == 0, imported.stderr
    assert "5 个方面，14 项任务" in imported.stdout
    out = tmp_path / "导出.xlsx"
    assert run_cli("--db", db, "tasks", "export", "--year", "2022", "--out", str(out), data_dir=data_dir).returncode == 0
    assert load_workbook(out).active["A2"].value == "2022年度“府检联动”重点工作任务清单"
    folder = tmp_path / "填报表"
    made = run_cli("--db", db, "tasks", "sheets", "--year", "2022", "--period", "2022Q2", "--as-of", "2022-06-30",
                   "--out", str(folder), "--unit", "市民政局", data_dir=data_dir)
    assert made.returncode == 0, made.stderr
    [sheet] = list(folder.iterdir())
    sheet.write_bytes(fill(sheet.read_bytes(), {"G4": "已研究制定衔接意见"}))
    collected = run_cli("--db", db, "tasks", "collect", str(sheet), "--period", "2022Q2", data_dir=data_dir)
    assert collected.returncode == 0 and "新增进展 1 条" in collected.stdout, collected.stderr
    assert f"{sheet.name}（宿州市民政局 2022Q2）：已接收 1 行" in collected.stdout
    # the same unit sends a different text for the same period: both kept, listed, chosen from the CLI
    second = tmp_path / "第二次.xlsx"
    second.write_bytes(fill(sheet.read_bytes(), {"G4": "衔接意见已印发"}))
    bad = tmp_path / "坏表.xlsx"
    bad.write_bytes(b"not a workbook")
    again = run_cli("--db", db, "tasks", "collect", str(bad), str(second), "--period", "2022Q2", data_dir=data_dir)
    assert again.returncode == 1 and "坏表.xlsx：拒收：" in again.stdout, again.stderr
    assert "第二次.xlsx（宿州市民政局 2022Q2）：已接收 0 行，待确认 1 行" in again.stdout
    listed = run_cli("--db", db, "tasks", "conflicts", data_dir=data_dir)
    assert "原有" in listed.stdout and "已研究制定衔接意见" in listed.stdout and "衔接意见已印发" in listed.stdout
    chosen = run_cli("--db", db, "tasks", "choose", "1", "--new", data_dir=data_dir)
    assert chosen.returncode == 0 and "已采用新交回的进展" in chosen.stdout, chosen.stderr
    assert "没有待确认的进展" in run_cli("--db", db, "tasks", "conflicts", data_dir=data_dir).stdout
    missing = run_cli("--db", db, "tasks", "choose", "1", "--old", data_dir=data_dir)
    assert missing.returncode == 1 and "没有第1条待确认的进展" in missing.stderr
    ledger = tmp_path / "台账.xlsx"
    assert run_cli("--db", db, "ledger", "export", "--out", str(ledger), "--year", "2022",
                   data_dir=data_dir).returncode == 0
    assert load_workbook(ledger).sheetnames == ["检察建议台账", "季度统计", "单位考核统计", "线索移送统计"]
    broken = tmp_path / "坏.xlsx"
    broken.write_bytes(b"not a workbook")
    failed = run_cli("--db", db, "tasks", "import", str(broken), data_dir=data_dir)
    assert failed.returncode == 1 and "不是有效的Excel" in failed.stderr
