"""Attachments of a record: drop files onto the list to store them inside the encrypted database.
The glue below only creates Attachment rows with core types (no core service exists for it yet)."""
from __future__ import annotations

import mimetypes
import uuid
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QDragEnterEvent, QDropEvent
from PySide6.QtWidgets import QListWidget, QListWidgetItem
from sqlalchemy import select
from sqlalchemy.orm import Session

from models.attachment import Attachment, store_blob
from models.errors import DomainError
from ui import messages
from ui.context import AppContext
from ui.i18n import tr

MAX_BYTES = 50 * 1024 * 1024


def add_attachment(session: Session, owner_entity: str, owner_id: uuid.UUID, path: Path) -> Attachment:
    data = path.read_bytes()
    if len(data) > MAX_BYTES:
        raise DomainError("attachment_too_big", tr("附件不能超过 50 MB：{name}").format(name=path.name))
    digest = store_blob(session, data)
    attachment = Attachment(owner_entity=owner_entity, owner_id=owner_id, filename=path.name, size=len(data),
                            mime=mimetypes.guess_type(path.name)[0] or "application/octet-stream", sha256=digest)
    session.add(attachment)
    session.flush()
    return attachment


def attachment_names(session: Session, owner_id: uuid.UUID) -> list[tuple[str, int]]:
    return [(a.filename, a.size) for a in session.scalars(
        select(Attachment).where(Attachment.owner_id == owner_id, Attachment.deleted.is_(False))
        .order_by(Attachment.created_hlc))]


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
            for name, size in attachment_names(session, self.owner_id):
                self.addItem(QListWidgetItem(f"{name}（{max(1, size // 1024)} KB）"))

    def add_files(self, paths: list[Path]) -> None:
        if self.owner_id is None:
            messages.show_error(self, tr("请先保存记录，再添加附件"))
            return
        try:
            with self.ctx.db.session_scope() as session:
                for path in paths:
                    add_attachment(session, self.owner_entity, self.owner_id, path)
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
