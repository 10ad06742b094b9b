"""The quick backup before an import is a byte copy of the database file and its WAL under the write lock
(models/backup.py _snapshot_copy): it holds every committed change, including those still only in the
WAL, is one file that opens with the key, and refuses in one line when another worker holds the lock."""
from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

import models.storage as storage
from models.backup import read_manifest
from models.blobbackup import manifest_path
from models.errors import DomainError
from models.storage import open_database
from models.unit import Unit
from tests.lockholder import write_lock_held


def _add_units(db, *names: str) -> None:
    with db.session_scope() as session:
        for name in names:
            session.add(Unit(name=name))


def _names_in(path: Path, dek: bytes) -> set[str]:
    copy = open_database(path, dek, user="检查")
    try:
        with copy.read_scope() as session:
            return set(session.scalars(select(Unit.name)))
    finally:
        copy.close()


def test_the_quick_backup_holds_what_is_still_only_in_the_wal(new_db):
    db = new_db
    _add_units(db, "甲单位")
    db.backup("manual")  # the day's fully checked backup: later imports get the quick copy
    _add_units(db, "乙单位", "丙单位")
    wal = Path(f"{db.path}-wal")
    assert wal.exists() and wal.stat().st_size > 0  # the new rows are (also) in the WAL, not checkpointed

    backup = db.backup("before_sync_import")

    manifest = read_manifest(manifest_path(backup))
    assert manifest is not None and manifest.full_check is False  # it took the quick path
    assert not Path(f"{backup}-wal").exists() and not Path(f"{backup}-shm").exists()
    assert not list(backup.parent.glob("*.tmp*"))
    assert {"甲单位", "乙单位", "丙单位"} <= _names_in(backup, db.dek)
    with db.read_scope() as session:  # the live database is untouched and still writable
        assert session.scalar(select(Unit.id).where(Unit.name == "丙单位")) is not None
    _add_units(db, "丁单位")


def test_the_quick_backup_waits_for_no_writer_forever(new_db, monkeypatch):
    db = new_db
    _add_units(db, "甲单位")
    db.backup("manual")
    monkeypatch.setattr(storage, "WORKER_WAIT_MS", 100)
    db.engine.dispose()  # new connections take the short wait
    with write_lock_held(db, lambda session: session.add(Unit(name="长时间导入"))):
        with pytest.raises(DomainError) as caught:
            db.backup("before_sync_import")
        assert caught.value.code == "db_busy"
    assert not [p for p in db.backup_folder().iterdir() if "before_sync_import" in p.name]
    assert "长时间导入" in _names_in(db.backup("before_sync_import"), db.dek)
