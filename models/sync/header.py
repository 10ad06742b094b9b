"""The plaintext header of a .fjpkg file: routing data only, parsed strictly (sync-security.md §A.3.4).

Everything about the content (counts, acks, profile) lives in the encrypted MANIFEST instead.
"""
from __future__ import annotations

import re
import uuid
from dataclasses import asdict, dataclass
from typing import Any

from models.sync.errors import PackageError
from models.sync.identity import INCARNATION_PATTERN, SITE_ID_PATTERN
from models.sync.strict_json import StrictJsonError, canonical_json, parse_strict_json

FORMAT_VERSION = 1
SUITE = "x25519-chacha20poly1305-ed25519-v1"  # crypto-agile id: a 国密 suite gets its own name
CHUNK_SIZE = 64 * 1024
MAX_HEADER_BYTES = 64 * 1024
_HEX64 = re.compile(r"^[0-9a-f]{64}$")
_SCHEMA_FPR = re.compile(r"^[0-9a-f]{16,64}$")
_HEX32 = re.compile(r"^[0-9a-f]{32}$")
_VERSION = re.compile(r"^[0-9A-Za-z.+\-]{1,32}$")
_MAX_U64 = 2**64 - 1


@dataclass(frozen=True)
class Routing:
    """The parts of the header the exchange layer decides; the container adds the crypto parts."""

    pkg_id: str  # UUIDv7 text
    from_site: str
    from_incarnation: str
    to_site: str
    seq: int  # per sender→recipient (and sender incarnation), from 1
    prev_pkg_sha256: str  # "" for the first package of a sequence
    created_utc: int  # ms since the epoch, by the sender's clock (only for stale/rewind hints)
    hlc_max: int
    op_fmt: int  # format of the ops inside
    min_reader_op_fmt: int  # oldest op format reader that can apply them
    schema_fpr: str  # hash of the replicated-field registry
    app_version: str  # sender's app version, named in "请先将本机软件升级到 vX"


@dataclass(frozen=True)
class PackageHeader:
    routing: Routing
    from_sign_fpr: str
    to_kem_fpr: str
    eph_pub: bytes
    wrapped_file_key: bytes
    payload_nonce: bytes

    def to_bytes(self) -> bytes:
        fields: dict[str, Any] = asdict(self.routing)
        fields.update(fmt=FORMAT_VERSION, suite=SUITE, chunk=CHUNK_SIZE, from_sign_fpr=self.from_sign_fpr,
                      to_kem_fpr=self.to_kem_fpr, payload_nonce=self.payload_nonce.hex(),
                      kem={"eph_pub": self.eph_pub.hex(), "wrapped_file_key": self.wrapped_file_key.hex()})
        return canonical_json(fields)

    @classmethod
    def parse(cls, data: bytes) -> PackageHeader:
        try:
            fields = parse_strict_json(data, max_depth=3)
        except StrictJsonError:
            raise PackageError("malformed") from None
        if not isinstance(fields, dict) or set(fields) != _HEADER_KEYS:
            raise PackageError("malformed")
        if fields["suite"] != SUITE:
            raise PackageError("unsupported_suite")
        for key, check in _CHECKS.items():
            if not check(fields[key]):
                raise PackageError("malformed")
        routing = Routing(**{key: fields[key] for key in _ROUTING_KEYS})
        kem = fields["kem"]
        return cls(routing, fields["from_sign_fpr"], fields["to_kem_fpr"], bytes.fromhex(kem["eph_pub"]),
                   bytes.fromhex(kem["wrapped_file_key"]), bytes.fromhex(fields["payload_nonce"]))


def _is_int(low: int, high: int) -> Any:
    return lambda value: type(value) is int and low <= value <= high


def _matches(pattern: re.Pattern[str]) -> Any:
    return lambda value: isinstance(value, str) and pattern.match(value) is not None


def _is_uuid(value: object) -> bool:
    if not isinstance(value, str) or len(value) != 36:
        return False
    try:
        return str(uuid.UUID(value)) == value
    except ValueError:
        return False


def _is_kem(value: object) -> bool:
    return (isinstance(value, dict) and set(value) == {"eph_pub", "wrapped_file_key"}
            and _matches(_HEX64)(value["eph_pub"]) and _matches(_HEX64)(value["wrapped_file_key"]))


_ROUTING_KEYS = tuple(Routing.__dataclass_fields__)
_CHECKS: dict[str, Any] = {
    "fmt": lambda value: value == FORMAT_VERSION and type(value) is int,
    "chunk": lambda value: value == CHUNK_SIZE and type(value) is int,
    "pkg_id": _is_uuid,
    "from_site": _matches(SITE_ID_PATTERN),
    "to_site": _matches(SITE_ID_PATTERN),
    "from_incarnation": _matches(INCARNATION_PATTERN),
    "seq": _is_int(1, _MAX_U64),
    "prev_pkg_sha256": lambda value: value == "" or _matches(_HEX64)(value),
    "created_utc": _is_int(0, _MAX_U64),
    "hlc_max": _is_int(0, _MAX_U64),
    "op_fmt": _is_int(1, 1_000_000),
    "min_reader_op_fmt": _is_int(1, 1_000_000),
    "schema_fpr": _matches(_SCHEMA_FPR),
    "app_version": _matches(_VERSION),
    "from_sign_fpr": _matches(_HEX64),
    "to_kem_fpr": _matches(_HEX64),
    "payload_nonce": _matches(_HEX32),
    "kem": _is_kem,
}
_HEADER_KEYS = set(_CHECKS) | {"suite"}
