"""Declarative base and the columns every replicated record carries.

Replicated records are written by several offline workstations and merged by file exchange
(sync-security.md §A.3), hence: UUIDv7 ids instead of autoincrement, HLC timestamps instead of wall
time, the id of the workstation that last changed the row, and tombstones instead of row removal.
Business numbers (文号, 案号) are never UNIQUE: duplicates after a merge are a reviewable finding.
Foreign keys are declared for the ORM but not enforced by SQLite: a child row may arrive before its
parent in a package, and the post-merge check lists orphans instead."""
from __future__ import annotations

import uuid

from sqlalchemy import BigInteger, String, Uuid
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from models.ids import uuid7


def new_id() -> uuid.UUID:
    return uuid7()

# Columns that describe the record's sync state; they are derived from the op log, not replicated.
BOOKKEEPING_COLUMNS = frozenset({"id", "created_hlc", "updated_hlc", "updated_site"})


class Base(DeclarativeBase):
    pass


class SyncedMixin:
    """Mixed into every replicated entity. `entity_name` is the stable name used in ops and packages."""

    entity_name: str = ""

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=new_id)
    created_hlc: Mapped[int] = mapped_column(BigInteger, default=0)
    updated_hlc: Mapped[int] = mapped_column(BigInteger, default=0, index=True)
    updated_site: Mapped[str] = mapped_column(String(40), default="")
    deleted: Mapped[bool] = mapped_column(default=False, index=True)


def derived(**kwargs: object) -> dict[str, object]:
    """Column `info` marking a value computed locally from replicated fields (never replicated:
    every site would mint different ops for it and show spurious conflicts)."""
    return {"derived": True, **kwargs}
