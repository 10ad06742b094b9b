"""Which ops of a package are applied, held back or ignored (sync-security.md §A.3.6 steps 7-8): each op's
authorship (its origin's attestation or, for older ops, its per-op signatures, under the key of the site
it names) and the write rights this side gave that site. Read once, as the package streams."""
from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from typing import Any

from sqlalchemy.orm import Session

from models.oplog import OpRecord, local_state
from models.sync.attest import ParsedAttestation, op_digest, parse_attestation
from models.sync.container import OpenedPackage, iter_records
from models.sync.errors import PackageError
from models.sync.export import OP_FMT, REDUCED_ROLES
from models.sync.identity import PeerCard, SiteIdentity
from models.sync.opcodec import decode_op, op_from_fields, signed_bytes
from models.sync.peers import KnownSite, Peer
from models.sync.profiles import role_may_write
from models.sync.records import Attested, Manifest, PackedOp
from models.sync.signing import verifies
from models.sync.upcast import upcast

IGNORE = "ignore"
APPLY = "apply"
QUARANTINE_REASONS = {
    "unknown_field": "本机版本不认识的字段，升级后自动应用",
    "unknown_signer": "签名方尚未确认（请在“同步”页核对并确认其介绍）",
    "revoked_signer": "签名方的配对已被撤销",
    "bad_signature": "签名不符：内容被改动或冒用了其他工作站的身份",
    "not_permitted": "超出对方角色的修改权限（角色由本机设定）",
}


class Plan:
    """Reads the package's ops, once, and decides per op whether to apply, ignore or hold it back (with
    the reason). Authorship is checked per op: its origin's attestation (verified once per attestation,
    under the key of the site it names) must hold the digest of the op's bytes exactly as received, or,
    for an op stored with per-op signatures from an older package, one of them must verify; the key is
    that site's own pairing or an introduction the clerk confirmed. Write rights come from the role this
    side gave that site, never from what the sender claims."""

    def __init__(self, session: Session, me: SiteIdentity, sender: Peer, op_fmt: int = OP_FMT) -> None:
        self._session, self._me, self._sender, self._op_fmt = session, me, sender, op_fmt
        self._keys: dict[str, tuple[bytes, str] | str | None] = {}
        state = local_state(session)
        self._incarnation, self._seq = state.incarnation, state.seq
        self.manifest: dict[str, Any] = {}
        self.ignored = 0
        self.own_ops_newer_than_file = False  # a peer holds ops of ours this file never saw issued
        self.me_site, self.me_reduced = me.site_id, me.role in REDUCED_ROLES
        self._attestations: dict[str, ParsedAttestation] = {}
        self._attestation_ok: dict[str, bool] = {}
        self._kept_attestations: set[str] = set()  # named by ops applied or held: stored for relaying

    def classified(self, package: OpenedPackage, sink: Callable[[Any], None] | None = None
                   ) -> Iterator[tuple[OpRecord, str]]:
        """Every op with its verdict, as the package is read (other records to `sink`). The package is
        authenticated in full only once this is exhausted (END, its totals, every blob hash, the file
        unchanged since its signature was checked): whatever the caller does meanwhile must stay in a
        transaction that is rolled back if this raises."""
        self.ignored = 0
        for record in iter_records(package, self._me):
            if isinstance(record, PackedOp):
                signed, op, raw, att_id = self._decoded(record)
                if op is None:
                    self.ignored += 1
                    continue
                verdict = self.verdict(signed, op, raw, att_id)
                if verdict == IGNORE:
                    self.ignored += 1
                    continue
                if att_id is not None:
                    self._kept_attestations.add(att_id)
                yield op, verdict
            elif isinstance(record, Attested):
                attestation = parse_attestation(record.body)
                if attestation.att_id in self._attestations:
                    raise PackageError("malformed")
                self._attestations[attestation.att_id] = attestation
            elif isinstance(record, Manifest):
                self.manifest = _check_manifest(record.fields, package)
            elif sink is not None:
                sink(record)

    def kept_attestations(self) -> list[ParsedAttestation]:
        return [self._attestations[att_id] for att_id in sorted(self._kept_attestations)
                if att_id in self._attestations]

    def _decoded(self, record: PackedOp) -> tuple[OpRecord, OpRecord | None, bytes | None, str | None]:
        """(op as signed, op in this version's format or None, its signed bytes as received (format 2),
        the attestation it names)."""
        if self._op_fmt >= 2:
            signed, raw, att_id = decode_op(record.body)
        else:
            signed, raw, att_id = op_from_fields(record.fields), None, None
        return signed, upcast(signed, self._op_fmt, OP_FMT), raw, att_id

    def _authentic(self, sign_pub: bytes, signed: OpRecord, raw: bytes | None, att_id: str | None) -> bool:
        if att_id is None:
            return verifies(sign_pub, signed)  # per-op signatures (ops stored from older packages)
        attestation = self._attestations.get(att_id)
        if attestation is None or attestation.site_id != signed.site_id:
            return False
        if att_id not in self._attestation_ok:  # one Ed25519 verification per attestation
            self._attestation_ok[att_id] = attestation.verifies(sign_pub)
        return self._attestation_ok[att_id] and op_digest(raw if raw is not None else signed_bytes(signed)) \
            in attestation.digests

    def verdict(self, signed: OpRecord, op: OpRecord, raw: bytes | None = None, att_id: str | None = None) -> str:
        """`signed`: the op as its origin signed it; `op`: the same brought up to this version's format."""
        sender = self._sender
        if sender.profile != "full" and op.site_id != sender.site_id:
            return IGNORE  # a reduced peer's copy of others' ops may be cut down by its profile
        key = self._key_of(op.site_id)
        if key is None:
            return "unknown_signer"
        if key == "revoked":
            return "revoked_signer"
        assert isinstance(key, tuple)
        sign_pub, role = key
        # Every op is checked against its origin's attestation, the sender's own too: the next hop can only
        # check that, so skipping it here would let two sites decide the same op differently.
        if not self._authentic(sign_pub, signed, raw, att_id):
            return "bad_signature"
        if op.site_id == self._me.site_id:
            # Our own op coming back: lost here by a file copied back from a backup. Apply it; if it is of
            # the current incarnation and newer than this file, a new incarnation starts first.
            incarnation, seq = op.incarnation_and_seq
            if incarnation == self._incarnation and seq > self._seq:
                self.own_ops_newer_than_file = True
            return APPLY
        return APPLY if role_may_write(role, op) else "not_permitted"

    def _key_of(self, site: str) -> tuple[bytes, str] | str | None:
        if site not in self._keys:
            self._keys[site] = signer_key(self._session, self._me, site)
        return self._keys[site]


def signer_key(session: Session, me: SiteIdentity, site: str) -> tuple[bytes, str] | str | None:
    """(Ed25519 public key, role set on this side) of the site an op names; "revoked"; None if unknown."""
    if site == me.site_id:
        return me.card("").sign_pub, me.role
    peer = session.get(Peer, site)
    if peer is not None:
        return "revoked" if peer.revoked else (bytes.fromhex(peer.sign_pub), peer.role)
    known = session.get(KnownSite, site)
    if known is not None and known.status == "confirmed":
        return PeerCard.from_fields(json.loads(known.peer_file)).sign_pub, known.role
    return None


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
