"""Import of a package (sync-security.md §A.3.6), plus the export entry point.

Nothing is parsed before the package signature over the whole file is verified. The package is then
read once: ops are authenticated (origin attestations, FORMAT.md "Op signatures") and applied in batches
inside the caller's transaction, which is never committed before the END record, its totals and every
blob hash have checked out and the file proved unchanged; any exception rolls it back, so on every
rejection path nothing is committed (models/services/sync.py screens the header first, without a backup).
"""
from __future__ import annotations

import datetime as dt
import time
import uuid
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from models.audit import append_audit
from models.blobstore import blob_store
from models.errors import Cancelled
from models.fieldcodec import canonical_json
from models.hlc import wall_ms_of
from models.merge import FieldConflict, apply_ops
from models.oplog import Op, OpRecord, local_state
from models.storage import bulk_write_cache
from models.sync import attest
from models.sync.container import OpenedPackage, open_package
from models.sync.errors import MESSAGES, PackageError
from models.sync.export import OP_FMT, ExportResult, export_package
from models.sync.identity import PeerCard, SiteIdentity
from models.sync.peers import (
    ForkAlert,
    KnownSite,
    Peer,
    QuarantinedOp,
    ReceivedPackage,
    SentPackage,
    my_identity,
    sender_card,
)
from models.sync.preview import dry_run
from models.sync.profiles import PROFILES, project_op
from models.sync.records import BlobData, BlobDone, BlobStart
from models.sync.upcast import release_quarantine
from models.sync.verdicts import APPLY, QUARANTINE_REASONS, Plan

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
    forked_ops: int = 0  # an op id already held with other content: shown as a fork alert
    held: dict[str, int] = field(default_factory=dict)  # quarantined ops by reason


def import_package(session: Session, path: Path, preview: bool = False,
                   now_ms: Callable[[], int] | None = None, accept_clock_skew: bool = False,
                   progress: Callable[[int, int], None] | None = None,
                   is_cancelled: Callable[[], bool] | None = None) -> ImportResult:
    """`accept_clock_skew`: the clerk confirmed a package whose clock runs more than a day ahead
    (sync-security.md §A.3.1); without it such a package is refused and nothing is written.
    `progress(ops read, ops in the package)` is told after each applied batch, and `is_cancelled` asked
    then: a cancel raises Cancelled inside the caller's transaction, which rolls everything back."""
    me = my_identity(session)
    package, result, new = _screened(session, me, path, now_ms, accept_clock_skew)
    if not new:
        return result
    routing = package.header.routing
    peer = session.get(Peer, routing.from_site)
    assert peer is not None  # open_package found it
    plan = Plan(session, me, peer, routing.op_fmt)
    result.conflicts_before = _conflict_count(session)
    if preview:
        dry_run(session, package, plan, result)
        result.status, result.message = "preview", _summary(result, preview=True)
        return result
    result.released_ops = release_quarantine(session)
    # One pass: applied in batches while read, in the caller's transaction, which any failure up to the
    # END record (totals, blob hashes, the file unchanged since its signature) rolls back.
    with bulk_write_cache(session):
        _apply(session, package, plan, result, progress, is_cancelled)
    attest.store(session, plan.kept_attestations())
    _renew_if_this_file_is_stale(session, plan, peer, result)  # before anything commits
    _record_received(session, package, peer, plan.manifest, result)
    result.conflicts_after = _conflict_count(session)
    result.message = _summary(result, preview=False)
    return result


def screen_package(session: Session, path: Path, accept_clock_skew: bool = False,
                   now_ms: Callable[[], int] | None = None) -> ImportResult | None:
    """What the import would say of a package before it reads a single op: the result of a duplicate or
    stale package, None for a new one; PackageError for one refused by its header, its signature over
    the whole file, its sequence, op format or clock. Writes nothing."""
    _package, result, new = _screened(session, my_identity(session), path, now_ms, accept_clock_skew)
    return None if new else result


def _screened(session: Session, me: SiteIdentity, path: Path, now_ms: Callable[[], int] | None,
              accept_clock_skew: bool) -> tuple[OpenedPackage, ImportResult, bool]:
    """Steps 1-5 of the import (sync-security.md §A.3.6): (package, result so far, whether it is new)."""
    package = open_package(Path(path), me, lambda site: sender_card(session, site))
    routing = package.header.routing
    result = ImportResult("applied", "", routing.pkg_id, routing.from_site, routing.seq)
    early = _sequence_check(session, package, result)
    if early is not None:
        return package, early, False
    if routing.min_reader_op_fmt > OP_FMT:
        raise PackageError("upgrade_needed", version=routing.app_version)
    clock = now_ms or (lambda: int(time.time() * 1000))
    lead_ms = max(wall_ms_of(routing.hlc_max), routing.created_utc) - clock()
    if lead_ms > SKEW_CONFIRM_MS:
        if not accept_clock_skew:
            raise PackageError("clock_skew", hours=f"{lead_ms / 3_600_000:.0f}")
        result.clock_skew_accepted_hours = round(lead_ms / 3_600_000)
    _skew_notes(routing.hlc_max, clock, result)
    return package, result, True


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


def _apply(session: Session, package: OpenedPackage, plan: Plan, result: ImportResult,
           progress: Callable[[int, int], None] | None, is_cancelled: Callable[[], bool] | None) -> None:
    blob: Any = None  # the blob store's writer of the attachment being received
    batch: list[OpRecord] = []
    per_entity: Counter[str] = Counter()
    sender = package.header.routing.from_site
    read = 0  # ops read so far, applied or held

    def on_blob(record: Any) -> None:
        # Streamed into the blob store (a .part file until the container has verified the hash), named and
        # fsynced before this transaction commits; an interrupted import leaves at most an unreferenced file.
        nonlocal blob
        if isinstance(record, BlobStart):
            blob = blob_store(session).writer()
        elif isinstance(record, BlobData):
            blob.write(record.data)
        elif isinstance(record, BlobDone):  # hash already verified by the container
            _sha, _size, new = blob.commit(record.sha256)
            blob = None
            result.blobs += new

    def flush_batch() -> None:
        stats = apply_ops(session, _without_forks(session, batch, sender, result))
        result.new_ops += stats.new_ops
        result.duplicate_ops += stats.duplicate_ops
        for unknown in stats.unknown_ops:
            hold(session, unknown, "unknown_field", sender)
            result.quarantined_ops += 1
        batch.clear()
        if progress is not None:
            progress(read, plan.manifest.get("op_count", read))
        if is_cancelled is not None and is_cancelled():
            raise Cancelled()

    for op, verdict in plan.classified(package, sink=on_blob):
        read += 1
        if verdict != APPLY:
            hold(session, op, verdict, sender)
            result.quarantined_ops += 1
            result.held[verdict] = result.held.get(verdict, 0) + 1
            continue
        batch.append(op)
        per_entity[op.entity] += 1
        if len(batch) >= _APPLY_BATCH:
            flush_batch()
    flush_batch()
    session.flush()
    _introduce(session, plan.manifest, sender)
    if plan.me_reduced:
        _drop_withdrawn_rows(session, plan.me_site)
    result.ignored_ops = plan.ignored
    result.per_entity = dict(sorted(per_entity.items()))
    applied = (result.new_ops + result.duplicate_ops + result.quarantined_ops + result.ignored_ops
               + result.forked_ops)
    if applied != plan.manifest["op_count"]:  # sanity check inside the transaction (Anki-style)
        raise PackageError("malformed")


def hold(session: Session, op: OpRecord, reason: str, sender: str) -> None:
    """Quarantine one op with its reason (shown in the 同步 screen); the rest of the package goes on."""
    if session.get(QuarantinedOp, op.op_id) is None:
        session.add(QuarantinedOp(op_id=op.op_id, body=op.to_json(), reason=reason, from_site=sender,
                                  at=dt.datetime.now().isoformat(timespec="seconds")))


def _same_op(local: OpRecord, remote: OpRecord) -> bool:
    if local == remote:
        return True
    # A copy cut down by a profile (gov_view) is the same op, not a fork.
    return any(project_op(profile, local) == remote or project_op(profile, remote) == local
               for profile in PROFILES.values())


def _without_forks(session: Session, batch: list[OpRecord], sender: str, result: ImportResult) -> list[OpRecord]:
    """Two different ops under one op id are a fork: an alert for a person, never 「重复」, never applied."""
    held: dict[str, Op] = {}
    ids = [op.op_id for op in batch]
    for start in range(0, len(ids), 500):
        for op in session.scalars(select(Op).where(Op.op_id.in_(ids[start:start + 500]))):
            held[op.op_id] = op
    kept = []
    for op in batch:
        local = held.get(op.op_id)
        if local is not None and not _same_op(OpRecord.of(local), op):
            result.forked_ops += 1
            if session.get(ForkAlert, op.op_id) is None:
                session.add(ForkAlert(op_id=op.op_id, from_site=sender, local_body=OpRecord.of(local).to_json(),
                                      remote_body=op.to_json(), at=dt.datetime.now().isoformat(timespec="seconds"),
                                      seen=False))
            continue
        kept.append(op)
    return kept


def _introduce(session: Session, manifest: dict[str, Any], sender: str) -> None:
    """Cards of third sites the sender relays ops of: kept as "pending" until the clerk confirms one."""
    me = local_state(session).site_id
    cards = manifest.get("introductions")
    if not isinstance(cards, list):
        return
    for fields in cards[:1000]:
        try:
            card = PeerCard.from_fields(fields)
        except PackageError:
            continue
        if card.site_id == me or session.get(Peer, card.site_id) is not None:
            continue
        if session.get(KnownSite, card.site_id) is None:
            session.add(KnownSite(site_id=card.site_id, peer_file=canonical_json(card.to_fields()), role="",
                                  status="pending", introduced_by=sender,
                                  at=dt.datetime.now().isoformat(timespec="seconds")))
    session.flush()


def _drop_withdrawn_rows(session: Session, me: str) -> None:
    """On a reduced-view site: a 检察建议 no longer marked 送政府方 leaves this copy (its row, its conflicts
    and every op but this site's own, which still travel back)."""
    from models.search import unindex_rows
    from models.suggestion import Suggestion

    withdrawn = [str(row_id) for row_id in session.scalars(
        select(Suggestion.id).where(Suggestion.to_government.is_(False)))]
    for start in range(0, len(withdrawn), 500):
        chunk = withdrawn[start:start + 500]
        session.execute(delete(Op).where(Op.entity == "suggestion", Op.row_id.in_(chunk), Op.site_id != me),
                        execution_options={"synchronize_session": False})
        session.execute(delete(FieldConflict).where(FieldConflict.entity == "suggestion",
                                                    FieldConflict.row_id.in_(chunk)),
                        execution_options={"synchronize_session": False})
        session.execute(delete(Suggestion).where(Suggestion.id.in_([uuid.UUID(r) for r in chunk])),
                        execution_options={"synchronize_session": False})
        unindex_rows(session.connection(), "suggestion", [uuid.UUID(r) for r in chunk])
    session.expire_all()


def _renew_if_this_file_is_stale(session: Session, plan: Plan, peer: Peer, result: ImportResult) -> None:
    """Peers report this database older than what it already issued: our ops of this incarnation beyond
    its counter, or an acknowledgement of a package it never sent. A new incarnation before any write."""
    from models.integrity import renew_incarnation

    state = local_state(session)
    acked_beyond = any(ack["incarnation"] == state.incarnation and peer.out_incarnation == state.incarnation
                       and ack["seq"] > peer.out_seq for ack in plan.manifest["acks"])
    if plan.own_ops_newer_than_file or acked_beyond:
        renew_incarnation(session, "peer_reports_newer_ops", {"peer": peer.site_id})
        result.notes.append("本机数据库比已发出的变更旧（可能是复制旧文件恢复的），已自动开始新的同步序列")


def _record_received(session: Session, package: OpenedPackage, peer: Peer, manifest: dict[str, Any],
                     result: ImportResult) -> None:
    routing = package.header.routing
    state = local_state(session)
    known_incarnations = set(session.scalars(select(ReceivedPackage.from_incarnation).where(
        ReceivedPackage.from_site == peer.site_id).distinct()))
    if known_incarnations and routing.from_incarnation not in known_incarnations:
        # The peer restored a backup (new incarnation): what it held from us may be gone, so everything
        # is sent again, from what its acknowledgements below still confirm.
        peer.acked_seq = peer.acked_arrival = 0
        result.notes.append("对方已从备份恢复（新的同步序列），下一个发给对方的包将包含全部数据")
    their_head, my_witness = manifest.get("audit_head"), manifest.get("your_audit_head")
    if _is_head(their_head):
        peer.their_audit_head = canonical_json({**their_head, "incarnation": routing.from_incarnation})
    if _is_head(my_witness) and isinstance(my_witness.get("incarnation"), str):
        peer.my_audit_witness = canonical_json(my_witness)
    for ack in manifest["acks"]:
        if ack["incarnation"] == state.incarnation == peer.out_incarnation and peer.acked_seq < ack["seq"]:
            sent = session.get(SentPackage, (peer.site_id, state.incarnation, ack["seq"]))
            if sent is not None:
                peer.acked_seq, peer.acked_arrival = ack["seq"], max(peer.acked_arrival, sent.max_arrival)
    summary = {"new_ops": result.new_ops, "duplicate_ops": result.duplicate_ops, "blobs": result.blobs,
               "quarantined_ops": result.quarantined_ops, "held": result.held, "forked_ops": result.forked_ops, "ignored_ops": result.ignored_ops,
               "clock_skew_accepted_hours": result.clock_skew_accepted_hours}
    session.add(ReceivedPackage(pkg_id=routing.pkg_id, from_site=routing.from_site,
                                from_incarnation=routing.from_incarnation, seq=routing.seq,
                                created_utc=routing.created_utc, sha256=package.sha256,
                                applied_at=dt.datetime.now().isoformat(timespec="seconds"),
                                summary=canonical_json(summary)))
    append_audit(session, "sync_import", object_ref=f"package:{routing.pkg_id}",
                 detail={"from_site": routing.from_site, "seq": routing.seq, **summary})
    session.flush()


def _is_head(value: object) -> bool:
    return (isinstance(value, dict) and type(value.get("count")) is int and value["count"] >= 0
            and isinstance(value.get("hash"), str) and len(value["hash"]) == 64)


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
    for reason, count in sorted(result.held.items()):
        parts.append(f"暂不应用 {count} 条（{QUARANTINE_REASONS[reason]}）")
    upgrade_wait = result.quarantined_ops - sum(result.held.values())
    if upgrade_wait:
        parts.append(f"暂存待升级 {upgrade_wait} 条")
    if result.forked_ops:
        parts.append(f"警告：{result.forked_ops} 条变更与本机已有的同编号变更内容不同（分叉），未应用，请到“同步”页查看")
    new_conflicts = result.conflicts_after - result.conflicts_before
    if new_conflicts > 0:
        parts.append(f"新增冲突 {new_conflicts} 处，请到“冲突处理”确认")
    return "，".join(parts) + "".join(f"；{note}" for note in result.notes)


