"""Verified encrypted backups (sync-security.md §B.3.8), taken before every import, migration,
restore and key change, on exit and periodically.

A fully checked backup (integrity, cipher integrity, op and audit counts) is written by VACUUM INTO: a
consistent, compacted copy encrypted with the same key. Backups taken before an import get the quick
check (opens with the key, op and audit counts) unless no fully checked backup was taken that day, and
are a byte copy of the database file and its WAL under the write lock (_snapshot_copy): so an import
waits for a file copy, not for a re-encryption or scan of every page, and every day still has one fully
checked backup. Either copy is opened and checked before it gets its final name, and the key file
travels beside it. Attachment files are shared with the backup folder's
blob folder (hard links to the immutable, content-addressed files; copies of the new ones where links
are impossible), each backup listing the ones it needs in a manifest beside it, and files no kept
backup needs are pruned after rotation (models/blobbackup.py says why that order is crash-safe).
Rotation keeps everything from the last 2 days (at most 12 a day: the day's first and its newest 11),
then one a day for 14 days, one a week for 8 weeks, one a month for 12 months — and never the only
verified copy."""
from __future__ import annotations

import datetime as dt
import os
import re
import shutil
from pathlib import Path
from typing import NamedTuple

from sqlalchemy import Connection, Engine, text
from sqlalchemy.exc import OperationalError as SAOperationalError

from models.blobbackup import (
    manifest_path,
    needed_names,
    prune_shared,
    read_manifest,
    share_files,
    shared_backup_dir,
    write_manifest,
)
from models.blobfile import fsync_dir
from models.blobstore import blob_dir_for
from models.errors import DomainError
from models.fsutil import disk_error, is_disk_full
from models.keyslots import keys_path_for

NAME_RE = re.compile(r"^(?P<stem>.+)-(?P<stamp>\d{8}-\d{6}(?:-\d+)?)-(?P<reason>[a-z_]+)\.db$")


def backup_dir_for(db_path: Path) -> Path:
    return db_path.parent / "backups"


def _counts(conn: Connection) -> tuple[int, int]:
    ops = conn.execute(text("SELECT count(*) FROM op")).scalar() if _has_table(conn, "op") else 0
    audit = conn.execute(text("SELECT count(*) FROM audit_event")).scalar() if _has_table(conn, "audit_event") else 0
    return int(ops or 0), int(audit or 0)


def _has_table(conn, name: str) -> bool:  # type: ignore[no-untyped-def]
    return conn.execute(text("SELECT 1 FROM sqlite_master WHERE name = :n"), {"n": name}).first() is not None


def verify_backup(path: Path, dek: bytes | None, expected_counts: tuple[int, int] | None = None, *,
                  full: bool = True) -> None:
    """Full: SQLite's integrity check and SQLCipher's per-page cipher check over the whole file, then the
    counts. Quick: the file opens with the key (its schema pages decrypt and authenticate) and the op and
    audit counts match, without reading every page."""
    from models.storage import make_engine

    engine = make_engine(path, dek)
    try:
        with engine.connect() as conn:
            conn.execute(text("SELECT count(*) FROM sqlite_master")).scalar()  # the wrong key fails here
            if full and (conn.execute(text("PRAGMA integrity_check")).scalar() != "ok" or (
                    dek is not None and conn.execute(text("PRAGMA cipher_integrity_check")).first() is not None)):
                raise DomainError("backup_corrupt", f"备份文件校验失败：{path.name}")
            if expected_counts is not None and _counts(conn) != expected_counts:
                raise DomainError("backup_corrupt", f"备份文件内容与数据库不一致：{path.name}")
    except DomainError:
        raise
    except Exception:
        raise DomainError("backup_corrupt", f"备份文件无法打开或已损坏：{path.name}") from None
    finally:
        engine.dispose()


# Backups taken right before an import: a quick check, unless the day has no fully checked backup yet.
QUICK_CHECK_REASONS = frozenset({"before_load", "before_sync_import", "before_xlsx_import", "before_collect",
                                 "before_demo"})


def backup_engine(engine: Engine, db_path: Path, dek: bytes | None, *, reason: str,
                  now: dt.datetime | None = None, folder: Path | None = None, tidy: bool = True) -> Path:
    """A verified copy in `folder` (default: backups/ next to the database), its manifest and attachment
    files; then (`tidy`) rotation and pruning of blob files no kept backup needs. Returns its path."""
    folder = folder or backup_dir_for(db_path)
    folder.mkdir(parents=True, exist_ok=True)
    now = now or dt.datetime.now()
    stamp = now.strftime("%Y%m%d-%H%M%S")
    final = folder / f"{db_path.stem}-{stamp}-{reason}.db"
    serial = 1
    while final.exists():
        serial += 1
        final = folder / f"{db_path.stem}-{stamp}-{serial}-{reason}.db"
    tmp = final.with_name(final.name + ".tmp")
    for left in (tmp, Path(f"{tmp}-wal"), Path(f"{tmp}-shm")):  # by a backup killed half-way
        left.unlink(missing_ok=True)
    full = reason not in QUICK_CHECK_REASONS or not fully_checked_on(folder, db_path.stem, now.date())
    try:
        if full:
            with engine.connect() as conn:
                expected = _counts(conn)
            raw = engine.raw_connection()
            try:  # VACUUM cannot run inside the transaction a SQLAlchemy connection would begin
                raw.driver_connection.execute("VACUUM INTO ?", (str(tmp),))
            finally:
                raw.close()
        else:
            expected = _snapshot_copy(engine, db_path, tmp, dek)
        os.chmod(tmp, 0o600)  # only this Windows/Linux account may read a backup or its keys
        verify_backup(tmp, dek, expected, full=full)
        back_up_blobs(tmp, dek, db_path, folder, manifest_path(final), full)
        tmp.replace(final)
        fsync_dir(folder)
        keys = keys_path_for(db_path)
        if keys.exists():
            copy_private(keys, keys_path_for(final))
    except OSError as exc:
        _discard(tmp, final)
        raise disk_error(exc, final) from exc
    except Exception as exc:
        _discard(tmp, final)
        if is_disk_full(exc):
            raise DomainError("disk_full", f"磁盘空间不足（{folder}），未能写入备份：{final.name}。原有数据未改动") from exc
        raise
    if tidy:
        tidy_backups(folder, db_path, dek, now)
    return final


def tidy_backups(folder: Path, db_path: Path, dek: bytes | None, now: dt.datetime | None = None) -> None:
    """Rotation, then pruning of the blob files no kept backup needs. A folder it cannot tidy is left as
    it is (the next backup tries again): the backup, and an import already committed, stand."""
    try:
        rotate_backups(folder, db_path.stem, now=now)
    except OSError:
        return
    prune_backup_blobs(folder, db_path, dek)


def discard_backup(backup: Path) -> None:
    """Removes a backup nobody needs (taken before an import that then failed and changed nothing): its
    copy, manifest and key file. Blob files it alone shared are pruned with the next backup."""
    keys_path_for(backup).unlink(missing_ok=True)
    backup.unlink(missing_ok=True)
    manifest_path(backup).unlink(missing_ok=True)


def _snapshot_copy(engine: Engine, db_path: Path, tmp: Path, dek: bytes | None) -> tuple[int, int]:
    """The quick backup: a byte copy of the database file and its WAL, taken under the write lock, so no
    commit (and no checkpoint, which only a committing writer runs) changes either file meanwhile: the
    two together are one consistent state. Pages are copied as they are on disk, still encrypted; VACUUM
    INTO decrypts and re-encrypts every page (4.4 s against 0.2 s for a 360 MB file). The copied WAL is
    then folded into the copy, which leaves one file. Returns the op and audit counts of that state."""
    from models.storage import is_busy

    try:
        with engine.connect() as conn, conn.begin():  # a worker's transaction: BEGIN IMMEDIATE (storage)
            expected = _counts(conn)
            copy_private(db_path, tmp)
            wal = Path(f"{db_path}-wal")
            if wal.exists():
                copy_private(wal, Path(f"{tmp}-wal"))
    except SAOperationalError as exc:
        if is_busy(exc):  # another worker's long write: its busy timeout has passed already
            raise DomainError("db_busy", "数据库正被另一项操作占用，请稍候再试") from None
        raise
    _fold_wal(tmp, dek)
    return expected


def _fold_wal(path: Path, dek: bytes | None) -> None:
    """Checkpoints a copied WAL into its database file and removes it (journal mode DELETE while the
    connection is open, so closing leaves no -wal or -shm file beside the copy)."""
    wal = Path(f"{path}-wal")
    if not wal.exists():
        return
    from models.storage import make_engine

    engine = make_engine(path, dek)
    try:
        raw = engine.raw_connection()
        try:
            raw.driver_connection.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
            raw.driver_connection.execute("PRAGMA journal_mode = DELETE").fetchone()
        finally:
            raw.close()
    finally:
        engine.dispose()
    wal.unlink(missing_ok=True)
    Path(f"{path}-shm").unlink(missing_ok=True)


def _discard(tmp: Path, final: Path) -> None:
    """A failed backup leaves nothing: no copy, no manifest (its blob links are pruned later)."""
    tmp.unlink(missing_ok=True)
    Path(f"{tmp}-wal").unlink(missing_ok=True)
    Path(f"{tmp}-shm").unlink(missing_ok=True)
    if not final.exists():
        manifest_path(final).unlink(missing_ok=True)


def fully_checked_on(folder: Path, stem: str, day: dt.date) -> bool:
    """Whether a backup taken on `day` and still kept passed the full check (its manifest says so)."""
    for backup in list_backups(folder, stem):
        if backup.taken_at.date() == day:
            try:
                manifest = read_manifest(manifest_path(backup.path))
            except (ValueError, OSError):
                continue
            if manifest is not None and manifest.full_check:
                return True
    return False


def back_up_blobs(backup: Path, dek: bytes | None, db_path: Path, folder: Path, manifest: Path,
                  full_check: bool) -> int:
    """Attachment files travel beside the database copy into one folder shared by every backup: the
    copy's manifest (the blob file names it refers to) is written first, then the ones the shared folder
    lacks are added from the live store, as hard links where the file system allows (a 2 GB store costs
    a directory listing, not a copy). Then every needed blob the live store has must be there at the
    same size. Returns the number of files added."""
    needed = _blob_names_in(backup, dek)
    write_manifest(manifest, needed, full_check)
    live = blob_dir_for(db_path)
    shared = shared_backup_dir(folder, db_path.stem)
    in_live = needed & _names(live)
    linked, copied = share_files([live / name for name in sorted(in_live - _names(shared))], shared) \
        if in_live else (0, 0)
    missing = [name for name in in_live if not _same_size(live / name, shared / name)]
    if missing:
        raise DomainError("backup_corrupt", f"备份的附件文件不完整（缺少 {len(missing)} 个）：{shared}")
    return linked + copied


def _blob_names_in(backup: Path, dek: bytes | None) -> set[str]:
    """The blob file names a backup copy refers to, read from its own tables with the data key."""
    from models.storage import make_engine

    engine = make_engine(backup, dek)
    try:
        with engine.connect() as conn:
            return needed_names(conn) if _has_table(conn, "blob_key") else set()
    finally:
        engine.dispose()


def _names(folder: Path) -> set[str]:
    try:
        return {entry.name for entry in os.scandir(folder)}
    except FileNotFoundError:
        return set()


def _same_size(live: Path, copy: Path) -> bool:
    try:
        return copy.stat().st_size == live.stat().st_size
    except FileNotFoundError:
        return not live.exists()  # gone from the live store meanwhile (garbage): nothing to compare


def prune_backup_blobs(folder: Path, db_path: Path, dek: bytes | None) -> int:
    """Removes shared blob files no kept backup (nor the live store) needs. A backup from before
    manifests gets one from its table, read with the data key. Returns how many files went; a folder it
    cannot tidy (permissions, a backup it cannot read) is left as it is: the backup itself stands."""
    def recover(backup: Path) -> set[str] | None:
        if not backup.exists():
            return set()  # rotated away meanwhile by another process: it needs nothing
        try:
            names = _blob_names_in(backup, dek)
            write_manifest(manifest_path(backup), names, full_check=False)
        except Exception:  # another key, a damaged file: keep every blob rather than guess
            return None
        return names

    try:
        return prune_shared(shared_backup_dir(folder, db_path.stem), blob_dir_for(db_path),
                            [backup.path for backup in list_backups(folder, db_path.stem)], recover)
    except OSError:
        return 0


def incomplete_backups(folder: Path, stem: str) -> list[tuple[Path, int]]:
    """(backup, how many of its attachment files are missing from the shared folder), by the manifests
    (no key needed); a backup without a readable manifest is not judged here."""
    shared = _names(shared_backup_dir(folder, stem))
    found = []
    for backup in list_backups(folder, stem):
        try:
            manifest = read_manifest(manifest_path(backup.path))
        except (ValueError, OSError):
            continue
        if manifest is not None and not manifest.names <= shared:
            found.append((backup.path, len(manifest.names - shared)))
    return found


def copy_private(source: Path, target: Path) -> None:
    """A copy readable by this account only (0600 from the start, whatever the umask), by the platform's own
    file copy (sendfile on Linux), synced to disk."""
    os.close(os.open(target, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600))
    os.chmod(target, 0o600)  # a file left there before keeps its mode otherwise
    shutil.copyfile(source, target)
    fd = os.open(target, os.O_RDWR)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


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


SAME_DAY_CAP = 12  # recent backups kept per day: an office importing every few minutes fills no disk


def backups_to_keep(stamps: list[dt.datetime], now: dt.datetime) -> set[dt.datetime]:
    """Pure retention rule (Anki-like); the newest backup is always kept. Of the last 2 days, each day
    keeps its first backup (the state before the day's work) and its newest SAME_DAY_CAP - 1."""
    keep: set[dt.datetime] = set()
    buckets: set[tuple[str, object]] = set()
    recent: dict[dt.date, list[dt.datetime]] = {}
    for stamp in sorted(stamps, reverse=True):
        age = now - stamp
        if age <= dt.timedelta(days=2):
            recent.setdefault(stamp.date(), []).append(stamp)
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
    for day in recent.values():  # newest first
        keep.update(day[:SAME_DAY_CAP - 1])
        keep.add(day[-1])
    if stamps:
        keep.add(max(stamps))
    return keep


def rotate_backups(folder: Path, stem: str, now: dt.datetime | None = None) -> None:
    """Removes the backups the retention rule drops: the file, its keys, then its manifest (last, so
    its blobs stay until the backup is surely gone)."""
    backups = list_backups(folder, stem)
    keep = backups_to_keep([backup.taken_at for backup in backups], now or dt.datetime.now())
    for backup in backups:
        if backup.taken_at not in keep:
            backup.path.unlink(missing_ok=True)
            keys_path_for(backup.path).unlink(missing_ok=True)
            manifest_path(backup.path).unlink(missing_ok=True)
    for keys in folder.glob(f"{stem}-*.db.keys.json"):  # copied after its backup got its name, so
        backup = keys.with_name(keys.name[:-len(".keys.json")])  # alone it is a cut-short rotation's
        if keys_path_for(backup) == keys and not backup.exists():
            keys.unlink(missing_ok=True)
