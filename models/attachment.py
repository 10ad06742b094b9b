"""Attachments (scanned replies, 佐证材料): a replicated metadata row plus content-addressed bytes,
referenced by the SHA-256 of their plaintext. The bytes live in the blob store (models/blobstore.py):
encrypted files beside a database file, or the `blob` table where the database is not a local file."""
from __future__ import annotations

import uuid

from sqlalchemy import BigInteger, Integer, LargeBinary, String, Uuid
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
    """The table store (a database that is not a local file); keyed by SHA-256, never replicated
    (blobs travel by hash). Empty on a database file since migration 0015."""

    __tablename__ = "blob"

    sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    size: Mapped[int] = mapped_column(BigInteger)
    data: Mapped[bytes] = mapped_column(LargeBinary)


class BlobKey(Base):
    """The secret the blob files are encrypted and named with (one row, local, never replicated)."""

    __tablename__ = "blob_key"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    secret: Mapped[bytes] = mapped_column(LargeBinary)


def store_blob(session: Session, data: bytes) -> str:
    """Stores `data` (if not already stored) and returns its SHA-256."""
    from models.blobstore import blob_store

    return blob_store(session).put(data)
