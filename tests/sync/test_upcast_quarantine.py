"""Ops from an older program version are upcast before they apply; ops held for an unknown field
are applied once this version knows the field."""
import json
from dataclasses import replace

from models.oplog import CREATE_FIELD, OpRecord
from models.services.common import field_history
from models.sync import exchange, upcast, verdicts
from models.sync.peers import QuarantinedOp
from models.unit import Unit
from tests.sync.workstations import Workstation


def rename_note_to_short_name(op: OpRecord) -> OpRecord:
    """A pretend format-2 → format-3 change: the field `note` became `short_name`."""
    if op.entity != "unit":
        return op
    if op.field == CREATE_FIELD:
        values = json.loads(op.value)
        if "note" in values:
            values["short_name"] = values.pop("note")
        return replace(op, value=json.dumps(values, ensure_ascii=False))
    return replace(op, field="short_name") if op.field == "note" else op


def test_a_package_in_an_older_op_format_is_upcast_before_it_applies(tmp_path, monkeypatch):
    old, new = Workstation(tmp_path / "旧版", "old"), Workstation(tmp_path / "新版", "new")
    old.pair(new)
    new.pair(old)
    with old.db.session_scope() as session:
        session.add(Unit(name="宿州市水利局", note="水利"))
    package = old.export_to(new)                       # written as op format 2
    monkeypatch.setattr(exchange, "OP_FMT", 3)         # the receiver is one release newer
    monkeypatch.setattr(verdicts, "OP_FMT", 3)
    monkeypatch.setitem(upcast.UPCASTERS, 2, rename_note_to_short_name)
    result = new.import_file(package.path)
    assert result.new_ops == 1
    with new.db.session_scope() as session:
        unit = session.query(Unit).one()
        assert (unit.short_name, unit.note) == ("水利", "")
    old.close()
    new.close()


def test_quarantined_ops_apply_once_their_field_is_known(tmp_path):
    site = Workstation(tmp_path / "站", "site")
    with site.db.session_scope() as session:
        unit = Unit(name="宿州市民政局")
        session.add(unit)
        session.flush()
        row = str(unit.id)
        create = field_history(session, unit)[0].op_id
        known = OpRecord("x:1:1", 2**62, "x", "远端", "unit", row, "liaison_name", json.dumps("蒋红"), (create,))
        unknown = OpRecord("x:1:2", 2**40 + 1, "x", "远端", "unit", row, "field_of_v9", json.dumps("?"), ())
        session.add_all([QuarantinedOp(op_id=o.op_id, body=o.to_json()) for o in (known, unknown)])
    with site.db.session_scope() as session:
        assert upcast.release_quarantine(session) == 1
    with site.db.session_scope() as session:
        assert session.query(Unit).one().liaison_name == "蒋红"
        assert [q.op_id for q in session.query(QuarantinedOp)] == ["x:1:2"]
    site.close()
