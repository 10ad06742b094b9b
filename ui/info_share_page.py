"""信息共享 register screen: what each side sent, for which period, and when the next submission is due."""
from __future__ import annotations

import uuid
from typing import Any

from PySide6.QtGui import QColor

from models.info_share import SHARE_CATEGORIES, SHARE_DIRECTIONS, InfoShare
from models.rules.warning import ALERT_LEVELS, warning_level
from models.services.due import near_days_setting
from models.services.info_sharing import (
    SHARE_FIELDS,
    ShareRow,
    add_info_share,
    edit_info_share,
    info_share_values,
    list_info_shares,
)
from ui.form import FieldSpec
from ui.i18n import tr
from ui.row_model import Column
from ui.table_page import Rows, Session, TablePage
from ui.theme import LEVEL_COLORS


class InfoSharePage(TablePage):
    title = tr("信息共享")
    entity = "info_share"
    shows = frozenset({"info_share"})
    columns = (Column(tr("报送方向"), filterable=True), Column(tr("信息类别"), filterable=True),
               Column(tr("报送单位"), pinyin=True), Column(tr("所属期间")), Column(tr("报送日期")),
               Column(tr("报送频次")), Column(tr("下次报送期限")))
    specs = (FieldSpec("direction", tr("报送方向"), "choice", SHARE_DIRECTIONS),
             FieldSpec("category", tr("信息类别"), "choice", SHARE_CATEGORIES, editable_choice=True),
             FieldSpec("provider", tr("报送单位")),
             FieldSpec("period", tr("所属期间"), placeholder=tr("如：2026年第三季度")),
             FieldSpec("sent_on", tr("报送日期"), "date"),
             FieldSpec("schedule", tr("报送频次"), placeholder=tr("如：每季度首月10日前"),
                       hint=tr("填写后按报送日期自动推算下次报送期限，也可直接修改下次报送期限")),
             FieldSpec("next_due", tr("下次报送期限"), "date"), FieldSpec("content", tr("主要内容"), "multiline"),
             FieldSpec("note", tr("备注"), "multiline"))
    error_fields = {"share_direction": "direction", "share_category_empty": "category",
                    "share_provider_empty": "provider", "share_schedule": "schedule", "share_next_due": "next_due"}
    record_class = InfoShare   # saves refuse to overwrite another desk's newer edit (edit_conflict)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self._rows: list[ShareRow] = []
        super().__init__(*args, **kwargs)

    def load_rows(self, session: Session) -> Rows:
        self._rows = list_info_shares(session)
        self._near = near_days_setting(session)
        # a submission answered by a later one of its series shows no next due date of its own
        return [(r.id, (r.direction, r.category, r.provider, r.period, r.sent_on, r.schedule,
                        tr("（已报送下一期）") if r.superseded else r.next_due)) for r in self._rows]

    def row_colors(self, session: Session) -> dict[uuid.UUID, QColor]:
        colors = {}
        for r in self._rows:
            level = warning_level(r.next_due, self.ctx.today(), done=r.superseded, near_days=self._near)
            if level in ALERT_LEVELS:
                colors[r.id] = LEVEL_COLORS[level]
        return colors

    def load_record(self, session: Session, row_id: uuid.UUID) -> dict[str, object]:
        return info_share_values(session, row_id)

    def record_heading(self, values: dict[str, object]) -> str:
        return f"{values.get('category', '')} {values.get('provider', '')} {values.get('period', '')}".strip()

    def default_values(self) -> dict[str, object]:
        return {**{name: "" for name in SHARE_FIELDS}, "direction": SHARE_DIRECTIONS[0],
                "category": SHARE_CATEGORIES[0], "sent_on": self.ctx.today(), "next_due": None}

    def create_record(self, session: Session, values: dict[str, Any]) -> uuid.UUID:
        return add_info_share(session, provider=str(values.pop("provider", "")), **values).id

    def update_record(self, session: Session, row_id: uuid.UUID, changes: dict[str, Any]) -> None:
        edit_info_share(session, row_id, base=self.edit_base(row_id), **changes)
