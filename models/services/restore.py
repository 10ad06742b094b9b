"""Restoring a backup, only from inside the program (sync-security.md §B.3.8): the backup is verified,
its attachment files are read through and hash-checked, the current state is backed up first, the file
is swapped in atomically, attachment files the live store lacks are linked back from the backups, and
the workstation starts a new sync incarnation so it never re-emits op ids its peers already hold."""
from __future__ import annotations

import datetime as dt
import os
import shutil
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import text

from models.audit import append_audit
from models.backup import list_backups, verify_backup
from models.blobbackup import check_all, share_files, shared_backup_dir
from models.blobstore import blob_dir_for
from models.errors import DomainError
from models.fsutil import disk_error
from models.permissions import actor_of, attach_actor, require
from models.storage import Database, make_engine, new_incarnation, open_database


@dataclass(frozen=True)
class BackupInfo:
    path: Path
    taken_at: dt.datetime
    reason: str
    size: int


REASONS = {"manual": "手动备份", "migration": "升级前", "before_load": "导入数据前", "before_demo": "载入演示数据前",
           "before_sync_import": "导入同步包前", "before_xlsx_import": "导入任务清单前", "before_collect": "汇总填报表前",
           "key_change": "修改密码前", "before_restore": "恢复备份前"}


def available_backups(db: Database) -> list[BackupInfo]:
    """Newest first."""
    found: list[BackupInfo] = []
    for backup in list_backups(db.backup_folder(), db.path.stem):
        found.append(BackupInfo(backup.path, backup.taken_at, REASONS.get(backup.reason, backup.reason),
                                backup.path.stat().st_size))
    return found[::-1]


def _checked_blobs(backup_path: Path, dek: bytes | None, folders: list[Path]) -> list[Path]:
    """Every attachment file the backup refers to, read through and hash-checked, from the backups'
    shared blob folder or else the live store (before anything is changed)."""
    engine = make_engine(backup_path, dek)
    try:
        with engine.connect() as conn:
            if conn.execute(text("SELECT 1 FROM sqlite_master WHERE name = 'blob_key'")).first() is None:
                return []  # an older backup: its attachments are inside the file (moved out when it opens)
            good, damaged = check_all(conn, folders)
    finally:
        engine.dispose()
    if damaged:
        raise DomainError("backup_unusable", f"该备份中有 {len(damaged)} 个附件已损坏或缺失，未做改动：{backup_path.name}")
    return sorted(good.values())


def restore_backup(db: Database, backup_path: Path) -> Database:
    """Replace the database with `backup_path`; returns the reopened database (`db` is closed)."""
    require(db, "restore")
    backup_path = Path(backup_path)
    if not backup_path.is_file():
        raise DomainError("no_file", f"找不到备份文件：{backup_path}")
    try:
        verify_backup(backup_path, db.dek)
    except DomainError:
        raise DomainError("backup_unusable", f"该备份无法用本数据库的密钥打开或已损坏：{backup_path.name}，未做改动") from None
    live = blob_dir_for(db.path)
    blobs = _checked_blobs(backup_path, db.dek, [shared_backup_dir(backup_path.parent, db.path.stem), live])
    path, dek, user, wall, actor = db.path, db.dek, db.user, db.clock.wall, actor_of(db)
    staged = path.with_name(path.name + ".restore.tmp")
    try:  # staged and its attachments linked in before the safety backup, whose rotation may drop it
        shutil.copyfile(backup_path, staged)
        with open(staged, "rb+") as handle:
            os.fsync(handle.fileno())
        share_files([source for source in blobs if source.parent != live], live)  # what the live store lacks
        safety = db.backup("before_restore")
    except OSError as exc:
        staged.unlink(missing_ok=True)
        raise disk_error(exc, path) from exc
    except BaseException:
        staged.unlink(missing_ok=True)
        raise
    db.close()
    try:
        for leftover in (path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
            leftover.unlink(missing_ok=True)  # the old database's log must not be replayed onto the backup
        os.replace(staged, path)
    except OSError as exc:
        staged.unlink(missing_ok=True)
        raise disk_error(exc, path) from exc
    restored = open_database(path, dek, user=user, wall=wall)
    if actor is not None:  # the person who restored stays signed in (and refused what they were refused)
        attach_actor(restored, actor)
    with restored.session_scope() as session:
        new_incarnation(session)
        append_audit(session, "restore", object_ref=backup_path.name, detail={"safety_copy": safety.name})
        session.info["audit_rebase"] = True  # the restored chain is legitimately shorter: a new witnessed head
    return restored
