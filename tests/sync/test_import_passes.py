"""The two import passes: what pass 2 applies is exactly what pass 1 authenticated, whether pass 1 kept
the checked ops (small package without attachments) or pass 2 reads the file again; and that the receiver
checks every op's own signature, the sender's included."""
from __future__ import annotations

import base64
import json

import pytest
from sqlalchemy import select

import models.sync.exchange as exchange
import models.sync.export as export
from models.sync.errors import PackageError
from models.unit import Unit
from tests.sync.workstations import Workstation, add_unit, paired_sites


@pytest.fixture
def trio(tmp_path):
    sites = paired_sites(tmp_path, ("a", "b", "c"))
    yield sites
    for site in sites:
        site.close()


def _unit_names(site: Workstation) -> set[str]:
    with site.db.read_scope() as session:
        return set(session.scalars(select(Unit.name)))


def _swap_after_pass_one(monkeypatch, path, replacement: bytes) -> None:
    """Replace the package file once pass 1 is over (the first step between the passes)."""
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
    assert _unit_names(b) == {"县水利局"}


def test_a_file_read_again_is_caught_if_it_changed(trio, monkeypatch):
    a, b, _ = trio
    monkeypatch.setattr(exchange, "_KEPT_OP_BYTES", 0)  # too large to keep: pass 2 decrypts the file again
    add_unit(a.db, "县水利局")
    first = a.export_to(b)
    original = first.path.read_bytes()
    add_unit(a.db, "县林业局")
    second = a.export_to(b)
    _swap_after_pass_one(monkeypatch, first.path, second.path.read_bytes())
    with pytest.raises(PackageError):
        b.import_file(first.path)
    assert _unit_names(b) == set()  # rolled back
    monkeypatch.undo()
    monkeypatch.setattr(exchange, "_KEPT_OP_BYTES", 0)
    first.path.write_bytes(original)
    assert b.import_file(first.path).new_ops == 1  # read twice, unchanged: applied
    assert _unit_names(b) == {"县水利局"}


def test_a_wrong_op_signature_is_held_at_every_hop_the_first_included(trio, monkeypatch):
    """The package signature proves the sender, yet its own op with a wrong signature is held at once:
    a relaying site could not check it any other way, so every site decides it the same."""
    a, b, c = trio
    add_unit(a.db, "县财政局")
    garbage = json.dumps({"full": base64.b64encode(bytes(64)).decode("ascii")})
    monkeypatch.setattr(export, "sign_op", lambda _identity, _op: garbage)  # a writes a wrong op signature
    from_a = a.export_to(b)
    monkeypatch.undo()
    direct = b.import_file(from_a.path)
    assert direct.new_ops == 0 and direct.held == {"bad_signature": 1}
    assert _unit_names(b) == set()
    relayed = c.import_file(b.export_to(c).path)
    assert relayed.new_ops == 0
    assert _unit_names(c) == set()


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
