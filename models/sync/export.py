"""Incremental export (sync-security.md §A.3.5): every op in the peer's profile that the peer has not
acknowledged yet, the attachments those ops reference, and our acknowledgements of its packages."""
from __future__ import annotations

import base64
import json
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from models.attachment import Attachment
from models.audit import append_audit, audit_head
from models.blobstore import blob_store
from models.fieldcodec import may_hold_control, too_big
from models.ids import uuid7
from models.oplog import Op, OpRecord, local_state
from models.registry import ENTITY_BY_NAME, schema_fingerprint
from models.sync.attest import MAX_ATTESTED_OPS, OwnAttester, stored_bodies
from models.sync.container import PackageWriter
from models.sync.errors import PackageError
from models.sync.header import Routing
from models.sync.identity import SiteIdentity
from models.sync.opcodec import att_ref, decode_op, encode_op, ref_sig, signed_bytes
from models.sync.peers import ExposedRow, Peer, ReceivedPackage, SentPackage, my_identity
from models.sync.profiles import PROFILES, Profile, project_op, row_is_shared
from models.sync.records import encode_op_records
from models.sync.signing import for_profile
from models.sync.spool import Spool

OP_FMT = 2  # bump the major on any change an older reader would misinterpret (2: origin attestations)
MIN_READER_OP_FMT = 2
APP_VERSION = "0.1.0"
REDUCED_ROLES = frozenset({"government", "other"})
_BATCH = 500


@dataclass(frozen=True)
class ExportResult:
    path: Path
    seq: int
    op_count: int
    blob_count: int
    blob_bytes: int
    size: int
    sha256: str
    # Ops left out because the receiver's own check would refuse them, and the whole package with them
    # (_refused_by_receiver); recorded in the audit log with their ids. `withheld_rows`: their records,
    # (entity, row id), for the clerk to be told which.
    withheld_ops: int = 0
    withheld_rows: tuple[tuple[str, str], ...] = ()

    @property
    def receipt_code(self) -> str:
        """回执码: a peer that never sends packages back can confirm delivery by reading this out."""
        return base64.b32encode(bytes.fromhex(self.sha256)).decode("ascii")[:10]


def export_package(session: Session, peer: Peer, path: Path, *, full: bool = False,
                   now_ms: Callable[[], int] | None = None) -> ExportResult:
    """Writes the package for `peer` to `path` and records it as sent (in the caller's transaction).
    `full=True` ignores acknowledgements: everything in the profile, for a new or rebuilt peer."""
    me = my_identity(session)
    state = local_state(session)
    profile = PROFILES[peer.profile]
    if peer.out_incarnation != state.incarnation:  # after a restore our arrival numbers mean other ops
        peer.out_incarnation, peer.out_seq, peer.out_last_sha256 = state.incarnation, 0, ""
        peer.acked_seq = peer.acked_arrival = 0
    seq = peer.out_seq + 1
    since = 0 if full else peer.acked_arrival
    resend_rows = _rows_to_resend(session, peer, profile, seq, full)
    selection = _Selection(session, me, peer, profile, since, resend_rows)
    with Spool() as spool:
        scan = selection.into(spool)
        return _write(session, me, peer, path, full, scan, spool, seq, since, now_ms)


def _write(session: Session, me: SiteIdentity, peer: Peer, path: Path, full: bool, scan: _Scan, spool: Spool,
           seq: int, since: int, now_ms: Callable[[], int] | None) -> ExportResult:
    """The package around the spooled ops (`scan` says what they are), recorded as sent."""
    state = local_state(session)
    profile = PROFILES[peer.profile]
    counts, hlc_max = scan.counts, scan.hlc_max
    attestations = stored_bodies(session, scan.att_ids)
    introductions = _introductions(session, scan.origins - {me.site_id, peer.site_id})
    blobs = _blobs_for(session, scan.attachment_rows, profile)
    clock = now_ms or (lambda: int(time.time() * 1000))
    routing = Routing(pkg_id=str(uuid7()), from_site=me.site_id, from_incarnation=state.incarnation,
                      to_site=peer.site_id, seq=seq, prev_pkg_sha256=peer.out_last_sha256,
                      created_utc=clock(), hlc_max=hlc_max, op_fmt=OP_FMT, min_reader_op_fmt=MIN_READER_OP_FMT,
                      schema_fpr=schema_fingerprint(), app_version=APP_VERSION)
    manifest: dict[str, Any] = {
        "op_count": sum(counts.values()), "blobs": [[sha, size] for sha, size in blobs],
        "app_version": APP_VERSION, "from_site": me.site_id, "to_site": peer.site_id,
        "profile": profile.name, "counts": dict(sorted(counts.items())), "full": full,
        "since_arrival": since, "acks": _acks_for(session, peer.site_id),
        "audit_head": audit_head(session), "your_audit_head": _json_or_empty(peer.their_audit_head),
        "introductions": introductions}
    with PackageWriter(path, me, peer.card(), routing, manifest) as writer:
        for _att_id, body in sorted(attestations.items()):
            writer.write_attestation(body)
        for records, count in spool.blocks():
            writer.write_op_records(records, count)
        for sha, size in blobs:
            writer.write_blob(sha, size, _blob_bytes(session, sha))
        written = writer.close()
    session.add(SentPackage(peer_site=peer.site_id, incarnation=state.incarnation, seq=seq,
                            pkg_id=routing.pkg_id, max_arrival=state.arrival))
    peer.out_seq, peer.out_last_sha256 = seq, written.sha256
    # Op ids up to state.seq have now left this machine: the counter outside the database file must know,
    # so a copy of an older file starts a new incarnation instead of re-using them (written before commit).
    sent = packages_sent(session, state.incarnation)
    session.info["sync_watermark"] = {state.incarnation: state.seq, packages_key(state.incarnation): sent}
    withheld = {"withheld_ops": len(scan.withheld), "withheld_op_ids": scan.withheld[:100]} if scan.withheld else {}
    append_audit(session, "sync_export", object_ref=f"{peer.unit} {peer.workstation}".strip(),
                 detail={"pkg_id": routing.pkg_id, "seq": seq, "profile": profile.name, "ops": manifest["op_count"],
                         "blobs": len(blobs), "full": full, **withheld}, result="warning" if withheld else "ok")
    session.flush()
    return ExportResult(path, seq, manifest["op_count"], len(blobs), sum(size for _, size in blobs),
                        written.size, written.sha256, len(scan.withheld), tuple(dict.fromkeys(scan.withheld_rows)))


_OP_COLUMNS = (Op.op_id, Op.hlc, Op.site_id, Op.user, Op.entity, Op.row_id, Op.field, Op.value, Op.pred, Op.sig)
_HELD_BYTES = 4 * 1024 * 1024  # ops waiting for their batch's attestation: at most about this much in memory


def _record_of_row(row: Any) -> OpRecord:
    """An op row (Core tuple, no ORM object) as it travels."""
    op_id, hlc, site_id, user, entity, row_id, field_name, value, pred, sig = row
    return OpRecord(op_id, hlc, site_id, user, entity, row_id, field_name, value,
                    () if pred == "[]" else tuple(json.loads(pred)), sig or "")


@dataclass
class _Scan:
    """What the manifest and header say about the spooled ops."""

    counts: Counter[str]
    hlc_max: int = 0
    attachment_rows: set[str] = field(default_factory=set)
    att_ids: set[str] = field(default_factory=set)
    origins: set[str] = field(default_factory=set)
    withheld: list[str] = field(default_factory=list)  # op ids left out: the receiver would refuse them
    withheld_rows: list[tuple[str, str]] = field(default_factory=list)  # their (entity, row id)


class _Selection:
    """Which ops go into the package, read once (op table in arrival order, then the history of rows newly
    shared) into a spool as finished OP records; the package is written around them once the counts are
    known. Our own ops leaving for the first time are attested on the way, in batches (stored: later
    exports reuse the same attestation); the ops read since the first of a batch wait in memory for its
    attestation id, so the package keeps arrival order."""

    def __init__(self, session: Session, me: SiteIdentity, peer: Peer, profile: Profile, since: int,
                 resend_rows: set[tuple[str, str]]) -> None:
        self._session, self._me, self._profile = session, me, profile
        self._since, self._resend = since, resend_rows
        self._hidden: dict[tuple[str, str], bool] = {}
        self._withdrawn: dict[tuple[str, str], bool] = {}
        self._peer_site = peer.site_id
        self._relays_only_own = me.role in REDUCED_ROLES
        self._auth: dict[str, tuple[bytes, str | None]] = {}  # op sig -> (OP body prefix, attestation id)
        self._held: list[tuple[str | None, bytes]] = []  # (sig, signed) read since the first op to attest
        self._held_bytes = 0
        self._scan = _Scan(Counter())
        self._attester = OwnAttester(session, me)
        self._whole = profile.is_full and not profile.row_predicates  # every op goes out as it is held

    def into(self, spool: Spool) -> _Scan:
        """Reads the selected ops once, spools their OP records in order, and says what they are."""
        scan = self._scan
        counts, origins, attachment_rows = scan.counts, scan.origins, scan.attachment_rows
        me, hlc_max, relays_only_own, whole = self._me.site_id, 0, self._relays_only_own, self._whole
        for rows in self._batches():
            out: list[bytes] = []  # OP bodies of this batch
            for op_id, hlc, site_id, user, entity, row_id, field_name, value, pred, sig in rows:
                if relays_only_own and site_id != me:
                    # A reduced-view site relays nothing but its own writes: the ops it holds may be cut
                    # down by its profile and must not reach a full site as if they were whole.
                    continue
                raw = OpRecord(op_id, hlc, site_id, user, entity, row_id, field_name, value,
                               () if pred == "[]" else tuple(json.loads(pred)), sig or "")
                record = raw if whole else self._visible(raw)
                if record is None:
                    continue
                signed = signed_bytes(record)
                if _refused_by_receiver(record, signed):
                    scan.withheld.append(op_id)
                    scan.withheld_rows.append((entity, row_id))
                    continue
                entity = record.entity
                counts[entity] += 1
                origins.add(site_id)
                if hlc > hlc_max:
                    hlc_max = hlc
                if entity == "attachment":
                    attachment_rows.add(row_id)
                if site_id == me and not raw.sig:
                    # The whole op: the attestation also holds the digest of each differing projection.
                    self._attester.add(raw, signed if record is raw else None)
                    self._hold(spool, out, None, signed)
                elif self._held:
                    self._hold(spool, out, record.sig, signed)
                else:
                    out.append(self._auth_of(record.sig) + signed)
            _put(spool, out)
        self._release(spool, [])
        scan.hlc_max = hlc_max
        scan.att_ids.update(att_id for _auth, att_id in self._auth.values() if att_id is not None)
        return scan

    def _batches(self) -> Iterator[list[Any]]:
        """Op rows (Core tuples, no ORM layer per row) in arrival order, then the history of each row newly
        shared, in batches."""
        newer = select(*_OP_COLUMNS).where(Op.arrival > self._since).order_by(Op.arrival)
        queries = [newer] + [
            select(*_OP_COLUMNS).where(Op.entity == entity, Op.row_id == row, Op.arrival <= self._since).order_by(
                Op.arrival)
            for entity, row in sorted(self._resend)]
        for query in queries:
            self._session.flush()
            yield from self._session.connection().execute(query.execution_options(yield_per=_BATCH)).partitions()

    def _hold(self, spool: Spool, out: list[bytes], sig: str | None, signed: bytes) -> None:
        """Keeps an op until the pending attestation is made (`sig` None: it names that attestation)."""
        self._held.append((sig, signed))
        self._held_bytes += len(signed)
        if self._attester.pending >= MAX_ATTESTED_OPS or self._held_bytes >= _HELD_BYTES:
            self._release(spool, out)

    def _release(self, spool: Spool, out: list[bytes]) -> None:
        """Attests the pending batch and spools the held ops (`out` first), each now naming its attestation."""
        made = self._attester.flush()
        fresh = ref_sig(made) if made is not None else ""
        _put(spool, out)
        out.clear()
        held, self._held, self._held_bytes = self._held, [], 0
        while held:  # in slices, each freed once written: memory stays at the held ops at most
            _put(spool, [self._auth_of(fresh if sig is None else sig) + signed for sig, signed in held[:_BATCH]])
            del held[:_BATCH]

    def _auth_of(self, sig: str) -> bytes:
        """What precedes the signed bytes in the OP body of an op with this stored `sig` (encode_op's auth
        part, made once per attestation; per-op signatures differ per op: only a few are kept)."""
        known = self._auth.get(sig)
        if known is None:
            known = (encode_op(OpRecord("", 0, "", "", "", "", "", "", (), sig), b""), att_ref(sig))
            if known[1] is not None or len(self._auth) < 64:
                self._auth[sig] = known
        return known[0]

    def _visible(self, record: OpRecord) -> OpRecord | None:
        if record.entity in self._profile.row_predicates:
            key = (record.entity, record.row_id)
            if key not in self._hidden:
                row = self._session.get(ENTITY_BY_NAME[record.entity], uuid.UUID(record.row_id))
                self._hidden[key] = not row_is_shared(self._profile, row, record.entity)
                exposed = self._session.get(ExposedRow, (self._peer_site, *key))
                self._withdrawn[key] = exposed is not None and self._hidden[key]
            if self._hidden[key]:
                # A row shared once and then withdrawn (送政府方 unticked): the peer gets the op that
                # withdrew it, so its copy removes the record; nothing else of the row.
                field_name = self._profile.row_predicates[record.entity][0]
                if not (self._withdrawn[key] and record.field == field_name):
                    return None
        if self._profile.is_full:
            return record
        projected = project_op(self._profile, record)
        if projected is None or projected is record:  # unchanged: its signatures travel as they are
            return projected
        return replace(projected, sig=for_profile(projected, record.value, self._profile.name))


def _refused_by_receiver(record: OpRecord, signed: bytes) -> bool:
    """Whether the receiver's own check (opcodec.decode_op) refuses this op, and with it the whole package
    and every later one while it stays unacknowledged: a control character an older version let into the
    op log of another site (migration 0019 cleans only this site's own), an author's name holding one, a
    value too big. Only an op whose free text could fail is decoded (~0.3 µs an op otherwise): the ids, the
    value's structure and the other fields are the program's own making."""
    value, user = record.value, record.user
    if not (("\\" in value and may_hold_control(value)) or "\x7f" in value or not user.isprintable()
            or len(user) > 100 or too_big(value)):
        return False
    try:
        decode_op(encode_op(replace(record, sig=""), signed))
    except PackageError:
        return True
    return False


def _put(spool: Spool, bodies: list[bytes]) -> None:
    if bodies:
        spool.add(encode_op_records(bodies), len(bodies))


def _rows_to_resend(session: Session, peer: Peer, profile: Profile, seq: int, full: bool) -> set[tuple[str, str]]:
    """Rows a row predicate newly shares with this peer get their whole history, until acknowledged."""
    rows: set[tuple[str, str]] = set()
    for entity, (field_name, wanted) in profile.row_predicates.items():
        cls = ENTITY_BY_NAME[entity]
        for row_id in session.scalars(select(cls.id).where(getattr(cls, field_name) == wanted)):
            key = (entity, str(row_id))
            exposed = session.get(ExposedRow, (peer.site_id, *key))
            if exposed is None:
                session.add(ExposedRow(peer_site=peer.site_id, entity=entity, row_id=key[1], since_seq=seq))
                rows.add(key)
            elif exposed.withdrawn:  # shared again after a withdrawal: the peer dropped it, send it whole
                exposed.withdrawn, exposed.since_seq = False, seq
                rows.add(key)
            elif full or exposed.since_seq > peer.acked_seq:
                rows.add(key)
        # Rows shared before and hidden now: marked, so sharing them again resends their history.
        for exposed in session.scalars(select(ExposedRow).where(
                ExposedRow.peer_site == peer.site_id, ExposedRow.entity == entity,
                ExposedRow.withdrawn.is_(False))):
            row = session.get(cls, uuid.UUID(exposed.row_id))
            if not row_is_shared(profile, row, entity):
                exposed.withdrawn, exposed.since_seq = True, seq
    return rows


def packages_key(incarnation: str) -> str:
    """Witness entry counting the packages this incarnation wrote (each export adds one to one peer's
    sequence): a file that wrote fewer is older than packages its peers may hold."""
    return f"{incarnation}/packages"


def packages_sent(session: Session, incarnation: str) -> int:
    return sum(session.scalars(select(Peer.out_seq).where(Peer.out_incarnation == incarnation)))


def _introductions(session: Session, sites: set[str]) -> list[dict[str, str]]:
    """Cards of the third sites whose ops this package relays, so the recipient can confirm their keys."""
    from models.sync.peers import KnownSite

    cards = []
    for site in sorted(sites):
        peer = session.get(Peer, site)
        if peer is not None and not peer.revoked:
            cards.append(peer.card().to_fields())
            continue
        known = session.get(KnownSite, site)
        if known is not None and known.status == "confirmed":
            cards.append(json.loads(known.peer_file))
    return cards


def _json_or_empty(text: str) -> dict[str, Any]:
    return json.loads(text) if text else {}


def _blobs_for(session: Session, attachment_rows: set[str], profile: Profile) -> list[tuple[str, int]]:
    if not attachment_rows or profile.fields_of("attachment") is False:
        return []
    hashes: set[str] = set()
    ids = [uuid.UUID(row) for row in attachment_rows]
    for start in range(0, len(ids), 500):
        hashes.update(session.scalars(select(Attachment.sha256).where(Attachment.id.in_(ids[start:start + 500]))))
    return sorted(blob_store(session).sizes(sha for sha in hashes if sha).items())


def _blob_bytes(session: Session, sha256: str) -> Iterator[bytes]:
    """Streamed from the blob store, hash-checked on the way (and again by the package writer)."""
    return blob_store(session).chunks(sha256)


def _acks_for(session: Session, peer_site: str) -> list[dict[str, Any]]:
    """Highest package seq applied from this peer, per its incarnation."""
    best: dict[str, int] = {}
    for incarnation, seq in session.execute(select(ReceivedPackage.from_incarnation, ReceivedPackage.seq).where(
            ReceivedPackage.from_site == peer_site)):
        best[incarnation] = max(seq, best.get(incarnation, 0))
    return [{"incarnation": inc, "seq": seq} for inc, seq in sorted(best.items())]
