"""Append-only, keyed hash chain of non-data events (unlock, password change, imports, exports,
backups...). Field-level data changes live in the op log; audit rows reference them.

hash = HMAC-SHA256(audit key, prev_hash ‖ canonical row), the audit key derived from the data key with
HKDF, so a row cannot be rewritten and the chain recomputed without the key. The head (count, hash) is
kept outside the database (the key file, models/integrity.py) and witnessed by every peer (package
manifests), so deleting the newest rows is found too; `verify_chain` finds edited, deleted or
reordered rows, `doctor` compares the head with its witnesses."""
from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import weakref
from typing import Any

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from sqlalchemy import DDL, BigInteger, Engine, String, Text, event, select, text
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


# Append-only in the database too, not only in the code: SQLite triggers here, their PostgreSQL
# counterparts (a trigger function, and TRUNCATE refused as well) in PG_GUARD_TRIGGERS.
GUARD_TRIGGERS = {f"audit_no_{action.lower()}": f"CREATE TRIGGER audit_no_{action.lower()} BEFORE {action} ON "
                  "audit_event BEGIN SELECT RAISE(ABORT, 'audit log is append-only'); END"
                  for action in ("UPDATE", "DELETE")}
APPEND_ONLY_TRIGGERS = tuple(GUARD_TRIGGERS.values())
PG_GUARD_FUNCTION = ("CREATE OR REPLACE FUNCTION audit_append_only() RETURNS trigger LANGUAGE plpgsql AS "
                     "$$BEGIN RAISE EXCEPTION 'audit log is append-only'; END$$")
PG_GUARD_TRIGGERS = {f"audit_no_{action.lower()}": f"CREATE TRIGGER audit_no_{action.lower()} BEFORE {action} ON "
                     f"audit_event FOR EACH {level} EXECUTE FUNCTION audit_append_only()"
                     for action, level in (("UPDATE", "ROW"), ("DELETE", "ROW"), ("TRUNCATE", "STATEMENT"))}
for _sql in APPEND_ONLY_TRIGGERS:
    event.listen(AuditEvent.__table__, "after_create", DDL(_sql).execute_if(dialect="sqlite"))
for _sql in (PG_GUARD_FUNCTION, *PG_GUARD_TRIGGERS.values()):
    event.listen(AuditEvent.__table__, "after_create", DDL(_sql).execute_if(dialect="postgresql"))


def guard_trigger_sql(dialect: str) -> dict[str, str]:
    """The guard triggers of this dialect by name (PostgreSQL's need PG_GUARD_FUNCTION first)."""
    return PG_GUARD_TRIGGERS if dialect == "postgresql" else GUARD_TRIGGERS


# Audit key per open database, found from a session through its connection pool (shared by the write
# and read engines of one Database); registered by models/integrity.py when the database is opened.
_AUDIT_KEYS: weakref.WeakKeyDictionary[object, bytes] = weakref.WeakKeyDictionary()


def derive_audit_key(dek: bytes | None) -> bytes:
    return HKDF(hashes.SHA256(), 32, salt=b"FJLD-audit-v1", info=b"audit chain").derive(dek or b"")


def register_audit_key(engine: Engine, dek: bytes | None) -> None:
    _AUDIT_KEYS[engine.pool] = derive_audit_key(dek)


def _audit_key(session: Session) -> bytes:
    bind = session.get_bind()
    key = _AUDIT_KEYS.get(getattr(bind, "pool", None))
    return key if key is not None else derive_audit_key(None)


def chain_hash(prev_hash: str, fields: dict[str, Any], key: bytes) -> str:
    return hmac.new(key, (prev_hash + canonical_json(fields)).encode(), hashlib.sha256).hexdigest()


def audit_head(session: Session) -> dict[str, Any]:
    """(count, hash) of the newest row: what the key file and the peers keep as witnesses."""
    last = session.scalars(select(AuditEvent).order_by(AuditEvent.seq.desc()).limit(1)).first()
    return {"count": last.seq, "hash": last.hash} if last else {"count": 0, "hash": GENESIS}


def missing_guard_triggers(session: Session) -> list[str]:
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        present = set(session.scalars(text("SELECT tgname FROM pg_trigger WHERE NOT tgisinternal "
                                           "AND tgrelid = 'audit_event'::regclass")))
    else:
        present = set(session.scalars(text("SELECT name FROM sqlite_master WHERE type = 'trigger'")))
    return sorted(set(guard_trigger_sql(dialect)) - present)


def append_audit(session: Session, event_name: str, *, object_ref: str = "",
                 detail: dict[str, Any] | None = None, result: str = "ok") -> AuditEvent:
    writer: WriterContext = session.info["writer"]
    last = session.scalars(select(AuditEvent).order_by(AuditEvent.seq.desc()).limit(1)).first()
    row = AuditEvent(seq=(last.seq + 1) if last else 1, hlc=writer.clock.tick(),
                     at=dt.datetime.now().isoformat(timespec="seconds"), site_id=local_state(session).site_id,
                     user=writer.user, event=event_name, object_ref=object_ref,
                     detail=canonical_json(detail or {}), result=result,
                     prev_hash=last.hash if last else GENESIS)
    row.hash = chain_hash(row.prev_hash, row.chained_fields(), _audit_key(session))
    local_state(session).hlc = writer.clock.last
    session.add(row)
    session.flush()
    session.info["audit_head"] = {"count": row.seq, "hash": row.hash}  # to the key file after commit
    return row


def verify_chain(session: Session) -> list[str]:
    """Problems found, in Chinese; empty when the chain is intact."""
    problems = []
    key = _audit_key(session)
    prev, expected_seq = GENESIS, 1
    legacy = True  # rows written before the chain was keyed (schema 0009) may open it, unkeyed
    for row in session.scalars(select(AuditEvent).order_by(AuditEvent.seq)):
        if row.seq != expected_seq:
            problems.append(f"审计记录缺失：应为第{expected_seq}条，实为第{row.seq}条")
        keyed = row.hash == chain_hash(row.prev_hash, row.chained_fields(), key)
        unkeyed = legacy and not keyed and row.hash == hashlib.sha256(
            (row.prev_hash + canonical_json(row.chained_fields())).encode()).hexdigest()
        legacy = legacy and unkeyed
        if row.prev_hash != prev or not (keyed or unkeyed):
            problems.append(f"审计记录第{row.seq}条被篡改")
        prev, expected_seq = row.hash, row.seq + 1
    return problems


def check_head(session: Session, head: dict[str, Any], witness: str) -> list[str]:
    """Compares the chain with a head kept elsewhere (`witness` names where, for the message). A chain
    longer than the witness is fine (the witness lags); shorter means rows were cut off; a different
    hash at the witnessed position means the chain was rewritten."""
    count, expected = int(head.get("count", 0)), str(head.get("hash", ""))
    if count <= 0:
        return []
    row = session.get(AuditEvent, count)
    if row is None:
        have = audit_head(session)["count"]
        return [f"审计记录被截断：{witness}记录有 {count} 条，数据库中只有 {have} 条"]
    if not hmac.compare_digest(row.hash, expected):
        return [f"审计记录被改写：第 {count} 条与{witness}记录的不一致"]
    return []
