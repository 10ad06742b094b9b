"""检察建议 screen: the ledger with 红黄绿 reply deadlines, one suggestion's form, the lifecycle buttons
(ui.suggestion_actions), its documents and its attachments."""
from __future__ import annotations

import uuid
from typing import Any

from PySide6.QtGui import QColor
from PySide6.QtWidgets import QGroupBox, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget
from sqlalchemy.orm import Session

from models.rules.warning import WarningLevel, warning_level
from models.services.common import get_live
from models.services.suggestions import (
    draft_suggestion,
    edit_suggestion,
    items_of,
    list_suggestions,
    replace_items,
    stage_of,
)
from models.suggestion import SUGGESTION_KINDS, Suggestion
from ui import suggestion_reports
from ui.attachments import AttachmentList
from ui.context import AppContext
from ui.form import FieldSpec
from ui.i18n import tr
from ui.row_model import Column
from ui.suggestion_actions import LIFECYCLE_ACTIONS, SuggestionActions
from ui.table_page import Rows, TablePage
from ui.theme import LEVEL_COLORS

EDITABLE = ("doc_no", "kind", "addressee_name", "urgent", "origin", "facts", "legal_basis", "reply_requirement",
            "copy_to")
LIFECYCLE = ("issued_on", "service_method", "served_on", "reply_due", "replied_on", "adoption", "rectification",
             "closed_on", "litigation")


class SuggestionPage(TablePage):
    title = tr("检察建议")
    entity = "suggestion"
    columns = (Column(tr("文号")), Column(tr("类型"), filterable=True), Column(tr("被建议单位"), pinyin=True),
               Column(tr("制发日期")), Column(tr("送达日期")), Column(tr("回复期限")), Column(tr("回复日期")),
               Column(tr("阶段"), filterable=True), Column(tr("紧急")))
    specs = (FieldSpec("stage", tr("当前阶段"), read_only=True),
             FieldSpec("doc_no", tr("文号"), placeholder="宿检行公建〔2026〕1号"),
             FieldSpec("kind", tr("建议类型"), "choice", SUGGESTION_KINDS),
             FieldSpec("addressee_name", tr("被建议单位")), FieldSpec("urgent", tr("紧急（十五日内回复）"), "bool"),
             FieldSpec("origin", tr("案件来源"), "multiline"), FieldSpec("facts", tr("查明的事实"), "multiline"),
             FieldSpec("legal_basis", tr("认定依据"), "multiline"),
             FieldSpec("items", tr("建议内容（每行一项）"), "multiline"),
             FieldSpec("reply_requirement", tr("回复要求"), "multiline"), FieldSpec("copy_to", tr("抄送")),
             *(FieldSpec(name, label, read_only=True) for name, label in (
                 ("issued_on", tr("制发日期")), ("service_method", tr("送达方式")), ("served_on", tr("送达日期")),
                 ("reply_due", tr("回复期限")), ("replied_on", tr("回复日期")), ("adoption", tr("采纳情况")),
                 ("rectification", tr("整改情况")), ("follow_up_due", tr("下次回头看")), ("closed_on", tr("结案日期")))))
    error_fields = {"suggestion_kind": "kind", "addressee_empty": "addressee_name", "item_empty": "items",
                    "doc_no_format": "doc_no", "suggestion_dates": "doc_no"}

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(ctx, parent)
        self.ledger_button = QPushButton(tr("导出台账…"))
        self.ledger_button.clicked.connect(lambda: suggestion_reports.export_ledger(self))
        self.bulletin_button = QPushButton(tr("季度通报…"))
        self.bulletin_button.clicked.connect(lambda: suggestion_reports.quarterly_bulletin(self))
        self.top_bar.addWidget(self.ledger_button)
        self.top_bar.addWidget(self.bulletin_button)

    def extra_panel(self) -> QWidget:
        box = QGroupBox(tr("办理流程与文书"))
        layout = QVBoxLayout(box)
        self.actions = SuggestionActions(self)
        row = QHBoxLayout()
        for key, label in LIFECYCLE_ACTIONS:
            button = QPushButton(label)
            button.setObjectName(f"action_{key}")
            button.clicked.connect(lambda _=False, k=key: self.actions.run(k))
            row.addWidget(button)
        layout.addLayout(row)
        docs = QHBoxLayout()
        for key, label in (("letter", tr("检察建议书")), ("receipt", tr("送达回证")), ("reminder", tr("督促回复函"))):
            button = QPushButton(tr("预览/打印{doc}").format(doc=label))
            button.setObjectName(f"pdf_{key}")
            button.clicked.connect(lambda _=False, k=key: self.actions.preview_document(k))
            docs.addWidget(button)
        layout.addLayout(docs)
        layout.addWidget(QLabel(tr("附件（把文件拖到下面的框里）：")))
        self.attachments = AttachmentList(self.ctx, "suggestion")
        layout.addWidget(self.attachments)
        self.record_changed.connect(self._record_changed)
        return box

    def _record_changed(self) -> None:
        self.attachments.set_owner(self.current_id)
        for button in self.findChildren(QPushButton):
            if button.objectName().startswith(("action_", "pdf_")):
                button.setEnabled(self.current_id is not None)

    def load_rows(self, session: Session) -> Rows:
        self._rows = list_suggestions(session)
        return [(r.id, (r.doc_no, r.kind, r.addressee_name, r.issued_on, r.served_on, r.reply_due, r.replied_on,
                        r.stage, r.urgent)) for r in self._rows]

    def row_colors(self, session: Session) -> dict[uuid.UUID, QColor]:
        today = self.ctx.today()
        colors = {}
        for r in self._rows:
            level = warning_level(r.reply_due, today, done=r.replied_on is not None or r.stage in ("已结案", "已起诉"))
            if level in (WarningLevel.RED, WarningLevel.YELLOW):
                colors[r.id] = LEVEL_COLORS[level]
        return colors

    def load_record(self, session: Session, row_id: uuid.UUID) -> dict[str, object]:
        s = get_live(session, Suggestion, row_id)
        values: dict[str, object] = {name: getattr(s, name) for name in (*EDITABLE, *LIFECYCLE)}
        values["items"] = "\n".join(i.text for i in items_of(session, s.id))
        values["stage"] = stage_of(s)
        return values

    def default_values(self) -> dict[str, object]:
        return {**{name: "" for name in (*EDITABLE, *LIFECYCLE, "items", "stage")}, "kind": SUGGESTION_KINDS[0],
                "urgent": False, "stage": tr("草稿")}

    def create_record(self, session: Session, values: dict[str, Any]) -> uuid.UUID:
        items = [line for line in str(values.pop("items", "")).splitlines() if line.strip()]
        addressee = str(values.pop("addressee_name", ""))
        return draft_suggestion(session, addressee, items=items, **values).id

    def update_record(self, session: Session, row_id: uuid.UUID, changes: dict[str, Any]) -> None:
        if "items" in changes:
            replace_items(session, row_id, str(changes.pop("items") or "").splitlines())
        changes.pop("stage", None)
        if changes:
            edit_suggestion(session, row_id, **changes)

    def record_heading(self, values: dict[str, object]) -> str:
        return f"{values.get('doc_no') or tr('（未编号）')} {values.get('addressee_name') or ''}".strip()
