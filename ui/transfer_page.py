"""线索移送 register screen: both directions, 两法衔接 监督移送/立案监督, 反馈期限 coloured like every clock."""
from __future__ import annotations

import uuid
from typing import Any

from PySide6.QtGui import QColor
from PySide6.QtWidgets import QPushButton

from models.derived import default_calendar
from models.rules.warning import ALERT_LEVELS
from models.services.cases import case_choice, find_cases, resolve_case
from models.services.due import near_days_setting
from models.services.transfers import (
    TransferRow,
    add_transfer,
    edit_transfer,
    feedback_days_by_kind,
    list_transfers,
    set_feedback_days,
    transfer_values,
)
from models.transfer import TRANSFER_DIRECTIONS, TRANSFER_KINDS, Transfer
from ui.form import FieldSpec
from ui.i18n import tr
from ui.row_model import Column
from ui.table_page import Rows, Session, TablePage
from ui.theme import LEVEL_COLORS
from ui.values_dialog import ask_values

CASE_FIELD = "case"   # the form shows the linked case as "案号 案件名称"; the record holds its id


class TransferPage(TablePage):
    title = tr("线索移送")
    entity = "transfer"
    shows = frozenset({"transfer", "case"})  # the entities whose change refreshes it
    columns = (Column(tr("类型"), filterable=True), Column(tr("方向"), filterable=True), Column(tr("文号")),
               Column(tr("线索名称"), pinyin=True), Column(tr("移送单位"), pinyin=True),
               Column(tr("接收单位"), pinyin=True), Column(tr("移送日期")), Column(tr("反馈期限")),
               Column(tr("状态"), filterable=True))
    specs = (FieldSpec("kind", tr("移送类型"), "choice", TRANSFER_KINDS,
                       hint=tr("反向衔接：检察院决定不起诉后，移送行政机关给予行政处罚；监督移送、立案监督属两法衔接")),
             FieldSpec("direction", tr("移送方向"), "choice", TRANSFER_DIRECTIONS),
             FieldSpec("doc_no", tr("移送文号")), FieldSpec("title", tr("线索名称")),
             FieldSpec("from_unit", tr("移送单位")), FieldSpec("to_unit", tr("接收单位")),
             FieldSpec("sent_on", tr("移送日期"), "date"), FieldSpec("received_on", tr("接收日期"), "date"),
             FieldSpec("feedback_days", tr("反馈期限（日）"), "int", minimum=1, maximum=365, suffix=tr(" 天"),
                       hint=tr("自接收之日（未填接收日期时自移送之日）起算，期满日为节假日的顺延")),
             FieldSpec("feedback_on", tr("反馈日期"), "date"), FieldSpec("feedback", tr("反馈情况"), "multiline"),
             FieldSpec("summary", tr("线索内容"), "multiline"),
             FieldSpec(CASE_FIELD, tr("关联案件"), "choice", editable_choice=True,
                       placeholder=tr("可不填；从下拉列表选择案件")),
             FieldSpec("to_government", tr("送政府方（同步给政府方工作站）"), "bool"))
    error_fields = {"transfer_title_empty": "title", "transfer_kind": "kind", "transfer_direction": "direction",
                    "transfer_received_before_sent": "received_on", "transfer_feedback_before_start": "feedback_on",
                    "transfer_feedback_days": "feedback_days", "case_not_found": CASE_FIELD,
                    "case_ambiguous": CASE_FIELD}
    record_class = Transfer   # saves refuse to overwrite another desk's newer edit (edit_conflict)
    guarded_fields = (*(spec.name for spec in specs if spec.name != CASE_FIELD), "case_id")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self._rows: list[TransferRow] = []
        super().__init__(*args, **kwargs)
        self.settings_button = QPushButton(tr("反馈期限设置…"))
        self.settings_button.setObjectName("feedback_days_settings")
        self.settings_button.setToolTip(tr("各类移送默认的反馈期限（天），新登记的移送按此计算"))
        self.settings_button.clicked.connect(self.edit_feedback_days)
        self.top_bar.addWidget(self.settings_button)

    def load_rows(self, session: Session) -> Rows:
        self._rows = list_transfers(session, self.ctx.today(), near_days_setting(session), default_calendar())
        self._fill_case_choices(session)
        return [(r.id, (r.kind, r.direction, r.doc_no, r.title, r.from_unit, r.to_unit, r.sent_on, r.feedback_due,
                        r.state)) for r in self._rows]

    def row_colors(self, session: Session) -> dict[uuid.UUID, QColor]:
        return {r.id: LEVEL_COLORS[r.level] for r in self._rows if r.level in ALERT_LEVELS}

    def _fill_case_choices(self, session: Session) -> None:
        combo = self.form.editors[CASE_FIELD]
        current = combo.currentText()
        combo.blockSignals(True)
        combo.clear()
        combo.addItems(["", *[c.label for c in find_cases(session, "", limit=500)]])
        combo.setCurrentText(current)
        combo.blockSignals(False)

    def load_record(self, session: Session, row_id: uuid.UUID) -> dict[str, object]:
        values = transfer_values(session, row_id)
        choice = case_choice(session, values.pop("case_id"))   # type: ignore[arg-type]
        return {**values, CASE_FIELD: choice.label if choice else ""}

    def default_values(self) -> dict[str, object]:
        days = self.ctx.read(feedback_days_by_kind)
        return {**{spec.name: "" for spec in self.specs}, "kind": TRANSFER_KINDS[0],
                "direction": TRANSFER_DIRECTIONS[0], "feedback_days": days[TRANSFER_KINDS[0]],
                "to_government": False, "sent_on": self.ctx.today()}

    @staticmethod
    def _with_case_id(session: Session, values: dict[str, Any]) -> dict[str, Any]:
        if CASE_FIELD not in values:
            return values
        text = str(values.pop(CASE_FIELD) or "")
        return {**values, "case_id": resolve_case(session, text)}

    def create_record(self, session: Session, values: dict[str, Any]) -> uuid.UUID:
        values = self._with_case_id(session, values)
        return add_transfer(session, str(values.pop("title", "")), **values).id

    def update_record(self, session: Session, row_id: uuid.UUID, changes: dict[str, Any]) -> None:
        edit_transfer(session, row_id, base=self.edit_base(row_id), **self._with_case_id(session, changes))

    def edit_feedback_days(self) -> None:
        current = self.ctx.read(feedback_days_by_kind)
        specs = tuple(FieldSpec(kind, kind, "int", minimum=1, maximum=365, suffix=tr(" 天")) for kind in TRANSFER_KINDS)

        def apply(values: dict[str, object]) -> None:
            with self.ctx.db.write_scope() as session:
                set_feedback_days(session, values)

        ask_values(self, tr("反馈期限设置"), specs, dict(current),
                   note=tr("新登记的移送按类型取此默认反馈期限；已登记的移送保留各自的期限。"), check=apply)
