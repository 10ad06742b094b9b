"""The encrypted blob file (issue 15): one attachment's bytes, AES-256-GCM, sealed in 1 MiB chunks
(nonce = random file prefix + chunk number; the last chunk carries a final flag and the plaintext digest
and size in its associated data), so a file is streamed both ways and a truncated, edited or renamed
file fails to decrypt. Reading checks the plaintext SHA-256 as well. On disk a blob is named by a keyed
hash (HMAC-SHA256) of its plaintext digest, so a folder of them does not tell which known document is
stored. The writer gives a file its name only once it is complete and fsynced (atomic rename).

The stores that hold these files are in models/blobstore.py; backup sharing and pruning in
models/blobbackup.py."""
from __future__ import annotations

import hashlib
import hmac
import os
import re
import secrets
import struct
import tempfile
import weakref
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from models.errors import DomainError
from models.fsutil import disk_error

MAGIC = b"FJLDBLB1"
CHUNK = 1 << 20           # plaintext bytes per sealed chunk
TAG = 16                  # AES-GCM tag
HEADER = len(MAGIC) + 8   # magic + random nonce prefix
SUFFIX = ".blob"
PART = ".part"
NAME_RE = re.compile(r"^[0-9a-f]{64}\.blob$")
SHA_RE = re.compile(r"[0-9a-f]{64}")


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


def damaged(name: str) -> DomainError:
    return DomainError("blob_damaged", f"附件内容已损坏或被改动（{name}），请从备份恢复或让对方重新同步")


def fsync_dir(folder: Path) -> None:
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
            raise damaged(expected_sha256[:12])
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
                fsync_dir(self._folder)
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
            raise damaged(path.name[:12])
        prefix = header[len(MAGIC):]
        while True:
            block = handle.read(CHUNK + TAG)
            final = len(block) < CHUNK + TAG
            if len(block) < TAG:
                raise damaged(path.name[:12])
            nonce = prefix + struct.pack(">I", index)
            aad = _aad(prefix, index, final, sha256, size + len(block) - TAG)
            try:
                plain = aead.decrypt(nonce, block, aad)
            except InvalidTag:
                raise damaged(path.name[:12]) from None
            running.update(plain)
            size += len(plain)
            index += 1
            if final:
                if running.hexdigest() != sha256 or handle.read(1):
                    raise damaged(path.name[:12])
                if plain:
                    yield plain
                return
            yield plain
