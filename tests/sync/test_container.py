"""The .fjpkg envelope: round trip, and every way a file can be damaged or misdirected is refused."""
from __future__ import annotations

import hashlib
import struct
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from models.sync.container import (
    MAGIC,
    SIGNATURE_BYTES,
    SIGNATURE_CONTEXT,
    iter_records,
    open_package,
    read_header,
)
from models.sync.errors import PackageError
from models.sync.header import CHUNK_SIZE
from models.sync.records import BlobData, BlobDone, BlobStart, End, Manifest, PackedOp
from tests.sync.package_helpers import make_site, read_all, sender_lookup, write_package

SEALED_CHUNK = CHUNK_SIZE + 16
OPS = [{"op_id": f"s:i:{n}", "value": "整改情况" * (n % 50), "n": n} for n in range(400)]
BLOBS = [bytes(range(256)) * 700, b"", b"scan" * 40_000]


@pytest.fixture(scope="module")
def sites():
    return make_site(), make_site("某县司法局", "liaison"), make_site("别的单位", "other")


@pytest.fixture(scope="module")
def package(tmp_path_factory, sites):
    sender, recipient, _ = sites
    path = tmp_path_factory.mktemp("pkg") / "a.fjpkg"
    written = write_package(path, sender, recipient, OPS, BLOBS)
    return path, written


def _copy_with(tmp_path: Path, source: Path, data: bytes) -> Path:
    target = tmp_path / "edited.fjpkg"
    target.write_bytes(data)
    return target


def _expect_rejected(path: Path, sites, code: str | None = None) -> PackageError:
    sender, recipient, _ = sites
    with pytest.raises(PackageError) as caught:
        read_all(path, recipient, sender)
    if code is not None:
        assert caught.value.code == code
    return caught.value


def test_round_trip_gives_back_ops_and_blobs(package, sites):
    sender, recipient, _ = sites
    path, written = package
    records = read_all(path, recipient, sender)
    assert isinstance(records[0], Manifest) and records[0].fields["note"] == "测试"
    assert [r.fields for r in records if isinstance(r, PackedOp)] == OPS
    blobs, current = [], bytearray()
    for record in records:
        if isinstance(record, BlobStart):
            current = bytearray()
        elif isinstance(record, BlobData):
            current += record.data
        elif isinstance(record, BlobDone):
            blobs.append(bytes(current))
    assert blobs == BLOBS
    assert isinstance(records[-1], End) and records[-1].fields["op_count"] == len(OPS)
    assert written.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()
    assert open_package(path, recipient, sender_lookup(sender)).sha256 == written.sha256


def test_no_plaintext_in_the_file(package):
    data = package[0].read_bytes()
    assert "整改情况".encode() not in data and b"scan" * 4 not in data and "测试".encode() not in data


def test_empty_package_round_trips(tmp_path, sites):
    sender, recipient, _ = sites
    write_package(tmp_path / "e.fjpkg", sender, recipient, [], [])
    assert [type(r) for r in read_all(tmp_path / "e.fjpkg", recipient, sender)] == [Manifest, End]


def _regions(path: Path) -> dict[str, int]:
    data = path.read_bytes()
    _, size, prefix_len = read_header(path)
    header_start = len(MAGIC) + 4
    header = data[header_start:prefix_len]
    return {
        "magic": 0,
        "hdr_len": len(MAGIC),
        "header_json": header_start + 5,
        "wrapped_key": header_start + header.index(b"wrapped_file_key") + 20,
        "first_chunk": prefix_len + 3,
        "middle_chunk": prefix_len + SEALED_CHUNK * 2 + 100,
        "last_chunk_end_record": size - SIGNATURE_BYTES - 20,
        "last_chunk_tag": size - SIGNATURE_BYTES - 1,
        "signature": size - 10,
    }


@pytest.mark.parametrize("region", ["magic", "hdr_len", "header_json", "wrapped_key", "first_chunk",
                                    "middle_chunk", "last_chunk_end_record", "last_chunk_tag", "signature"])
def test_flipped_byte_in_every_region_is_rejected(tmp_path, package, sites, region):
    path = package[0]
    data = bytearray(path.read_bytes())
    data[_regions(path)[region]] ^= 0x01
    error = _expect_rejected(_copy_with(tmp_path, path, bytes(data)), sites)
    assert error.message  # Chinese text for the clerk
    if region in ("first_chunk", "middle_chunk", "last_chunk_end_record", "last_chunk_tag", "signature"):
        assert error.code == "bad_signature"


def test_boundary_truncations_and_extensions_are_rejected(tmp_path, package, sites):
    path = package[0]
    data = path.read_bytes()
    _, size, prefix_len = read_header(path)
    cut_points = {prefix_len, size - SIGNATURE_BYTES, size - 1, 0, 7, 12}
    position = prefix_len
    while position < size:
        cut_points.update({position - 1, position, position + 1})
        position += SEALED_CHUNK
    for cut in sorted(point for point in cut_points if 0 <= point < size):
        _expect_rejected(_copy_with(tmp_path, path, data[:cut]), sites)
    for garbage in (b"\x00", b"x" * 63, b"y" * 64, b"z" * SEALED_CHUNK):
        _expect_rejected(_copy_with(tmp_path, path, data + garbage), sites)


def test_wrong_recipient_is_told_so(package, sites):
    sender, _, stranger = sites
    with pytest.raises(PackageError) as caught:
        read_all(package[0], stranger, sender)
    assert caught.value.message == "此文件不是发给本机的"


def test_unknown_sender_is_refused(package, sites):
    _, recipient, stranger = sites
    with pytest.raises(PackageError) as caught:
        read_all(package[0], recipient, stranger)
    assert caught.value.message == "未配对的发送方"


def test_sender_with_other_keys_but_same_site_id_is_refused(package, sites):
    sender, recipient, _ = sites
    impostor = make_site()
    card = impostor.card("1").__class__(**{**impostor.card("1").__dict__, "site_id": sender.site_id})
    with pytest.raises(PackageError) as caught:
        open_package(package[0], recipient, {sender.site_id: card}.get)
    assert caught.value.code == "unknown_sender"


def test_header_moved_onto_another_payload_is_rejected(tmp_path, sites):
    sender, recipient, _ = sites
    first = write_package(tmp_path / "1.fjpkg", sender, recipient, OPS[:5], []).path
    second = write_package(tmp_path / "2.fjpkg", sender, recipient, OPS[5:9], []).path
    _, _, first_prefix = read_header(first)
    _, _, second_prefix = read_header(second)
    swapped = first.read_bytes()[:first_prefix] + second.read_bytes()[second_prefix:]
    _expect_rejected(_copy_with(tmp_path, first, swapped), sites, "bad_signature")


def test_suite_downgrade_is_refused(tmp_path, package, sites):
    data = package[0].read_bytes()
    edited = data.replace(b"x25519-chacha20poly1305-ed25519-v1", b"x25519-chacha20poly1305-ed25519-v0")
    _expect_rejected(_copy_with(tmp_path, package[0], edited), sites, "unsupported_suite")


def test_not_a_package(tmp_path, sites):
    _expect_rejected(_copy_with(tmp_path, tmp_path, b"PK\x03\x04" + b"\x00" * 200), sites, "not_a_package")


def _resign(data: bytes, sender) -> bytes:
    body = data[:-SIGNATURE_BYTES]
    return body + sender.sign(SIGNATURE_CONTEXT + hashlib.sha256(body).digest())


def test_chunks_are_authenticated_even_when_signed_by_the_sender(tmp_path, package, sites):
    """Defence in depth: a sender bug or a stolen-key edit of the ciphertext still fails the AEAD."""
    sender, _, _ = sites
    path = package[0]
    _, _, prefix_len = read_header(path)
    data = path.read_bytes()
    flipped = bytearray(data)
    flipped[prefix_len + 10] ^= 0x80
    _expect_rejected(_copy_with(tmp_path, path, _resign(bytes(flipped), sender)), sites, "malformed")
    first, second = (slice(prefix_len + SEALED_CHUNK * k, prefix_len + SEALED_CHUNK * (k + 1)) for k in (0, 1))
    swapped = data[:prefix_len] + data[second] + data[first] + data[prefix_len + 2 * SEALED_CHUNK:]
    _expect_rejected(_copy_with(tmp_path, path, _resign(swapped, sender)), sites, "malformed")
    dropped_last = data[:-SIGNATURE_BYTES - 100]
    _expect_rejected(_copy_with(tmp_path, path, _resign(dropped_last + bytes(64), sender)), sites, "malformed")


def test_file_replaced_after_signature_check_is_caught(tmp_path, package, sites):
    """The file is read twice; swapping in another validly signed package in between must fail."""
    sender, recipient, _ = sites
    copy = _copy_with(tmp_path, package[0], package[0].read_bytes())
    opened = open_package(copy, recipient, sender_lookup(sender))
    other = write_package(tmp_path / "other.fjpkg", sender, recipient, OPS[:3], [])
    copy.write_bytes(other.path.read_bytes())
    with pytest.raises(PackageError):
        list(iter_records(opened, recipient))


def test_header_length_over_limit_is_rejected(tmp_path, package, sites):
    data = bytearray(package[0].read_bytes())
    data[len(MAGIC):len(MAGIC) + 4] = struct.pack("<I", 70_000)
    _expect_rejected(_copy_with(tmp_path, package[0], bytes(data)), sites, "malformed")


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(position=st.integers(min_value=0), mask=st.integers(min_value=1, max_value=255))
def test_any_single_byte_change_is_rejected(tmp_path, package, sites, position, mask):
    data = bytearray(package[0].read_bytes())
    data[position % len(data)] ^= mask
    _expect_rejected(_copy_with(tmp_path, package[0], bytes(data)), sites)
