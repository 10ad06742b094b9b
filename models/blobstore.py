"""Attachment bytes outside the database file (issue 15): an encrypted, content-addressed folder of
immutable blob files beside the database (`fjld.blobs/` next to `fjld.db`), or, where the database is
not a local file (PostgreSQL, an in-memory database), the `blob` table, behind one interface.

A blob is referenced everywhere by the SHA-256 of its plaintext (Attachment.sha256, sync manifests);
on disk it is named by a keyed hash of that digest (HMAC-SHA256), so the folder does not tell which
known document is stored. Its bytes are AES-256-GCM, sealed in 1 MiB chunks (nonce = random file prefix
+ chunk number; the last chunk carries a final flag and the plaintext digest and size in its associated
data), so a file is streamed both ways and a truncated, edited or renamed file fails to decrypt.
Reading checks the plaintext SHA-256 as well.

The blob key is 32 random bytes kept in the encrypted database (table `blob_key`, one row, never
replicated): it is protected by the data key, travels inside every backup of the database, and each
workstation has its own. Files are written to a temp name, fsynced and renamed BEFORE the metadata row
commits: a crash leaves at worst an unreferenced file or a `.part` (removed by `collect_garbage`), never a
row without bytes, and a half-written file never carries a blob's name.

Existing databases: migration 0015 moves every `blob` row out to files (after the verified migration
backup) and empties the table, so nothing is read from the table on a file-backed database afterwards."""
from __future__ import annotations

import hashlib
import hmac
import os
import re
import secrets
import struct
import tempfile
import time
import weakref
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from sqlalchemy import Connection, select, text
from sqlalchemy.orm import Session

from models.errors import DomainError
from models.fsutil import disk_error

MAGIC = b"FJLDBLB1"
CHUNK = 1 << 20           # plaintext bytes per sealed chunk
TAG = 16                  # AES-GCM tag
HEADER = len(MAGIC) + 8   # magic + random nonce prefix
SUFFIX = ".blob"
PART = ".part"
_NAME = re.compile(r"^[0-9a-f]{64}\.blob$")
_SHA = re.compile(r"[0-9a-f]{64}")


def blob_dir_for(db_path: Path) -> Path:
    """The live store beside a database file: `fjld.blobs/` for `fjld.db`."""
    return Path(db_path).parent / f"{Path(db_path).stem}.blobs"


def shared_backup_dir(backup_folder: Path, db_stem: str) -> Path:
    """One folder of blob files shared by every backup of a database (blobs are immutable)."""
    return Path(backup_folder) / f"{db_stem}.blobs"


def encrypted_size(size: int) -> int:
    return HEADER + size + TAG * (size // CHUNK + 1)


def plain_size(file_size: int) -> int | None:
    """The plaintext size a blob file of `file_size` bytes holds, None if no blob file can be that long."""
    body = file_size - HEADER - TAG
    if body < 0:
        return None
    full, rest = divmod(body, CHUNK + TAG)
    return full * CHUNK + rest if rest < CHUNK else None


@dataclass(frozen=True)
class BlobKeys:
    enc: bytes
    name: bytes

    @classmethod
    def derive(cls, secret: bytes) -> BlobKeys:
        def hkdf(info: bytes) -> bytes:
            return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=info).derive(secret)
        return cls(hkdf(b"fjld blob v1 encryption"), hkdf(b"fjld blob v1 file name"))

    def file_name(self, sha256: str) -> str:
        return hmac.new(self.name, sha256.encode("ascii"), hashlib.sha256).hexdigest() + SUFFIX


def _aad(prefix: bytes, index: int, final: bool, sha256: str = "", size: int = 0) -> bytes:
    tail = bytes.fromhex(sha256) + struct.pack(">Q", size) if final else b""
    return MAGIC + prefix + struct.pack(">IB", index, final) + tail


def _damaged(name: str) -> DomainError:
    return DomainError("blob_damaged", f"附件内容已损坏或被改动（{name}），请从备份恢复或让对方重新同步")


def _fsync_dir(folder: Path) -> None:
    if os.name == "nt":  # Windows cannot open a folder for fsync; NTFS journals the rename itself
        return
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _discard(handle: Any, path: Path) -> None:
    try:
        handle.close()
    finally:
        path.unlink(missing_ok=True)


class BlobWriter:
    """Streams one blob to a `.part` file; `commit()` seals it and gives it its name (atomic rename)."""

    def __init__(self, folder: Path, keys: BlobKeys) -> None:
        self._folder, self._keys = folder, keys
        try:
            folder.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(prefix="incoming-", suffix=PART, dir=folder)
        except OSError as exc:
            raise disk_error(exc, folder / "incoming.part") from exc
        self._tmp = Path(tmp)
        self._file = os.fdopen(fd, "wb")
        self._closer = weakref.finalize(self, _discard, self._file, self._tmp)  # abandoned: no .part left
        self._prefix = secrets.token_bytes(8)
        self._aead = AESGCM(keys.enc)
        self._pending = bytearray()
        self._index = 0
        self._hash = hashlib.sha256()
        self._size = 0
        self._emit(MAGIC + self._prefix)

    def _emit(self, data: bytes) -> None:
        try:
            self._file.write(data)
        except OSError as exc:
            self.abort()
            raise disk_error(exc, self._tmp) from exc

    def _seal(self, piece: bytes, aad: bytes) -> None:
        nonce = self._prefix + struct.pack(">I", self._index)
        self._emit(self._aead.encrypt(nonce, piece, aad))
        self._index += 1

    def write(self, data: bytes) -> None:
        self._hash.update(data)
        self._size += len(data)
        self._pending += data
        while len(self._pending) > CHUNK:  # a full chunk is sealed only once more follows: the final one is short
            self._seal(bytes(self._pending[:CHUNK]), _aad(self._prefix, self._index, False))
            del self._pending[:CHUNK]

    def commit(self, expected_sha256: str | None = None) -> tuple[str, int, bool]:
        """(sha256, size, newly stored). The file is durable under its name before this returns."""
        sha = self._hash.hexdigest()
        if expected_sha256 is not None and sha != expected_sha256:
            self.abort()
            raise _damaged(expected_sha256[:12])
        if len(self._pending) == CHUNK:
            self._seal(bytes(self._pending), _aad(self._prefix, self._index, False))
            self._pending.clear()
        self._seal(bytes(self._pending), _aad(self._prefix, self._index, True, sha, self._size))
        target = self._folder / self._keys.file_name(sha)
        try:
            self._file.flush()
            os.fsync(self._file.fileno())
            self._file.close()
            if target.exists():  # content-addressed: the same bytes are already stored
                self._tmp.unlink()
                new = False
            else:
                os.chmod(self._tmp, 0o600)
                os.replace(self._tmp, target)
                _fsync_dir(self._folder)
                new = True
        except OSError as exc:
            self.abort()
            raise disk_error(exc, target) from exc
        self._closer.detach()
        return sha, self._size, new

    def abort(self) -> None:
        self._closer()


def read_blob_file(path: Path, keys: BlobKeys, sha256: str) -> Iterator[bytes]:
    """Plaintext chunks of one blob file; raises blob_damaged on any mismatch (at the latest after the
    last chunk, before it is yielded)."""
    aead = AESGCM(keys.enc)
    running, size, index = hashlib.sha256(), 0, 0
    with open(path, "rb") as handle:
        header = handle.read(HEADER)
        if len(header) != HEADER or header[:len(MAGIC)] != MAGIC:
            raise _damaged(path.name[:12])
        prefix = header[len(MAGIC):]
        while True:
            block = handle.read(CHUNK + TAG)
            final = len(block) < CHUNK + TAG
            if len(block) < TAG:
                raise _damaged(path.name[:12])
            nonce = prefix + struct.pack(">I", index)
            aad = _aad(prefix, index, final, sha256, size + len(block) - TAG)
            try:
                plain = aead.decrypt(nonce, block, aad)
            except InvalidTag:
                raise _damaged(path.name[:12]) from None
            running.update(plain)
            size += len(plain)
            index += 1
            if final:
                if running.hexdigest() != sha256 or handle.read(1):
                    raise _damaged(path.name[:12])
                if plain:
                    yield plain
                return
            yield plain


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
            raise _damaged(expected_sha256[:12])
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
            raise _damaged(sha256[:12])
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


def store_at(session: Session | Connection, folder: Path) -> FileBlobStore:
    """The blob files of the database behind `session` kept in another folder (a backup's shared folder)."""
    return FileBlobStore(session, folder)


# ---------------------------------------------------------------- backups, restore, housekeeping

def share_blobs(source: Path, target: Path) -> tuple[int, int]:
    """Puts every blob file of `source` that `target` lacks into `target`: a hard link where the file
    system allows (no bytes copied; the files are immutable), else a copy (fsynced, renamed into
    place). Returns (linked, copied)."""
    if not source.is_dir():
        return 0, 0
    target.mkdir(parents=True, exist_ok=True)
    present = {entry.name for entry in os.scandir(target)}
    return share_files([Path(entry.path) for entry in os.scandir(source)
                        if entry.name not in present and _NAME.match(entry.name)], target)


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
        _fsync_dir(target)
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


def referenced_hashes(session: Session | Connection) -> set[str]:
    """Every attachment digest the database knows of: rows (deleted ones too: undo and 回收站 bring them
    back), op values and ops held in quarantine (they may materialise later)."""
    from models.attachment import Attachment
    from models.oplog import Op
    from models.sync.peers import QuarantinedOp

    found = set(session.execute(select(Attachment.sha256).distinct()).scalars())
    for value in session.execute(select(Op.value).where(Op.entity == "attachment", Op.field == "sha256")).scalars():
        found.update(_SHA.findall(value))
    for body in session.execute(select(QuarantinedOp.body).where(QuarantinedOp.body.contains("attachment"))).scalars():
        found.update(_SHA.findall(body))
    found.discard("")
    return found


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
        elif _NAME.match(entry.name) and entry.name not in keep:
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
