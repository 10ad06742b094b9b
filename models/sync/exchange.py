"""Import of a package (sync-security.md §A.3.6), plus the export entry point.

Nothing is parsed before it is authenticated, and nothing is written before the whole package has
been decrypted and checked once (pass 1). Pass 2 decrypts again and applies inside the caller's
transaction; any exception rolls it back. On every rejection path no write happens at all, so the
database file stays byte-identical.
"""
from __future__ import annotations

import datetime as dt
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from models.attachment import Blob
from models.audit import append_audit
from models.fieldcodec import canonical_json
from models.hlc import wall_ms_of
from models.merge import FieldConflict, apply_ops, field_heads
from models.oplog import CREATE_FIELD, Op, OpRecord, local_state, ops_of_row
from models.sync.container import OpenedPackage, iter_records, open_package
from models.sync.errors import MESSAGES, PackageError
from models.sync.export import OP_FMT, ExportResult, export_package
from models.sync.identity import SiteIdentity
from models.sync.opcodec import op_from_fields
from models.sync.peers import (
    Peer,
    QuarantinedOp,
    ReceivedPackage,
    SentPackage,
    my_identity,
    sender_card,
)
from models.sync.profiles import role_may_write
from models.sync.records import BlobData, BlobDone, BlobStart, Manifest, PackedOp
from models.sync.upcast import release_quarantine, upcast

__all__ = ["export_package", "import_package", "ExportResult", "ImportResult"]
SKEW_WARNING_MS = 10 * 60 * 1000
_APPLY_BATCH = 5000


@dataclass
class ImportResult:
    status: str  # "applied", "preview", "duplicate" or "stale"
    message: str
    pkg_id: str
    from_site: str
    seq: int
    new_ops: int = 0
    duplicate_ops: int = 0
    ignored_ops: int = 0  # relayed by a reduced-view peer: not trusted as whole, held elsewhere
    quarantined_ops: int = 0
    released_ops: int = 0  # held from earlier packages, understood since an upgrade
    clock_skew_accepted_hours: int = 0  # the clerk confirmed a sender clock this far ahead
    blobs: int = 0
    per_entity: dict[str, int] = field(default_factory=dict)
    conflicts_before: int = 0
    conflicts_after: int = 0
    notes: list[str] = field(default_factory=list)


def import_package(session: Session, path: Path, preview: bool = False,
                   now_ms: Callable[[], int] | None = None, accept_clock_skew: bool = False) -> ImportResult:
    """`accept_clock_skew`: the clerk confirmed a package whose clock runs more than a day ahead
    (sync-security.md §A.3.1); without it such a package is refused and nothing is written."""
    me = my_identity(session)
    package = open_package(Path(path), me, lambda site: sender_card(session, site))
    routing = package.header.routing
    result = ImportResult("applied", "", routing.pkg_id, routing.from_site, routing.seq)
    early = _sequence_check(session, package, result)
    if early is not None:
        return early
    if routing.min_reader_op_fmt > OP_FMT:
        raise PackageError("upgrade_needed", version=routing.app_version)
    clock = now_ms or (lambda: int(time.time() * 1000))
    lead_ms = max(wall_ms_of(routing.hlc_max), routing.created_utc) - clock()
    if lead_ms > SKEW_CONFIRM_MS:
        if not accept_clock_skew:
            raise PackageError("clock_skew", hours=f"{lead_ms / 3_600_000:.0f}")
        result.clock_skew_accepted_hours = round(lead_ms / 3_600_000)
    _skew_notes(routing.hlc_max, clock, result)
    peer = session.get(Peer, routing.from_site)
    assert peer is not None  # open_package found it
    plan = _Plan(session, me, peer, routing.op_fmt)
    for _ in plan.ops(package):  # pass 1: authenticate every byte and check policy, write nothing
        pass
    result.conflicts_before = _conflict_count(session)
    if preview:
        _preview(session, package, plan, result)
        result.status, result.message = "preview", _summary(result, preview=True)
        return result
    result.released_ops = release_quarantine(session)
    _apply(session, package, plan, result)
    _record_received(session, package, peer, plan.manifest, result)
    result.conflicts_after = _conflict_count(session)
    result.message = _summary(result, preview=False)
    return result


def _sequence_check(session: Session, package: OpenedPackage, result: ImportResult) -> ImportResult | None:
    """§A.3.6 step 5: duplicate and stale packages are harmless no-ops; a rewind is refused."""
    routing = package.header.routing
    if session.get(ReceivedPackage, routing.pkg_id) is not None:
        result.status, result.message = "duplicate", MESSAGES["already_imported"]
        return result
    last = session.scalars(select(ReceivedPackage).where(
        ReceivedPackage.from_site == routing.from_site,
        ReceivedPackage.from_incarnation == routing.from_incarnation).order_by(
        ReceivedPackage.seq.desc()).limit(1)).first()
    if last is not None and routing.seq <= last.seq:
        if routing.created_utc > last.created_utc:
            raise PackageError("rewind")
        # Every package repeats all unacknowledged ops, so an older one holds nothing new.
        result.status, result.message = "stale", MESSAGES["stale"].format(newer_seq=last.seq)
        return result
    expected = (last.seq if last else 0) + 1
    for missing in range(expected, min(routing.seq, expected + 20)):
        result.notes.append(f"缺少第 {missing} 号包（内容已随本包补发）")
    return None


class _Plan:
    """Reads the package's ops and decides, per op, whether to apply, ignore or refuse it."""

    def __init__(self, session: Session, me: SiteIdentity, sender: Peer, op_fmt: int = OP_FMT) -> None:
        self._me, self._sender, self._op_fmt = me, sender, op_fmt
        self._roles = {peer.site_id: peer.role for peer in session.scalars(select(Peer))}
        self._roles[me.site_id] = me.role
        self.manifest: dict[str, Any] = {}
        self.ignored = 0
        self.blob_list: list[list[Any]] = []

    def ops(self, package: OpenedPackage, sink: Callable[[Any], None] | None = None) -> Iterator[OpRecord]:
        self.ignored = 0
        for record in iter_records(package, self._me):
            if isinstance(record, Manifest):
                self.manifest = _check_manifest(record.fields, package)
            elif isinstance(record, PackedOp):
                op = upcast(op_from_fields(record.fields), self._op_fmt, OP_FMT)
                if op is not None and self._accepts(op):
                    yield op
                else:
                    self.ignored += 1
            elif sink is not None:
                sink(record)

    def _accepts(self, op: OpRecord) -> bool:
        sender = self._sender
        if sender.profile != "full" and op.site_id != sender.site_id:
            return False  # a reduced peer's copy of others' ops may be cut down by its profile
        origin_role = self._roles.get(op.site_id)
        if origin_role is None:  # relayed from a site we never paired: trust the relaying site's role
            origin_role = sender.role
        if not role_may_write(origin_role, op):
            raise PackageError("policy_violation", entity=op.entity, field=op.field)
        return True


def _check_manifest(fields: dict[str, Any], package: OpenedPackage) -> dict[str, Any]:
    routing = package.header.routing
    if fields.get("from_site") != routing.from_site or fields.get("to_site") != routing.to_site:
        raise PackageError("malformed")
    acks = fields.get("acks")
    if not isinstance(acks, list) or not all(
            isinstance(ack, dict) and set(ack) == {"incarnation", "seq"} and isinstance(ack["incarnation"], str)
            and type(ack["seq"]) is int for ack in acks):
        raise PackageError("malformed")
    return fields


def _apply(session: Session, package: OpenedPackage, plan: _Plan, result: ImportResult) -> None:
    blob = bytearray()
    batch: list[OpRecord] = []
    per_entity: Counter[str] = Counter()

    def on_blob(record: Any) -> None:
        nonlocal blob
        if isinstance(record, BlobStart):
            blob = bytearray()
        elif isinstance(record, BlobData):
            blob += record.data
        elif isinstance(record, BlobDone):  # hash already verified by the container
            # ask for the key only: Blob.data is megabytes that would be read and decrypted for nothing
            if session.scalar(select(Blob.sha256).where(Blob.sha256 == record.sha256)) is None:
                session.add(Blob(sha256=record.sha256, size=len(blob), data=bytes(blob)))
                result.blobs += 1

    def flush_batch() -> None:
        stats = apply_ops(session, batch)
        result.new_ops += stats.new_ops
        result.duplicate_ops += stats.duplicate_ops
        for unknown in stats.unknown_ops:
            if session.get(QuarantinedOp, unknown.op_id) is None:
                session.add(QuarantinedOp(op_id=unknown.op_id, body=unknown.to_json()))
            result.quarantined_ops += 1
        batch.clear()

    for op in plan.ops(package, sink=on_blob):
        batch.append(op)
        per_entity[op.entity] += 1
        if len(batch) >= _APPLY_BATCH:
            flush_batch()
    flush_batch()
    session.flush()
    result.ignored_ops = plan.ignored
    result.per_entity = dict(sorted(per_entity.items()))
    applied = result.new_ops + result.duplicate_ops + result.quarantined_ops + result.ignored_ops
    if applied != plan.manifest["op_count"]:  # sanity check inside the transaction (Anki-style)
        raise PackageError("malformed")


def _preview(session: Session, package: OpenedPackage, plan: _Plan, result: ImportResult) -> None:
    """Dry run without writing anything (with SQLCipher even a rolled-back savepoint rewrites pages):
    counts new ops per entity and predicts conflicts — an incoming field op that does not supersede
    every local head of its field."""
    incoming = list(plan.ops(package))
    known = _known_op_ids(session, [op.op_id for op in incoming])
    incoming_ids = {op.op_id for op in incoming}
    per_entity: Counter[str] = Counter()
    predicted: set[tuple[str, str, str]] = set()
    for op in incoming:
        if op.op_id in known:
            result.duplicate_ops += 1
            continue
        result.new_ops += 1
        per_entity[op.entity] += 1
        if op.field == CREATE_FIELD:
            continue
        local_heads = {head.op_id for head in field_heads(ops_of_row(session, op.entity, op.row_id), op.field)}
        if local_heads - set(op.pred) - incoming_ids:
            predicted.add((op.entity, op.row_id, op.field))
    result.per_entity = dict(sorted(per_entity.items()))
    result.conflicts_after = result.conflicts_before + len(predicted)
    result.blobs = len(plan.manifest["blobs"])


def _known_op_ids(session: Session, op_ids: list[str]) -> set[str]:
    known: set[str] = set()
    for start in range(0, len(op_ids), 500):
        known.update(session.scalars(select(Op.op_id).where(Op.op_id.in_(op_ids[start:start + 500]))))
    return known


def _record_received(session: Session, package: OpenedPackage, peer: Peer, manifest: dict[str, Any],
                     result: ImportResult) -> None:
    routing = package.header.routing
    state = local_state(session)
    for ack in manifest["acks"]:
        if ack["incarnation"] == state.incarnation == peer.out_incarnation and peer.acked_seq < ack["seq"]:
            sent = session.get(SentPackage, (peer.site_id, state.incarnation, ack["seq"]))
            if sent is not None:
                peer.acked_seq, peer.acked_arrival = ack["seq"], max(peer.acked_arrival, sent.max_arrival)
    summary = {"new_ops": result.new_ops, "duplicate_ops": result.duplicate_ops, "blobs": result.blobs,
               "quarantined_ops": result.quarantined_ops, "ignored_ops": result.ignored_ops,
               "clock_skew_accepted_hours": result.clock_skew_accepted_hours}
    session.add(ReceivedPackage(pkg_id=routing.pkg_id, from_site=routing.from_site,
                                from_incarnation=routing.from_incarnation, seq=routing.seq,
                                created_utc=routing.created_utc, sha256=package.sha256,
                                applied_at=dt.datetime.now().isoformat(timespec="seconds"),
                                summary=canonical_json(summary)))
    append_audit(session, "sync_import", object_ref=f"package:{routing.pkg_id}",
                 detail={"from_site": routing.from_site, "seq": routing.seq, **summary})
    session.flush()


SKEW_CONFIRM_MS = 24 * 3600 * 1000  # beyond a day ahead a person must confirm, and it is audited


def _skew_notes(hlc_max: int, now_ms: Callable[[], int], result: ImportResult) -> None:
    lead_ms = wall_ms_of(hlc_max) - now_ms()
    if lead_ms > SKEW_WARNING_MS:
        result.notes.append(f"对方电脑时钟比本机快约 {lead_ms / 3_600_000:.1f} 小时，请核对两台电脑的时间")


def _conflict_count(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(FieldConflict)) or 0


def _summary(result: ImportResult, preview: bool) -> str:
    verb = "预览（未写入）" if preview else "已导入"
    parts = [f"{verb}第 {result.seq} 号包：新增变更 {result.new_ops} 条，重复 {result.duplicate_ops} 条",
             f"附件 {result.blobs} 个"]
    if result.quarantined_ops:
        parts.append(f"暂存待升级 {result.quarantined_ops} 条")
    new_conflicts = result.conflicts_after - result.conflicts_before
    if new_conflicts > 0:
        parts.append(f"新增冲突 {new_conflicts} 处，请到“冲突处理”确认")
    return "，".join(parts) + "".join(f"；{note}" for note in result.notes)


