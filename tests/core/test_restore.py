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
    finally:
        restored.close()


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
