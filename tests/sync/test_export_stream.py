"""The export reads the op table once, into an encrypted spool, and writes the package around it
(models/sync/export.py, spool.py); the reader takes OP records inline and hashes them per run
(records.py). What travels must be exactly what encoding each op on its own gives, in arrival order,
with every attestation its ops name, however the attestation batches and held ops fall."""
from __future__ import annotations

import hashlib
import uuid

import pytest
from sqlalchemy import select

from models.oplog import Op, OpRecord
from models.sync import attest, export
from models.sync.attest import parse_attestation
from models.sync.errors import PackageError
from models.sync.opcodec import att_ref, decode_op, encode_op, signed_bytes
from models.sync.records import (
    MAX_BODY_BYTES,
    RecordReader,
    RecordType,
    Totals,
    canonical_json,
    encode_op_records,
    encode_record,
)
from models.sync.spool import Spool
from models.unit import Unit
from tests.sync.package_helpers import read_package
from tests.sync.workstations import Workstation, add_unit, unit_names


def _edit_note(site: Workstation, unit_id: str, note: str) -> None:
    with site.db.session_scope() as session:
        session.get(Unit, uuid.UUID(unit_id)).note = note


def _held_ops(site: Workstation) -> list[OpRecord]:
    """The site's op table in arrival order, as records."""
    with site.db.read_scope() as session:
        return [OpRecord.of(op) for op in session.scalars(select(Op).order_by(Op.arrival))]


def _mixed_history(trio) -> tuple[Workstation, Workstation, Workstation]:
    """a holds, in arrival order: its own new ops, c's attested ops, more of its own (creates and edits
    with a pred, odd text included), none of them sent yet."""
    a, b, c = trio
    first = add_unit(a.db, "县财政局")
    add_unit(a.db, "引号\"反斜杠\\换行\n制表\t回车\r")
    add_unit(c.db, "县水利局")
    second = add_unit(c.db, "县林业局")
    _edit_note(c, second, "c 的备注")
    assert a.import_file(c.export_to(a).path).new_ops == 3
    _edit_note(a, first, "备注 ☃ \U0001f600")
    add_unit(a.db, "县民政局")
    _edit_note(a, first, "再改一次")
    return a, b, c


@pytest.mark.parametrize("batch, held_bytes", [(4096, 8 * 1024 * 1024), (2, 8 * 1024 * 1024), (4096, 1)])
def test_the_package_carries_each_op_as_encoded_alone_in_arrival_order(trio, monkeypatch, batch, held_bytes):
    """Small attestation batches and a tiny held-ops budget make batches end between and inside runs of
    another site's ops: the order, the bytes and the attestations stay those of op-by-op encoding."""
    monkeypatch.setattr(attest, "MAX_ATTESTED_OPS", batch)
    monkeypatch.setattr(export, "MAX_ATTESTED_OPS", batch)
    monkeypatch.setattr(export, "_HELD_BYTES", held_bytes)
    a, b, c = _mixed_history(trio)
    package = a.export_to(b)
    held = _held_ops(a)  # after the export: a's own ops now name their attestations
    assert package.op_count == len(held) == 8
    _header, manifest, attestations, bodies = read_package(package.path, a, b)
    assert bodies == [encode_op(op) for op in held]
    assert manifest["counts"] == {"unit": 8} and manifest["op_count"] == 8
    carried = {parse_attestation(body).att_id: parse_attestation(body) for body in attestations}
    for op in held:
        attestation = carried[att_ref(op.sig)]  # every op names an attestation the package carries
        assert attestation.site_id == op.site_id
        assert attest.op_digest(signed_bytes(op)) in attestation.digests
    own = {att_ref(op.sig) for op in held if op.site_id == a.site_id}
    assert len(own) == {4096: 1, 2: 3}[batch] if held_bytes > 1 else len(own) == 5  # a wrote 5 ops
    assert b.import_file(package.path).new_ops == 8
    assert b.dump() == a.dump()
    monkeypatch.undo()
    again = a.export_to(b, full=True)  # now all attested: the same bytes again, nothing re-attested
    assert read_package(again.path, a, b)[3] == bodies
    assert {att_ref(op.sig) for op in _held_ops(a)} == {att_ref(op.sig) for op in held}


def test_a_package_larger_than_a_spool_block_streams_through_the_file(trio, monkeypatch):
    monkeypatch.setattr("models.sync.spool.BLOCK_BYTES", 2048)
    a, b, _ = trio
    for number in range(60):
        add_unit(a.db, f"单位{number}" + "说明文字" * 20)
    package = a.export_to(b)
    _header, _manifest, _attestations, bodies = read_package(package.path, a, b)
    assert bodies == [encode_op(op) for op in _held_ops(a)]
    assert b.import_file(package.path).new_ops == 60
    assert len(unit_names(b)) == 60


def test_the_spool_gives_back_what_it_was_given_and_refuses_a_changed_file():
    with Spool(block_bytes=100) as spool:
        pieces = [bytes([number]) * (number * 7 % 90 + 1) for number in range(50)]
        for piece in pieces:
            spool.add(piece)
        spool.add(b"".join(pieces[:3]), 3)
        blocks = list(spool.blocks())
        assert b"".join(block for block, _count in blocks) == b"".join(pieces + pieces[:3])
        assert sum(count for _block, count in blocks) == 53 == spool.count
        assert len(blocks) > 5
    with Spool(block_bytes=1 << 20) as small:  # under one block: never on disk
        small.add(b"abc")
        assert list(small.blocks()) == [(b"abc", 1)] and small._file is None
    with Spool(block_bytes=10) as spool:
        spool.add(b"x" * 40)
        spool.add(b"y" * 40)
        spool._file.seek(3)
        changed = bytes([spool._file.read(1)[0] ^ 1])  # a flipped bit: writing "!" left 1 file in 256 as it was
        spool._file.seek(3)
        spool._file.write(changed)
        with pytest.raises(OSError):
            list(spool.blocks())


def _ops(count: int) -> tuple[bytes, list[bytes], bytes]:
    """(MANIFEST record announcing `count` ops, their bodies, the matching END record)."""
    bodies = [canonical_json({"n": number, "text": "案件" * (number % 50)}) for number in range(count)]
    totals = Totals()
    totals.add_ops(encode_op_records(bodies), count)
    return (encode_record(RecordType.MANIFEST, canonical_json({"op_count": count, "blobs": []})), bodies,
            encode_record(RecordType.END, canonical_json(totals.end_fields())))


def test_op_records_read_in_any_slicing_and_their_hash_checked():
    manifest, bodies, end = _ops(40)
    assert encode_op_records(bodies) == b"".join(encode_record(RecordType.OP, body) for body in bodies)
    stream = manifest + encode_op_records(bodies) + end
    for step in (1, 5, 64, 333, len(stream)):
        reader = RecordReader()
        got = []
        for start in range(0, len(stream), step):
            got += list(reader.feed(stream[start:start + step], start + step >= len(stream)))
        assert reader.ended
        assert [record.body for record in got[1:-1]] == bodies
    # One byte of the 21st op's body changed, lengths intact: END's op hash no longer matches.
    damaged = bytearray(stream)
    damaged[len(manifest) + len(encode_op_records(bodies[:20])) + 7] ^= 1
    for step in (7, len(stream)):
        reader = RecordReader()
        with pytest.raises(PackageError) as caught:
            for start in range(0, len(damaged), step):
                list(reader.feed(bytes(damaged[start:start + step]), start + step >= len(damaged)))
        assert caught.value.code == "malformed"


@pytest.mark.parametrize("tail", [
    encode_record(RecordType.OP, b"{}"),  # one op more than announced
    encode_record(RecordType.ATTEST, b"{}"),  # an attestation after ops
    b"\x05\x00\x00\x00\x63hello",  # unknown record type after a run of ops
    encode_record(RecordType.END, canonical_json({"op_count": 5})),  # END totals that do not match
])
def test_after_a_run_of_ops_the_grammar_still_holds(tail):
    manifest, bodies, _end = _ops(5)
    with pytest.raises(PackageError) as caught:
        list(RecordReader().feed(manifest + encode_op_records(bodies) + tail, True))
    assert caught.value.code == "malformed"


def test_an_oversized_op_is_refused_when_written():
    with pytest.raises(ValueError):
        encode_op_records([b"x", b"y" * (MAX_BODY_BYTES[RecordType.OP] + 1)])


def test_op_bodies_decode_to_the_ops_held(trio):
    a, b, _ = _mixed_history(trio)
    package = a.export_to(b)
    decoded = [decode_op(body)[0] for body in read_package(package.path, a, b)[3]]
    assert decoded == _held_ops(a)
    assert hashlib.sha256(package.path.read_bytes()).hexdigest() == package.sha256
