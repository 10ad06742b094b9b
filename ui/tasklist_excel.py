"""任务清单 Excel workflows on the 任务清单 screen: import a published list, write one fill-in sheet per
real 责任单位, merge the returned sheets back (each in a worker thread; imports back up first), and the
dialog where a person chooses between two different returns of one unit for one period."""
from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QGridLayout,
    QGroupBox,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from models.services.excel_files import collect_returned_sheets, import_task_list_file, write_fill_sheets
from models.services.tasks import ProgressConflict, choose_progress, progress_conflicts, quarter_label
from models.storage import Database
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

    run_in_background(page, tr("正在导入任务清单…"), job, done, lambda exc: messages.show_error(page, exc),
                      writes=True)


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

    def job(_progress: Progress, _cancelled: IsCancelled) -> str:
        written = write_fill_sheets(db, year, str(values["period"]), values["as_of"] or today, folder)  # type: ignore[arg-type]
        text = tr("已为 {n} 个单位生成填报表：{folder}").format(n=len(written.files), folder=folder)
        return text + "".join("\n" + tr("未生成：") + flagged for flagged in written.flagged)

    run_in_background(page, tr("正在生成填报表…"), job, lambda text: messages.show_info(page, str(text)),
                      lambda exc: messages.show_error(page, exc), writes=True)  # the sheets' key and audit


def collect_sheets(page: TaskListPage) -> None:
    paths = files.ask_open_paths(page, tr("选择各单位交回的填报表"), XLSX)
    if not paths:
        return
    db = page.ctx.db

    def job(_progress: Progress, _cancelled: IsCancelled) -> tuple[str, bool]:
        report = collect_returned_sheets(db, paths)
        lines = report.lines()
        lines.append(tr("新增进展 {a} 条，待确认 {f} 条，无变化 {u} 条").format(
            a=len(report.added), f=len(report.flagged), u=len(report.unchanged)))
        return "\n".join(lines), any(f.conflicts for f in report.files)

    def done(result: object) -> None:
        summary, has_conflicts = result  # type: ignore[misc]
        page.load_tree()
        messages.show_info(page, str(summary))
        if has_conflicts:
            review_conflicts(page)

    run_in_background(page, tr("正在汇总填报表…"), job, done, lambda exc: messages.show_error(page, exc),
                      writes=True)


def review_conflicts(page: TaskListPage) -> None:
    """Show the 待确认 returns side by side; each choice is saved at once."""
    dialog = ProgressConflictDialog(page.ctx.db, page)
    if dialog.conflict_count():
        dialog.exec()
        page.load_tree()
    else:
        messages.show_info(page, tr("没有待确认的进展"))


class ProgressConflictDialog(QDialog):
    """Two different returns of one unit for one period: 原有 | 新交回, a button under each."""

    def __init__(self, db: Database, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(tr("待确认的进展"))
        self.resize(900, 600)
        self._db = db
        self._body = QWidget()
        self._rows = QVBoxLayout(self._body)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(self._body)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel(tr("同一单位同一期次交回了两份不同的进展，两份都已保存。请逐条选择采用哪一份：")))
        layout.addWidget(scroll, 1)
        layout.addWidget(buttons)
        self.choice_buttons: list[tuple[QPushButton, QPushButton]] = []
        self.reload()

    def conflict_count(self) -> int:
        return len(self.choice_buttons)

    def reload(self) -> None:
        while self._rows.count():
            item = self._rows.takeAt(0)
            if item.widget():
                item.widget().deleteLater()
        with self._db.read_scope() as session:
            conflicts = progress_conflicts(session)
        self.choice_buttons = []
        for conflict in conflicts:
            self._rows.addWidget(self._conflict_box(conflict))
        self._rows.addStretch(1)

    def _conflict_box(self, conflict: ProgressConflict) -> QGroupBox:
        box = QGroupBox(f"{conflict.unit}　{conflict.period}　{conflict.measure_text[:40]}")
        grid = QGridLayout(box)
        sides = ((tr("原有（{day}，{status}）").format(day=conflict.kept_on or "", status=conflict.kept_status),
                  conflict.kept_text, tr("保留原有的")),
                 (tr("新交回（{day}，{status}）").format(day=conflict.new_on or "", status=conflict.new_status),
                  conflict.new_text, tr("采用新交回的")))
        buttons = []
        for column, (title, text, button_text) in enumerate(sides):
            grid.addWidget(QLabel(title), 0, column)
            view = QPlainTextEdit(text)
            view.setReadOnly(True)
            view.setMaximumHeight(120)
            grid.addWidget(view, 1, column)
            button = QPushButton(button_text)
            grid.addWidget(button, 2, column)
            buttons.append(button)
        buttons[0].clicked.connect(lambda: self.choose(conflict, keep_new=False))
        buttons[1].clicked.connect(lambda: self.choose(conflict, keep_new=True))
        self.choice_buttons.append((buttons[0], buttons[1]))
        return box

    def choose(self, conflict: ProgressConflict, keep_new: bool) -> None:
        try:
            with self._db.write_scope() as session:
                choose_progress(session, conflict.pending_id, keep_new)
        except Exception as exc:  # shown as one Chinese line, never a traceback
            messages.show_error(self, exc)
        self.reload()
        if not self.choice_buttons:
            self.accept()
