"""Excel timings: export and import of a 500-task list, the per-unit split for 60 units, and the import of
an office's 5,000-row 检察建议台账 into a fresh encrypted database (target < 10 s).

Run: python bench/bench_xlsx.py   (prints seconds; no assertions — see tests/reports_xlsx for behaviour)
"""
from __future__ import annotations

import datetime as dt
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from reports.xlsx.data import AspectData, MeasureData, TaskData, TaskListData  # noqa: E402
from reports.xlsx.fill_sheets import FillSheetRequest, export_fill_sheets  # noqa: E402
from reports.xlsx.tasklist_export import export_task_list  # noqa: E402
from reports.xlsx.tasklist_import import import_task_list  # noqa: E402

TASKS, UNITS, ASPECTS = 500, 60, 10
MEASURE_TEXT = "按照行政争议协调化解工作机制，做好有关案件涉及行政争议的协调化解工作，并对重点问题办理情况进行跟踪。"


def big_list() -> TaskListData:
    units = [f"市第{index}局" for index in range(1, UNITS + 1)]
    aspects = []
    number = 0
    for aspect_index in range(ASPECTS):
        tasks = []
        for _ in range(TASKS // ASPECTS):
            number += 1
            measures = tuple(
                MeasureData(f"{MEASURE_TEXT}（{number}-{k}）", "长期坚持" if k % 2 else "12月底前",
                            f"{units[(number + k) % UNITS]}、{units[(number * 7 + k) % UNITS]}", id=f"m{number}-{k}",
                            latest_progress="已召开推进会" if k == 1 else "", progress_on=dt.date(2022, 6, 30))
                for k in range(1, 4))
            tasks.append(TaskData(number, f"第{number}项重点任务，推进府检联动工作落实。", measures))
        aspects.append(AspectData(f"第{aspect_index + 1}方面", tuple(tasks)))
    return TaskListData(2022, "2022年度“府检联动”重点工作任务清单", tuple(aspects))


def timed(label: str, action):  # noqa: ANN001, ANN201 - tiny bench helper
    start, cpu = time.perf_counter(), time.process_time()
    result = action()
    # CPU seconds too: on a shared, loaded machine the wall clock says more about the neighbours
    print(f"{label}: {time.perf_counter() - start:.2f} s (CPU {time.process_time() - cpu:.2f} s)")
    return result


def main() -> None:
    data = big_list()
    measures = sum(len(task.measures) for aspect in data.aspects for task in aspect.tasks)
    print(f"list: {TASKS} tasks, {measures} measures, {UNITS} units")
    xlsx = timed("export 500-task list", lambda: export_task_list(data))
    print(f"  size: {len(xlsx) / 1024:.0f} KiB")
    imported = timed("import 500-task list", lambda: import_task_list(xlsx))
    assert sum(len(aspect.tasks) for aspect in imported.data.aspects) == TASKS
    requests = [FillSheetRequest(f"市第{index}局", frozenset({f"市第{index}局"}), "2022Q2", dt.date(2022, 6, 30), "bench")
                for index in range(1, UNITS + 1)]
    sheets = timed(f"per-unit fill sheets for {UNITS} units", lambda: export_fill_sheets([(r, data) for r in requests], b"k" * 32))
    print(f"  sheets: {len(sheets)}, total {sum(map(len, sheets.values())) / 1024:.0f} KiB")


LEDGER_ROWS = 5_000
LEDGER_HEADER = ("序号", "建议书文号", "案号", "案由", "类别", "办案部门", "承办检察官", "建议对象", "建议内容", "发出日期",
                 "签收日期", "回复日期", "是否采纳", "整改情况")


def big_ledger() -> bytes:
    from io import BytesIO

    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("台账")
    sheet.append(["××县人民检察院检察建议台账"])
    sheet.append(list(LEDGER_HEADER))
    for index in range(LEDGER_ROWS):
        issued = dt.date(2016, 1, 4) + dt.timedelta(days=index // 2)
        served = issued + dt.timedelta(days=2)
        styles = (served.isoformat(), f"{served.year}.{served.month}.{served.day}", f"{served.year}年{served.month}月{served.day}日")
        sheet.append([index + 1, f"××检行公建〔{issued.year}〕{index + 1}号", f"××检行公立〔{issued.year}〕{index + 1}号",
                      f"督促整治第{index + 1}处公益受损问题案", "生态环境和资源保护", "第五检察部", "张三", f"××县第{index % 60}局",
                      "1.依法履行监管职责\n2.建立长效机制", dt.datetime(issued.year, issued.month, issued.day),
                      styles[index % 3], (served + dt.timedelta(days=40)).isoformat() if index % 4 else None,
                      "采纳" if index % 4 else None, "已整改" if index % 4 else None])
    buffer = BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def bench_ledger_import() -> None:
    import os
    import tempfile

    folder = Path(tempfile.mkdtemp(prefix="fjld-bench-"))
    os.environ["FJLD_DATA_DIR"] = str(folder)
    from models.services.records_import import import_records_file
    from models.services.setup import initialize

    data = big_ledger()
    print(f"ledger: {LEDGER_ROWS} rows, {len(data) / 1024:.0f} KiB")
    db = initialize(folder / "bench.db", "Bench-password-2026", office_name="××县人民检察院", office_code="××检").db
    try:
        report = timed(f"ledger import of {LEDGER_ROWS} rows (read, check, backup, one transaction)",
                       lambda: import_records_file(db, data, "ledger"))
        assert report.added == LEDGER_ROWS
        again = timed("the same ledger again (matches every 文号, adds nothing)", lambda: import_records_file(db, data, "ledger"))
        assert again.added == 0 and again.unchanged == LEDGER_ROWS
    finally:
        db.close()


if __name__ == "__main__":
    main()
    bench_ledger_import()
