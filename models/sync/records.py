"""Inner payload of a package: length-prefixed records `u32 len | u8 type | body`, in the order
MANIFEST, ATTEST*, OP*, (BLOB_HDR, BLOB_CHUNK*)*, END (sync-security.md §A.3.4; ATTEST from op format 2).

No file names from the sender, nothing to extract: blobs are named only by their SHA-256.
`RecordReader` enforces the grammar and the §B.3.11 limits while bytes stream in, so a record that
claims to be huge is refused from its first five bytes.
"""
from __future__ import annotations

import hashlib
import re
import struct
from collections.abc import Iterator
from dataclasses import dataclass
from enum import IntEnum
from typing import Any

from models.sync.errors import PackageError
from models.sync.strict_json import StrictJsonError, canonical_json, parse_strict_json

MAX_OPS = 1_000_000
MAX_BLOBS = 1_000_000
MAX_BLOB_BYTES = 2 * 1024**3
BLOB_CHUNK_BYTES = 1024 * 1024
SHA256_HEX = re.compile(r"^[0-9a-f]{64}$")
_PREFIX = struct.Struct("<IB")
_PREFIX_SIZE = _PREFIX.size
_unpack_prefix = _PREFIX.unpack_from


class RecordType(IntEnum):
    MANIFEST = 1
    OP = 2
    BLOB_HDR = 3
    BLOB_CHUNK = 4
    END = 5
    ATTEST = 6  # an origin's signed op digests (models/sync/attest.py), before the ops naming it


_KINDS = {kind.value: kind for kind in RecordType}
MAX_BODY_BYTES = {
    RecordType.MANIFEST: 16 * 1024**2,
    RecordType.OP: 1024**2 + 64 * 1024,  # op value ≤ 1 MiB plus its envelope
    RecordType.BLOB_HDR: 256,
    RecordType.BLOB_CHUNK: BLOB_CHUNK_BYTES,
    RecordType.END: 4096,
    RecordType.ATTEST: 1024**2,
}
_OP = RecordType.OP.value
_MAX_OP_BODY = MAX_BODY_BYTES[RecordType.OP]


@dataclass(frozen=True)
class Manifest:
    fields: dict[str, Any]  # always has op_count and blobs [[sha256, size], ...]; the rest is exchange's


@dataclass(frozen=True)
class PackedOp:
    """The OP record body as received; its layout depends on the op format (models/sync/opcodec.py)."""

    body: bytes

    @property
    def fields(self) -> dict[str, Any]:
        """Op format 1: the body is one JSON object."""
        fields = _json(self.body)
        if not isinstance(fields, dict):
            raise PackageError("malformed")
        return fields


@dataclass(frozen=True)
class Attested:
    """An ATTEST record body as received (parsed and verified by models/sync/attest.py)."""

    body: bytes


@dataclass(frozen=True)
class BlobStart:
    sha256: str
    size: int


@dataclass(frozen=True)
class BlobData:
    data: bytes


@dataclass(frozen=True)
class BlobDone:
    """Yielded only after the blob's bytes matched its SHA-256 and size."""

    sha256: str


@dataclass(frozen=True)
class End:
    fields: dict[str, Any]


Record = Manifest | Attested | PackedOp | BlobStart | BlobData | BlobDone | End


def encode_record(kind: RecordType, body: bytes) -> bytes:
    if len(body) > MAX_BODY_BYTES[kind]:
        raise ValueError(f"{kind.name} record of {len(body)} bytes exceeds the format limit")
    return _PREFIX.pack(len(body), kind) + body


def encode_op_records(bodies: list[bytes]) -> bytes:
    """OP records of these bodies, joined (encode_record per body, one size check per batch)."""
    if bodies and max(map(len, bodies)) > MAX_BODY_BYTES[RecordType.OP]:
        raise ValueError("OP record exceeds the format limit")
    pack = _PREFIX.pack
    return b"".join([pack(len(body), RecordType.OP) + body for body in bodies])


def check_manifest_envelope(fields: object) -> dict[str, Any]:
    """The manifest keys the container itself relies on; both writer and reader use this."""
    if not isinstance(fields, dict) or type(fields.get("op_count")) is not int:
        raise PackageError("malformed")
    blobs = fields.get("blobs")
    if not 0 <= fields["op_count"] <= MAX_OPS or not isinstance(blobs, list) or len(blobs) > MAX_BLOBS:
        raise PackageError("malformed")
    for entry in blobs:
        if not (isinstance(entry, list) and len(entry) == 2 and isinstance(entry[0], str)
                and SHA256_HEX.match(entry[0]) and type(entry[1]) is int and 0 <= entry[1] <= MAX_BLOB_BYTES):
            raise PackageError("malformed")
    return fields


class Totals:
    """Running counts and the hash over OP records that the END record must repeat."""

    def __init__(self) -> None:
        self.op_count = 0
        self.op_hash = hashlib.sha256()
        self.blobs: list[list[Any]] = []

    def add_op(self, raw_record: bytes) -> None:
        self.op_count += 1
        self.op_hash.update(raw_record)

    def add_ops(self, raw_records: bytes | memoryview, count: int) -> None:
        """`count` consecutive OP records (the hash of their concatenation is the hash of each in turn)."""
        self.op_count += count
        self.op_hash.update(raw_records)

    def end_fields(self) -> dict[str, Any]:
        return {"op_count": self.op_count, "op_sha256": self.op_hash.hexdigest(),
                "blob_count": len(self.blobs), "blob_bytes": sum(size for _, size in self.blobs)}


class RecordReader:
    """Feed decrypted plaintext in any slicing; get validated records out."""

    def __init__(self) -> None:
        self._buffer = bytearray()
        self._state = "start"  # start → ops → blobs → ended
        self._manifest: dict[str, Any] = {}
        self._totals = Totals()
        self._attestations = 0
        self._blob: tuple[str, int, Any, int] | None = None  # sha256, size, running hash, bytes seen

    @property
    def ended(self) -> bool:
        return self._state == "ended"

    def feed(self, plaintext: bytes, final: bool) -> Iterator[Record]:
        """`final`: this is the last decrypted chunk; END must sit at its very end, so END is never
        handed out while more data could follow."""
        if self._state == "ended" and plaintext:
            raise PackageError("malformed")  # trailing data after END
        buffer = self._buffer
        buffer += plaintext
        size = len(buffer)
        offset = 0  # consume by offset and compact once: deleting per record would be quadratic
        # OP records, the bulk of a package, are taken inline; a run of them is hashed into the END
        # totals at once, before any other record and before this chunk's bytes are dropped.
        run_start, run = 0, 0
        totals = self._totals
        view = memoryview(buffer)
        try:
            while size - offset >= _PREFIX_SIZE:
                length, kind_byte = _unpack_prefix(view, offset)
                end = offset + _PREFIX_SIZE + length
                if kind_byte == _OP and self._state == "ops":
                    if length > _MAX_OP_BODY:
                        raise PackageError("malformed")
                    if size < end:
                        break
                    if totals.op_count + run >= self._manifest["op_count"]:
                        raise PackageError("malformed")
                    if not run:
                        run_start = offset
                    run += 1
                    body = bytes(view[offset + _PREFIX_SIZE:end])
                    offset = end
                    yield PackedOp(body)
                    continue
                if run:
                    totals.add_ops(view[run_start:offset], run)
                    run = 0
                kind = _KINDS.get(kind_byte)
                if kind is None:
                    raise PackageError("malformed")
                if length > MAX_BODY_BYTES[kind]:
                    raise PackageError("malformed")
                if size < end:
                    break
                if kind is RecordType.END and (not final or size != end):
                    raise PackageError("malformed")
                raw = bytes(view[offset:end])
                offset = end
                yield from self._accept(kind, raw)
        finally:
            if run:
                totals.add_ops(view[run_start:offset], run)
            view.release()
            del buffer[:offset]

    def _accept(self, kind: RecordType, raw: bytes) -> Iterator[Record]:
        body = raw[_PREFIX.size:]
        if kind is not RecordType.BLOB_CHUNK and self._blob is not None:
            yield self._finish_blob()
        if kind is RecordType.MANIFEST and self._state == "start":
            self._manifest = check_manifest_envelope(_json(body))
            self._state = "ops"
            yield Manifest(self._manifest)
        elif kind is RecordType.OP and self._state == "ops":
            if self._totals.op_count >= self._manifest["op_count"]:
                raise PackageError("malformed")
            self._totals.add_op(raw)
            yield PackedOp(body)
        elif kind is RecordType.ATTEST and self._state == "ops" and self._totals.op_count == 0:
            # Each attestation covers at least one op of the package: never more of them than ops.
            self._attestations += 1
            if self._attestations > self._manifest["op_count"]:
                raise PackageError("malformed")
            yield Attested(body)
        elif kind is RecordType.BLOB_HDR and self._state in ("ops", "blobs"):
            yield self._start_blob(_json(body))
        elif kind is RecordType.BLOB_CHUNK and self._blob is not None:
            yield self._blob_data(body)
        elif kind is RecordType.END and self._state in ("ops", "blobs"):
            yield self._end(_json(body))
        else:
            raise PackageError("malformed")  # record out of order

    def _start_blob(self, fields: object) -> BlobStart:
        if not (isinstance(fields, dict) and set(fields) == {"sha256", "size"}):
            raise PackageError("malformed")
        index = len(self._totals.blobs)
        expected = self._manifest["blobs"]
        if index >= len(expected) or [fields["sha256"], fields["size"]] != expected[index]:
            raise PackageError("malformed")
        self._state = "blobs"
        self._totals.blobs.append(expected[index])
        self._blob = (fields["sha256"], fields["size"], hashlib.sha256(), 0)
        return BlobStart(fields["sha256"], fields["size"])

    def _blob_data(self, body: bytes) -> BlobData:
        assert self._blob is not None
        sha256, size, running, seen = self._blob
        if not body or seen + len(body) > size:
            raise PackageError("malformed")
        running.update(body)
        self._blob = (sha256, size, running, seen + len(body))
        return BlobData(body)

    def _finish_blob(self) -> BlobDone:
        assert self._blob is not None
        sha256, size, running, seen = self._blob
        if seen != size or running.hexdigest() != sha256:
            raise PackageError("malformed")
        self._blob = None
        return BlobDone(sha256)

    def _end(self, fields: object) -> End:
        if self._totals.op_count != self._manifest["op_count"]:
            raise PackageError("malformed")
        if len(self._totals.blobs) != len(self._manifest["blobs"]) or fields != self._totals.end_fields():
            raise PackageError("malformed")
        self._state = "ended"
        assert isinstance(fields, dict)
        return End(fields)


def _json(body: bytes) -> Any:
    try:
        return parse_strict_json(body)
    except StrictJsonError:
        raise PackageError("malformed") from None


__all__ = ["RecordType", "Record", "Manifest", "Attested", "PackedOp", "BlobStart", "BlobData", "BlobDone", "End",
           "RecordReader", "Totals", "encode_record", "encode_op_records", "check_manifest_envelope", "canonical_json",
           "BLOB_CHUNK_BYTES", "SHA256_HEX"]
