"""Checking who wrote an op (FORMAT.md "Op signatures"). New ops are authenticated by their origin's
attestations (models/sync/attest.py, op format 2). Ops stored with op format 1's per-op Ed25519
signatures (from older programs) still verify and are relayed with them: such a signature covers the
canonical op encoding (opcodec.signed_fields) under the context "FJLD-OP-v1", and the stored set is
{profile name: signature} — "full" for the op, one more per profile projection that differs (gov_view
cuts a suggestion's create op down) — so an op verifies when any of them verifies it exactly as received.
This program no longer writes format-1 signatures (the tests hold that writer, to make old ops).
"""
from __future__ import annotations

import base64
import json

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from sqlalchemy.orm import Session

from models.fieldcodec import canonical_json
from models.oplog import OpRecord
from models.sync.opcodec import att_ref, signed_fields

OP_SIGNATURE_CONTEXT = b"FJLD-OP-v1"


def op_message(op: OpRecord) -> bytes:
    return OP_SIGNATURE_CONTEXT + canonical_json(signed_fields(op)).encode("utf-8")


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
