"""任务清单 screen, a working list: a year's 方面 → 任务 → 措施 tree coloured 红黄绿 by the one warning rule
(临期天数 from 设置), Ctrl+F find-next within the tree, 方面/任务/措施 added, edited, moved and deleted by
hand (ui/tasklist_edit.py), a new list for a year (blank or rolled over from last year's), the selected
measure's 进展 entries (add, correct, delete, 修改记录) and the Excel workflows (ui/tasklist_excel.py)."""
from __future__ import annotations

import uuid
from collections.abc import Callable

from PySide6.QtCore import QModelIndex, Qt, Signal
from PySide6.QtGui import QBrush, QKeySequence, QShortcut, QStandardItem, QStandardItemModel
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QSplitter,
    QTreeView,
    QVBoxLayout,
    QWidget,
)

from models.errors import DomainError
from models.services.excel_files import write_task_list
from models.services.task_editing import (
    ListTree,
    MeasureNode,
    ProgressRow,
    list_choices,
    list_of_measure,
    progress_entries,
    task_tree,
)
from ui import files, messages, tasklist_edit, tasklist_excel
from ui.context import AppContext
from ui.i18n import tr
from ui.theme import LEVEL_COLORS
from ui.workers import run_in_background

MEASURE_ROLE = Qt.ItemDataRole.UserRole + 3   # measure id, on a measure's first column
NODE_ROLE = Qt.ItemDataRole.UserRole + 4      # ("aspect" | "task" | "measure", id), on every first column
ENTRY_ROLE = Qt.ItemDataRole.UserRole + 5     # progress entry id, on a 进展 list item
HEADERS = (tr("方面 / 任务 / 具体措施"), tr("完成时限"), tr("到期日"), tr("责任单位"), tr("状态"), tr("最新进展"))


def measure_label(node: MeasureNode) -> str:
    carried = tr("【延续{year}年】").format(year=node.carried_from_year) if node.carried_from_year else ""
    return carried + node.text


class TaskListPage(QWidget):
    data_changed = Signal()   # something was written: other screens (首页) may refresh

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.tree_data: ListTree | None = None
        self.nodes: dict[uuid.UUID, object] = {}
        self.current_measure: uuid.UUID | None = None
        self._years: dict[uuid.UUID, int] = {}
        self.list_combo = QComboBox()
        self.list_combo.currentIndexChanged.connect(self.load_tree)
        self.new_list_button = self._button(tr("新建清单…"), lambda: tasklist_edit.new_list(self))
        self.export_button = self._button(tr("导出 Excel…"), self.export_xlsx)
        self.import_button = self._button(tr("导入 Excel…"), lambda: tasklist_excel.import_list(self))
        self.sheets_button = self._button(tr("生成填报表…"), lambda: tasklist_excel.make_fill_sheets(self))
        self.collect_button = self._button(tr("汇总填报表…"), lambda: tasklist_excel.collect_sheets(self))
        self.review_button = self._button(tr("待确认的进展…"), lambda: tasklist_excel.review_conflicts(self))
        top = QHBoxLayout()
        top.addWidget(QLabel(tr("任务清单：")))
        top.addWidget(self.list_combo, 1)
        for button in (self.new_list_button, self.export_button, self.import_button, self.sheets_button,
                       self.collect_button, self.review_button):
            top.addWidget(button)

        self.find_edit = QLineEdit()
        self.find_edit.setPlaceholderText(tr("在清单中查找（Ctrl+F），回车查找下一处"))
        self.find_edit.setClearButtonEnabled(True)
        self.find_edit.returnPressed.connect(self.find_next)
        self.find_button = self._button(tr("查找下一处"), self.find_next)
        self.find_button.setToolTip(tr("回车或 F3：查找下一处"))
        QShortcut(QKeySequence(Qt.Key.Key_F3), self, self.find_next)
        self.find_status = QLabel()
        self.note = QLabel()          # what the last action did (a new list's roll-over summary)
        self.note.setWordWrap(True)
        self.note.hide()
        self.add_aspect_button = self._button(tr("新增方面…"), lambda: tasklist_edit.add_aspect(self))
        self.add_task_button = self._button(tr("新增任务…"), lambda: tasklist_edit.add_task(self))
        self.add_measure_button = self._button(tr("新增措施…"), lambda: tasklist_edit.add_measure(self))
        self.edit_button = self._button(tr("修改…"), lambda: tasklist_edit.edit_current(self))
        self.up_button = self._button(tr("上移"), lambda: tasklist_edit.move_current(self, -1))
        self.down_button = self._button(tr("下移"), lambda: tasklist_edit.move_current(self, 1))
        self.delete_button = self._button(tr("删除"), lambda: tasklist_edit.delete_current(self))
        self.find_edit.setMinimumWidth(260)
        self.find_status.setMinimumWidth(90)
        tools = QHBoxLayout()
        for button in (self.add_aspect_button, self.add_task_button, self.add_measure_button, self.edit_button,
                       self.up_button, self.down_button, self.delete_button):
            tools.addWidget(button)
        tools.addStretch(1)
        tools.addWidget(self.find_edit, 1)
        tools.addWidget(self.find_button)
        tools.addWidget(self.find_status)

        self.model = QStandardItemModel(self)
        self.tree = QTreeView()
        self.tree.setModel(self.model)
        self.tree.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.tree.setWordWrap(True)
        self.tree.selectionModel().currentChanged.connect(self._current_changed)
        self.tree.doubleClicked.connect(lambda _index: tasklist_edit.edit_current(self))

        self.progress_title = QLabel(tr("选择一条具体措施查看进展"))
        self.progress_title.setWordWrap(True)
        self.progress_list = QListWidget()
        self.progress_list.setWordWrap(True)
        self.progress_list.currentRowChanged.connect(self._entry_changed)
        self.add_button = self._button(tr("新增进展…"), self.add_progress_entry)
        self.correct_button = self._button(tr("修改进展…"), lambda: tasklist_edit.correct_entry(self))
        self.delete_entry_button = self._button(tr("删除进展"), lambda: tasklist_edit.delete_entry(self))
        self.history_button = self._button(tr("修改记录…"), lambda: tasklist_edit.entry_history(self))
        entry_buttons = QHBoxLayout()
        for button in (self.add_button, self.correct_button, self.delete_entry_button, self.history_button):
            entry_buttons.addWidget(button)
        right = QWidget()
        right_layout = QVBoxLayout(right)
        right_layout.addWidget(self.progress_title)
        right_layout.addLayout(entry_buttons)
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
        layout.addLayout(tools)
        layout.addWidget(self.note)
        layout.addWidget(splitter, 1)
        self.reload()

    def _button(self, text: str, slot: Callable[[], object]) -> QPushButton:
        button = QPushButton(text)
        button.clicked.connect(lambda _checked=False: slot())
        return button

    # -- loading ---------------------------------------------------------------------------------
    def reload(self) -> None:
        with self.ctx.db.read_scope() as session:
            found = list_choices(session)
        self._years = {t.id: t.year for t in found}
        chosen = self.list_combo.currentData()
        self.list_combo.blockSignals(True)
        self.list_combo.clear()
        for choice in found:
            self.list_combo.addItem(f"{choice.year}　{choice.title}", choice.id)
        self.list_combo.setCurrentIndex(max(self._combo_index(chosen), 0))
        self.list_combo.blockSignals(False)
        for button in (self.export_button, self.sheets_button, self.add_aspect_button):
            button.setEnabled(bool(found))
        self.load_tree()

    def _combo_index(self, list_id: uuid.UUID | None) -> int:
        # findData compares wrapped Python objects by identity, not equality: look up by value
        return next((i for i in range(self.list_combo.count()) if self.list_combo.itemData(i) == list_id), -1)

    def select_list(self, list_id: uuid.UUID) -> None:
        if self._combo_index(list_id) < 0:
            self.reload()
        self.list_combo.setCurrentIndex(self._combo_index(list_id))

    def load_tree(self) -> None:
        """(Re)build the tree from the service, keeping the selected node and what was collapsed."""
        keep = self.current_node()
        self.find_status.clear()
        self.model.clear()
        self.model.setHorizontalHeaderLabels(list(HEADERS))
        self.nodes = {}
        self.tree_data = None
        list_id = self.list_combo.currentData()
        if list_id is not None:
            with self.ctx.db.read_scope() as session:
                self.tree_data = task_tree(session, list_id, self.ctx.today())
            self._fill(self.tree_data)
        self.tree.expandAll()
        for column, width in enumerate((380, 110, 90, 160, 70)):
            self.tree.setColumnWidth(column, width)
        if keep is None or not self.select_node(keep[1]):
            self.current_measure = None
            self._update_buttons()
            self.show_progress()

    def _fill(self, tree: ListTree) -> None:
        blank = len(HEADERS) - 1
        for aspect in tree.aspects:
            aspect_item = self._first(aspect.title, ("aspect", aspect.id))
            self.model.appendRow([aspect_item, *(QStandardItem() for _ in range(blank))])
            self.nodes[aspect.id] = aspect
            for task in aspect.tasks:
                task_item = self._first(f"{task.number}. {task.text}", ("task", task.id))
                aspect_item.appendRow([task_item, *(QStandardItem() for _ in range(blank))])
                self.nodes[task.id] = task
                for measure in task.measures:
                    self.nodes[measure.id] = measure
                    first = self._first(measure_label(measure), ("measure", measure.id))
                    first.setData(measure.id, MEASURE_ROLE)
                    row = [first, QStandardItem(measure.deadline_phrase),
                           QStandardItem(measure.due_on.isoformat() if measure.due_on else ""),
                           QStandardItem(measure.units_text), QStandardItem(measure.status),
                           QStandardItem(measure.progress)]
                    color = LEVEL_COLORS.get(measure.level)
                    for item in row:
                        item.setToolTip(f"{measure.level.label}　{item.text()}")
                        if color is not None:
                            item.setBackground(QBrush(color))
                    task_item.appendRow(row)

    @staticmethod
    def _first(text: str, node: tuple[str, uuid.UUID]) -> QStandardItem:
        item = QStandardItem(text)
        item.setData(node, NODE_ROLE)
        item.setToolTip(text)
        return item

    # -- selection -------------------------------------------------------------------------------
    def current_node(self) -> tuple[str, uuid.UUID] | None:
        index = self.tree.currentIndex()
        if not index.isValid():
            return None
        node = index.siblingAtColumn(0).data(NODE_ROLE)
        return tuple(node) if node else None  # type: ignore[return-value]

    def _index_of(self, node_id: uuid.UUID) -> QModelIndex | None:
        for index in self._all_rows():
            node = index.data(NODE_ROLE)
            if node and node[1] == node_id:
                return index
        return None

    def _all_rows(self) -> list[QModelIndex]:
        """First-column indexes of every row, in display (depth-first) order."""
        found: list[QModelIndex] = []

        def walk(parent: QModelIndex) -> None:
            for row in range(self.model.rowCount(parent)):
                index = self.model.index(row, 0, parent)
                found.append(index)
                walk(index)

        walk(QModelIndex())
        return found

    def select_node(self, node_id: uuid.UUID) -> bool:
        index = self._index_of(node_id)
        if index is None:
            return False
        self.tree.setCurrentIndex(index)
        self.tree.scrollTo(index, QAbstractItemView.ScrollHint.PositionAtCenter)
        return True

    def show_measure(self, measure_id: uuid.UUID) -> bool:
        """Open the list holding the measure, select it and scroll to it (from a 首页 double-click)."""
        try:
            with self.ctx.db.read_scope() as session:
                list_id = list_of_measure(session, measure_id)
        except DomainError as exc:
            messages.show_error(self, exc)
            return False
        self.select_list(list_id)
        return self.select_node(measure_id)

    def _current_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        self.current_measure = current.siblingAtColumn(0).data(MEASURE_ROLE) if current.isValid() else None
        self._update_buttons()
        self.show_progress()

    def _update_buttons(self) -> None:
        node = self.current_node()
        kind = node[0] if node else None
        self.add_task_button.setEnabled(kind is not None)
        self.add_measure_button.setEnabled(kind in ("task", "measure"))
        for button in (self.edit_button, self.up_button, self.down_button, self.delete_button):
            button.setEnabled(kind is not None)
        self.add_button.setEnabled(self.current_measure is not None)
        self._entry_changed(self.progress_list.currentRow())

    # -- find ------------------------------------------------------------------------------------
    def focus_search(self) -> None:
        self.find_edit.setFocus()
        self.find_edit.selectAll()

    def find_next(self) -> bool:
        """Select the next row (after the current one, wrapping) whose text contains the find text."""
        needle = self.find_edit.text().strip().lower()
        if not needle:
            self.find_status.clear()
            return False
        rows = self._all_rows()
        columns = self.model.columnCount()
        hits = [i for i, index in enumerate(rows)
                if any(needle in str(index.siblingAtColumn(c).data() or "").lower() for c in range(columns))]
        if not hits:
            self.find_status.setText(tr("未找到"))
            return False
        current = self.tree.currentIndex().siblingAtColumn(0)
        position = next((i for i, index in enumerate(rows) if index == current), -1)
        chosen = next((h for h in hits if h > position), hits[0])
        self.tree.setCurrentIndex(rows[chosen])
        self.tree.scrollTo(rows[chosen], QAbstractItemView.ScrollHint.PositionAtCenter)
        self.find_status.setText(tr("第 {n} / {total} 处").format(n=hits.index(chosen) + 1, total=len(hits)))
        return True

    # -- progress entries ------------------------------------------------------------------------
    def show_progress(self) -> None:
        self.progress_list.clear()
        if self.current_measure is None:
            self.progress_title.setText(tr("选择一条具体措施查看进展"))
            self._entry_changed(-1)
            return
        with self.ctx.db.read_scope() as session:
            entries = progress_entries(session, self.current_measure)
        self.progress_title.setText(tr("进展情况（{n} 条）").format(n=len(entries)))
        for entry in entries:
            item = QListWidgetItem(self.entry_line(entry))
            item.setData(ENTRY_ROLE, entry)
            self.progress_list.addItem(item)
        if not entries:
            self.progress_list.addItem(tr("尚无进展"))
        self._entry_changed(self.progress_list.currentRow())

    @staticmethod
    def entry_line(entry: ProgressRow) -> str:
        who = "，".join(part for part in (entry.unit_name, entry.reporter) if part)
        mark = tr("〔{review}〕").format(review=entry.review) if entry.review else ""
        return f"{mark}{entry.reported_on or ''}【{entry.status}】{entry.text}" + (f"（{who}）" if who else "")

    def current_entry(self) -> ProgressRow | None:
        item = self.progress_list.currentItem()
        return item.data(ENTRY_ROLE) if item is not None else None

    def select_entry(self, entry_id: uuid.UUID) -> None:
        for row in range(self.progress_list.count()):
            entry = self.progress_list.item(row).data(ENTRY_ROLE)
            if entry is not None and entry.id == entry_id:
                self.progress_list.setCurrentRow(row)
                return

    def _entry_changed(self, _row: int) -> None:
        has_entry = self.current_entry() is not None
        for button in (self.correct_button, self.delete_entry_button, self.history_button):
            button.setEnabled(has_entry)

    def add_progress_entry(self) -> None:
        tasklist_edit.add_entry(self)

    def show_note(self, text: str) -> None:
        self.note.setText(text)
        self.note.setVisible(bool(text))

    def after_write(self, select: uuid.UUID | None = None) -> None:
        """Reload after a saved change, keep (or move) the selection, tell other screens."""
        self.load_tree()
        if select is not None:
            self.select_node(select)
        self.data_changed.emit()

    # -- Excel -----------------------------------------------------------------------------------
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
                          lambda exc: messages.show_error(self, exc), writes=True)  # audited: a write

    def current_year(self) -> int | None:
        return self._years.get(self.list_combo.currentData())
