"""Inner record grammar and limits (sync-security.md §B.3.11), fed directly to the reader."""
from __future__ import annotations

import hashlib
import struct

import pytest

from models.sync.errors import PackageError
from models.sync.records import RecordReader, RecordType, Totals, canonical_json, encode_record


def _manifest(op_count: int = 0, blobs: list | None = None) -> bytes:
    return encode_record(RecordType.MANIFEST, canonical_json({"op_count": op_count, "blobs": blobs or []}))


def _end(totals: Totals) -> bytes:
    return encode_record(RecordType.END, canonical_json(totals.end_fields()))


def _feed(*parts: bytes, final: bool = True) -> list:
    reader = RecordReader()
    return list(reader.feed(b"".join(parts), final))


def _valid_stream() -> bytes:
    totals = Totals()
    op = encode_record(RecordType.OP, canonical_json({"v": "案件"}))
    totals.add_op(op)
    blob = b"attachment"
    sha = hashlib.sha256(blob).hexdigest()
    totals.blobs.append([sha, len(blob)])
    return (_manifest(1, [[sha, len(blob)]]) + op
            + encode_record(RecordType.BLOB_HDR, canonical_json({"sha256": sha, "size": len(blob)}))
            + encode_record(RecordType.BLOB_CHUNK, blob) + _end(totals))


def test_valid_stream_parses_in_any_slicing():
    stream = _valid_stream()
    for step in (1, 3, 7, len(stream)):
        reader = RecordReader()
        records = []
        for start in range(0, len(stream), step):
            records += list(reader.feed(stream[start:start + step], start + step >= len(stream)))
        assert reader.ended and len(records) == 6


@pytest.mark.parametrize("stream", [
    struct.pack("<IB", 2**31, RecordType.MANIFEST),  # a record claiming 2 GiB: refused from 5 bytes
    struct.pack("<IB", 2 * 1024**2, RecordType.OP),
    struct.pack("<IB", 5, 99) + b"hello",  # unknown record type
    encode_record(RecordType.OP, b"{}"),  # op before manifest
    _manifest(0) + encode_record(RecordType.OP, b"{}"),  # more ops than the manifest announced
    _manifest(2_000_000),  # manifest claims more than 10^6 ops
    _manifest(0) + _manifest(0),
    encode_record(RecordType.MANIFEST, b'{"op_count":0,"op_count":1,"blobs":[]}'),  # duplicate key
    encode_record(RecordType.MANIFEST, b'{"op_count":NaN,"blobs":[]}'),
    encode_record(RecordType.MANIFEST, b'{"op_count":0,"blobs":[],"x":"a\\u0001"}'),  # control char
    encode_record(RecordType.MANIFEST, b'{"op_count":0,"blobs":[],"x":' + b"[" * 40 + b"]" * 40 + b"}"),
    encode_record(RecordType.MANIFEST, b'{"op_count":0,"blobs":[],"x":"\xff"}'),  # not UTF-8
    _manifest(0, [["../../etc/passwd", 3]]),  # blob named by anything but a SHA-256
    _manifest(0) + encode_record(RecordType.END, b'{"op_count":5}'),  # END totals do not match
])
def test_malformed_streams_are_refused(stream):
    with pytest.raises(PackageError) as caught:
        _feed(stream)
    assert caught.value.code == "malformed"


def test_blob_with_wrong_hash_or_size_is_refused():
    blob, wrong = b"real", hashlib.sha256(b"fake").hexdigest()
    header = encode_record(RecordType.BLOB_HDR, canonical_json({"sha256": wrong, "size": 4}))
    with pytest.raises(PackageError):
        _feed(_manifest(0, [[wrong, 4]]), header, encode_record(RecordType.BLOB_CHUNK, blob),
              encode_record(RecordType.END, b"{}"))
    oversize = encode_record(RecordType.BLOB_CHUNK, b"12345")
    with pytest.raises(PackageError):
        _feed(_manifest(0, [[wrong, 4]]), header, oversize)


def test_end_must_close_the_final_chunk():
    stream = _valid_stream()
    with pytest.raises(PackageError):
        _feed(stream, final=False)
    with pytest.raises(PackageError):
        _feed(stream + b"\x00", final=True)
