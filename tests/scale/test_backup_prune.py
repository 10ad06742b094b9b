"""Pruning the backups' shared blob folder (issue 15): a blob file goes only once no kept backup (by its
manifest) nor the live store needs it; backups from before manifests get one; an unreadable backup or a
backup still being written keeps everything it might need; day-old leftovers go. Also the quick check
of the backup before an import and the cap on same-day backups."""
from __future__ import annotations

import datetime as dt
import os
import secrets
import shutil
import time

import pytest

from models.backup import SAME_DAY_CAP, backup_engine, backups_to_keep, list_backups, verify_backup
from models.blobbackup import manifest_path, needed_names, read_manifest, shared_backup_dir
from models.blobstore import blob_dir_for, blob_store, collect_garbage
from models.errors import DomainError
from models.services.attachments import add_attachment
from models.services.restore import restore_backup
from models.storage import make_engine, open_database
from tests.scale.helpers import generated, owner, read_all_checked

KB = 1024
NOW = dt.datetime.now().replace(microsecond=0)


def attach(db, contents: list[bytes]) -> set[str]:
    """Adds the attachments; returns their blob file names."""
    suggestion = owner(db)
    with db.session_scope() as session:
        hashes = [add_attachment(session, "suggestion", suggestion, f"件{i}.pdf", data).sha256
                  for i, data in enumerate(contents)]
        store = blob_store(session)
        return {store.path_of(sha).name for sha in hashes}


def backup_at(db, when: dt.datetime, reason: str = "manual"):
    return backup_engine(db.engine, db.path, db.dek, reason=reason, now=when, folder=db.backup_folder())


def shared_of(db) -> set[str]:
    folder = shared_backup_dir(db.backup_folder(), db.path.stem)
    return {path.name for path in folder.iterdir()} if folder.is_dir() else set()


def needs(backup, dek) -> set[str]:
    engine = make_engine(backup, dek)
    try:
        with engine.connect() as conn:
            return needed_names(conn)
    finally:
        engine.dispose()


def assert_every_kept_backup_complete(db) -> None:
    """Each backup in the folder finds every blob it refers to in the shared folder."""
    shared = shared_of(db)
    for backup in list_backups(db.backup_folder(), db.path.stem):
        assert needs(backup.path, db.dek) <= shared, backup.path.name


def restored_without(db):
    """A database whose old backups (600 days ago) refer to blobs B the live database no longer has
    (restored to a backup from before B, B's files collected): returns (db, names of A, names of B)."""
    a = attach(db, generated(3, 64 * KB, seed=1))
    first = backup_at(db, NOW - dt.timedelta(days=600))
    b = attach(db, generated(3, 64 * KB, seed=2))
    backup_at(db, NOW - dt.timedelta(days=599))
    assert a | b <= shared_of(db)
    db = restore_backup(db, first)  # its safety backup (now) still refers to B, and its rotation drops
    # `first` itself (600 days old): the restore has staged it and linked its attachments in before
    with db.session_scope() as session:
        collect_garbage(session, min_age_s=0)
    assert not b & {path.name for path in blob_dir_for(db.path).iterdir()}
    return db, a, b


def test_a_blob_goes_only_when_no_kept_backup_needs_it(new_db):
    db, a, b = restored_without(new_db)
    try:
        backup_at(db, NOW + dt.timedelta(days=1))
        assert a | b <= shared_of(db)  # the safety backup taken before the restore is kept: B stays
        assert_every_kept_backup_complete(db)
        last = backup_at(db, NOW + dt.timedelta(days=500))  # every backup that knew B has rotated out
        assert not b & shared_of(db) and a <= shared_of(db)
        assert_every_kept_backup_complete(db)
        restored = restore_backup(db, last)
        db = restored
        assert len(read_all_checked(db)) == 3
    finally:
        db.close()


def test_blobs_of_the_live_store_and_of_a_backup_being_written_stay(new_db):
    db, a, b = restored_without(new_db)
    try:
        live = blob_dir_for(db.path)
        lost = sorted(b)[0]
        shutil.copy(shared_backup_dir(db.backup_folder(), db.path.stem) / lost, live / lost)
        copy = db.backup_folder() / f"fjld-{NOW + dt.timedelta(days=500):%Y%m%d-%H%M%S}-9-manual.db.tmp"
        copy.write_bytes(b"being written by another process")
        in_flight = manifest_path(copy.with_name(copy.name[:-len(".tmp")]))
        in_flight.write_text(f"fjld-blob-manifest 1\ncheck quick\n{sorted(b)[1]}\n", "ascii")
        backup_at(db, NOW + dt.timedelta(days=500))
        assert b & shared_of(db) == {lost, sorted(b)[1]}  # in the live store; named by a backup in flight
        old = time.time() - 2 * 24 * 3600
        os.utime(copy, (old, old))  # a crash's leftover: no backup is written for a day
        backup_at(db, NOW + dt.timedelta(days=500, minutes=1))
        assert b & shared_of(db) == {lost} and not in_flight.exists() and not copy.exists()
    finally:
        db.close()


def test_a_backup_without_a_manifest_gets_one_and_an_unreadable_one_stops_pruning(new_db, tmp_path):
    db = new_db
    attach(db, generated(2, 64 * KB))
    older = backup_at(db, NOW - dt.timedelta(hours=1))
    manifest_path(older).unlink()  # as if taken before manifests existed
    shared = shared_backup_dir(db.backup_folder(), db.path.stem)
    orphan = shared / (secrets.token_hex(32) + ".blob")
    orphan.write_bytes(b"FJLDBLB1" + os.urandom(100))
    backup_at(db, NOW)
    assert not orphan.exists()
    assert read_manifest(manifest_path(older)).names == needs(older, db.dek)
    other = open_database(tmp_path / "别处" / "fjld.db", secrets.token_bytes(32))  # a file under another key
    other.close()
    stranger = db.backup_folder() / f"fjld-{NOW - dt.timedelta(hours=2):%Y%m%d-%H%M%S}-manual.db"
    shutil.copy(other.path, stranger)
    orphan.write_bytes(b"FJLDBLB1" + os.urandom(100))
    backup_at(db, NOW + dt.timedelta(minutes=1))
    assert orphan.exists() and not manifest_path(stranger).exists()  # no guessing: everything stays
    stranger.unlink()
    assert_every_kept_backup_complete(db)


def test_leftovers_of_interrupted_backups_go_once_a_day_old(new_db):
    db = new_db
    attach(db, generated(1, 64 * KB))
    backup_at(db, NOW - dt.timedelta(minutes=5))
    folder, old = db.backup_folder(), time.time() - 2 * 24 * 3600
    leftovers = [folder / "fjld-20240101-000000-manual.db.tmp", folder / "fjld-20240101-000000-manual.db.blobs.x1.tmp",
                 folder / "fjld-20240101-000000-before_load.db.tmp-wal",  # the WAL of a quick copy
                 folder / "fjld-20240101-000000-before_load.db.tmp-shm",
                 shared_backup_dir(folder, "fjld") / ("a" * 64 + ".blob.part")]
    fresh = folder / "fjld-20991231-000000-manual.db.tmp"  # another process's backup being written
    orphan_keys = folder / "fjld-20240101-000000-manual.db.keys.json"  # a rotation cut short after the .db
    for path in [*leftovers, fresh, orphan_keys]:
        path.write_bytes(b"half")
    for path in leftovers:
        os.utime(path, (old, old))
    backup_at(db, NOW)
    assert not any(path.exists() for path in [*leftovers, orphan_keys]) and fresh.exists()


def test_the_backup_before_an_import_gets_the_quick_check_after_the_days_full_one(new_db, monkeypatch):
    import models.backup as backup_module

    checks = []
    real = backup_module.verify_backup
    monkeypatch.setattr(backup_module, "verify_backup",
                        lambda path, dek, counts=None, *, full=True: checks.append(full) or real(path, dek, counts, full=full))
    db = new_db
    attach(db, generated(1, KB))
    day = NOW.replace(hour=9, minute=0, second=0)
    made = [backup_at(db, day, "before_sync_import"),  # the day's first: the full check
            backup_at(db, day + dt.timedelta(minutes=5), "before_load"),
            backup_at(db, day + dt.timedelta(minutes=6), "manual"),  # not an import: full
            backup_at(db, day + dt.timedelta(minutes=7), "before_xlsx_import"),
            backup_at(db, day + dt.timedelta(days=1), "before_sync_import")]  # a new day
    assert checks == [True, False, True, False, True]
    assert [read_manifest(manifest_path(path)).full_check for path in made] == checks
    for path in made:
        verify_backup(path, db.dek)  # the quickly checked copies are whole all the same


def test_the_quick_check_still_refuses_a_damaged_file_or_another_key(new_db, tmp_path):
    bad = tmp_path / "bad.db"
    bad.write_bytes(os.urandom(8192))
    good = backup_at(new_db, NOW)
    for path, key in ((bad, new_db.dek), (good, secrets.token_bytes(32))):
        with pytest.raises(DomainError) as caught:
            verify_backup(path, key, full=False)
        assert caught.value.code == "backup_corrupt"
    with pytest.raises(DomainError):
        verify_backup(good, new_db.dek, (10**6, 0), full=False)  # counts that do not match


def test_same_day_backups_are_capped_at_the_first_and_the_newest():
    now = dt.datetime(2026, 11, 23, 18, 0)
    today = [now.replace(hour=8) + dt.timedelta(minutes=10 * i) for i in range(50)]
    yesterday = [stamp - dt.timedelta(days=1) for stamp in today]
    week_ago = [stamp - dt.timedelta(days=7) for stamp in today]
    keep = backups_to_keep(today + yesterday + week_ago, now)
    for day in (today, yesterday):
        kept = sorted(stamp for stamp in keep if stamp.date() == day[0].date())
        assert kept == [day[0], *day[-(SAME_DAY_CAP - 1):]]
    assert [stamp for stamp in keep if stamp.date() == week_ago[0].date()] == [week_ago[-1]]


def test_rotation_removes_a_capped_backup_with_its_keys_and_manifest(new_db):
    db = new_db
    start = NOW.replace(hour=8, minute=0, second=0)
    made = [backup_at(db, start + dt.timedelta(minutes=i)) for i in range(SAME_DAY_CAP + 3)]
    left = {backup.path for backup in list_backups(db.backup_folder(), db.path.stem)}
    assert left == {made[0], *made[-(SAME_DAY_CAP - 1):]}
    for path in made[1:4]:
        assert not manifest_path(path).exists() and not path.with_name(path.name + ".keys.json").exists()
    assert all(manifest_path(path).exists() for path in left)


def test_doctor_names_a_backup_whose_attachment_files_are_gone(new_db):
    from models.services.doctor import check_database

    db = new_db
    names = attach(db, generated(2, 64 * KB))
    backup = backup_at(db, NOW)
    assert check_database(db) == []
    (shared_backup_dir(db.backup_folder(), db.path.stem) / sorted(names)[0]).unlink()  # removed by hand
    assert check_database(db) == [f"备份 {backup.name} 缺少 1 个附件文件，用它恢复会被拒绝：请检查备份文件夹"
                                  f"（{backup.parent}），并立即备份一次"]
