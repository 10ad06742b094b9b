"""冲突处理: fields two workstations changed differently, shown side by side; choosing a value is an
ordinary edit that supersedes both (models.merge.resolve_conflict), so every workstation converges."""
from __future__ import annotations

import datetime as dt
import json
import uuid
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from models.hlc import wall_ms_of
from models.merge import ConflictInfo, list_conflicts, resolve_conflict
from models.registry import ENTITY_BY_NAME
from models.search import display_title
from models.services.common import LABELS
from ui import messages
from ui.context import AppContext
from ui.field_labels import field_label
from ui.i18n import tr

CONFLICT_ROLE = Qt.ItemDataRole.UserRole + 5


def value_text(value: Any) -> str:
    if value is None or value == "":
        return tr("（空）")
    if isinstance(value, bool):
        return tr("是") if value else tr("否")
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)


def hlc_time(hlc: int) -> str:
    # The hybrid clock keeps wall-clock milliseconds in its high bits.
    millis = wall_ms_of(hlc)
    try:
        return dt.datetime.fromtimestamp(millis / 1000).strftime("%Y-%m-%d %H:%M")
    except (OverflowError, OSError, ValueError):
        return str(hlc)


class ConflictView(QWidget):
    CONFLICT_ROLE = CONFLICT_ROLE
    resolved = Signal()

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.conflicts = QListWidget()
        self.conflicts.currentItemChanged.connect(self.show_current)
        self.sides = QGridLayout()
        sides_box = QGroupBox(tr("各方的值（选择要保留的一个）"))
        sides_box.setLayout(self.sides)
        layout = QHBoxLayout(self)
        layout.addWidget(self.conflicts, 2)
        layout.addWidget(sides_box, 3)
        self.refresh()

    def refresh(self) -> None:
        self.conflicts.clear()
        with self.ctx.db.session_scope() as session:
            for conflict in list_conflicts(session):
                obj = session.get(ENTITY_BY_NAME[conflict.entity], uuid.UUID(conflict.row_id))
                title = display_title(obj) if obj is not None else conflict.row_id
                item = QListWidgetItem(f"【{LABELS.get(conflict.entity, conflict.entity)}】{title} · {field_label(conflict.entity, conflict.field)}")
                item.setData(CONFLICT_ROLE, conflict)
                self.conflicts.addItem(item)
        if self.conflicts.count():
            self.conflicts.setCurrentRow(0)
        else:
            self.conflicts.addItem(tr("没有冲突"))
            self._clear_sides()

    def _clear_sides(self) -> None:
        while self.sides.count():
            widget = self.sides.takeAt(0).widget()
            if widget is not None:
                widget.deleteLater()

    def show_current(self, item: QListWidgetItem | None, _previous: object = None) -> None:
        self._clear_sides()
        conflict: ConflictInfo | None = item.data(CONFLICT_ROLE) if item is not None else None
        if conflict is None:
            return
        for column, head in enumerate(conflict.heads):
            field = field_label(conflict.entity, conflict.field) if conflict.kind == "value" else (
                tr("删除") if column == 0 else tr("修改"))
            header = QLabel(tr("{who}（{when}）").format(who=head.get("user") or head["site_id"][:8],
                                                       when=hlc_time(int(head["hlc"]))))
            header.setStyleSheet("font-weight: bold;")
            value = QLabel(f"{field}：{value_text(head['value'])}")
            value.setWordWrap(True)
            value.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            choose = QPushButton(tr("采用这个值"))
            choose.setObjectName(f"choose_{column}")
            choose.clicked.connect(lambda _=False, n=column, c=conflict: self.choose(c, n))
            self.sides.addWidget(header, 0, column)
            self.sides.addWidget(value, 1, column)
            self.sides.addWidget(choose, 2, column)
        self.sides.setRowStretch(3, 1)

    def choose(self, conflict: ConflictInfo, column: int) -> None:
        field, value = conflict.field, conflict.heads[column]["value"]
        if conflict.kind == "delete_edit":
            field, value = "deleted", column == 0   # heads: [the delete, the newer edit]
        try:
            with self.ctx.db.session_scope() as session:
                resolve_conflict(session, conflict.entity, conflict.row_id, field, value)
        except (KeyError, ValueError) as exc:
            messages.show_error(self, tr("无法处理该冲突：{e}").format(e=exc))
            return
        self.refresh()
        self.resolved.emit()

    def count(self) -> int:
        with self.ctx.db.session_scope() as session:
            return len(list_conflicts(session))


def conflict_panel(ctx: AppContext) -> tuple[QWidget, ConflictView]:
    box = QGroupBox(tr("冲突处理"))
    view = ConflictView(ctx)
    layout = QVBoxLayout(box)
    layout.addWidget(view)
    return box, view
