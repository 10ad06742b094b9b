"""Origin attestations (op format 2, FORMAT.md "Op signatures"): a site signs, once per batch of at most
MAX_ATTESTED_OPS of its own ops, the SHA-256 digests of each op's signed bytes and of every profile
projection of it that differs. An op then names its attestation (op.sig = {"att": id}); a receiver
verifies the attestation's Ed25519 signature once and each op by digest membership.

The attestation is made the first time the ops leave (export) and stored, so every later export, to any
peer, carries the same bytes; receivers store what they received and relays forward it unchanged. Its id
is the SHA-256 of its whole record body (signature included), so a stored attestation can never be
swapped for another under the same id.
"""
from __future__ import annotations

import base64
import binascii
import hashlib
import re
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import String, Text, bindparam, select, update
from sqlalchemy.orm import Mapped, Session, mapped_column

from models.base import Base
from models.fieldcodec import canonical_json
from models.oplog import CREATE_FIELD, Op, OpRecord
from models.sync.errors import PackageError
from models.sync.identity import SiteIdentity
from models.sync.opcodec import att_ref, ref_sig, signed_bytes
from models.sync.profiles import PROFILES, project_op
from models.sync.strict_json import StrictJsonError, parse_strict_json

ATTESTATION_CONTEXT = b"FJLD-ATT-v1"
OP_DIGEST_CONTEXT = b"FJLD-OP-v1"  # the same context as a per-op signature: the digest covers those bytes
MAX_ATTESTED_OPS = 4096
MAX_DIGESTS = 4 * MAX_ATTESTED_OPS  # the op itself and up to three differing projections
DIGEST_BYTES = 32
_SITE = re.compile(r"^[0-9A-Za-z_:.\-]{1,80}$")
_SIG_B64 = re.compile(r"^[A-Za-z0-9+/]{86}==$")


class Attestation(Base):
    """An origin's signed list of op digests, as written (our own) or received (other sites')."""

    __tablename__ = "sync_attestation"

    att_id: Mapped[str] = mapped_column(String(64), primary_key=True)  # SHA-256 of `body`
    site_id: Mapped[str] = mapped_column(String(40), index=True)
    body: Mapped[str] = mapped_column(Text)  # canonical JSON {digests, sig, site}: the ATTEST record body


@dataclass(frozen=True)
class ParsedAttestation:
    att_id: str
    site_id: str
    digests: frozenset[bytes]
    signature: bytes
    message: bytes  # what the signature covers
    body: bytes

    def verifies(self, sign_pub: bytes) -> bool:
        from cryptography.exceptions import InvalidSignature
        from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

        try:
            Ed25519PublicKey.from_public_bytes(sign_pub).verify(self.signature, self.message)
            return True
        except (InvalidSignature, ValueError):
            return False


def op_digest(signed: bytes) -> bytes:
    """Digest of an op's signed bytes (canonical JSON of opcodec.signed_fields)."""
    return hashlib.sha256(OP_DIGEST_CONTEXT + signed).digest()


def digests_of(op: OpRecord, signed: bytes | None = None) -> list[bytes]:
    """The op's own digest and one per profile projection that differs (gov_view cuts create ops).
    `signed`: the op's signed bytes, when the caller already has them."""
    found = [op_digest(signed if signed is not None else signed_bytes(op))]
    if op.field != CREATE_FIELD:
        return found  # a profile passes a field op whole or drops it: only create ops are cut down
    for profile in PROFILES.values():
        projected = project_op(profile, op)
        if projected is not None and projected.value != op.value:
            found.append(op_digest(signed_bytes(projected)))
    return found


def _message(site_id: str, digests_b64: str) -> bytes:
    return ATTESTATION_CONTEXT + canonical_json({"digests": digests_b64, "site": site_id}).encode("utf-8")


def make_attestation(identity: SiteIdentity, digests: Iterable[bytes]) -> ParsedAttestation:
    unique = sorted(set(digests))
    if not 1 <= len(unique) <= MAX_DIGESTS:
        raise ValueError("an attestation covers 1..MAX_DIGESTS digests")
    digests_b64 = base64.b64encode(b"".join(unique)).decode("ascii")
    message = _message(identity.site_id, digests_b64)
    signature = identity.sign(message)
    body = canonical_json({"digests": digests_b64, "sig": base64.b64encode(signature).decode("ascii"),
                           "site": identity.site_id}).encode("utf-8")
    return ParsedAttestation(hashlib.sha256(body).hexdigest(), identity.site_id, frozenset(unique), signature,
                             message, body)


def parse_attestation(body: bytes) -> ParsedAttestation:
    """An ATTEST record body, checked like any untrusted input (its signature is checked by the caller,
    under the key of the site it names)."""
    try:
        fields = parse_strict_json(body)
    except StrictJsonError:
        raise PackageError("malformed") from None
    if not (isinstance(fields, dict) and set(fields) == {"digests", "sig", "site"}
            and all(isinstance(value, str) for value in fields.values())):
        raise PackageError("malformed")
    if not (_SITE.match(fields["site"]) and _SIG_B64.match(fields["sig"])):
        raise PackageError("malformed")
    try:
        raw = base64.b64decode(fields["digests"], validate=True)
    except (binascii.Error, ValueError):
        raise PackageError("malformed") from None
    count, rest = divmod(len(raw), DIGEST_BYTES)
    if rest or not 1 <= count <= MAX_DIGESTS:
        raise PackageError("malformed")
    if canonical_json(fields).encode("utf-8") != body:
        raise PackageError("malformed")  # one encoding only, so the id names exactly one attestation
    digests = frozenset(raw[start:start + DIGEST_BYTES] for start in range(0, len(raw), DIGEST_BYTES))
    return ParsedAttestation(hashlib.sha256(body).hexdigest(), fields["site"], digests,
                             base64.b64decode(fields["sig"]), _message(fields["site"], fields["digests"]), body)


_SET_SIG = update(Op.__table__).where(Op.__table__.c.op_id == bindparam("key")).values(sig=bindparam("sig"))


class OwnAttester:
    """Attests this site's own ops as they first leave, in batches, inside the export's transaction:
    the attestation is stored and each op's `sig` names it, so later exports reuse the same bytes. The
    caller decides when a batch ends (`flush`, at the latest at MAX_ATTESTED_OPS pending ops)."""

    def __init__(self, session: Session, identity: SiteIdentity) -> None:
        self._session, self._identity = session, identity
        self._op_ids: list[str] = []
        self._digests: list[bytes] = []
        self.made: list[str] = []

    @property
    def pending(self) -> int:
        return len(self._op_ids)

    def add(self, op: OpRecord, signed: bytes | None = None) -> None:
        """`signed`: the op's signed bytes, when the caller already has them."""
        if len(self._op_ids) >= MAX_ATTESTED_OPS:
            raise ValueError("an attestation covers at most MAX_ATTESTED_OPS ops: flush first")
        self._op_ids.append(op.op_id)
        self._digests.extend(digests_of(op, signed))

    def flush(self) -> str | None:
        """Signs and stores the pending ops' attestation and names it in their `sig`; its id, or None
        when nothing was pending."""
        if not self._op_ids:
            return None
        attestation = make_attestation(self._identity, self._digests)
        # Already held when the same ops were attested before and this file lost that (a copy put back:
        # peers returned the attestation with the ops): Ed25519 is deterministic, so it is the same one.
        if self._session.get(Attestation, attestation.att_id) is None:
            self._session.add(Attestation(att_id=attestation.att_id, site_id=attestation.site_id,
                                          body=attestation.body.decode("utf-8")))
            self._session.flush()
        # Core executemany by primary key: no statement holds the op ids (an IN list would, until the
        # cyclic garbage collector frees it: megabytes at 100k ops).
        sig = ref_sig(attestation.att_id)
        self._session.connection().execute(_SET_SIG, [{"key": op_id, "sig": sig} for op_id in self._op_ids])
        self.made.append(attestation.att_id)
        self._op_ids, self._digests = [], []
        return attestation.att_id


def stored_bodies(session: Session, att_ids: Iterable[str]) -> dict[str, bytes]:
    ids = sorted(set(att_ids))
    found: dict[str, bytes] = {}
    for start in range(0, len(ids), 500):
        for att_id, body in session.execute(select(Attestation.att_id, Attestation.body).where(
                Attestation.att_id.in_(ids[start:start + 500]))):
            found[att_id] = body.encode("utf-8")
    return found


def store(session: Session, attestations: Iterable[ParsedAttestation]) -> None:
    """Keep received attestations (those the kept ops name), so this site can relay them unchanged."""
    wanted = {attestation.att_id: attestation for attestation in attestations}
    if not wanted:
        return
    known = set(stored_bodies(session, wanted))
    for att_id, attestation in sorted(wanted.items()):
        if att_id not in known:
            session.add(Attestation(att_id=att_id, site_id=attestation.site_id,
                                    body=attestation.body.decode("utf-8")))
    session.flush()


def load(session: Session, att_id: str) -> ParsedAttestation | None:
    row = session.get(Attestation, att_id)
    if row is None:
        return None
    try:
        return parse_attestation(row.body.encode("utf-8"))
    except PackageError:
        return None


def attested_by(sign_pub: bytes, op: OpRecord, attestation: ParsedAttestation | None) -> bool:
    """The op exactly as held is covered by this attestation, signed by its own site's key."""
    return (attestation is not None and attestation.site_id == op.site_id
            and op_digest(signed_bytes(op)) in attestation.digests and attestation.verifies(sign_pub))


__all__ = ["Attestation", "ParsedAttestation", "OwnAttester", "att_ref", "ref_sig", "parse_attestation",
           "make_attestation", "digests_of", "op_digest", "stored_bodies", "store", "load", "attested_by"]
