"""What other desks changed since a mark (models/services/changes.py), on both backends: a second
Database handle on the same file or the same server database is another desk; this handle's own
writes are left out; nothing changed is one cheap answer with the same mark."""
from __future__ import annotations

from urllib.parse import quote

from models.services.cases import edit_case, register_case
from models.services.changes import changes_since, current_mark, latest_arrival, poll, track, untrack
from models.services.units import add_unit, edit_unit
from models.storage import Database, open_database


def second_desk(db: Database, user: str) -> Database:
    """Another desk on the same office database: a second open of the same file, or a second login to
    the same server database."""
    if db.server is None:
        return open_database(db.path, db.dek, user=user)
    from models.pg import open_server

    address = db.server
    secret = f":{quote(address.password)}" if address.password else ""
    return open_server(f"postgresql://{quote(address.user)}{secret}@{address.host}:{address.port}/{address.dbname}",
                       user=user)


def test_nothing_changed_keeps_the_mark(new_db):
    mark = current_mark(new_db)
    changes = poll(new_db, mark)
    assert changes.mark == mark and not changes and changes.entities == frozenset() and changes.rows == {}


def test_other_writers_are_reported_by_kind_row_and_person_and_own_writes_are_not(new_db):
    other = second_desk(new_db, "李四")
    own = track(new_db)
    try:
        with new_db.write_scope() as session:
            mine = add_unit(session, "某县自然资源局").id
        mark = current_mark(new_db)
        with new_db.write_scope() as session:          # this window's own edit after the mark
            edit_unit(session, mine, liaison_name="张三")
        assert not poll(new_db, mark, own)             # only my own write arrived: nothing to refresh
        with other.write_scope() as session:           # another desk: a new unit and an edit of mine
            theirs = add_unit(session, "某县水利局").id
            edit_unit(session, mine, liaison_phone="0557-1234567")
        with other.write_scope() as session:
            case_id = register_case(session, "某河道非法采砂案").id
        changes = poll(new_db, mark, own)
        assert changes.entities == {"unit", "case"}
        assert changes.changed_by("unit", theirs) == ("李四",)
        assert changes.changed_by("unit", mine) == ("李四",)
        assert changes.changed_by("case", case_id) == ("李四",)
        assert changes.mark > mark
        assert not poll(new_db, changes.mark, own)     # the new mark: nothing more
        with new_db.write_scope() as session:           # my own write, then theirs: only theirs counts
            edit_case(session, case_id, summary="我写的")
        with other.write_scope() as session:
            edit_unit(session, theirs, note="李四备注")
        again = poll(new_db, changes.mark, own)
        assert again.entities == {"unit"} and set(again.rows) == {("unit", str(theirs))}
        own.forget_before(again.mark)
        assert own.ranges() == ()
    finally:
        untrack(own)
        other.close()


def test_an_untracked_handle_sees_its_own_writes_as_changes(new_db):
    """Without `track` (e.g. the CLI) every write counts: the exclusion is per window, not per user."""
    mark = current_mark(new_db)
    with new_db.write_scope() as session:
        unit_id = add_unit(session, "某县林业局").id
    changes = poll(new_db, mark)
    assert changes.entities == {"unit"} and changes.changed_by("unit", unit_id) == (new_db.user,)


def test_many_changed_records_report_kinds_and_the_watched_rows(new_db):
    other = second_desk(new_db, "王五")
    try:
        with new_db.write_scope() as session:
            watched = add_unit(session, "某县公安局").id
        mark = current_mark(new_db)
        with other.write_scope() as session:
            for n in range(6):
                add_unit(session, f"某县第{n}单位")
            edit_unit(session, watched, note="王五改的")
            register_case(session, "某案")
        with new_db.read_scope() as session:
            changes = changes_since(session, mark, watch=[("unit", watched)], row_limit=3)
            assert latest_arrival(session) == changes.mark
        assert changes.entities == {"unit", "case"} and not changes.all_rows
        assert changes.rows == {("unit", str(watched)): ("王五",)}
    finally:
        other.close()


def test_own_writes_are_noted_at_the_flush_and_dropped_on_rollback(new_db):
    import pytest

    from models.errors import DomainError

    own = track(new_db)
    try:
        with pytest.raises(DomainError), new_db.write_scope() as session:
            add_unit(session, "某县交通运输局")
            assert len(own.ranges()) == 1     # noted at the flush, before any poll could see the commit
            raise DomainError("x", "回滚")
        assert own.ranges() == ()             # rolled back: those numbers will be taken again
        with new_db.write_scope() as session:
            add_unit(session, "某县卫生健康委员会")
        [(lo, hi)] = own.ranges()
        assert hi == current_mark(new_db) and lo <= hi
    finally:
        untrack(own)
