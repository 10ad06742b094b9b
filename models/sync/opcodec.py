"""Ops as package records: the lead's OpRecord <-> a strict dict, checked like any untrusted input."""
from __future__ import annotations

import json
import re
from typing import Any

from models.fieldcodec import canonical_json
from models.oplog import OpRecord
from models.sync.errors import PackageError
from models.sync.strict_json import StrictJsonError, parse_strict_json

MAX_VALUE_BYTES = 1024 * 1024
MAX_PRED = 1000
_OP_KEYS = {"id", "hlc", "site", "user", "entity", "row", "field", "value", "pred", "sig"}
_SIG_B64 = re.compile(r"^[A-Za-z0-9+/]{86}==$")  # a 64-byte Ed25519 signature
MAX_SIGS = 8
_TOKEN = re.compile(r"^[0-9A-Za-z_:.\-*]{1,80}$")  # op ids, site ids, entity and field names
_ROW_ID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")


def signed_fields(op: OpRecord) -> dict[str, Any]:
    """The canonical op encoding a signature covers: everything but the signatures."""
    return {"id": op.op_id, "hlc": op.hlc, "site": op.site_id, "user": op.user, "entity": op.entity,
            "row": op.row_id, "field": op.field, "value": op.value, "pred": list(op.pred)}


def op_to_fields(op: OpRecord) -> dict[str, Any]:
    return {**signed_fields(op), "sig": json.loads(op.sig) if op.sig else {}}


def op_from_fields(fields: dict[str, Any]) -> OpRecord:
    if set(fields) != _OP_KEYS:
        raise PackageError("malformed")
    tokens = (fields["id"], fields["site"], fields["entity"], fields["field"])
    if not all(isinstance(token, str) and _TOKEN.match(token) for token in tokens):
        raise PackageError("malformed")
    if not (type(fields["hlc"]) is int and 0 <= fields["hlc"] < 2**64):
        raise PackageError("malformed")
    if not (isinstance(fields["row"], str) and _ROW_ID.match(fields["row"])):
        raise PackageError("malformed")
    if not (isinstance(fields["user"], str) and len(fields["user"]) <= 100):
        raise PackageError("malformed")
    pred = fields["pred"]
    if not (isinstance(pred, list) and len(pred) <= MAX_PRED
            and all(isinstance(item, str) and _TOKEN.match(item) for item in pred)):
        raise PackageError("malformed")
    value = fields["value"]
    if not isinstance(value, str):
        raise PackageError("malformed")
    try:
        encoded = value.encode("utf-8")
        if len(encoded) > MAX_VALUE_BYTES:
            raise PackageError("malformed")
        parse_strict_json(encoded)
    except (StrictJsonError, UnicodeEncodeError):
        raise PackageError("malformed") from None
    sig = fields["sig"]
    if not (isinstance(sig, dict) and len(sig) <= MAX_SIGS and all(
            isinstance(name, str) and _TOKEN.match(name) and isinstance(text, str) and _SIG_B64.match(text)
            for name, text in sig.items())):
        raise PackageError("malformed")
    return OpRecord(fields["id"], fields["hlc"], fields["site"], fields["user"], fields["entity"],
                    fields["row"], fields["field"], value, tuple(pred), canonical_json(sig) if sig else "")
