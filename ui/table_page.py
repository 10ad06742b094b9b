"""The screen shape shared by 案件, 检察建议, 会议 and 单位: a filterable lazy table on the left and the
selected record's form on the right. Subclasses say how to read rows and write one record; the page
handles filtering, asking to save on leave, validation messages, undo of the last edit, and 导出Excel /
打印 of the list as filtered and sorted (ui.list_print).

Several desks on one database: a page with a `record_class` guards its saves (ui.form.EditGuard: a save
over someone else's newer edit of the same field is refused and shown side by side), and when another
desk changes the record open in the form (AppContext.others_changed) a quiet banner says so: an
unchanged form shows the new values at once; typed text is never replaced except by 重新载入."""
from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

from PySide6.QtCore import QEvent, QItemSelectionModel, Qt, Signal
from PySide6.QtGui import QColor, QFont
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QScrollArea,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from models.errors import DomainError
from models.services.trash import delete_record
from models.services.undo import undo_last_edit as undo_from_op_log
from ui import list_print, messages
from ui.context import AppContext
from ui.form import EditGuard, FieldSpec, FormWidget
from ui.history_dialog import record_history_rows, show_record_history
from ui.i18n import tr
from ui.row_model import Column, RowTableModel

Rows = list[tuple[uuid.UUID, Sequence[object]]]
Session = Any   # the SQLAlchemy session of ctx.db.read_scope()/write_scope(); ui/ names no sqlalchemy type
EditBase = dict[str, tuple[str, ...]] | None
BANNER_STYLE = "QFrame#others_banner { background: #fff8dc; border: 1px solid #e0c97f; border-radius: 3px; }"


class TablePage(QWidget):
    title = ""
    entity = ""  # the replicated entity the page lists (for 删除)
    columns: Sequence[Column] = ()
    specs: Sequence[FieldSpec] = ()
    error_fields: dict[str, str] = {}
    record_class: type | None = None            # the model the form edits: its saves are guarded
    guarded_fields: Sequence[str] | None = None  # the fields the form shows (default: the specs' names)
    record_changed = Signal()

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.current_id: uuid.UUID | None = None
        self._stored: dict[str, object] = {}        # the record as last read, for undo and dirty checks
        self.last_edit: tuple[uuid.UUID, dict[str, object]] | None = None
        self.last_deleted: uuid.UUID | None = None   # undo of a deletion restores the record
        self.model = RowTableModel(self.columns, self)
        self.search_edit = QLineEdit()
        self.search_edit.setPlaceholderText(tr("搜索（输入任意文字，如单位、案号、名称）"))
        self.search_edit.setClearButtonEnabled(True)
        self.search_edit.textChanged.connect(self.model.set_quick_filter)
        self.search_edit.textChanged.connect(self._update_count)
        self.count_label = QLabel()
        self.filters: dict[int, QComboBox] = {}
        top = QHBoxLayout()
        top.addWidget(self.search_edit, 1)
        for column_index, column in enumerate(self.columns):
            if column.filterable:
                combo = QComboBox()
                combo.setObjectName(f"filter_{column_index}")
                combo.setMinimumContentsLength(6)
                combo.currentTextChanged.connect(lambda text, c=column_index: self._value_filter(c, text))
                self.filters[column_index] = combo
                top.addWidget(QLabel(column.title))
                top.addWidget(combo)
        top.addWidget(self.count_label)
        self.export_button = QPushButton(tr("导出Excel…"))
        self.export_button.setObjectName("export_list")
        self.export_button.setToolTip(tr("把当前列表（按现在的搜索、筛选和排序）导出为 Excel"))
        self.export_button.clicked.connect(self.export_list)
        self.print_button = QPushButton(tr("打印列表…"))
        self.print_button.setObjectName("print_list")
        self.print_button.setToolTip(tr("打印当前列表（按现在的搜索、筛选和排序），先显示打印预览"))
        self.print_button.clicked.connect(self.print_list)
        top.addWidget(self.export_button)
        top.addWidget(self.print_button)
        self.top_bar = top  # pages add their list-wide buttons here
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setSortingEnabled(True)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.sortByColumn(-1, Qt.SortOrder.AscendingOrder)
        self.table.selectionModel().currentRowChanged.connect(self._row_changed)

        self.form = FormWidget(self.specs)
        self.new_button = QPushButton(tr("新建"))
        self.save_button = QPushButton(tr("保存"))
        self.undo_button = QPushButton(tr("撤销上次修改"))
        self.undo_button.setEnabled(False)
        self.delete_button = QPushButton(tr("删除"))
        self.delete_button.setEnabled(False)
        self.history_button = QPushButton(tr("修改记录…"))
        self.history_button.setEnabled(False)
        self.history_button.clicked.connect(self.show_history)
        self.new_button.clicked.connect(lambda: self.new_record())
        self.save_button.clicked.connect(self.save)
        self.undo_button.clicked.connect(self.undo_last_edit)
        self.delete_button.clicked.connect(self.delete_current)
        buttons = QHBoxLayout()
        for button in (self.new_button, self.save_button, self.undo_button, self.delete_button,
                       self.history_button):
            buttons.addWidget(button)
        buttons.addStretch(1)
        right = QWidget()
        right_layout = QVBoxLayout(right)
        self.heading = QLabel()
        self._style_heading()
        right_layout.addWidget(self.heading)
        right_layout.addWidget(self._make_banner())
        right_layout.addLayout(buttons)
        extra = self.extra_panel()
        if extra is not None:
            right_layout.addWidget(extra)
        right_layout.addWidget(self.form, 1)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(right)
        splitter = QSplitter()
        splitter.setObjectName(f"splitter_{type(self).__name__}")
        splitter.addWidget(self.table)
        splitter.addWidget(scroll)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 2)
        self.splitter = splitter
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(splitter, 1)
        self.guard = (EditGuard(self.record_class, self.guarded_fields or [spec.name for spec in self.specs])
                      if self.record_class is not None else None)
        ctx.others_changed.connect(self.others_changed)
        self.reload()
        self._start_new()

    def _make_banner(self) -> QFrame:
        """此记录已被 XX 修改：重新载入 / 继续编辑 (hidden until another desk changes the open record)."""
        self.banner = QFrame()
        self.banner.setObjectName("others_banner")
        self.banner.setStyleSheet(BANNER_STYLE)
        row = QHBoxLayout(self.banner)
        row.setContentsMargins(8, 4, 8, 4)
        self.banner_label = QLabel()
        self.banner_label.setWordWrap(True)
        row.addWidget(self.banner_label, 1)
        self.reload_button = QPushButton(tr("重新载入"))
        self.reload_button.setObjectName("banner_reload")
        self.reload_button.setToolTip(tr("放弃尚未保存的修改，显示别人保存后的内容"))
        self.reload_button.clicked.connect(self._reload_clicked)
        self.keep_button = QPushButton(tr("继续编辑"))
        self.keep_button.setObjectName("banner_keep")
        self.keep_button.setToolTip(tr("保留您填写的内容；保存时如与别人改的是同一字段，会并列显示两种内容供选择"))
        self.keep_button.clicked.connect(self.banner_hide)
        self.close_banner_button = QPushButton(tr("知道了"))
        self.close_banner_button.setObjectName("banner_close")
        self.close_banner_button.clicked.connect(self.banner_hide)
        for button in (self.reload_button, self.keep_button, self.close_banner_button):
            row.addWidget(button)
        self.banner.hide()
        return self.banner

    def banner_hide(self) -> None:
        self.banner.hide()

    def _show_banner(self, text: str, *, choice: bool) -> None:
        self.banner_label.setText(text)
        self.reload_button.setVisible(choice)
        self.keep_button.setVisible(choice)
        self.close_banner_button.setVisible(not choice)
        self.banner.show()

    def others_changed(self, changes: Any) -> None:
        """Another desk changed records (models.services.changes.Changes): if one is open here, say so.
        An unchanged form shows the new values at once; typed text stays until 重新载入."""
        if self.current_id is None or not self.entity:
            return
        people = changes.changed_by(self.entity, self.current_id)
        if not people:
            return
        who = "、".join(people)
        if self.form.is_dirty():
            self._show_banner(tr("此记录已被 {who} 修改（您填写的内容仍在表单中）").format(who=who), choice=True)
        elif self.reload_current():
            self._show_banner(tr("此记录已被 {who} 修改，已显示最新内容").format(who=who), choice=False)
        else:
            self._show_banner(tr("刚才显示的记录已被 {who} 删除").format(who=who), choice=False)

    def _reload_clicked(self) -> None:
        if not self.reload_current():
            self._show_banner(tr("刚才显示的记录已被删除"), choice=False)

    def reload_current(self) -> bool:
        """重新载入: the open record as stored now (typed text is dropped). False when it is gone."""
        if self.current_id is None:
            return False
        self.form.mark_clean()
        try:
            self._show_record(self.current_id)
        except DomainError:   # deleted meanwhile (by another desk): the form starts afresh
            self._start_new()
            return False
        return True

    def _style_heading(self) -> None:
        """The record's heading: bold and 3 pt above the window font, following the 字号 setting."""
        font = QFont(self.font())
        font.setPointSize(self.font().pointSize() + 3)
        font.setBold(True)
        self.heading.setFont(font)

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 - Qt override
        super().changeEvent(event)
        if event.type() == QEvent.Type.FontChange:
            self._style_heading()

    # -- what subclasses provide -----------------------------------------------------------------
    def load_rows(self, session: Session) -> Rows:
        raise NotImplementedError

    def load_record(self, session: Session, row_id: uuid.UUID) -> dict[str, object]:
        raise NotImplementedError

    def create_record(self, session: Session, values: dict[str, Any]) -> uuid.UUID:
        raise NotImplementedError

    def update_record(self, session: Session, row_id: uuid.UUID, changes: dict[str, Any]) -> None:
        """Save `changes` of record `row_id`; pass `self.edit_base(row_id)` to the service as `base`."""
        raise NotImplementedError

    def edit_base(self, row_id: uuid.UUID) -> EditBase:
        """The field heads the form loaded of `row_id` (None: the page is not guarded)."""
        return self.guard.base_for(row_id) if self.guard is not None else None

    def extra_panel(self) -> QWidget | None:
        return None

    def row_colors(self, session: Session) -> dict[uuid.UUID, QColor]:
        return {}

    def default_values(self) -> dict[str, object]:
        return {spec.name: "" for spec in self.specs}

    def record_heading(self, values: dict[str, object]) -> str:
        return str(values.get("title") or values.get("name") or "")

    # -- table -----------------------------------------------------------------------------------
    def reload(self) -> None:
        with self.ctx.db.read_scope() as session:
            rows = self.load_rows(session)
            colors = self.row_colors(session)
        self.model.set_rows(rows, colors)
        for column_index, combo in self.filters.items():
            chosen = combo.currentText()
            combo.blockSignals(True)
            combo.clear()
            combo.addItems([tr("全部"), *self.model.distinct_values(column_index)])
            combo.setCurrentText(chosen or tr("全部"))
            combo.blockSignals(False)
        self._update_count()
        self.table.resizeColumnsToContents()
        if self.current_id is not None:
            self.select(self.current_id)

    def _value_filter(self, column_index: int, text: str) -> None:
        self.model.set_value_filter(column_index, "" if text == tr("全部") else text)
        self._update_count()

    def filter_description(self) -> str:
        """What the list is narrowed by, in words (printed above exported and printed lists)."""
        parts = []
        if self.search_edit.text().strip():
            parts.append(tr("搜索“{text}”").format(text=self.search_edit.text().strip()))
        for column_index, combo in self.filters.items():
            if combo.currentText() and combo.currentText() != tr("全部"):
                parts.append(f"{self.columns[column_index].title}：{combo.currentText()}")
        return tr("筛选：") + "；".join(parts) if parts else ""

    def list_table(self) -> list_print.ListTable:
        return list_print.table_of(self.model, self.title, list_print.office_name(self.ctx), self.ctx.today(),
                                   self.filter_description())

    def export_list(self) -> None:
        list_print.export_table(self, self.list_table())

    def print_list(self) -> None:
        list_print.print_table(self, self.list_table())

    def _update_count(self) -> None:
        self.count_label.setText(tr("共 {n} 条").format(n=self.model.matching_count()))

    def select(self, row_id: uuid.UUID) -> bool:
        row = self.model.row_of(row_id)
        if row is None:
            return False
        index = self.model.index(row, 0)
        self.table.selectionModel().setCurrentIndex(
            index, QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows)
        self.table.scrollTo(index)
        return True

    def _row_changed(self, current: Any, _previous: Any) -> None:
        if not current.isValid():
            return
        row_id = self.model.row_id(current.row())
        if row_id == self.current_id:
            return
        if not self.confirm_leave():
            return
        self._show_record(row_id)

    # -- record ----------------------------------------------------------------------------------
    def open_record(self, row_id: uuid.UUID) -> None:
        """Show record `row_id` (opened from 首页, search, another record's list): asks to save unsaved
        edits, clears a filter that hides it, and selects it in the list."""
        if row_id != self.current_id and not self.confirm_leave():
            return
        if self.model.row_of(row_id) is None:
            self.search_edit.clear()
            for combo in self.filters.values():
                combo.setCurrentIndex(0)
        self._show_record(row_id)     # always read afresh (e.g. after an undo of the shown record)
        self.select(row_id)           # already current: the list does not open it a second time

    def _show_record(self, row_id: uuid.UUID) -> None:
        with self.ctx.db.read_scope() as session:
            values = self.load_record(session, row_id)
            if self.guard is not None:   # what the form shows, to refuse overwriting others' edits
                self.guard.load(session, row_id)
        self.banner.hide()
        self.current_id = row_id
        self.delete_button.setEnabled(True)
        self.history_button.setEnabled(True)
        self._stored = values
        self.form.set_values(values)
        self.heading.setText(self.record_heading(values))
        self.record_changed.emit()

    def new_record(self) -> None:
        """新建 / Ctrl+N: an empty form with the cursor in its first field."""
        if self._start_new():
            self.form.focus_first()

    def _start_new(self) -> bool:
        if not self.confirm_leave():
            return False
        self.current_id = None
        self.banner.hide()
        if self.guard is not None:
            self.guard.clear()
        self.delete_button.setEnabled(False)
        self.history_button.setEnabled(False)
        self._stored = {}
        self.table.clearSelection()
        self.form.set_values(self.default_values())
        self.heading.setText(tr("新建{what}").format(what=self.title))
        self.record_changed.emit()
        return True

    def confirm_leave(self) -> bool:
        """True when it is fine to leave the current record (saved, discarded or unchanged)."""
        if not self.form.is_dirty():
            return True
        answer = messages.ask_save_changes(self)
        if answer == "save":
            return self.save()
        if answer == "discard":
            self.form.mark_clean()
            return True
        return False

    def save(self) -> bool:
        self.form.clear_errors()
        self.last_deleted = None  # undo follows the latest action
        try:
            values = self.form.values()
            with self.ctx.db.write_scope() as session:
                if self.current_id is None:
                    self.current_id = self.create_record(session, values)
                    self.last_edit = None
                else:
                    changes = {k: v for k, v in values.items() if self._stored.get(k) != v}
                    if changes:
                        self.update_record(session, self.current_id, changes)
                        self.last_edit = (self.current_id, {k: self._stored.get(k) for k in changes})
        except DomainError as exc:
            self.form.show_domain_error(exc, self.error_fields)
            if exc.code == "edit_conflict" and self.guard is not None:
                return self.guard.resolve(self, exc, self.ctx.db.read_scope, self.save)
            return False
        self.undo_button.setEnabled(self.last_edit is not None)
        self.form.mark_clean()
        saved_id = self.current_id
        self.reload()
        self._show_record(saved_id)
        self.select(saved_id)
        return True

    def history_rows(self) -> list[tuple[str, ...]]:
        if self.current_id is None:
            return []
        return record_history_rows(self.ctx, self.entity, self.current_id)

    def show_history(self) -> None:
        if self.current_id is not None:
            show_record_history(self.ctx, self, self.entity, self.current_id, self.heading.text())

    def delete_current(self) -> None:
        """删除 = a synced tombstone; the record can come back through 撤销 or the 回收站 in 设置."""
        if self.current_id is None or not messages.confirm(
                self, tr("删除“{what}”吗？删除后可在“设置 → 回收站”中恢复。").format(what=self.heading.text())):
            return
        row_id = self.current_id
        if not self.ctx.attempt(self, lambda session: delete_record(session, self.entity, row_id)):
            return
        self.last_deleted, self.last_edit = row_id, None
        self.undo_button.setEnabled(True)
        self.form.mark_clean()
        self.current_id = None
        self.reload()
        self._start_new()

    def undo_last_edit(self) -> None:
        """Writes back what the last saved edit replaced, or brings back the record deleted last: the
        core reverts it from the op log (itself an ordinary, synced edit); the page keeps no snapshot."""
        row_id = self.last_deleted or (self.last_edit[0] if self.last_edit else None)
        if row_id is None:
            return
        if not self.ctx.attempt(self, lambda session: undo_from_op_log(session, self.entity, row_id),
                                changes={self.entity}):
            return
        self.last_edit, self.last_deleted = None, None
        self.undo_button.setEnabled(False)
        self.form.mark_clean()
        self.reload()
        if self.select(row_id):
            self.open_record(row_id)

    def focus_search(self) -> None:
        self.search_edit.setFocus()
        self.search_edit.selectAll()
