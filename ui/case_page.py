"""线索/案件 screen: the register table, one case's form, and the 检察建议 made in the case (a double
click opens one on the 检察建议 screen)."""
from __future__ import annotations

import uuid
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QGroupBox,
    QHeaderView,
    QLabel,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from models.case import CASE_KINDS, CASE_SOURCES, CASE_STATUSES, DEFAULT_DOMAINS, Case
from models.labels import field_label
from models.services.cases import case_values, edit_case, list_cases, register_case
from models.services.suggestions import suggestions_of_case
from ui.form import FieldSpec
from ui.i18n import tr
from ui.row_model import Column, cell_text
from ui.table_page import Rows, TablePage

FIELDS = ("case_no", "title", "kind", "source", "domain", "received_on", "filed_on", "closed_on", "handler",
          "status", "related_units", "summary")
SUGGESTION_COLUMNS = (tr("文号"), tr("被建议单位"), tr("阶段"), tr("回复期限"))


def _spec(name: str, kind: str = "text", choices: tuple[str, ...] = (), **options: Any) -> FieldSpec:
    return FieldSpec(name, tr(field_label("case", name)), kind, choices, **options)


class CasePage(TablePage):
    title = tr("线索/案件")
    entity = "case"
    columns = (Column(tr("案号")), Column(tr("案件名称"), pinyin=True), Column(tr("类型"), filterable=True),
               Column(tr("来源"), filterable=True), Column(tr("领域"), filterable=True), Column(tr("受理日期")),
               Column(tr("状态"), filterable=True), Column(tr("承办人"), pinyin=True))
    specs = (_spec("case_no"), _spec("title"), _spec("kind", "choice", CASE_KINDS),
             _spec("source", "choice", CASE_SOURCES),
             _spec("domain", "choice", DEFAULT_DOMAINS, editable_choice=True),
             _spec("received_on", "date"), _spec("filed_on", "date"), _spec("closed_on", "date"), _spec("handler"),
             _spec("status", "choice", CASE_STATUSES), _spec("related_units"), _spec("summary", "multiline"))
    record_class = Case   # saves refuse to overwrite another desk's newer edit (edit_conflict)
    error_fields = {"case_title_empty": "title", "case_kind": "kind", "case_source": "source",
                    "case_status": "status", "case_dates": "filed_on"}
    open_requested = Signal(str, object)   # entity name, row id (the main window opens it)

    # -- the case's suggestions -------------------------------------------------------------------
    def extra_panel(self) -> QWidget:
        box = QGroupBox(tr("本案检察建议"))
        layout = QVBoxLayout(box)
        self.suggestion_table = QTableWidget(0, len(SUGGESTION_COLUMNS))
        self.suggestion_table.setObjectName("case_suggestions")
        self.suggestion_table.setHorizontalHeaderLabels(list(SUGGESTION_COLUMNS))
        self.suggestion_table.verticalHeader().hide()
        self.suggestion_table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.suggestion_table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.suggestion_table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.suggestion_table.horizontalHeader().setStretchLastSection(True)
        self.suggestion_table.setMaximumHeight(150)
        self.suggestion_table.cellDoubleClicked.connect(lambda row, _column: self.open_suggestion(row))
        self.suggestion_hint = QLabel()
        self.suggestion_hint.setWordWrap(True)
        layout.addWidget(self.suggestion_hint)
        layout.addWidget(self.suggestion_table)
        self.record_changed.connect(self._list_suggestions)
        return box

    def _list_suggestions(self) -> None:
        rows = []
        if self.current_id is not None:
            with self.ctx.db.read_scope() as session:
                rows = suggestions_of_case(session, self.current_id)
        table = self.suggestion_table
        table.setRowCount(len(rows))
        for row_index, row in enumerate(rows):
            for column, value in enumerate((row.doc_no or tr("（未编号）"), row.addressee_name, row.stage,
                                            row.reply_due)):
                item = QTableWidgetItem(cell_text(value))
                item.setData(Qt.ItemDataRole.UserRole, row.id)
                table.setItem(row_index, column, item)
        table.setVisible(bool(rows))
        self.suggestion_hint.setText(
            tr("双击一条检察建议即可打开。") if rows else
            tr("本案尚无检察建议。在【检察建议】中新建时选择本案即可关联。") if self.current_id is not None else
            tr("保存案件后，在【检察建议】中新建时可选择本案。"))

    def suggestion_ids(self) -> list[uuid.UUID]:
        table = self.suggestion_table
        return [table.item(row, 0).data(Qt.ItemDataRole.UserRole) for row in range(table.rowCount())]

    def open_suggestion(self, row: int) -> None:
        ids = self.suggestion_ids()
        if 0 <= row < len(ids):
            self.open_requested.emit("suggestion", ids[row])

    # -- TablePage hooks ----------------------------------------------------------------------------
    def load_rows(self, session: Any) -> Rows:
        return [(r.id, (r.case_no, r.title, r.kind, r.source, r.domain, r.received_on, r.status, r.handler))
                for r in list_cases(session)]

    def load_record(self, session: Any, row_id: uuid.UUID) -> dict[str, object]:
        return case_values(session, row_id, FIELDS)

    def default_values(self) -> dict[str, object]:
        return {**{name: "" for name in FIELDS}, "kind": CASE_KINDS[0], "source": "自行发现", "domain": "其他",
                "status": CASE_STATUSES[0], "received_on": self.ctx.today()}

    def create_record(self, session: Any, values: dict[str, Any]) -> uuid.UUID:
        title = str(values.pop("title", ""))
        return register_case(session, title, **values).id

    def update_record(self, session: Any, row_id: uuid.UUID, changes: dict[str, Any]) -> None:
        edit_case(session, row_id, base=self.edit_base(row_id), **changes)

    def record_heading(self, values: dict[str, object]) -> str:
        return f"{values.get('case_no') or ''} {values.get('title') or ''}".strip()

