"""Attachments of a record: drop files onto the list to store them inside the encrypted database
(models.services.attachments does the storing)."""
from __future__ import annotations

import uuid
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QDragEnterEvent, QDropEvent
from PySide6.QtWidgets import QListWidget, QListWidgetItem

from models.services.attachments import add_attachment_files, attachments_of
from ui import messages
from ui.context import AppContext
from ui.i18n import tr
from ui.workers import Operation, run_operation, write_job


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
        owner_id = self.owner_id
        for row in self.ctx.read(lambda session: attachments_of(session, owner_id)):
            self.addItem(QListWidgetItem(f"{row.filename}（{max(1, row.size // 1024)} KB）"))

    def add_files(self, paths: list[Path]) -> None:
        """Reading and encrypting scans can take seconds: done by a writing operation off the GUI thread."""
        owner_id, entity = self.owner_id, self.owner_entity
        if owner_id is None:
            messages.show_error(self, tr("请先保存记录，再添加附件"))
            return
        job = write_job(self.ctx.db, lambda session, progress, is_cancelled: add_attachment_files(
            session, entity, owner_id, paths, progress, is_cancelled))
        run_operation(self, Operation(tr("正在保存附件…"), job, writes=True, changes=frozenset({"attachment"})),
                      lambda _count: self.refresh(), ctx=self.ctx)

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
