"""Attachment bytes outside the database file (issue 15): an encrypted, content-addressed folder of
immutable blob files beside the database (`fjld.blobs/` next to `fjld.db`), or, where the database is
not a local file (PostgreSQL, an in-memory database), the `blob` table, behind one interface.

A blob is referenced everywhere by the SHA-256 of its plaintext (Attachment.sha256, sync manifests);
the file format (encryption, keyed file names, streamed writer and checked reader) is models/blobfile.py,
the sharing of blob files with backups and their pruning models/blobbackup.py.

The blob key is 32 random bytes kept in the encrypted database (table `blob_key`, one row, never
replicated): it is protected by the data key, travels inside every backup of the database, and each
workstation has its own. Files are written to a temp name, fsynced and renamed BEFORE the metadata row
commits: a crash leaves at worst an unreferenced file or a `.part` (removed by `collect_garbage`), never a
row without bytes, and a half-written file never carries a blob's name.

Existing databases: migration 0015 moves every `blob` row out to files (after the verified migration
backup) and empties the table, so nothing is read from the table on a file-backed database afterwards."""
from __future__ import annotations

import hashlib
import os
import secrets
import time
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, select, text
from sqlalchemy.orm import Session

from models.blobfile import (
    CHUNK,
    NAME_RE,
    PART,
    SHA_RE,
    BlobKeys,
    BlobWriter,
    damaged,
    plain_size,
    read_blob_file,
)
from models.errors import DomainError

__all__ = ["CHUNK", "PART", "BlobStore", "FileBlobStore", "TableBlobStore", "blob_dir_for", "blob_store",
           "collect_garbage", "database_file", "ensure_blob_key", "move_table_blobs", "referenced_hashes"]


def blob_dir_for(db_path: Path) -> Path:
    """The live store beside a database file: `fjld.blobs/` for `fjld.db`."""
    return Path(db_path).parent / f"{Path(db_path).stem}.blobs"


class BlobStore:
    """What the services use: put bytes (streamed), ask which are present, read them back checked."""

    def writer(self) -> Any:
        raise NotImplementedError

    def sizes(self, hashes: Iterable[str]) -> dict[str, int]:
        """sha256 → size of the blobs among `hashes` that are stored here."""
        raise NotImplementedError

    def chunks(self, sha256: str) -> Iterator[bytes]:
        raise NotImplementedError

    def has(self, sha256: str) -> bool:
        return sha256 in self.sizes([sha256])

    def put_stream(self, chunks: Iterable[bytes], expected_sha256: str | None = None) -> tuple[str, int, bool]:
        writer = self.writer()
        try:
            for chunk in chunks:
                writer.write(chunk)
        except BaseException:
            writer.abort()
            raise
        return writer.commit(expected_sha256)

    def put(self, data: bytes) -> str:
        return self.put_stream((data,))[0]

    def read(self, sha256: str) -> bytes:
        return b"".join(self.chunks(sha256))


class FileBlobStore(BlobStore):
    def __init__(self, session: Session | Connection, folder: Path) -> None:
        self._session, self.folder = session, folder
        self._keys: BlobKeys | None = None

    def keys(self, create: bool = False) -> BlobKeys | None:
        if self._keys is None:
            secret = ensure_blob_key(self._session) if create else _read_key(self._session)
            self._keys = BlobKeys.derive(secret) if secret is not None else None
        return self._keys

    def path_of(self, sha256: str) -> Path | None:
        keys = self.keys()
        return self.folder / keys.file_name(sha256) if keys else None

    def writer(self) -> BlobWriter:
        keys = self.keys(create=True)
        assert keys is not None
        return BlobWriter(self.folder, keys)

    def sizes(self, hashes: Iterable[str]) -> dict[str, int]:
        found: dict[str, int] = {}
        for sha in hashes:
            path = self.path_of(sha)
            try:
                size = plain_size(path.stat().st_size) if path else None
            except OSError:
                continue
            if size is not None:
                found[sha] = size
        return found

    def chunks(self, sha256: str) -> Iterator[bytes]:
        keys = self.keys()
        path = self.folder / keys.file_name(sha256) if keys else None
        if keys is None or path is None or not path.is_file():
            raise DomainError("blob_missing", "附件内容尚未同步到本机")
        return read_blob_file(path, keys, sha256)


class _TableWriter:
    def __init__(self, session: Session | Connection) -> None:
        self._session, self._data = session, bytearray()

    def write(self, data: bytes) -> None:
        self._data += data

    def commit(self, expected_sha256: str | None = None) -> tuple[str, int, bool]:
        data = bytes(self._data)
        sha = hashlib.sha256(data).hexdigest()
        if expected_sha256 is not None and sha != expected_sha256:
            raise damaged(expected_sha256[:12])
        table = _blob_table()
        if self._session.execute(select(table.c.sha256).where(table.c.sha256 == sha)).first() is not None:
            return sha, len(data), False
        self._session.execute(table.insert().values(sha256=sha, size=len(data), data=data))
        return sha, len(data), True

    def abort(self) -> None:
        self._data.clear()


class TableBlobStore(BlobStore):
    """Bytes in the `blob` table, for a database that is not a local file (one value per blob, so a
    write is held in memory: attachments are at most 50 MB)."""

    def __init__(self, session: Session | Connection) -> None:
        self._session = session

    def writer(self) -> _TableWriter:
        return _TableWriter(self._session)

    def sizes(self, hashes: Iterable[str]) -> dict[str, int]:
        table, ordered, found = _blob_table(), sorted(set(hashes)), {}
        for start in range(0, len(ordered), 500):
            found.update(self._session.execute(select(table.c.sha256, table.c.size).where(
                table.c.sha256.in_(ordered[start:start + 500]))).all())
        return found

    def chunks(self, sha256: str) -> Iterator[bytes]:
        table = _blob_table()
        data = self._session.execute(select(table.c.data).where(table.c.sha256 == sha256)).scalar()
        if data is None:
            raise DomainError("blob_missing", "附件内容尚未同步到本机")
        if hashlib.sha256(data).hexdigest() != sha256:
            raise damaged(sha256[:12])
        return iter([data[start:start + CHUNK] for start in range(0, len(data), CHUNK)] or [b""])


def _read_key(session: Session | Connection) -> bytes | None:
    return session.execute(select(_key_table().c.secret).where(_key_table().c.id == 1)).scalar()


def ensure_blob_key(session: Session | Connection) -> bytes:
    """The blob secret, made on first use (migration 0015 makes it for every database)."""
    secret = _read_key(session)
    if secret is None:
        secret = secrets.token_bytes(32)
        session.execute(_key_table().insert().values(id=1, secret=secret))
    return secret


def _blob_table() -> Any:
    from models.attachment import Blob
    return Blob.__table__


def _key_table() -> Any:
    from models.attachment import BlobKey
    return BlobKey.__table__


def database_file(session: Session | Connection) -> Path | None:
    """The file of the database behind `session`, None if it is not a local SQLite file."""
    bind = session.get_bind() if isinstance(session, Session) else session
    if bind.dialect.name != "sqlite":
        return None
    for _seq, name, file in session.execute(text("PRAGMA database_list")).all():
        if name == "main":
            return Path(file) if file else None
    return None


def blob_store(session: Session | Connection) -> BlobStore:
    """The store of the database behind `session`: files beside a local database file, else the table."""
    path = database_file(session)
    return FileBlobStore(session, blob_dir_for(path)) if path is not None else TableBlobStore(session)


def referenced_hashes(session: Session | Connection) -> set[str]:
    """Every attachment digest the database knows of: rows (deleted ones too: undo and 回收站 bring them
    back), op values and ops held in quarantine (they may materialise later)."""
    from models.attachment import Attachment
    from models.oplog import Op
    from models.sync.peers import QuarantinedOp

    found = set(session.execute(select(Attachment.sha256).distinct()).scalars())
    for value in session.execute(select(Op.value).where(Op.entity == "attachment", Op.field == "sha256")).scalars():
        found.update(SHA_RE.findall(value))
    for body in session.execute(select(QuarantinedOp.body).where(QuarantinedOp.body.contains("attachment"))).scalars():
        found.update(SHA_RE.findall(body))
    found.discard("")
    return found


def collect_garbage(session: Session | Connection, min_age_s: float = 24 * 3600) -> tuple[int, int]:
    """Removes `.part` leftovers of interrupted writes and blob files no row, op or held op refers to,
    both only once older than `min_age_s` (a write in flight is never touched). Returns (parts, blobs)."""
    store = blob_store(session)
    if not isinstance(store, FileBlobStore) or not store.folder.is_dir():
        return 0, 0
    keys = store.keys()
    keep = {keys.file_name(sha) for sha in referenced_hashes(session)} if keys else set()
    cutoff = time.time() - min_age_s
    parts = blobs = 0
    for entry in os.scandir(store.folder):
        try:
            if entry.stat().st_mtime > cutoff:
                continue
        except OSError:
            continue
        if entry.name.endswith(PART):
            Path(entry.path).unlink(missing_ok=True)
            parts += 1
        elif NAME_RE.match(entry.name) and entry.name not in keep:
            Path(entry.path).unlink(missing_ok=True)
            blobs += 1
    return parts, blobs


def move_table_blobs(conn: Connection) -> int:
    """Migration 0015: every `blob` row of a database file becomes a blob file (fsynced before the
    migration's transaction commits), then the row is deleted. A row whose bytes no longer match its
    digest is left in the table (and reported damaged when read). Returns the number moved."""
    store = blob_store(conn)
    if not isinstance(store, FileBlobStore):
        return 0
    table = _blob_table()
    moved = 0
    for sha in list(conn.execute(select(table.c.sha256)).scalars()):
        data = conn.execute(select(table.c.data).where(table.c.sha256 == sha)).scalar()
        if data is None or hashlib.sha256(data).hexdigest() != sha:
            continue
        store.put_stream(data[start:start + CHUNK] for start in range(0, len(data), CHUNK))
        conn.execute(table.delete().where(table.c.sha256 == sha))
        moved += 1
    return moved
