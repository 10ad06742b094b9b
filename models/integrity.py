"""What is checked and kept outside the database file each time it is opened (sync-security.md §B.3.8):

- the audit key (HMAC, derived from the data key) is registered for the open database;
- the audit guard triggers exist, or are re-created with an audit event;
- the witnesses in the key file (and keyring): the audit head is written there after every commit that
  appended an audit row; the highest op seq that left this machine (an export) before the export's
  commit. A database file older than the ops this site already issued (a file copied back from a
  backup) starts a new sync incarnation before its next write, with an audit event, so it never
  re-uses an op id its peers hold;
- the author shown to peers is the office's display name, not the OS login.
"""
from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import event, text
from sqlalchemy.orm import Session

from models.audit import (
    PG_GUARD_FUNCTION,
    append_audit,
    audit_head,
    guard_trigger_sql,
    missing_guard_triggers,
    register_audit_key,
)
from models.errors import DomainError
from models.fieldcodec import clean_text
from models.fsutil import DATABASE_FOLDER, atomic_write_bytes
from models.keyslots import KeyFile, keys_path_for, merge_witness
from models.oplog import local_state

if TYPE_CHECKING:
    from models.storage import Database

log = logging.getLogger(__name__)
DISPLAY_NAME_SETTING = "display_name"


def on_open(db: Database, *, explicit_user: bool) -> None:
    import models.sync.policy  # noqa: F401  (registers the local write guard)

    register_audit_key(db.engine, db.dek)
    DATABASE_FOLDER[:] = [db.path.parent]
    event.listen(db.sessions, "before_commit", lambda session: _before_commit(session, db))
    event.listen(db.sessions, "after_commit", lambda session: _after_commit(session, db))
    event.listen(db.sessions, "after_rollback", _forget)
    witness = _key_file(db).read_witness() if _has_witness(db) else {}
    with db.read_scope() as session:
        from models.sync.export import packages_key, packages_sent

        state = local_state(session)
        missing = missing_guard_triggers(session)
        issued = int(witness.get("sync", {}).get(state.incarnation, 0))
        packages = int(witness.get("sync", {}).get(packages_key(state.incarnation), 0))
        sent = packages_sent(session, state.incarnation)
        stale = issued > state.seq or packages > sent
        if not explicit_user:
            db.user = display_name(session) or db.user
    if missing or stale:
        with db.write_scope() as session:
            dialect = session.get_bind().dialect.name
            if missing and dialect == "postgresql":
                session.execute(text(PG_GUARD_FUNCTION))
            for name in missing:
                session.execute(text(guard_trigger_sql(dialect)[name]))
            if missing:
                append_audit(session, "audit_triggers_restored", detail={"triggers": missing}, result="warning")
            if stale:
                renew_incarnation(session, "file_older_than_issued_ops",
                                  {"file_seq": local_state(session).seq, "issued_seq": issued,
                                   "file_packages": sent, "packages_sent": packages})


def storage_findings(db: Database) -> list[str]:
    """The engine's own check of its storage: SQLite's integrity check and SQLCipher's page HMACs on a
    file. A server's pages are the server's (checksums, amcheck and pg_dump are the administrator's
    tools, README), so there it only proves the connection answers."""
    with db.engine.connect() as conn:
        if db.server is not None:
            conn.execute(text("SELECT 1"))
            return []
        findings = []
        if conn.execute(text("PRAGMA integrity_check")).scalar() != "ok":
            findings.append("数据库完整性检查未通过")
        if db.dek is not None and conn.execute(text("PRAGMA cipher_integrity_check")).first() is not None:
            findings.append("加密页校验未通过：文件可能被改动，请从备份恢复")
        return findings


def display_name(session: Session) -> str:
    """The author recorded in ops and shown to peers: the display name set for this workstation, else
    the site label, else the office name — never the Windows login."""
    from models.settings import get_setting

    for candidate in (get_setting(session, DISPLAY_NAME_SETTING), local_state(session).site_label,
                      get_setting(session, "office_name")):
        # One line, no control character: every op carries it, and a peer refuses a package holding one.
        name = " ".join(clean_text(candidate).split()) if isinstance(candidate, str) else ""
        if name:
            return name[:100]
    return ""


def renew_incarnation(session: Session, reason: str, detail: dict[str, Any] | None = None) -> None:
    """A fresh op-id space for this site, before its next write; recorded with the audit chain's rebase
    (the chain in an older file is shorter than the head the key file witnessed)."""
    from models.storage import new_incarnation

    old = local_state(session).incarnation
    new_incarnation(session)
    append_audit(session, "sync_incarnation_renewed", detail={
        "reason": reason, "old": old, "new": local_state(session).incarnation, **(detail or {})}, result="warning")
    session.info["audit_rebase"] = True


class DeskWitness:
    """A database on a server has no key file: each desk keeps the witnesses of what it wrote (audit head,
    exported op seq) in its own folder for that server. A chain longer than one desk's witness is the
    other desks' work; shorter, or different at the witnessed row, is found by the desk that wrote it."""

    def __init__(self, path: Path) -> None:
        self.path = path
        try:
            self.witness: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            self.witness = {}

    def read_witness(self) -> dict[str, Any]:
        return merge_witness({}, self.witness)

    def record_witness(self, update: dict[str, Any]) -> None:
        self.witness = merge_witness(self.witness, update)
        atomic_write_bytes(self.path, json.dumps(self.witness).encode("utf-8"))

    def reset_keyring_witness(self) -> None:
        pass  # kept in the file only


def _key_file(db: Database) -> KeyFile | DeskWitness:
    if db.server is not None:
        return DeskWitness(db.path.parent / "witness.json")
    return KeyFile.load(keys_path_for(db.path))


def _has_witness(db: Database) -> bool:
    return db.server is not None or keys_path_for(db.path).exists()


def _before_commit(session: Session, db: Database) -> None:
    watermark = session.info.pop("sync_watermark", None)
    if watermark is None or not _has_witness(db):
        return
    # Before the commit: a crash in between only costs a needless new incarnation, never a reused id.
    _key_file(db).record_witness({"sync": watermark})


def _after_commit(session: Session, db: Database) -> None:
    head = session.info.pop("audit_head", None)
    rebase = session.info.pop("audit_rebase", False)
    if head is None or not _has_witness(db):
        return
    try:
        key_file = _key_file(db)
        if rebase:
            key_file.witness["audit"] = {}
            key_file.reset_keyring_witness()
        key_file.record_witness({"audit": head})
    except (DomainError, OSError) as exc:  # the commit stands; doctor reports the lagging witness
        log.warning("audit head not written to the key file: %s", exc)


def _forget(session: Session) -> None:
    for key in ("sync_watermark", "audit_head", "audit_rebase"):
        session.info.pop(key, None)


def witnessed_head(db: Database) -> dict[str, Any]:
    if not _has_witness(db):
        return {}
    return dict(_key_file(db).read_witness().get("audit", {}))


__all__ = ["on_open", "renew_incarnation", "display_name", "witnessed_head", "audit_head"]
