"""任务清单 screen: a year's list as a tree of 方面 → 任务 → 措施 with the latest 进展, the selected
measure's progress entries, a button to add one, and export to Excel (in a worker thread)."""
from __future__ import annotations

import uuid
from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtGui import QStandardItem, QStandardItemModel
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QPushButton,
    QSplitter,
    QTreeView,
    QVBoxLayout,
    QWidget,
)
from sqlalchemy import select

from models.services.excel_files import write_task_list
from models.services.tasks import add_progress, task_list_rows, task_lists
from models.tasklist import PROGRESS_STATUSES, ProgressEntry
from ui import files, messages, tasklist_excel
from ui.context import AppContext
from ui.form import FieldSpec
from ui.i18n import tr
from ui.values_dialog import ask_values
from ui.workers import run_in_background

MEASURE_ROLE = Qt.ItemDataRole.UserRole + 3
HEADERS = (tr("方面 / 任务 / 具体措施"), tr("完成时限"), tr("责任单位"), tr("状态"), tr("最新进展"))


class TaskListPage(QWidget):
    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.list_combo = QComboBox()
        self.list_combo.currentIndexChanged.connect(self.load_tree)
        self.export_button = QPushButton(tr("导出 Excel…"))
        self.export_button.clicked.connect(self.export_xlsx)
        self.import_button = QPushButton(tr("导入 Excel…"))
        self.import_button.clicked.connect(lambda: tasklist_excel.import_list(self))
        self.sheets_button = QPushButton(tr("生成填报表…"))
        self.sheets_button.clicked.connect(lambda: tasklist_excel.make_fill_sheets(self))
        self.collect_button = QPushButton(tr("汇总填报表…"))
        self.collect_button.clicked.connect(lambda: tasklist_excel.collect_sheets(self))
        top = QHBoxLayout()
        top.addWidget(QLabel(tr("任务清单：")))
        top.addWidget(self.list_combo, 1)
        for button in (self.export_button, self.import_button, self.sheets_button, self.collect_button):
            top.addWidget(button)
        self.model = QStandardItemModel(self)
        self.tree = QTreeView()
        self.tree.setModel(self.model)
        self.tree.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.tree.setWordWrap(True)
        self.tree.selectionModel().currentChanged.connect(self._current_changed)
        self.progress_title = QLabel(tr("选择一条具体措施查看进展"))
        self.progress_title.setWordWrap(True)
        self.progress_list = QListWidget()
        self.progress_list.setWordWrap(True)
        self.add_button = QPushButton(tr("新增进展…"))
        self.add_button.setEnabled(False)
        self.add_button.clicked.connect(self.add_progress_entry)
        right = QWidget()
        right_layout = QVBoxLayout(right)
        right_layout.addWidget(self.progress_title)
        right_layout.addWidget(self.add_button)
        right_layout.addWidget(self.progress_list, 1)
        splitter = QSplitter()
        splitter.setObjectName("splitter_TaskListPage")
        splitter.addWidget(self.tree)
        splitter.addWidget(right)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 1)
        self.splitter = splitter
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(splitter, 1)
        self.current_measure: uuid.UUID | None = None
        self._years: dict[uuid.UUID, int] = {}
        self.reload()

    def reload(self) -> None:
        with self.ctx.db.session_scope() as session:
            found = task_lists(session)
            lists = [(t.id, f"{t.year}　{t.title}") for t in found]
            self._years = {t.id: t.year for t in found}
        chosen = self.list_combo.currentData()
        self.list_combo.blockSignals(True)
        self.list_combo.clear()
        for list_id, label in lists:
            self.list_combo.addItem(label, list_id)
        index = self.list_combo.findData(chosen)
        self.list_combo.setCurrentIndex(max(index, 0))
        self.list_combo.blockSignals(False)
        for button in (self.export_button, self.sheets_button):
            button.setEnabled(bool(lists))
        self.load_tree()

    def load_tree(self) -> None:
        self.model.clear()
        self.model.setHorizontalHeaderLabels(list(HEADERS))
        list_id = self.list_combo.currentData()
        if list_id is None:
            return
        with self.ctx.db.session_scope() as session:
            rows = task_list_rows(session, list_id)
        aspects: dict[str, QStandardItem] = {}
        tasks: dict[tuple[str, int], QStandardItem] = {}
        for row in rows:
            aspect = aspects.get(row.aspect)
            if aspect is None:
                aspect = aspects[row.aspect] = QStandardItem(row.aspect)
                self.model.appendRow([aspect, *(QStandardItem() for _ in HEADERS[1:])])
            task = tasks.get((row.aspect, row.task_number))
            if task is None:
                task = tasks[(row.aspect, row.task_number)] = QStandardItem(f"{row.task_number}. {row.task_text}")
                aspect.appendRow([task, *(QStandardItem() for _ in HEADERS[1:])])
            measure = QStandardItem(row.text)
            measure.setData(row.id, MEASURE_ROLE)
            measure.setToolTip(row.text)
            task.appendRow([measure, QStandardItem(row.deadline_phrase), QStandardItem(row.units_text),
                            QStandardItem(row.status), QStandardItem(row.progress)])
        self.tree.expandAll()
        for column, width in enumerate((340, 100, 160, 60)):
            self.tree.setColumnWidth(column, width)

    def _current_changed(self, current: object, _previous: object) -> None:
        index = current.siblingAtColumn(0)  # type: ignore[attr-defined]
        measure_id = index.data(MEASURE_ROLE)
        self.current_measure = measure_id
        self.add_button.setEnabled(measure_id is not None)
        self.show_progress()

    def show_progress(self) -> None:
        self.progress_list.clear()
        if self.current_measure is None:
            self.progress_title.setText(tr("选择一条具体措施查看进展"))
            return
        with self.ctx.db.session_scope() as session:
            entries = session.scalars(select(ProgressEntry).where(
                ProgressEntry.measure_id == self.current_measure, ProgressEntry.deleted.is_(False))
                .order_by(ProgressEntry.reported_on.desc(), ProgressEntry.created_hlc.desc())).all()
            lines = [f"{e.reported_on or ''}【{e.status}】{e.text}（{e.reporter}）" for e in entries]
        self.progress_title.setText(tr("进展情况（{n} 条）").format(n=len(lines)))
        self.progress_list.addItems(lines or [tr("尚无进展")])

    def add_progress_entry(self) -> None:
        measure_id = self.current_measure
        if measure_id is None:
            return
        specs = (FieldSpec("status", tr("状态"), "choice", PROGRESS_STATUSES),
                 FieldSpec("reported_on", tr("填报日期"), "date"), FieldSpec("reporter", tr("填报单位")),
                 FieldSpec("text", tr("进展情况"), "multiline"))

        def apply(values: dict[str, object]) -> None:
            with self.ctx.db.session_scope() as session:
                add_progress(session, measure_id, status=str(values["status"]), text=str(values["text"]),
                             reported_on=values["reported_on"] or self.ctx.today(),  # type: ignore[arg-type]
                             reporter=str(values["reporter"]))

        if ask_values(self, tr("新增进展"), specs, {"status": "推进中", "reported_on": self.ctx.today()},
                      check=apply, error_fields={"progress_status": "status"}) is not None:
            self.load_tree()
            self.show_progress()

    def export_xlsx(self) -> None:
        list_id = self.list_combo.currentData()
        if list_id is None:
            return
        path = files.ask_save_path(self, tr("导出任务清单"), f"{self.list_combo.currentText().split()[0]}任务清单.xlsx",
                                   tr("Excel 工作簿 (*.xlsx)"))
        if path is None:
            return
        db = self.ctx.db

        def job(_progress: Callable[[int, int], None], _cancelled: Callable[[], bool]) -> str:
            write_task_list(db, list_id, path)
            return str(path)

        run_in_background(self, tr("正在导出 Excel…"), job,
                          lambda p: messages.notify(self, tr("已导出：{path}").format(path=p)),
                          lambda exc: messages.show_error(self, exc))

    def current_year(self) -> int | None:
        return self._years.get(self.list_combo.currentData())

    def focus_search(self) -> None:
        self.tree.setFocus()
