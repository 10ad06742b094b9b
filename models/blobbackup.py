"""Blob files and backups (issue 15): every backup of a database shares one folder of blob files
(`backups/fjld.blobs/`), filled with hard links to the immutable, content-addressed live files (copies
of only the new ones where links are impossible); restore reads a backup's attachments back from there,
hash-checked; and the folder is pruned of files no kept backup needs (manifests, below)."""
from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Connection
from sqlalchemy.orm import Session

from models.blobfile import CHUNK, NAME_RE, PART, fsync_dir, read_blob_file
from models.blobstore import FileBlobStore, referenced_hashes
from models.errors import DomainError
from models.fsutil import disk_error


def shared_backup_dir(backup_folder: Path, db_stem: str) -> Path:
    """One folder of blob files shared by every backup of a database (blobs are immutable)."""
    return Path(backup_folder) / f"{db_stem}.blobs"


def share_files(files: Iterable[Path], target: Path) -> tuple[int, int]:
    """Hard-links (else copies) each of `files` into `target` unless a file of that name is there."""
    target.mkdir(parents=True, exist_ok=True)
    linked = copied = 0
    for source in files:
        destination = target / source.name
        if destination.exists():
            continue
        try:
            os.link(source, destination)
            linked += 1
            continue
        except FileExistsError:
            continue
        except OSError:
            pass  # another file system, FAT, no link permission: copy instead
        _copy_file(source, destination)
        copied += 1
    if linked or copied:
        fsync_dir(target)
    return linked, copied


def _copy_file(source: Path, destination: Path) -> None:
    tmp = destination.with_name(destination.name + PART)
    try:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as out, open(source, "rb") as src:
            while block := src.read(CHUNK):
                out.write(block)
            out.flush()
            os.fsync(out.fileno())
        os.replace(tmp, destination)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise disk_error(exc, destination) from exc


def check_all(session: Session | Connection, folders: list[Path]) -> tuple[dict[str, Path], list[str]]:
    """Reads every referenced blob found in the first of `folders` that holds it, hash-checking it.
    Returns ({sha256: the checked file}, [damaged sha256])."""
    keys = FileBlobStore(session, folders[0]).keys() if folders else None
    if keys is None:
        return {}, []
    good: dict[str, Path] = {}
    damaged: list[str] = []
    for sha in sorted(referenced_hashes(session)):
        name = keys.file_name(sha)
        source = next((folder / name for folder in folders if (folder / name).is_file()), None)
        if source is None:
            continue
        try:
            for _chunk in read_blob_file(source, keys, sha):
                pass
            good[sha] = source
        except (DomainError, OSError):
            damaged.append(sha)
    return good, damaged


# ---------------------------------------------------------------- manifests and pruning
#
# How a backup knows its blobs: a small manifest beside it (`X.db.blobs`, one blob file name a line),
# written and fsynced BEFORE any of its blob files is linked into the shared folder and before the
# backup gets its final name. The other way, opening every kept backup to read its attachment table,
# needs the data key at every prune, decrypts every backup every time, and stops working for a backup
# whose key is not the current one; a manifest costs one small file, is read without any key, and
# names are keyed hashes (the shared folder's own listing shows as much). A backup found without one
# (taken before manifests existed) gets one written from its table once, with the data key; if that
# fails, nothing is pruned.
#
# Order, and why a crash at any point never leaves a kept backup missing a blob:
#   write the copy (X.db.tmp) → verify → manifest X.db.blobs → link blobs → check → rename X.db
#   → rotate (X.db, its keys, then X.db.blobs) → prune.
# A blob is pruned only if it is in no manifest (of a kept backup, of one still being written, or a
# recent leftover) and not in the live store, and the shared folder is listed BEFORE the manifests are
# read: a blob linked by a concurrent backup was linked after that backup's manifest existed, so the
# prune that sees the blob sees the manifest too. A manifest only goes after its backup file is gone
# (rotated, or a failed backup's copy removed; a crash's half copy goes once a day old).

MANIFEST = ".blobs"
_HEADER = "fjld-blob-manifest 1"
STALE_S = 24 * 3600


def manifest_path(backup: Path) -> Path:
    return backup.with_name(backup.name + MANIFEST)


def needed_names(conn: Session | Connection) -> set[str]:
    """The blob file names a database (a backup copy) refers to, under its own blob key."""
    keys = FileBlobStore(conn, Path()).keys()
    return {keys.file_name(sha) for sha in referenced_hashes(conn)} if keys else set()


def write_manifest(path: Path, names: Iterable[str], full_check: bool) -> None:
    """Written whole, fsynced, renamed into place and the folder fsynced: durable before it returns."""
    from models.fsutil import atomic_write_bytes

    lines = [_HEADER, "check full" if full_check else "check quick", *sorted(names)]
    atomic_write_bytes(path, ("\n".join(lines) + "\n").encode("ascii"))
    fsync_dir(path.parent)


@dataclass(frozen=True)
class Manifest:
    names: frozenset[str]
    full_check: bool  # the backup passed the full integrity and cipher check (else the quick one)


def read_manifest(path: Path) -> Manifest | None:
    """None if there is no manifest; raises ValueError for one that is not a manifest."""
    try:
        lines = path.read_text("ascii").splitlines()
    except FileNotFoundError:
        return None
    except UnicodeDecodeError:
        raise ValueError(path.name) from None
    if len(lines) < 2 or lines[0] != _HEADER or lines[1] not in ("check full", "check quick"):
        raise ValueError(path.name)
    names = frozenset(lines[2:])
    if not all(NAME_RE.match(name) for name in names):
        raise ValueError(path.name)
    return Manifest(names, lines[1] == "check full")


def prune_shared(shared: Path, live: Path, backups: list[Path], recover: Callable[[Path], set[str] | None],
                 now: float | None = None) -> int:
    """Removes from `shared` the blob files no backup needs: not in the manifest of any of `backups`
    (the kept ones, oldest first), of a backup still being written, nor in the `live` store. A backup
    without a manifest gets one from `recover(backup)` (None: it cannot be read, so nothing is removed).
    Also removes leftovers: manifests whose backup is gone, and day-old interrupted copies (`.part`,
    `.db.tmp`). Returns the number of blob files removed."""
    if not shared.is_dir():
        return 0
    now = time.time() if now is None else now
    folder = shared.parent
    listed = list(os.scandir(shared))  # before the manifests are read (see above)
    keep: set[str] = set()
    kept = {manifest_path(backup) for backup in backups}
    for backup in backups:
        try:
            manifest = read_manifest(manifest_path(backup))
        except (ValueError, OSError):
            return 0
        names = manifest.names if manifest else recover(backup)
        if names is None:
            return 0
        keep.update(names)
    stem = shared.name[:-len(".blobs")]
    for leftover in [*folder.glob(f"{stem}-*.db.tmp"), *folder.glob(f"{stem}-*.db.tmp-wal"),
                     *folder.glob(f"{stem}-*.db.tmp-shm"), *folder.glob(f"{stem}-*.db{MANIFEST}.*.tmp")]:
        if _older(leftover, now):  # a crash's half copy: no backup is written for a day
            leftover.unlink(missing_ok=True)
    for path in folder.glob(f"{stem}-*.db{MANIFEST}"):
        if path in kept:
            continue
        backup = path.with_name(path.name[:-len(MANIFEST)])
        try:  # the copy (.tmp) exists from before its manifest until renamed: checked first, then the name
            if not backup.with_name(backup.name + ".tmp").exists() and not backup.exists():
                path.unlink()  # rotated or failed: its backup is gone
                continue
            manifest = read_manifest(path)
        except (ValueError, OSError):
            return 0
        keep.update(manifest.names if manifest else ())
    if live.is_dir():
        keep.update(entry.name for entry in os.scandir(live))
    removed = 0
    for entry in listed:
        if NAME_RE.match(entry.name) and entry.name not in keep:
            Path(entry.path).unlink(missing_ok=True)
            removed += 1
        elif entry.name.endswith(PART) and _older(entry.path, now):
            Path(entry.path).unlink(missing_ok=True)
    return removed


def _older(path: Path | str, now: float) -> bool:
    try:
        return now - os.stat(path).st_mtime > STALE_S
    except OSError:
        return False
