"""`db move-to`: an office's whole database from one engine to the other — an encrypted file to a
PostgreSQL server, or back — into an empty target, in one write transaction on the target.

Everything is copied table by table, as stored: records, their op log (history), conflicts, sync
bookkeeping (peers, packages, held-back ops, the site's identity and keys), settings, attachments and
the audit log. Two things change on purpose, each recorded in the target's audit log:
- the audit chain is re-keyed under the target's audit key (the file's key derives from its data key,
  which the server does not have); the source chain is verified first and its head is recorded;
- the site starts a new sync incarnation, so the source, if opened again, can never re-issue an op id
  the target also issues.
Before the commit, the target's `dump` must equal the source's, byte for byte; else nothing stays."""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from models.audit import GENESIS, AuditEvent, _audit_key, append_audit, audit_head, chain_hash, verify_chain
from models.errors import DomainError
from models.oplog import LocalState, Op
from models.registry import REPLICATED
from models.schema import metadata
from models.storage import Database

BATCH = 500
# Attachment bytes are not copied as rows: each side keeps them in its own store (files beside a
# database file, encrypted under that file's own blob key; the `blob` table on a server).
BLOB_TABLES = frozenset({"blob", "blob_key"})


@dataclass(frozen=True)
class MoveResult:
    target: str
    records: int
    ops: int
    audit_rows: int


def _is_empty(session: Session) -> bool:
    for cls in (Op, AuditEvent, *REPLICATED):
        if session.scalar(select(func.count()).select_from(cls)):
            return False
    return True


def _copy_blobs(src: Session, dst: Session) -> int:
    """Every attachment the source holds, streamed from its store into the target's and hash-checked on
    the way (a file target gets its blob files before the transaction commits, as any attachment write)."""
    from models.blobstore import blob_store, referenced_hashes

    source, target = blob_store(src), blob_store(dst)
    held = source.sizes(referenced_hashes(src))
    for sha in sorted(held):
        target.put_stream(source.chunks(sha), expected_sha256=sha)
    return len(held)


def move_database(source: Database, target: Database) -> MoveResult:
    """Copy `source` into the freshly opened, empty `target`; verified by dump equality."""
    from models.integrity import renew_incarnation
    from models.search import rebuild_index
    from models.services.dump import dump_text

    with source.read_scope() as src:
        problems = verify_chain(src)
        if problems:
            raise DomainError("audit_broken", "源数据库的审计链未通过校验，不迁移：" + problems[0])
        source_head = audit_head(src)
        expected_dump = dump_text(src)
        records = sum(src.scalar(select(func.count()).select_from(cls)) or 0 for cls in REPLICATED)
        source_hlc = src.get(LocalState, 1).hlc  # type: ignore[union-attr]
    with source.read_scope() as src, target.write_scope() as dst:
        if not _is_empty(dst):
            raise DomainError("target_not_empty", f"目标数据库不是空的：{target.location}，不会覆盖")
        src_conn, dst_conn = src.connection(), dst.connection()
        key = _audit_key(dst)
        counts = {}
        for table in metadata.sorted_tables:
            if table.name in BLOB_TABLES:
                continue
            dst_conn.execute(table.delete())  # the target's own first-open rows (its site identity)
            order = list(table.primary_key.columns)
            result = src_conn.execute(table.select().order_by(*order)).mappings()
            prev, copied = GENESIS, 0
            while batch := result.fetchmany(BATCH):
                rows = [dict(row) for row in batch]
                if table.name == AuditEvent.__tablename__:
                    for row in rows:  # re-keyed under the target's key, content unchanged
                        fields = AuditEvent(**{k: v for k, v in row.items()}).chained_fields()
                        row["prev_hash"], row["hash"] = prev, chain_hash(prev, fields, key)
                        prev = row["hash"]
                dst_conn.execute(table.insert(), rows)
                copied += len(rows)
            counts[table.name] = copied
        counts["blob"] = _copy_blobs(src, dst)
        dst.expire_all()
        target.clock.last = max(target.clock.last, source_hlc)
        rebuild_index(dst)
        renew_incarnation(dst, "database_moved", {"from": source.location})
        append_audit(dst, "database_moved_in", detail={
            "from": source.location, "records": records, "ops": counts.get("op", 0),
            "source_audit_head": source_head})
        if dump_text(dst) != expected_dump:
            raise DomainError("move_mismatch", "迁移后的数据与源数据库不一致（dump 校验未通过），目标数据库未作任何改动")
    return MoveResult(target.location, records, counts.get("op", 0), counts.get(AuditEvent.__tablename__, 0))
