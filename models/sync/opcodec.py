"""Ops as package records: the lead's OpRecord <-> a strict dict, checked like any untrusted input.

Op format 1 (older packages): an OP record body is the JSON `{id, hlc, site, user, entity, row, field,
value, pred, sig}`. Op format 2: `u16 LE auth_len | auth | signed`, where `signed` is exactly the
canonical JSON the origin's digest or signature covers (signed_fields) and `auth` the canonical JSON
`{"att": attestation id}` or, for an op stored with per-op signatures from an older package,
`{"sig": {profile: base64}}`. The receiver hashes the bytes it received and checks they are canonical.
"""
from __future__ import annotations

import json
import re
import struct
from json.encoder import encode_basestring as _string  # what json.dumps(ensure_ascii=False) uses
from typing import Any

from models.fieldcodec import FORBIDDEN_CONTROL, MAX_VALUE_BYTES, canonical_json
from models.oplog import OpRecord
from models.sync.errors import PackageError
from models.sync.strict_json import StrictJsonError, parse_strict_json, parse_strict_text

MAX_PRED = 1000
_SIGNED_KEYS = {"id", "hlc", "site", "user", "entity", "row", "field", "value", "pred"}
_OP_KEYS = _SIGNED_KEYS | {"sig"}
_SIG_B64 = re.compile(r"^[A-Za-z0-9+/]{86}==$")  # a 64-byte Ed25519 signature
MAX_SIGS = 8
_TOKEN = re.compile(r"^[0-9A-Za-z_:.\-*]{1,80}$")  # op ids, site ids, entity and field names
_ROW_ID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
_ATT_ID = re.compile(r"^[0-9a-f]{64}$")
_AUTH_LEN = struct.Struct("<H")
_REF_PREFIX = '{"att":"'


def signed_fields(op: OpRecord) -> dict[str, Any]:
    """The canonical op encoding a signature covers: everything but the signatures."""
    return {"id": op.op_id, "hlc": op.hlc, "site": op.site_id, "user": op.user, "entity": op.entity,
            "row": op.row_id, "field": op.field, "value": op.value, "pred": list(op.pred)}


def signed_bytes(op: OpRecord) -> bytes:
    """canonical_json(signed_fields(op)) as UTF-8, written out directly (keys in sorted order, the same
    string escaping as json.dumps(ensure_ascii=False)): every op leaving or arriving goes through here."""
    return ('{"entity":' + _string(op.entity) + ',"field":' + _string(op.field) + ',"hlc":' + str(int(op.hlc))
            + ',"id":' + _string(op.op_id) + ',"pred":[' + ",".join(map(_string, op.pred)) + '],"row":'
            + _string(op.row_id) + ',"site":' + _string(op.site_id) + ',"user":' + _string(op.user)
            + ',"value":' + _string(op.value) + "}").encode("utf-8")


def att_ref(sig: str) -> str | None:
    """The attestation id an op's stored `sig` names, or None (a per-op signature set, or nothing)."""
    if sig.startswith(_REF_PREFIX) and len(sig) == len(_REF_PREFIX) + 66 and sig.endswith('"}'):
        att_id = sig[len(_REF_PREFIX):-2]
        if _ATT_ID.match(att_id):
            return att_id
    return None


def ref_sig(att_id: str) -> str:
    """The `sig` stored with an op authenticated by attestation `att_id` (models/sync/attest.py)."""
    return _REF_PREFIX + att_id + '"}'


# --- op format 1 ---

def op_from_fields(fields: dict[str, Any]) -> OpRecord:
    if set(fields) != _OP_KEYS:
        raise PackageError("malformed")
    return _checked(fields, _checked_sigs(fields["sig"]))


# --- op format 2 ---

def encode_op(op: OpRecord, signed: bytes | None = None) -> bytes:
    """The OP record body: auth, then the signed bytes (`signed`, if the caller already has them)."""
    att_id = att_ref(op.sig)
    if att_id is not None:
        auth = op.sig.encode("ascii")
    elif op.sig:
        auth = canonical_json({"sig": json.loads(op.sig)}).encode("utf-8")
    else:
        auth = b"{}"  # unauthenticated: the receiver holds it back as bad_signature
    return _AUTH_LEN.pack(len(auth)) + auth + (signed if signed is not None else signed_bytes(op))


def decode_op(body: bytes) -> tuple[OpRecord, bytes, str | None]:
    """(op, its signed bytes exactly as received, the attestation id it names or None)."""
    if len(body) < _AUTH_LEN.size:
        raise PackageError("malformed")
    (auth_len,) = _AUTH_LEN.unpack_from(body)
    auth_end = _AUTH_LEN.size + auth_len
    if len(body) < auth_end:
        raise PackageError("malformed")
    auth_text = body[_AUTH_LEN.size:auth_end].decode("ascii", errors="replace")
    signed = body[auth_end:]
    att_id = att_ref(auth_text)
    if att_id is not None:
        sig = auth_text
    else:
        auth = _json(body[_AUTH_LEN.size:auth_end])
        if auth == {}:
            sig = ""
        elif isinstance(auth, dict) and set(auth) == {"sig"}:
            sig = _checked_sigs(auth["sig"])
            if not sig:
                raise PackageError("malformed")
        else:
            raise PackageError("malformed")
    # A plain parse, then the canonical re-encoding must give back exactly the bytes received: that also
    # rules out duplicate keys, other spellings, NaN and lone surrogates (they cannot be encoded); the one
    # free-text field is checked below.
    try:
        fields = json.loads(signed.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        raise PackageError("malformed") from None
    if not (isinstance(fields, dict) and fields.keys() == _SIGNED_KEYS):
        raise PackageError("malformed")
    op = _checked(fields, sig, utf8_checked=False)
    try:
        if signed_bytes(op) != signed:
            raise PackageError("malformed")  # the origin hashed the canonical bytes; nothing else is this op
    except UnicodeEncodeError:
        raise PackageError("malformed") from None
    if FORBIDDEN_CONTROL.search(op.user):
        raise PackageError("malformed")
    return op, signed, att_id


def _json(data: bytes) -> Any:
    try:
        return parse_strict_json(data)
    except StrictJsonError:
        raise PackageError("malformed") from None


def _checked_sigs(sig: object) -> str:
    if not (isinstance(sig, dict) and len(sig) <= MAX_SIGS and all(
            isinstance(name, str) and _TOKEN.match(name) and isinstance(text, str) and _SIG_B64.match(text)
            for name, text in sig.items())):
        raise PackageError("malformed")
    return canonical_json(sig) if sig else ""


def _checked(fields: dict[str, Any], sig: str, *, utf8_checked: bool = True) -> OpRecord:
    """The op, every field checked. `utf8_checked=False`: the caller encodes the whole op as UTF-8
    afterwards (a lone surrogate fails there), so only the value's size needs its encoding here."""
    hlc, row, user, pred, value = fields["hlc"], fields["row"], fields["user"], fields["pred"], fields["value"]
    tokens = (fields["id"], fields["site"], fields["entity"], fields["field"])
    if not all(isinstance(token, str) and _TOKEN.match(token) for token in tokens):
        raise PackageError("malformed")
    if not (type(hlc) is int and 0 <= hlc < 2**64):
        raise PackageError("malformed")
    if not (isinstance(row, str) and _ROW_ID.match(row)):
        raise PackageError("malformed")
    if not (isinstance(user, str) and len(user) <= 100):
        raise PackageError("malformed")
    if not (isinstance(pred, list) and len(pred) <= MAX_PRED
            and all(isinstance(item, str) and _TOKEN.match(item) for item in pred)):
        raise PackageError("malformed")
    if not isinstance(value, str):
        raise PackageError("malformed")
    try:
        # A character is at most 4 bytes in UTF-8: short values need no encoding to be measured.
        if (utf8_checked or len(value) * 4 > MAX_VALUE_BYTES) and len(value.encode("utf-8")) > MAX_VALUE_BYTES:
            raise PackageError("malformed")
        parse_strict_text(value)
    except (StrictJsonError, UnicodeEncodeError):
        raise PackageError("malformed") from None
    return OpRecord(fields["id"], hlc, fields["site"], user, fields["entity"], row, fields["field"], value,
                    tuple(pred), sig)
