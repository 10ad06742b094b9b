"""Migration 0019: the ops and records an older version wrote with control characters in them (Word's \\v,
invisible characters from Excel or OCR) are cleaned by the rule new writes follow (fieldcodec.clean_text), so
the packages that every peer refused import again; an op attested before is attested afresh. Ops of another
site are left as signed, and an export leaves out any op the receiver's own check would refuse, saying so.

An "old" database is written here as the version before the cleaning wrote it (the cleaning in the op log
switched off), then stamped back to revision 0018 and migrated: on a file by opening it again (the program's
open, backup first), on a server by the administrator's upgrade (models/pg.py upgrade_server's schema step)."""
from __future__ import annotations

import json
import re
import uuid

import pytest
from sqlalchemy import func, select, text, update

from models.audit import AuditEvent
from models.conflicts import list_conflicts
from models.errors import DomainError
from models.fieldcodec import FORBIDDEN_CONTROL, canonical_json
from models.integrity import DISPLAY_NAME_SETTING, display_name
from models.migrate import head_revision, upgrade_schema
from models.oplog import Op
from models.search import search
from models.services.sync import withheld_note
from models.settings import set_setting
from models.sync.attest import Attestation, parse_attestation
from models.sync.errors import PackageError
from models.sync.opcodec import att_ref
from models.unit import Unit
from tests.sync.workstations import Workstation, add_unit, unit_names

NEVER = re.compile(r"(?!)")


def _written_by_old_version(site: Workstation, monkeypatch, write) -> None:
    """`write(session)` as the version before the cleaning: control characters reach ops, rows and index."""
    with monkeypatch.context() as patch:
        patch.setattr("models.oplog.may_hold_control", lambda _encoded: False)
        patch.setattr("models.oplog.FORBIDDEN_CONTROL", NEVER)
        with site.db.session_scope() as session:
            write(session)


def _refused_as_before(sender: Workstation, receiver: Workstation, monkeypatch) -> None:
    """The bug: a package exported as the older version did (nothing left out) is refused as a whole."""
    with monkeypatch.context() as patch:
        patch.setattr("models.sync.export._refused_by_receiver", lambda _record, _signed: False)
        path = sender.export_to(receiver).path
    with pytest.raises(PackageError) as refused:
        receiver.import_file(path)
    assert refused.value.code == "malformed"


def _migrate(site: Workstation, backend: str) -> None:
    """The database stamped back to 0018 and brought to head as an upgrade does."""
    with site.db.engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = '0018'"))
    if backend == "postgresql":
        upgrade_schema(site.db.engine)  # `db upgrade`: a client never migrates a server
    site.reopen()  # a file: migrated in-process at open, after a verified backup
    if backend == "sqlite":
        from models.backup import backup_dir_for

        assert list(backup_dir_for(site.path).glob("*-migration.db"))
    with site.db.engine.connect() as conn:
        assert conn.execute(text("SELECT version_num FROM alembic_version")).scalar() == head_revision()


def _ops(site: Workstation) -> list[tuple[str, str, str, str, str]]:
    with site.db.read_scope() as session:
        return [tuple(row) for row in session.execute(
            select(Op.op_id, Op.site_id, Op.user, Op.value, Op.sig).order_by(Op.op_id))]


def _controls(value: str) -> bool:
    """Whether a forbidden character is in any string of an op's JSON value."""
    def strings(plain):
        if isinstance(plain, str):
            yield plain
        elif isinstance(plain, (list, dict)):
            for item in plain.values() if isinstance(plain, dict) else plain:
                yield from strings(item)
    return any(FORBIDDEN_CONTROL.search(string) for string in strings(json.loads(value)))


def _hits(site: Workstation, query: str) -> set[str]:
    with site.db.read_scope() as session:
        return {hit.title for hit in search(session, query)}


def test_old_ops_with_control_characters_are_cleaned_and_the_package_imports(pair, backend, monkeypatch):
    a, b = pair
    edited = add_unit(a.db, "西城区司法局")

    def write(session):
        session.add(Unit(name="东城\x01区司法局", note="第一行\v第二行\f第三行\x7f"))
        session.get(Unit, uuid.UUID(edited)).liaison_name = "王\x0b五"
        # NUL the only one in a record: SQLite's GLOB cannot look for it (PostgreSQL text cannot hold it).
        session.add(Unit(name="北城区司法局", liaison_phone="0557\x00" if backend == "sqlite" else "0557\x1f"))

    _written_by_old_version(a, monkeypatch, write)
    assert sum(_controls(value) for _, _, _, value, _ in _ops(a)) == 3
    _refused_as_before(a, b, monkeypatch)
    _migrate(a, backend)
    assert not any(_controls(value) for _, _, _, value, _ in _ops(a))
    assert unit_names(a) == {"东城区司法局", "西城区司法局", "北城区司法局"}
    assert _hits(a, "城区司") == {"东城区司法局", "西城区司法局", "北城区司法局"}
    result = b.import_file(a.export_to(b).path)
    assert result.quarantined_ops == 0 and result.forked_ops == 0
    assert a.dump() == b.dump()
    assert _hits(b, "城区司") == {"东城区司法局", "西城区司法局", "北城区司法局"}
    with b.db.read_scope() as session:
        rows = {unit.name: (unit.note, unit.liaison_name, unit.liaison_phone) for unit in session.scalars(select(Unit))}
    assert rows == {"东城区司法局": ("第一行\n第二行\n第三行", "", ""), "西城区司法局": ("", "王\n五", ""),
                    "北城区司法局": ("", "", "0557")}


def test_an_op_attested_before_is_attested_afresh_and_its_old_batch_still_verifies(pair, backend, monkeypatch):
    a, b = pair
    _written_by_old_version(a, monkeypatch, lambda session: session.add_all(
        [Unit(name="甲单位"), Unit(name="乙\x0b单位")]))
    _refused_as_before(a, b, monkeypatch)  # both ops were attested on the way out, in one batch
    first = {value: att_ref(sig) for _, _, _, value, sig in _ops(a)}
    old_att = set(first.values())
    assert len(old_att) == 1 and None not in old_att
    _migrate(a, backend)
    sigs = {json.loads(value)["name"]: att_ref(sig) if sig else sig for _, _, _, value, sig in _ops(a)}
    assert sigs == {"甲单位": next(iter(old_att)), "乙\n单位": ""}  # only the cleaned op waits for a new one
    result = b.import_file(a.export_to(b).path)
    assert result.new_ops == 2 and result.quarantined_ops == 0
    assert unit_names(b) == {"甲单位", "乙\n单位"}
    held = {json.loads(value)["name"]: att_ref(sig) for _, _, _, value, sig in _ops(b)}
    assert held["甲单位"] in old_att and held["乙\n单位"] not in old_att | {None}
    with b.db.read_scope() as session:
        old = parse_attestation(session.get(Attestation, next(iter(old_att))).body.encode("utf-8"))
    # The old attestation, accepted and stored, still lists the digest of the op as it was before cleaning.
    assert len(old.digests) == 2
    with a.db.session_scope() as session:
        session.scalars(select(Unit).where(Unit.name == "甲单位")).one().note = "后来的修改"
    assert b.import_file(a.export_to(b).path).new_ops == 1


def test_a_conflict_whose_values_differed_only_by_a_control_character_is_gone(pair, backend, monkeypatch):
    a, b = pair
    row_id = add_unit(a.db, "单位")
    b.import_file(a.export_to(b).path)
    with b.db.session_scope() as session:
        session.get(Unit, uuid.UUID(row_id)).note = "甲\n乙"

    def edit(session):
        session.get(Unit, uuid.UUID(row_id)).note = "甲\v乙"

    _written_by_old_version(a, monkeypatch, edit)
    a.import_file(b.export_to(a).path)
    with a.db.read_scope() as session:
        assert [(c.field, c.kind) for c in list_conflicts(session)] == [("note", "value")]
    _migrate(a, backend)
    with a.db.read_scope() as session:
        assert list_conflicts(session) == []
    b.import_file(a.export_to(b).path)
    assert a.dump() == b.dump() and a.dump()["conflicts"] == []


def test_the_author_of_old_ops_is_cleaned_and_they_travel(pair, backend, monkeypatch):
    a, b = pair
    a.db.user = "内勤\x0b张三\x01"
    _written_by_old_version(a, monkeypatch, lambda session: session.add(Unit(name="单位")))
    _migrate(a, backend)
    assert {user for _, site, user, _, _ in _ops(a) if site == a.site_id} == {"内勤\n张三"}
    assert b.import_file(a.export_to(b).path).new_ops == 1
    assert {user for _, _, user, _, _ in _ops(b)} == {"内勤\n张三"}


def test_a_database_without_control_characters_is_left_byte_identical(pair, backend):
    a, b = pair
    add_unit(a.db, "第一行\n第二行\t制表\r回车")
    b.import_file(a.export_to(b).path)
    add_unit(b.db, "对方的单位")
    a.import_file(b.export_to(a).path)
    with a.db.session_scope() as session:
        session.scalars(select(Unit).where(Unit.name == "对方的单位")).one().note = "备注\\u0001不是控制字符"
    before, dump = _ops(a), a.dump()
    _migrate(a, backend)
    assert _ops(a) == before and a.dump() == dump


def test_another_sites_op_holding_one_is_kept_as_signed_and_left_out_of_the_package(pair, backend, monkeypatch):
    """It cannot have arrived through sync (every receiver checks); a file put together by other means may
    hold one. Cleaned, it would no longer match its origin's attestation; sent, it would sink the package."""
    a, b = pair
    add_unit(b.db, "对方单位")
    a.import_file(b.export_to(a).path)
    with a.db.session_scope() as session:
        theirs = session.scalars(select(Op).where(Op.site_id == b.site_id)).one()
        damaged = theirs.value.replace("对方", "对\\u000b方")
        session.execute(update(Op).where(Op.op_id == theirs.op_id).values(value=damaged))
    _migrate(a, backend)
    assert [value for _, site, _, value, _ in _ops(a) if site == b.site_id] == [damaged]
    add_unit(a.db, "本方单位")
    result = a.export_to(b)
    assert result.withheld_ops == 1 and result.op_count == 1
    assert withheld_note(a.db, result).endswith("未放入本包：单位“对方单位”")
    imported = b.import_file(result.path)  # accepted: the op the check would refuse is not in it
    assert imported.new_ops == 1 and unit_names(b) == {"对方单位", "本方单位"}
    with a.db.read_scope() as session:
        event = session.scalars(select(AuditEvent).where(AuditEvent.event == "sync_export")
                                .order_by(AuditEvent.seq.desc()).limit(1)).one()
    assert event.result == "warning" and theirs.op_id in event.detail


def test_a_value_too_big_for_any_receiver_is_refused_when_written(pair):
    """A peer refuses a value over 1 MiB (fieldcodec.MAX_VALUE_BYTES) and with it the whole package: the
    clerk is told which field when saving, on a new record and on an edit, and nothing is saved."""
    a, _b = pair
    with pytest.raises(DomainError) as refused, a.db.session_scope() as session:
        session.add(Unit(name="大段粘贴", note="字" * 400_000))
    assert refused.value.code == "value_too_big" and "“备注”" in refused.value.message
    unit_id = add_unit(a.db, "正常单位")
    with pytest.raises(DomainError) as refused, a.db.session_scope() as session:
        session.get(Unit, uuid.UUID(unit_id)).note = "字" * 400_000
    assert refused.value.code == "value_too_big"
    with a.db.read_scope() as session:
        assert [(unit.name, unit.note) for unit in session.scalars(select(Unit))] == [("正常单位", "")]
        assert session.scalar(select(func.count()).select_from(Op)) == 1


def test_an_own_value_too_big_from_an_older_version_is_left_out_and_the_rest_travels(pair):
    a, b = pair
    add_unit(a.db, "正常单位")
    big = add_unit(a.db, "大段粘贴")
    with a.db.session_scope() as session:  # as an older version, which did not refuse it, wrote it
        create = session.scalars(select(Op).where(Op.row_id == big)).one()
        value = {**json.loads(create.value), "note": "字" * 400_000}
        session.execute(update(Op).where(Op.op_id == create.op_id).values(value=canonical_json(value)))
    result = a.export_to(b)
    assert (result.op_count, result.withheld_ops) == (1, 1)
    assert withheld_note(a.db, result).endswith("未放入本包：单位“大段粘贴”")
    assert b.import_file(result.path).new_ops == 1 and unit_names(b) == {"正常单位"}


def test_the_author_name_is_one_clean_line_whatever_the_settings_hold(pair):
    a, _b = pair
    with a.db.session_scope() as session:
        set_setting(session, DISPLAY_NAME_SETTING, "张\x0b三\x01 \n 科员")
        assert display_name(session) == "张 三 科员"
