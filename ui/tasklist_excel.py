"""任务清单 Excel workflows on the 任务清单 screen: import a published list, write one fill-in sheet per
责任单位, and merge the returned sheets back (each in a worker thread; imports back up first)."""
from __future__ import annotations

from typing import TYPE_CHECKING

from models.services.excel_files import collect_returned_sheets, import_task_list_file, write_fill_sheets
from models.services.tasks import quarter_label
from ui import files, messages
from ui.form import FieldSpec
from ui.i18n import tr
from ui.values_dialog import ask_values
from ui.workers import IsCancelled, Progress, run_in_background

if TYPE_CHECKING:
    from ui.tasklist_page import TaskListPage

XLSX = tr("Excel 工作簿 (*.xlsx)")


def import_list(page: TaskListPage) -> None:
    path = files.ask_open_path(page, tr("导入任务清单"), XLSX)
    if path is None:
        return
    db, today = page.ctx.db, page.ctx.today()

    def job(_progress: Progress, _cancelled: IsCancelled) -> str:
        imported = import_task_list_file(db, path, today)
        data = imported.data
        text = tr("已导入 {title}：{a} 个方面，{t} 项任务，{m} 条措施").format(
            title=data.title, a=len(data.aspects), t=sum(len(a.tasks) for a in data.aspects), m=len(data.measures()))
        notes = "".join("\n" + tr("未导入的说明：") + note for note in imported.notes)
        return text + notes

    def done(summary: object) -> None:
        page.reload()
        messages.show_info(page, str(summary))

    run_in_background(page, tr("正在导入任务清单…"), job, done, lambda exc: messages.show_error(page, exc))


def make_fill_sheets(page: TaskListPage) -> None:
    year = page.current_year()
    if year is None:
        return
    today = page.ctx.today()
    values = ask_values(page, tr("生成分单位填报表"),
                        (FieldSpec("period", tr("填报期次")), FieldSpec("as_of", tr("截至日期"), "date")),
                        {"period": quarter_label(today), "as_of": today})
    if values is None:
        return
    folder = files.ask_folder(page, tr("选择保存填报表的文件夹"))
    if folder is None:
        return
    db = page.ctx.db

    def job(_progress: Progress, _cancelled: IsCancelled) -> int:
        return len(write_fill_sheets(db, year, str(values["period"]), values["as_of"] or today, folder))  # type: ignore[arg-type]

    run_in_background(page, tr("正在生成填报表…"), job,
                      lambda n: messages.show_info(page, tr("已为 {n} 个单位生成填报表：{folder}").format(n=n, folder=folder)),
                      lambda exc: messages.show_error(page, exc))


def collect_sheets(page: TaskListPage) -> None:
    paths = files.ask_open_paths(page, tr("选择各单位交回的填报表"), XLSX)
    if not paths:
        return
    db = page.ctx.db

    def job(_progress: Progress, _cancelled: IsCancelled) -> str:
        report = collect_returned_sheets(db, paths)
        lines = [tr("新增进展 {a} 条，无变化 {u} 条，需核对 {f} 条").format(
            a=len(report.added), u=len(report.unchanged), f=len(report.flagged))]
        lines += [f"{o.kind}：{o.measure_text[:24]} —— {o.reason}" for o in report.flagged]
        return "\n".join(lines)

    def done(summary: object) -> None:
        page.load_tree()
        messages.show_info(page, str(summary))

    run_in_background(page, tr("正在汇总填报表…"), job, done, lambda exc: messages.show_error(page, exc))
