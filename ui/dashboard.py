"""首页: overdue and near-due items in 红黄绿, counts by status, and a quick search over everything."""
from __future__ import annotations

import uuid
from collections import Counter

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QTableView,
    QVBoxLayout,
    QWidget,
)
from sqlalchemy import func, select

from models.case import CASE_STATUSES, Case
from models.search import search
from models.services.common import LABELS
from models.services.due import due_items
from models.services.suggestions import list_suggestions
from ui.context import AppContext
from ui.i18n import tr
from ui.row_model import Column, RowTableModel
from ui.theme import LEVEL_COLORS

STAGES = ("草稿", "已制发", "待回复", "已回复", "整改跟进", "已结案", "已起诉")
HIT_ROLE = Qt.ItemDataRole.UserRole + 2


class Dashboard(QWidget):
    open_requested = Signal(str, object)   # entity name, row id

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.search_edit = QLineEdit()
        self.search_edit.setPlaceholderText(tr("快速搜索：案件、检察建议、任务、单位、会议（回车）"))
        self.search_edit.setClearButtonEnabled(True)
        self.search_edit.returnPressed.connect(self.run_search)
        self.hits = QListWidget()
        self.hits.setMaximumHeight(150)
        self.hits.hide()
        self.hits.itemActivated.connect(self._open_hit)
        self.due_model = RowTableModel((Column(tr("预警")), Column(tr("到期日")), Column(tr("剩余天数")),
                                        Column(tr("事项"), pinyin=True), Column(tr("责任单位"), pinyin=True)), self)
        self.due_table = QTableView()
        self.due_table.setModel(self.due_model)
        self.due_table.verticalHeader().hide()
        self.due_table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.due_table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.due_table.horizontalHeader().setStretchLastSection(True)
        self.due_table.doubleClicked.connect(self._open_due)
        self.due_title = QLabel()
        self.due_title.setStyleSheet("font-size: 13pt; font-weight: bold;")
        self.case_counts = QGridLayout()
        self.stage_counts = QGridLayout()
        counts = QHBoxLayout()
        for title, grid in ((tr("案件（按办理状态）"), self.case_counts), (tr("检察建议（按阶段）"), self.stage_counts)):
            box = QGroupBox(title)
            box.setLayout(grid)
            counts.addWidget(box)
        layout = QVBoxLayout(self)
        layout.addWidget(self.search_edit)
        layout.addWidget(self.hits)
        layout.addWidget(self.due_title)
        layout.addWidget(self.due_table, 1)
        layout.addLayout(counts)
        self.count_labels: dict[str, QLabel] = {}
        self.refresh()

    def refresh(self) -> None:
        today = self.ctx.today()
        with self.ctx.db.session_scope() as session:
            items = due_items(session, today)
            case_counts = dict(session.execute(select(Case.status, func.count()).where(Case.deleted.is_(False))
                                               .group_by(Case.status)).all())
            stage_counts = Counter(r.stage for r in list_suggestions(session))
        rows = [(i.ref_id, (i.level.label, i.due, tr("逾期{n}天").format(n=-i.days_left) if i.days_left < 0
                            else tr("剩{n}天").format(n=i.days_left), i.title, i.party)) for i in items]
        self.due_model.set_rows(rows, {i.ref_id: LEVEL_COLORS[i.level] for i in items})
        self.due_kinds = {i.ref_id: i.kind for i in items}
        red = sum(1 for i in items if i.days_left < 0)
        self.due_title.setText(tr("逾期 {red} 项，临期 {near} 项（{today}）").format(
            red=red, near=len(items) - red, today=today.isoformat()))
        self.due_table.resizeColumnsToContents()
        self.due_table.horizontalHeader().setSectionResizeMode(3, QHeaderView.ResizeMode.Stretch)
        self._fill(self.case_counts, CASE_STATUSES, case_counts)
        self._fill(self.stage_counts, STAGES, stage_counts)

    def _fill(self, grid: QGridLayout, keys: tuple[str, ...], counts: dict[str, int]) -> None:
        for n, key in enumerate(keys):
            number = self.count_labels.get(key)
            if number is None:
                number = self.count_labels[key] = QLabel()
                number.setObjectName(f"count_{key}")
                number.setStyleSheet("font-size: 16pt; font-weight: bold;")
                number.setAlignment(Qt.AlignmentFlag.AlignCenter)
                label = QLabel(key)
                label.setAlignment(Qt.AlignmentFlag.AlignCenter)
                grid.addWidget(number, 0, n)
                grid.addWidget(label, 1, n)
            number.setText(str(counts.get(key, 0)))

    def run_search(self) -> None:
        text = self.search_edit.text()
        with self.ctx.db.session_scope() as session:
            hits = search(session, text)
        self.hits.clear()
        for hit in hits:
            item = QListWidgetItem(f"【{LABELS.get(hit.entity, hit.entity)}】{hit.title}")
            item.setData(HIT_ROLE, (hit.entity, hit.row_id))
            self.hits.addItem(item)
        if not hits:
            self.hits.addItem(tr("没有找到“{text}”").format(text=text))
        self.hits.setVisible(bool(text.strip()))

    def _open_hit(self, item: QListWidgetItem) -> None:
        target = item.data(HIT_ROLE)
        if target:
            self.open_requested.emit(target[0], target[1])

    def _open_due(self, index: object) -> None:
        row_id: uuid.UUID = self.due_model.row_id(index.row())  # type: ignore[attr-defined]
        kind = self.due_kinds.get(row_id)
        self.open_requested.emit("suggestion" if kind == "reply" else "measure", row_id)

    def focus_search(self) -> None:
        self.search_edit.setFocus()
        self.search_edit.selectAll()
