"""Verified encrypted backups (sync-security.md §B.3.8), taken before every import, migration,
restore and key change, on exit and periodically.

VACUUM INTO writes a consistent, compacted copy encrypted with the same key; the copy is opened
and checked (integrity, cipher integrity, op and audit counts) before it gets its final name, and the
key file travels beside it. Attachment files are shared with the backup folder's blob folder (hard
links to the immutable, content-addressed files; copies of the new ones where links are impossible).
Rotation keeps everything from the last 2 days, then one a day for 14 days, one a week for 8 weeks,
one a month for 12 months — and never the only verified copy."""
from __future__ import annotations

import datetime as dt
import os
import re
import shutil
from pathlib import Path
from typing import NamedTuple

from sqlalchemy import Engine, text

from models.blobbackup import missing_copies, share_blobs, shared_backup_dir
from models.blobstore import blob_dir_for
from models.errors import DomainError
from models.fsutil import disk_error, is_disk_full
from models.keyslots import keys_path_for

NAME_RE = re.compile(r"^(?P<stem>.+)-(?P<stamp>\d{8}-\d{6}(?:-\d+)?)-(?P<reason>[a-z_]+)\.db$")


def backup_dir_for(db_path: Path) -> Path:
    return db_path.parent / "backups"


def _counts(engine: Engine) -> tuple[int, int]:
    with engine.connect() as conn:
        ops = conn.execute(text("SELECT count(*) FROM op")).scalar() if _has_table(conn, "op") else 0
        audit = conn.execute(text("SELECT count(*) FROM audit_event")).scalar() if _has_table(conn, "audit_event") else 0
    return int(ops or 0), int(audit or 0)


def _has_table(conn, name: str) -> bool:  # type: ignore[no-untyped-def]
    return conn.execute(text("SELECT 1 FROM sqlite_master WHERE name = :n"), {"n": name}).first() is not None


def verify_backup(path: Path, dek: bytes | None, expected_counts: tuple[int, int] | None = None) -> None:
    from models.storage import make_engine

    engine = make_engine(path, dek)
    try:
        with engine.connect() as conn:
            if conn.execute(text("PRAGMA integrity_check")).scalar() != "ok":
                raise DomainError("backup_corrupt", f"备份文件校验失败：{path.name}")
            if dek is not None and conn.execute(text("PRAGMA cipher_integrity_check")).first() is not None:
                raise DomainError("backup_corrupt", f"备份文件校验失败：{path.name}")
        if expected_counts is not None and _counts(engine) != expected_counts:
            raise DomainError("backup_corrupt", f"备份文件内容与数据库不一致：{path.name}")
    except DomainError:
        raise
    except Exception:
        raise DomainError("backup_corrupt", f"备份文件无法打开或已损坏：{path.name}") from None
    finally:
        engine.dispose()


def backup_engine(engine: Engine, db_path: Path, dek: bytes | None, *, reason: str,
                  now: dt.datetime | None = None, folder: Path | None = None) -> Path:
    """A verified copy in `folder` (default: backups/ next to the database). Returns its path."""
    folder = folder or backup_dir_for(db_path)
    folder.mkdir(parents=True, exist_ok=True)
    stamp = (now or dt.datetime.now()).strftime("%Y%m%d-%H%M%S")
    final = folder / f"{db_path.stem}-{stamp}-{reason}.db"
    serial = 1
    while final.exists():
        serial += 1
        final = folder / f"{db_path.stem}-{stamp}-{serial}-{reason}.db"
    tmp = final.with_name(final.name + ".tmp")
    tmp.unlink(missing_ok=True)
    try:
        expected = _counts(engine)
        raw = engine.raw_connection()
        try:  # VACUUM cannot run inside the transaction a SQLAlchemy connection would begin
            raw.driver_connection.execute("VACUUM INTO ?", (str(tmp),))
        finally:
            raw.close()
        os.chmod(tmp, 0o600)  # only this Windows/Linux account may read a backup or its keys
        verify_backup(tmp, dek, expected)
        back_up_blobs(tmp, dek, db_path, folder)
        tmp.replace(final)
        keys = keys_path_for(db_path)
        if keys.exists():
            copy_private(keys, keys_path_for(final))
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise disk_error(exc, final) from exc
    except Exception as exc:
        tmp.unlink(missing_ok=True)
        if is_disk_full(exc):
            raise DomainError("disk_full", f"磁盘空间不足（{folder}），未能写入备份：{final.name}。原有数据未改动") from exc
        raise
    rotate_backups(folder, db_path.stem, now=now)
    return final


def back_up_blobs(backup: Path, dek: bytes | None, db_path: Path, folder: Path) -> int:
    """Attachment files travel beside the database copy into one folder shared by every backup: blob
    files are immutable and content-addressed, so only new ones are added, as hard links where the
    file system allows (a 2 GB store costs a directory listing, not a copy). Then every blob the copy
    refers to that exists here must exist there at the same size. Returns the number of files added."""
    from models.storage import make_engine

    live = blob_dir_for(db_path)
    if not live.is_dir():
        return 0
    shared = shared_backup_dir(folder, db_path.stem)
    linked, copied = share_blobs(live, shared)
    engine = make_engine(backup, dek)
    try:
        with engine.connect() as conn:
            missing = missing_copies(conn, live, shared) if _has_table(conn, "blob_key") else []
    finally:
        engine.dispose()
    if missing:
        raise DomainError("backup_corrupt", f"备份的附件文件不完整（缺少 {len(missing)} 个）：{shared}")
    return linked + copied


def copy_private(source: Path, target: Path) -> None:
    """A copy readable by this account only (0600), whatever the umask."""
    fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as out, open(source, "rb") as src:
        shutil.copyfileobj(src, out)
        out.flush()
        os.fsync(out.fileno())
    os.chmod(target, 0o600)


class BackupFile(NamedTuple):
    taken_at: dt.datetime
    reason: str  # from the file name: manual, migration, before_load …
    path: Path


def list_backups(folder: Path, stem: str) -> list[BackupFile]:
    """Oldest first; backups taken within the same second are ordered by file time."""
    found = []
    for path in folder.glob(f"{stem}-*.db"):
        match = NAME_RE.match(path.name)
        if match and match["stem"] == stem:
            stamp = dt.datetime.strptime(match["stamp"][:15], "%Y%m%d-%H%M%S")
            found.append((stamp, path.stat().st_mtime_ns, BackupFile(stamp, match["reason"], path)))
    return [backup for _, _, backup in sorted(found, key=lambda item: item[:2])]


def backups_to_keep(stamps: list[dt.datetime], now: dt.datetime) -> set[dt.datetime]:
    """Pure retention rule (Anki-like); the newest backup is always kept."""
    keep: set[dt.datetime] = set()
    buckets: set[tuple[str, object]] = set()
    for stamp in sorted(stamps, reverse=True):
        age = now - stamp
        if age <= dt.timedelta(days=2):
            keep.add(stamp)
            continue
        if age <= dt.timedelta(days=16):
            bucket: tuple[str, object] = ("day", stamp.date())
        elif age <= dt.timedelta(weeks=10):
            bucket = ("week", stamp.isocalendar()[:2])
        elif age <= dt.timedelta(days=365 + 70):
            bucket = ("month", (stamp.year, stamp.month))
        else:
            continue
        if bucket not in buckets:
            buckets.add(bucket)
            keep.add(stamp)
    if stamps:
        keep.add(max(stamps))
    return keep


def rotate_backups(folder: Path, stem: str, now: dt.datetime | None = None) -> None:
    backups = list_backups(folder, stem)
    keep = backups_to_keep([backup.taken_at for backup in backups], now or dt.datetime.now())
    for backup in backups:
        if backup.taken_at not in keep:
            backup.path.unlink(missing_ok=True)
            keys_path_for(backup.path).unlink(missing_ok=True)
