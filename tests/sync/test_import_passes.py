"""The single import pass: what is applied is exactly what was read and authenticated, a file that changes
under the reader is caught before anything commits (all of it rolled back), and the receiver checks every
op's own authentication (its origin's attestation), the sender's ops included."""
from __future__ import annotations

import pytest
from sqlalchemy import select

import models.sync.attest as attest
import models.sync.exchange as exchange
from models.sync.errors import PackageError
from models.unit import Unit
from tests.sync.workstations import add_unit, unit_names


def _swap_after_pass_one(monkeypatch, path, replacement: bytes) -> None:
    """Replace the package file once it has been read (the first step after the ops are applied)."""
    original = exchange._renew_if_this_file_is_stale

    def swap_then_go_on(*args, **kwargs):
        path.write_bytes(replacement)
        return original(*args, **kwargs)

    monkeypatch.setattr(exchange, "_renew_if_this_file_is_stale", swap_then_go_on)


def test_kept_ops_are_the_checked_ones_even_if_the_file_changes(trio, monkeypatch):
    a, b, _ = trio
    add_unit(a.db, "县水利局")
    first = a.export_to(b)
    add_unit(a.db, "县林业局")
    second = a.export_to(b)  # validly signed by the same sender, with one more op
    _swap_after_pass_one(monkeypatch, first.path, second.path.read_bytes())
    result = b.import_file(first.path)
    assert result.new_ops == 1
    assert unit_names(b) == {"县水利局"}


def test_a_file_changed_while_it_is_read_is_caught_and_nothing_stays_applied(trio, monkeypatch):
    """Ops are applied while the package is read; a chunk changed after the signature check fails at the
    end, and the whole transaction, with every op already applied, is rolled back."""
    a, b, _ = trio
    with a.db.session_scope() as session:
        for number in range(400):  # several 64 KiB chunks
            session.add(Unit(name=f"单位{number}", note="说明文字" * 20))
    package = a.export_to(b)
    original = package.path.read_bytes()
    tail_at = len(original) - 64 - 100  # inside the final chunk, before the package signature
    opened = exchange.open_package

    def open_then_change(*args, **kwargs):
        checked = opened(*args, **kwargs)
        changed = bytearray(original)
        changed[tail_at] ^= 1
        package.path.write_bytes(bytes(changed))
        return checked

    applied: list[int] = []
    apply_ops = exchange.apply_ops

    def counting_apply(session, batch):
        applied.append(len(batch))
        return apply_ops(session, batch)

    monkeypatch.setattr(exchange, "open_package", open_then_change)
    monkeypatch.setattr(exchange, "apply_ops", counting_apply)
    monkeypatch.setattr(exchange, "_APPLY_BATCH", 50)
    with pytest.raises(PackageError):
        b.import_file(package.path)
    assert sum(applied) >= 300  # most ops were applied before the damage was read...
    assert unit_names(b) == set()  # ...and rolled back with the rest
    monkeypatch.undo()
    package.path.write_bytes(original)
    assert b.import_file(package.path).new_ops == 400
    assert len(unit_names(b)) == 400


def test_a_wrong_op_signature_is_held_at_every_hop_the_first_included(trio, monkeypatch):
    """The package signature proves the sender, yet its own op missing from its own attestation is held
    at once: a relaying site could not check it any other way, so every site decides it the same."""
    a, b, c = trio
    add_unit(a.db, "县财政局")
    monkeypatch.setattr(attest, "digests_of", lambda _op, _signed=None: [bytes(32)])  # a attests the wrong digest
    from_a = a.export_to(b)
    monkeypatch.undo()
    direct = b.import_file(from_a.path)
    assert direct.new_ops == 0 and direct.held == {"bad_signature": 1}
    assert unit_names(b) == set()
    relayed = c.import_file(b.export_to(c).path)
    assert relayed.new_ops == 0
    assert unit_names(c) == set()


def test_preview_predicts_the_conflicts_the_import_then_records(trio):
    a, b, _ = trio
    add_unit(a.db, "县水利局")
    add_unit(a.db, "县林业局")
    b.import_file(a.export_to(b).path)
    a.import_file(b.export_to(a).path)  # acks: the next package carries only the edits
    with a.db.session_scope() as session:
        for unit in session.scalars(select(Unit)):
            unit.note = f"甲方备注：{unit.name}"
    with b.db.session_scope() as session:  # b edits one of the two rows concurrently
        session.scalars(select(Unit).where(Unit.name == "县水利局")).one().note = "乙方备注"
    package = a.export_to(b)
    preview = b.import_file(package.path, preview=True)
    assert (preview.new_ops, preview.conflicts_before, preview.conflicts_after) == (2, 0, 1)
    applied = b.import_file(package.path)
    assert (applied.new_ops, applied.conflicts_after) == (2, 1)
