"""Control characters pasted into a field (Word's manual line break \\v, Excel's and OCR's invisible ones)
used to reach the op log as they were; the receiving workstation refuses such a value, so the whole
package was refused as damaged, and every later one while that op stayed unacknowledged. They are
cleaned when a record is written (fieldcodec.clean_text): line and page breaks become line breaks, the
others go, on creation and on edit, and the packages carrying them import."""
from __future__ import annotations

from sqlalchemy import select

from models.fieldcodec import FORBIDDEN_CONTROL
from models.unit import Unit
from tests.sync.workstations import unit_names

CONTROLS = [chr(code) for code in [*range(0x20), 0x7F]]


def test_every_control_character_is_cleaned_on_creation_and_the_package_imports(pair):
    a, b = pair
    with a.db.session_scope() as session:
        for char in CONTROLS:
            session.add(Unit(name=f"单位{ord(char):02x}甲{char}乙", note=f"第一行\v第二行\f第三行{char}"))
    names = unit_names(a)
    assert len(names) == len(CONTROLS)
    assert not any(FORBIDDEN_CONTROL.search(name) for name in names)
    assert "单位09甲\t乙" in names and "单位0a甲\n乙" in names and "单位0d甲\r乙" in names  # kept
    assert "单位01甲乙" in names and "单位0b甲\n乙" in names and "单位7f甲乙" in names  # dropped / a line break
    result = b.import_file(a.export_to(b).path)
    assert result.new_ops == len(CONTROLS) and result.quarantined_ops == 0
    assert unit_names(b) == names
    with b.db.read_scope() as session:
        assert set(session.scalars(select(Unit.note))) == {"第一行\n第二行\n第三行" + tail for tail in ("", "\t", "\n", "\r")}


def test_an_edit_is_cleaned_too_and_reaches_the_peer(pair):
    a, b = pair
    with a.db.session_scope() as session:
        unit = Unit(name="原名")
        session.add(unit)
    b.import_file(a.export_to(b).path)
    with a.db.session_scope() as session:
        session.scalars(select(Unit)).one().name = "新\x01名\x0b称"
    assert unit_names(a) == {"新名\n称"}
    result = b.import_file(a.export_to(b).path)
    assert result.new_ops == 1 and unit_names(b) == {"新名\n称"}
