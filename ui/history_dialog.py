"""修改记录: every change of one record — when, who, on which workstation, which field, from what, to
what — read from the op log by models.services.history.record_history."""
from __future__ import annotations

import datetime as dt
import json
import uuid
from typing import Any

from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from models.hlc import wall_ms_of
from models.services.history import FieldChange, record_history
from ui.context import AppContext
from ui.field_labels import field_label
from ui.i18n import tr

HEADERS = (tr("时间"), tr("操作人"), tr("工作站"), tr("字段"), tr("原值"), tr("新值"))


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return tr("是") if value else tr("否")
    if isinstance(value, list):
        return tr("（冲突：{values}）").format(values=" / ".join(_text(v) for v in value))
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)


def history_rows(entity: str, changes: list[FieldChange], site_labels: dict[str, str]) -> list[tuple[str, ...]]:
    """Newest first; a new record's empty fields are left out."""
    rows = []
    for change in reversed(changes):
        if change.before is None and change.after in (None, "", False):
            continue
        when = dt.datetime.fromtimestamp(wall_ms_of(change.hlc) / 1000).strftime("%Y-%m-%d %H:%M")
        rows.append((when, change.user, site_labels.get(change.site_id, change.site_id[:8]),
                     field_label(entity, change.field), _text(change.before), _text(change.after)))
    return rows


class HistoryDialog(QDialog):
    def __init__(self, title: str, rows: list[tuple[str, ...]], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(tr("修改记录：{title}").format(title=title))
        self.table = QTableWidget(len(rows), len(HEADERS))
        self.table.setHorizontalHeaderLabels(HEADERS)
        self.table.verticalHeader().hide()
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        for r, row in enumerate(rows):
            for c, text in enumerate(row):
                item = QTableWidgetItem(text)
                item.setToolTip(text)
                self.table.setItem(r, c, item)
        self.table.resizeColumnsToContents()
        self.table.horizontalHeader().setSectionResizeMode(len(HEADERS) - 1, QHeaderView.ResizeMode.Stretch)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.button(QDialogButtonBox.StandardButton.Close).setText(tr("关闭"))
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.table)
        layout.addWidget(buttons)
        self.resize(900, 480)


def record_history_rows(ctx: AppContext, entity: str, row_id: uuid.UUID) -> list[tuple[str, ...]]:
    """The dialog's rows for one record, read in a snapshot (answers at once while a worker writes)."""
    history = ctx.read(lambda session: record_history(session, entity, row_id))
    return history_rows(entity, history.changes, history.site_labels)


def show_record_history(ctx: AppContext, parent: QWidget, entity: str, row_id: uuid.UUID, title: str) -> None:
    """修改记录… of any record: what every screen's button calls."""
    HistoryDialog(title, record_history_rows(ctx, entity, row_id), parent).exec()
