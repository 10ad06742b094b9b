"""Crash-safe file writes: temp file in the same folder → fsync → os.replace."""
from __future__ import annotations

import errno
import os
import tempfile
from collections.abc import Iterable
from pathlib import Path

from models.errors import DomainError


def atomic_write_bytes(path: Path, data: bytes) -> None:
    atomic_write_chunks(path, (data,))


def atomic_write_chunks(path: Path, chunks: Iterable[bytes]) -> None:
    """Writes the pieces as they come (memory stays flat), then puts the file in place in one step."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=path.name + ".", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            for chunk in chunks:
                handle.write(chunk)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except OSError as exc:
        Path(tmp).unlink(missing_ok=True)
        raise disk_error(exc, path) from exc


# The folder of the open database, named when SQLite reports a full disk (set by models/integrity.py).
DATABASE_FOLDER: list[Path] = []


def disk_error(exc: OSError, path: Path) -> DomainError:
    if exc.errno in (errno.ENOSPC, errno.EFBIG, errno.EDQUOT):
        return DomainError("disk_full", f"磁盘空间不足（{Path(path).parent}），未能写入：{Path(path).name}。原有数据未改动")
    if exc.errno == errno.EISDIR or Path(path).is_dir():
        return DomainError("write_failed", f"目标路径是一个文件夹，请给出文件名：{path}")
    if exc.errno == errno.ENOENT:
        return DomainError("write_failed", f"目标文件夹不存在：{Path(path).parent}")
    return DomainError("write_failed", f"无法写入文件：{path}（{exc.strerror}）")


def is_disk_full(exc: BaseException) -> bool:
    """SQLite reports a full disk (or a file-size limit) as SQLITE_FULL or an I/O error."""
    if isinstance(exc, OSError):
        return exc.errno in (errno.ENOSPC, errno.EFBIG, errno.EDQUOT)
    text = str(exc).lower()
    return "disk is full" in text or "disk i/o error" in text


def disk_full_error(folder: Path | None = None) -> DomainError:
    folder = folder or (DATABASE_FOLDER[-1] if DATABASE_FOLDER else None)
    where = f"（{folder}）" if folder else ""
    return DomainError("disk_full", f"磁盘空间不足{where}，本次操作未保存，原有数据未改动。请清理磁盘后再试")


def storage_write_error(exc: BaseException) -> DomainError:
    if is_disk_full(exc):
        return disk_full_error()
    return DomainError("write_failed", f"写入数据库失败，本次操作未保存：{exc}")
