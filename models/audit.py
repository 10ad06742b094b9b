"""Append-only, hash-chained audit log of non-data events (unlock, password change, imports,
exports, backups...). Field-level data changes live in the op log; audit rows reference them.
hash = SHA-256(prev_hash ‖ canonical row); `verify_chain` finds edited, deleted or reordered rows."""
from __future__ import annotations

import datetime as dt
import hashlib
from typing import Any

from sqlalchemy import DDL, BigInteger, String, Text, event, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from models.base import Base
from models.fieldcodec import canonical_json
from models.oplog import WriterContext, local_state

GENESIS = "0" * 64


class AuditEvent(Base):
    __tablename__ = "audit_event"

    seq: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=True)
    hlc: Mapped[int] = mapped_column(BigInteger)
    at: Mapped[str] = mapped_column(String(40))            # local wall time, ISO, for people
    site_id: Mapped[str] = mapped_column(String(40))
    user: Mapped[str] = mapped_column(String(100), default="")
    event: Mapped[str] = mapped_column(String(60))
    object_ref: Mapped[str] = mapped_column(String(200), default="")
    detail: Mapped[str] = mapped_column(Text, default="{}")
    result: Mapped[str] = mapped_column(String(20), default="ok")
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))

    def chained_fields(self) -> dict[str, Any]:
        return {"seq": self.seq, "hlc": self.hlc, "at": self.at, "site": self.site_id, "user": self.user,
                "event": self.event, "object": self.object_ref, "detail": self.detail, "result": self.result}


# Append-only in the database too, not only in the code (SQLite syntax; PostgreSQL needs its own).
APPEND_ONLY_TRIGGERS = tuple(
    f"CREATE TRIGGER audit_no_{action.lower()} BEFORE {action} ON audit_event "
    "BEGIN SELECT RAISE(ABORT, 'audit log is append-only'); END" for action in ("UPDATE", "DELETE"))
for _sql in APPEND_ONLY_TRIGGERS:
    event.listen(AuditEvent.__table__, "after_create", DDL(_sql).execute_if(dialect="sqlite"))


def chain_hash(prev_hash: str, fields: dict[str, Any]) -> str:
    return hashlib.sha256((prev_hash + canonical_json(fields)).encode()).hexdigest()


def append_audit(session: Session, event_name: str, *, object_ref: str = "",
                 detail: dict[str, Any] | None = None, result: str = "ok") -> AuditEvent:
    writer: WriterContext = session.info["writer"]
    last = session.scalars(select(AuditEvent).order_by(AuditEvent.seq.desc()).limit(1)).first()
    row = AuditEvent(seq=(last.seq + 1) if last else 1, hlc=writer.clock.tick(),
                     at=dt.datetime.now().isoformat(timespec="seconds"), site_id=local_state(session).site_id,
                     user=writer.user, event=event_name, object_ref=object_ref,
                     detail=canonical_json(detail or {}), result=result,
                     prev_hash=last.hash if last else GENESIS)
    row.hash = chain_hash(row.prev_hash, row.chained_fields())
    local_state(session).hlc = writer.clock.last
    session.add(row)
    session.flush()
    return row


def verify_chain(session: Session) -> list[str]:
    """Problems found, in Chinese; empty when the chain is intact."""
    problems = []
    prev, expected_seq = GENESIS, 1
    for row in session.scalars(select(AuditEvent).order_by(AuditEvent.seq)):
        if row.seq != expected_seq:
            problems.append(f"审计记录缺失：应为第{expected_seq}条，实为第{row.seq}条")
        if row.prev_hash != prev or row.hash != chain_hash(row.prev_hash, row.chained_fields()):
            problems.append(f"审计记录第{row.seq}条被篡改")
        prev, expected_seq = row.hash, row.seq + 1
    return problems
