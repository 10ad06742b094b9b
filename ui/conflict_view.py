"""冲突处理: fields two workstations changed differently, shown side by side; choosing a value is an
ordinary edit that supersedes both (models/services/sync.py), so every workstation converges. A
删除-修改 conflict offers "keep deleted" or "keep the record". Fields this workstation's role may not
write are shown read-only."""
from __future__ import annotations

import datetime as dt
import json
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

from models.errors import DomainError
from models.hlc import wall_ms_of
from models.services import conflict_choices
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
        list_box = QGroupBox(tr("冲突（选择一条）"))   # a heading on both sides: the two boxes line up
        QVBoxLayout(list_box).addWidget(self.conflicts)
        layout = QHBoxLayout(self)
        layout.addWidget(list_box, 2)
        layout.addWidget(sides_box, 3)
        self.refresh()

    def refresh(self) -> None:
        self.conflicts.clear()
        self._choosable: dict[tuple[str, str, str], bool] = {}
        with self.ctx.db.read_scope() as session:
            rows = conflict_choices.conflict_rows(session)
        for row in rows:
            conflict = row.conflict
            kind = tr("（删除-修改冲突）") if conflict.kind == "delete_edit" else ""
            item = QListWidgetItem(f"【{LABELS.get(conflict.entity, conflict.entity)}】{row.title} · "
                                   f"{field_label(conflict.entity, conflict.field)}{kind}")
            item.setData(CONFLICT_ROLE, conflict)
            self._choosable[(conflict.entity, conflict.row_id, conflict.field)] = row.choosable
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
        conflict: conflict_choices.ConflictInfo | None = item.data(CONFLICT_ROLE) if item is not None else None
        if conflict is None:
            return
        choosable = self._choosable.get((conflict.entity, conflict.row_id, conflict.field), True)
        for column, head in enumerate(conflict.heads):
            field = field_label(conflict.entity, conflict.field) if conflict.kind == "value" else (
                tr("删除") if column == 0 else tr("修改"))
            header = QLabel(tr("{who}（{when}）").format(who=head.get("user") or head["site_id"][:8],
                                                       when=hlc_time(int(head["hlc"]))))
            header.setStyleSheet("font-weight: bold;")
            value = QLabel(f"{field}：{value_text(head['value'])}")
            value.setWordWrap(True)
            value.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            label = tr("采用这个值")
            if conflict.kind == "delete_edit":
                label = tr("保持删除") if column == 0 else tr("保留记录（采用修改）")
            choose = QPushButton(label)
            choose.setObjectName(f"choose_{column}")
            choose.setEnabled(choosable)
            if not choosable:
                choose.setToolTip(tr("本工作站的角色无权修改此项，由检察院一方处理"))
            choose.clicked.connect(lambda _=False, n=column, c=conflict: self.choose(c, n))
            self.sides.addWidget(header, 0, column)
            self.sides.addWidget(value, 1, column)
            self.sides.addWidget(choose, 2, column)
        self.sides.setRowStretch(3, 1)

    def choose(self, conflict: conflict_choices.ConflictInfo, column: int) -> None:
        try:
            with self.ctx.db.write_scope() as session:
                conflict_choices.choose_conflict(session, conflict, column)
        except DomainError as exc:
            messages.show_error(self, exc)
            return
        self.refresh()
        self.resolved.emit()

    def count(self) -> int:
        with self.ctx.db.read_scope() as session:
            return len(conflict_choices.conflicts(session))


def conflict_panel(ctx: AppContext) -> tuple[QWidget, ConflictView]:
    box = QGroupBox(tr("冲突处理"))
    view = ConflictView(ctx)
    layout = QVBoxLayout(box)
    layout.addWidget(view)
    return box, view
