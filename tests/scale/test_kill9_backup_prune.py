"""Power loss during a backup that rotates old backups out and prunes their blob files (issue 15): the
backing-up process SIGKILLs itself just before each of its file-system changes in turn (writing the
copy, the manifest, each link, the rename, the key file, each rotated file, each pruned blob), one run
per step. After every kill, every backup left in the folder finds all the attachment files it refers
to in the shared folder, hash-checked, and still does after a backup that keeps them; the next backup
that rotates them out finishes the pruning."""
from __future__ import annotations

import datetime as dt
import shutil
import signal
import subprocess
import sys

from models.backup import backup_dir_for, backup_engine, list_backups
from models.blobbackup import check_all, needed_names, shared_backup_dir
from models.blobstore import referenced_hashes
from models.services.setup import initialize
from models.storage import make_engine, open_database
from tests.core.test_dump_cli import ROOT
from tests.scale.test_backup_prune import NOW, restored_without

WHEN = (NOW + dt.timedelta(days=500)).isoformat()  # every backup that knew the pruned blobs rotates out


def _backup(path, dek, kill_at: int) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "tests.scale.kill9_child", "backup", str(path), dek.hex(), WHEN,
                           str(kill_at), "2"], cwd=ROOT, capture_output=True, text=True, timeout=300)


def _every_kept_backup_complete(path, dek) -> set[str]:
    """Asserts each backup in the folder has every blob it refers to in the shared folder, intact;
    returns the names in the shared folder."""
    folder = backup_dir_for(path)
    shared = shared_backup_dir(folder, path.stem)
    for backup in list_backups(folder, path.stem):
        engine = make_engine(backup.path, dek)
        try:
            with engine.connect() as conn:
                names = needed_names(conn)
                assert names <= {p.name for p in shared.iterdir()}, backup.path.name
                good, damaged = check_all(conn, [shared])
                assert not damaged and set(good) == referenced_hashes(conn), backup.path.name
        finally:
            engine.dispose()
    return {p.name for p in shared.iterdir()}


def test_sigkill_at_every_step_of_a_backup_that_prunes(tmp_path):
    db = initialize(tmp_path / "站" / "fjld.db", "Fjld-test-2026", office_name="宿州市人民检察院",
                    office_code="宿检", user="测试员").db
    db, kept, pruned = restored_without(db)
    path, dek = db.path, db.dek
    db.close()
    pristine = tmp_path / "原样"
    shutil.copytree(path.parent, pristine)

    done = _backup(path, dek, 0)
    assert done.returncode == 0, done.stderr
    steps = int(done.stdout.split()[-1])
    after = _every_kept_backup_complete(path, dek)
    assert kept <= after and not pruned & after
    assert steps > 10
    for kill_at in range(1, steps + 1):
        shutil.rmtree(path.parent)
        shutil.copytree(pristine, path.parent)
        killed = _backup(path, dek, kill_at)
        assert killed.returncode == -signal.SIGKILL, (kill_at, killed.stderr)
        _every_kept_backup_complete(path, dek)
        db = open_database(path, dek, user="测试员")  # after the restart: a backup the next day, which
        try:  # keeps the backups the killed one was rotating out, then the one that rotates them out
            backup_engine(db.engine, db.path, db.dek, reason="manual", now=NOW + dt.timedelta(days=1))
            _every_kept_backup_complete(path, dek)
            backup_engine(db.engine, db.path, db.dek, reason="manual", now=dt.datetime.fromisoformat(WHEN))
        finally:
            db.close()
        after = _every_kept_backup_complete(path, dek)
        assert kept <= after and not pruned & after, kill_at
