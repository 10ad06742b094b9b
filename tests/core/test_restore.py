import pytest

from models.errors import DomainError
from models.oplog import LocalState
from models.services.cases import edit_case, list_cases, register_case
from models.services.dump import dump_text
from models.services.restore import available_backups, restore_backup
from models.services.setup import backup_now


def test_restore_brings_back_the_backup_keeps_a_safety_copy_and_starts_a_new_incarnation(new_db):
    with new_db.session_scope() as session:
        case_id = register_case(session, "己案").id
        before_incarnation = session.get(LocalState, 1).incarnation
    backup = backup_now(new_db)
    with new_db.session_scope() as session:
        saved = dump_text(session)
        edit_case(session, case_id, title="己案（误改）")
        register_case(session, "误录的案件")
    restored = restore_backup(new_db, backup)
    try:
        with restored.session_scope() as session:
            assert dump_text(session) == saved
            assert session.get(LocalState, 1).incarnation != before_incarnation
            register_case(session, "恢复后新登记")   # op ids of the new incarnation never collide
        reasons = [b.reason for b in available_backups(restored)]
        assert "恢复备份前" in reasons and "手动备份" in reasons
        with restored.session_scope() as session:
            titles = {c.title for c in list_cases(session)}
        assert titles == {"己案", "恢复后新登记"}
        from models.services.doctor import check_database
        assert check_database(restored) == []  # the witnessed audit head was rebased, not "truncated"
    finally:
        restored.close()


def test_a_database_file_copied_back_by_hand_is_noticed_at_the_next_open(new_db, user_data_dir):
    """Only the program's own counter outside the file (key file) knows: a new incarnation, audited, and
    the audit head is rebased so doctor does not cry wolf."""
    import shutil

    from sqlalchemy import text

    from models.services.doctor import check_database
    from models.storage import open_database
    from models.sync.peers import Peer  # noqa: F401  (sync tables)

    with new_db.session_scope() as session:
        register_case(session, "甲案")
        incarnation = session.get(LocalState, 1).incarnation
    new_db.close()
    copy = user_data_dir / "copy.db"
    shutil.copy(new_db.path, copy)
    from models.keyslots import KeyFile, keys_path_for
    key_file = KeyFile.load(keys_path_for(new_db.path))
    key_file.record_witness({"sync": {incarnation: 10**6}})  # as if ops up to here had been exported
    db = open_database(new_db.path, new_db.dek)
    try:
        with db.read_scope() as session:
            assert session.get(LocalState, 1).incarnation != incarnation
            last = session.execute(text("SELECT event FROM audit_event ORDER BY seq DESC LIMIT 1")).scalar_one()
        assert last == "sync_incarnation_renewed"
        assert check_database(db) == []
    finally:
        db.close()


def test_a_full_disk_at_open_is_never_called_damage(new_db, monkeypatch):
    import sqlcipher3

    from models import migrate
    from models.storage import open_database

    new_db.close()

    def full(*_args, **_kwargs):
        raise sqlcipher3.OperationalError("database or disk is full")

    monkeypatch.setattr(migrate, "migrate", full)
    with pytest.raises(DomainError) as err:
        open_database(new_db.path, new_db.dek)
    assert err.value.code == "disk_full" and str(new_db.path.parent) in err.value.message
    assert "损坏" not in err.value.message


def test_doctor_reports_a_damaged_page_in_one_line(new_db):
    from models.services.doctor import check_database
    from models.storage import open_database

    with new_db.session_scope() as session:
        for n in range(300):
            register_case(session, f"案件{n}" * 20)
    new_db.close()
    data = bytearray(new_db.path.read_bytes())
    middle = (len(data) // 4096 // 2) * 4096
    data[middle + 100:middle + 400] = b"\xff" * 300
    new_db.path.write_bytes(bytes(data))
    db = open_database(new_db.path, new_db.dek)
    try:
        findings = check_database(db)
    finally:
        db.close()
    assert findings and all("\n" not in line for line in findings)
    assert any("损坏" in line or "校验未通过" in line for line in findings)


def test_a_damaged_backup_is_refused_and_the_database_is_untouched(new_db, tmp_path):
    with new_db.session_scope() as session:
        register_case(session, "庚案")
        before = dump_text(session)
    bad = tmp_path / "fjld-20260101-000000-manual.db"
    bad.write_bytes(b"\x00" * 4096)
    with pytest.raises(DomainError) as err:
        restore_backup(new_db, bad)
    assert "未做改动" in err.value.message
    with new_db.session_scope() as session:
        assert dump_text(session) == before
