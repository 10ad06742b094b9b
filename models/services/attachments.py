"""Attachments (scanned 回复函, 佐证材料): bytes in the encrypted blob store (models/blobstore.py) by
SHA-256, written before their replicated metadata row; streamed from the dropped file, never read whole. File names are metadata only and sanitised before they are
ever used as a file name again (sync-security.md §B.3.11)."""
from __future__ import annotations

import mimetypes
import re
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from models.attachment import Attachment
from models.blobstore import CHUNK, blob_store
from models.errors import Cancelled, DomainError
from models.services.common import get_live

MAX_BYTES = 50 * 1024 * 1024
_RESERVED = re.compile(r"^(CON|PRN|AUX|NUL|COM[1-9]|LPT[1-9])(\..*)?$", re.IGNORECASE)
_FORBIDDEN = re.compile(r'[\\/:*?"<>|\x00-\x1f]')


@dataclass(frozen=True)
class AttachmentRow:
    id: uuid.UUID
    filename: str
    size: int
    mime: str


def safe_filename(name: str) -> str:
    """A name that is safe to write on Windows: no path parts, reserved names, streams or odd dots."""
    name = _FORBIDDEN.sub("_", name.replace("\\", "/").split("/")[-1]).strip(" .")
    if not name or _RESERVED.match(name):
        name = f"附件_{name}" if name else "附件"
    return name[:120]


def add_attachment(session: Session, owner_entity: str, owner_id: uuid.UUID, filename: str,
                   data: bytes) -> Attachment:
    if len(data) > MAX_BYTES:
        raise DomainError("attachment_too_big", f"附件不能超过 50 MB：{filename}")
    sha, size, _new = blob_store(session).put_stream(data[start:start + CHUNK] for start in range(0, len(data), CHUNK))
    return _add_row(session, owner_entity, owner_id, filename, sha, size)


def _add_row(session: Session, owner_entity: str, owner_id: uuid.UUID, filename: str, sha256: str,
             size: int) -> Attachment:
    name = safe_filename(filename)
    attachment = Attachment(owner_entity=owner_entity, owner_id=owner_id, filename=name, size=size,
                            mime=mimetypes.guess_type(name)[0] or "application/octet-stream", sha256=sha256)
    session.add(attachment)
    session.flush()
    return attachment


def _read_file(path: Path) -> Iterator[bytes]:
    with open(path, "rb") as handle:
        while block := handle.read(CHUNK):
            yield block


def add_attachment_files(session: Session, owner_entity: str, owner_id: uuid.UUID, paths: list[Path],
                         progress: Callable[[int, int], None] = lambda done, total: None,
                         is_cancelled: Callable[[], bool] = lambda: False) -> int:
    """Files dropped on a record, all or none (one write Session); a cancel between files rolls back."""
    for done, path in enumerate(paths):
        if is_cancelled():
            raise Cancelled()
        progress(done, len(paths))
        try:
            if path.stat().st_size > MAX_BYTES:  # refuse before reading it
                raise DomainError("attachment_too_big", f"附件不能超过 50 MB：{path.name}")
            sha, size, _new = blob_store(session).put_stream(_read_file(path))  # bytes first, then the row
        except OSError as exc:
            raise DomainError("file_unreadable", f"无法读取文件：{path.name}（{exc.strerror or exc}）") from None
        if size > MAX_BYTES:  # grew while being read
            raise DomainError("attachment_too_big", f"附件不能超过 50 MB：{path.name}")
        _add_row(session, owner_entity, owner_id, path.name, sha, size)
    progress(len(paths), len(paths))
    return len(paths)


def attachments_of(session: Session, owner_id: uuid.UUID) -> list[AttachmentRow]:
    return [AttachmentRow(a.id, a.filename, a.size, a.mime) for a in session.scalars(
        select(Attachment).where(Attachment.owner_id == owner_id, Attachment.deleted.is_(False))
        .order_by(Attachment.created_hlc))]


def attachment_bytes(session: Session, attachment_id: uuid.UUID | str) -> tuple[str, bytes]:
    """(safe file name, content) for 另存为; the content may still be on its way from a peer."""
    attachment = get_live(session, Attachment, attachment_id)
    store = blob_store(session)
    if not store.has(attachment.sha256):
        raise DomainError("blob_missing", f"附件“{attachment.filename}”的内容尚未同步到本机")
    return safe_filename(attachment.filename), store.read(attachment.sha256)


@dataclass(frozen=True)
class BlobCheck:
    present: int          # attachment contents found and hash-checked
    not_here: int         # referenced but not on this machine (yet to arrive from a peer, or lost)
    damaged: list[str]    # file names (safe) of attachments whose stored bytes fail the check


def check_attachment_files(session: Session) -> BlobCheck:
    """For `doctor`: reads every stored attachment through its hash check (the whole store: minutes for
    many GB). Unreferenced leftovers are removed by models.blobstore.collect_garbage."""
    store = blob_store(session)
    present = not_here = 0
    damaged: list[str] = []
    for sha, filename in session.execute(select(Attachment.sha256, Attachment.filename)
                                         .where(Attachment.sha256 != "").order_by(Attachment.sha256)):
        if not store.has(sha):
            not_here += 1
            continue
        try:
            for _chunk in store.chunks(sha):
                pass
            present += 1
        except DomainError:
            damaged.append(safe_filename(filename))
    return BlobCheck(present, not_here, damaged)
