"""Backups with attachment files (issue 15): the backup before an import shares the immutable blob
files (hard links, else copies of only the new ones) and stays cheap with 200 MB of attachments; a
restore hash-checks every attachment first and brings back any the live store lost."""
from __future__ import annotations

import errno
import hashlib
import os
import time

import pytest

from models.blobbackup import shared_backup_dir
from models.blobstore import blob_dir_for, blob_store
from models.errors import DomainError
from models.services.attachments import add_attachment
from models.services.restore import restore_backup
from tests.scale.helpers import generated, owner, read_all_checked

MB = 1024 * 1024


def _with_attachments(db, count: int, size: int):
    suggestion = owner(db)
    contents = generated(count, size)
    with db.session_scope() as session:
        for i, data in enumerate(contents):
            add_attachment(session, "suggestion", suggestion, f"扫描件{i}.pdf", data)
    return db, suggestion, {hashlib.sha256(data).hexdigest(): data for data in contents}


@pytest.fixture
def loaded(new_db):
    """new_db with 200 MB of attachments (40 × 5 MB)."""
    return _with_attachments(new_db, 40, 5 * MB)


@pytest.fixture
def some(new_db):
    """new_db with 12 attachments of 1 MB."""
    return _with_attachments(new_db, 12, MB)


def test_a_backup_before_an_import_links_the_attachments_instead_of_copying_them(loaded):
    db, suggestion, contents = loaded
    live = blob_dir_for(db.path)
    started, cpu = time.perf_counter(), time.process_time()
    backup = db.backup("before_sync_import")
    wall, cpu = time.perf_counter() - started, time.process_time() - cpu
    assert wall < 5 and cpu < 3, (wall, cpu)
    assert backup.stat().st_size < 5 * MB  # the database copy holds no attachment bytes
    shared = shared_backup_dir(backup.parent, db.path.stem)
    for path in live.iterdir():
        assert (shared / path.name).stat().st_ino == path.stat().st_ino  # the same file, no bytes copied
    with db.session_scope() as session:
        add_attachment(session, "suggestion", suggestion, "新增.pdf", b"new after the backup")
    db.backup("before_sync_import")
    assert sorted(p.name for p in shared.iterdir()) == sorted(p.name for p in live.iterdir())


def test_without_hard_links_only_new_blobs_are_copied(some, monkeypatch):
    db, suggestion, _contents = some
    db.backup("manual")
    shared = shared_backup_dir(db.backup_folder(), db.path.stem)
    before = {p.name: p.stat().st_ino for p in shared.iterdir()}
    copied_from = []
    real_open = open

    def no_links(source, destination):
        raise OSError(errno.EXDEV, "Invalid cross-device link")

    def tracking_open(file, *args, **kwargs):
        if str(file).endswith(".blob") and "rb" in args[:1]:
            copied_from.append(file)
        return real_open(file, *args, **kwargs)

    monkeypatch.setattr(os, "link", no_links)
    monkeypatch.setattr("builtins.open", tracking_open)
    with db.session_scope() as session:
        added = add_attachment(session, "suggestion", suggestion, "新增.pdf", os.urandom(MB)).sha256
    db.backup("manual")
    monkeypatch.undo()
    new_name = blob_store_path(db, added).name
    assert [os.path.basename(path) for path in copied_from] == [new_name]  # the 12 old ones are not read
    assert {p.name: p.stat().st_ino for p in shared.iterdir() if p.name != new_name} == before
    assert (shared / new_name).stat().st_nlink == 1 and (shared / new_name).read_bytes() == \
        blob_store_path(db, added).read_bytes()


def blob_store_path(db, sha):
    with db.read_scope() as session:
        return blob_store(session).path_of(sha)


def test_restore_hash_checks_and_brings_back_lost_attachment_files(some):
    db, suggestion, contents = some
    backup = db.backup("manual")
    live = blob_dir_for(db.path)
    lost = sorted(live.iterdir())[:5]
    for path in lost:
        path.unlink()  # e.g. removed by hand, or a damaged disk sector
    restored = restore_backup(db, backup)
    try:
        assert read_all_checked(restored) == contents
        assert all(path.exists() for path in lost)
    finally:
        restored.close()


def test_a_backup_with_a_damaged_attachment_is_refused_before_anything_changes(some):
    db, suggestion, contents = some
    backup = db.backup("manual")
    with db.session_scope() as session:
        add_attachment(session, "suggestion", suggestion, "恢复前新增.pdf", b"after the backup")
    shared = shared_backup_dir(backup.parent, db.path.stem)
    victim = sorted(shared.iterdir())[3]
    victim.unlink()  # break the link first, so only the backup's copy is damaged
    victim.write_bytes(b"FJLDBLB1" + b"\0" * 64)
    db_bytes = db.path.read_bytes()
    with pytest.raises(DomainError) as caught:
        restore_backup(db, backup)
    assert caught.value.code == "backup_unusable" and "未做改动" in caught.value.message
    assert db.path.read_bytes() == db_bytes
    assert len(read_all_checked(db)) == len(contents) + 1
