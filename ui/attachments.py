"""Attachments of a record: drop files onto the list to store them inside the encrypted database
(models.services.attachments does the storing)."""
from __future__ import annotations

import uuid
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QDragEnterEvent, QDropEvent
from PySide6.QtWidgets import QListWidget, QListWidgetItem

from models.errors import DomainError
from models.services.attachments import MAX_BYTES, add_attachment, attachments_of
from ui import messages
from ui.context import AppContext
from ui.i18n import tr


class AttachmentList(QListWidget):
    def __init__(self, ctx: AppContext, owner_entity: str) -> None:
        super().__init__()
        self.ctx = ctx
        self.owner_entity = owner_entity
        self.owner_id: uuid.UUID | None = None
        self.setAcceptDrops(True)
        self.setMaximumHeight(90)
        self.setToolTip(tr("把扫描件、回复函等文件拖到这里即可保存为附件"))

    def set_owner(self, owner_id: uuid.UUID | None) -> None:
        self.owner_id = owner_id
        self.refresh()

    def refresh(self) -> None:
        self.clear()
        if self.owner_id is None:
            return
        with self.ctx.db.session_scope() as session:
            for row in attachments_of(session, self.owner_id):
                self.addItem(QListWidgetItem(f"{row.filename}（{max(1, row.size // 1024)} KB）"))

    def add_files(self, paths: list[Path]) -> None:
        if self.owner_id is None:
            messages.show_error(self, tr("请先保存记录，再添加附件"))
            return
        try:
            with self.ctx.db.session_scope() as session:
                for path in paths:
                    if path.stat().st_size > MAX_BYTES:  # refuse before reading it into memory
                        raise DomainError("attachment_too_big", tr("附件不能超过 50 MB：{name}").format(name=path.name))
                    add_attachment(session, self.owner_entity, self.owner_id, path.name, path.read_bytes())
        except (DomainError, OSError) as exc:
            messages.show_error(self, exc)
        self.refresh()

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if event.mimeData().hasUrls():
            event.acceptProposedAction()

    def dragMoveEvent(self, event: QDragEnterEvent) -> None:  # type: ignore[override]
        if event.mimeData().hasUrls():
            event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:
        paths = [Path(url.toLocalFile()) for url in event.mimeData().urls() if url.isLocalFile()]
        files = [p for p in paths if p.is_file()]
        if files:
            event.setDropAction(Qt.DropAction.CopyAction)
            event.accept()
            self.add_files(files)
