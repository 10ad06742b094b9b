"""Authenticated authorship, op format 1: per-op Ed25519 signatures (FORMAT.md "Op signatures"). New ops
are authenticated by origin attestations instead (models/sync/attest.py, op format 2); ops stored with
per-op signatures from older packages still verify and are relayed with them, through this module.

Per op rather than per batch with a hash chain: ops are relayed, cut down by profiles and re-packed in
any order and subset, so a batch signature would not survive a relay, and a per-site chain would make
one lost op block every later one. A signature covers the canonical op encoding (opcodec.signed_fields)
under the context "FJLD-OP-v1". A profile that cuts an op down (gov_view keeps only some fields of a
suggestion's create op) changes the bytes, so the origin also signs each such projection: the stored
signature set is {profile name: signature}, and a receiver accepts an op when any of them verifies the
op exactly as received under the key of the site the op names.
"""
from __future__ import annotations

import base64
import json

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from sqlalchemy.orm import Session

from models.fieldcodec import canonical_json
from models.oplog import OpRecord
from models.sync.identity import SiteIdentity
from models.sync.opcodec import att_ref, signed_fields
from models.sync.profiles import PROFILES, project_op

OP_SIGNATURE_CONTEXT = b"FJLD-OP-v1"
FULL = "full"


def op_message(op: OpRecord) -> bytes:
    return OP_SIGNATURE_CONTEXT + canonical_json(signed_fields(op)).encode("utf-8")


def sign_op(identity: SiteIdentity, op: OpRecord) -> str:
    """Signatures of the op and of every profile projection that differs from it, as stored JSON."""
    sigs = {FULL: _b64(identity.sign(op_message(op)))}
    for name, profile in PROFILES.items():
        projected = project_op(profile, op)
        if projected is not None and projected.value != op.value:
            sigs[name] = _b64(identity.sign(op_message(projected)))
    return canonical_json(sigs)


def for_profile(op: OpRecord, original_value: str, profile_name: str) -> str:
    """The signature set to send with `op` (already projected for `profile_name`): a cut-down op
    carries only the signature of its projection. An attested op keeps naming its attestation, which
    holds the digest of every differing projection."""
    if not op.sig or op.value == original_value or att_ref(op.sig) is not None:
        return op.sig
    sigs = json.loads(op.sig)
    return canonical_json({profile_name: sigs[profile_name]}) if profile_name in sigs else ""


def verifies(sign_pub: bytes, op: OpRecord, session: Session | None = None) -> bool:
    """The op exactly as held verifies under `sign_pub`: by one of its per-op signatures, or (with a
    `session` to find the stored attestation it names) by its origin's attestation."""
    if not op.sig:
        return False
    att_id = att_ref(op.sig)
    if att_id is not None:
        from models.sync import attest

        return session is not None and attest.attested_by(sign_pub, op, attest.load(session, att_id))
    key = Ed25519PublicKey.from_public_bytes(sign_pub)
    message = op_message(op)
    for text in json.loads(op.sig).values():
        try:
            key.verify(base64.b64decode(text), message)
            return True
        except (InvalidSignature, ValueError):
            continue
    return False


def _b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode("ascii")
