import datetime as dt
import subprocess

import pytest

from models.backup import backup_dir_for, backup_engine
from models.errors import DomainError
from models.services.cases import register_case
from models.services.setup import unlock
from tests.conftest import TEST_PASSWORD
from tests.lockholder import write_lock_held

MARKERS = ["非法采砂破坏河道生态", "宿检行公立〔2024〕77号", "承办人甲乙丙"]


def _all_files(folder):
    return [p for p in folder.rglob("*") if p.is_file()]


def test_no_plaintext_in_database_wal_or_backups(new_db, user_data_dir):
    with new_db.session_scope() as session:
        register_case(session, MARKERS[0], case_no=MARKERS[1], handler=MARKERS[2])
    backup_engine(new_db.engine, new_db.path, new_db.dek, reason="manual")
    files = _all_files(user_data_dir)
    assert any(p.suffix == ".db" for p in files)
    for path in files:
        if path.name.endswith(".keys.json") or path.suffix in (".log",):
            continue
        data = path.read_bytes()
        assert b"SQLite format 3" not in data, path
        for marker in MARKERS:
            assert marker.encode("utf-8") not in data, (path, marker)
            assert marker.encode("utf-16-le") not in data, (path, marker)
    strings = subprocess.run(["strings", "-n", "6", str(new_db.path)], capture_output=True, text=True).stdout
    assert "CREATE TABLE" not in strings and "case_record" not in strings


def test_a_damaged_page_is_reported_as_damage_not_as_a_wrong_password(new_db, user_data_dir):
    with new_db.session_scope() as session:
        register_case(session, "某案")
    new_db.close()
    path = user_data_dir / "fjld.db"
    data = bytearray(path.read_bytes())
    data[100] ^= 0xFF
    path.write_bytes(bytes(data))
    with pytest.raises(DomainError) as err:
        unlock(path, password=TEST_PASSWORD)
    assert err.value.code == "db_unreadable"
    assert "损坏" in err.value.message


def test_every_write_is_one_transaction(new_db):
    with pytest.raises(DomainError):
        with new_db.session_scope() as session:
            register_case(session, "第一件")
            register_case(session, "")  # invalid: the whole unit of work is rolled back
    with new_db.session_scope() as session:
        from models.services.cases import list_cases
        assert list_cases(session) == []


def test_backup_is_verified_rotated_and_opens_with_the_same_key(new_db):
    with new_db.session_scope() as session:
        register_case(session, "备份测试案")
    path = backup_engine(new_db.engine, new_db.path, new_db.dek, reason="manual",
                         now=dt.datetime(2026, 11, 23, 9, 0, 0))
    assert path.exists() and path.parent == backup_dir_for(new_db.path)
    assert path.with_name(path.name + ".keys.json").exists()
    from models.storage import open_database
    copy = open_database(path, new_db.dek)
    with copy.session_scope() as session:
        from models.services.cases import list_cases
        assert [c.title for c in list_cases(session)] == ["备份测试案"]
    copy.close()


def test_a_corrupt_backup_fails_verification(new_db, tmp_path):
    from models.backup import verify_backup
    bad = tmp_path / "bad.db"
    bad.write_bytes(b"\0" * 8192)
    with pytest.raises(DomainError) as err:
        verify_backup(bad, new_db.dek)
    assert err.value.code == "backup_corrupt"


def test_retention_keeps_recent_daily_weekly_monthly_and_always_the_newest():
    from models.backup import backups_to_keep
    now = dt.datetime(2026, 11, 23, 12, 0)
    hourly = [now - dt.timedelta(hours=h) for h in range(0, 24 * 200, 6)]
    keep = backups_to_keep(hourly, now)
    assert all(s in keep for s in hourly if now - s <= dt.timedelta(days=2))
    older_days = {s.date() for s in keep if dt.timedelta(days=2) < now - s <= dt.timedelta(days=16)}
    assert len(older_days) == len([s for s in keep if dt.timedelta(days=2) < now - s <= dt.timedelta(days=16)])
    assert len(keep) < len(hourly) / 4
    assert backups_to_keep([now - dt.timedelta(days=900)], now) == {now - dt.timedelta(days=900)}


def test_backups_go_to_the_folder_chosen_in_settings(new_db, tmp_path):
    from models.services.setup import backup_now
    from models.settings import set_setting
    chosen = tmp_path / "U盘" / "备份"
    chosen.mkdir(parents=True)
    with new_db.session_scope() as session:
        set_setting(session, "backup_dir", str(chosen))
    path = backup_now(new_db)
    assert path.parent == chosen and path.name.endswith("-manual.db")
    with new_db.import_scope("before_load"):
        pass
    assert len(list(chosen.glob("*-before_load.db"))) == 1


def test_a_read_scope_reads_a_snapshot_beside_a_running_writer(new_db):
    import time

    from models.services.cases import list_cases

    with new_db.write_scope() as session:
        register_case(session, "已提交的案件")
    with write_lock_held(new_db, lambda session: register_case(session, "写入中的案件")):
        started = time.perf_counter()
        with new_db.read_scope() as session:
            titles = [row.title for row in list_cases(session)]
        elapsed = time.perf_counter() - started
    assert titles == ["已提交的案件"]      # the snapshot: the writer's uncommitted row is not seen
    assert elapsed < 1.0                  # no wait for the writer's lock (busy_timeout is 5 s)
    with new_db.read_scope() as session:
        assert len(list_cases(session)) == 2


def test_a_read_scope_refuses_to_write(new_db):
    with pytest.raises(DomainError) as caught:
        with new_db.read_scope() as session:
            register_case(session, "不应保存")
    assert caught.value.code == "read_scope_write"
    with new_db.read_scope() as session:
        from models.services.cases import list_cases
        assert list_cases(session) == []
