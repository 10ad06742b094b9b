"""Blob files and backups (issue 15): every backup of a database shares one folder of blob files
(`backups/fjld.blobs/`), filled with hard links to the immutable, content-addressed live files (copies
of only the new ones where links are impossible); restore reads a backup's attachments back from there,
hash-checked; and the folder is pruned of files no kept backup needs (manifests, below)."""
from __future__ import annotations

import os
from collections.abc import Iterable
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


def share_blobs(source: Path, target: Path) -> tuple[int, int]:
    """Puts every blob file of `source` that `target` lacks into `target`: a hard link where the file
    system allows (no bytes copied; the files are immutable), else a copy (fsynced, renamed into
    place). Returns (linked, copied)."""
    if not source.is_dir():
        return 0, 0
    target.mkdir(parents=True, exist_ok=True)
    present = {entry.name for entry in os.scandir(target)}
    return share_files([Path(entry.path) for entry in os.scandir(source)
                        if entry.name not in present and NAME_RE.match(entry.name)], target)


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


def missing_copies(session: Session | Connection, live: Path, copy: Path) -> list[str]:
    """Digests referenced by the database whose blob file is in `live` but not, at the same size, in `copy`."""
    keys = FileBlobStore(session, live).keys()
    if keys is None:
        return []
    missing = []
    for sha in sorted(referenced_hashes(session)):
        name = keys.file_name(sha)
        try:
            size = (live / name).stat().st_size
        except OSError:
            continue  # not on this machine (yet): nothing to back up
        try:
            if (copy / name).stat().st_size == size:
                continue
        except OSError:
            pass
        missing.append(sha)
    return missing


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
