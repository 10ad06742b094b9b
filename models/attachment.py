"""Attachments (scanned replies, 佐证材料): a replicated metadata row plus content-addressed bytes
stored inside the encrypted database (atomic with the record, included in backups)."""
from __future__ import annotations

import hashlib
import uuid

from sqlalchemy import BigInteger, LargeBinary, String, Uuid, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from models.base import Base, SyncedMixin


class Attachment(SyncedMixin, Base):
    __tablename__ = "attachment"
    entity_name = "attachment"

    owner_entity: Mapped[str] = mapped_column(String(40), default="")
    owner_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, default=None, index=True)
    filename: Mapped[str] = mapped_column(String(255), default="")
    mime: Mapped[str] = mapped_column(String(100), default="application/octet-stream")
    size: Mapped[int] = mapped_column(BigInteger, default=0)
    sha256: Mapped[str] = mapped_column(String(64), default="")


class Blob(Base):
    """Local content store keyed by SHA-256; not a replicated entity (blobs travel by hash)."""

    __tablename__ = "blob"

    sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    size: Mapped[int] = mapped_column(BigInteger)
    data: Mapped[bytes] = mapped_column(LargeBinary)


def store_blob(session: Session, data: bytes) -> str:
    digest = hashlib.sha256(data).hexdigest()
    if session.scalar(select(Blob.sha256).where(Blob.sha256 == digest)) is None:
        session.add(Blob(sha256=digest, size=len(data), data=data))
    return digest
