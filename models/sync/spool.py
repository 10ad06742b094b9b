"""Records kept between the one pass that reads them and the package that carries them: a package's
manifest and header (counts, highest HLC, attestations) precede its ops, and are known only once every
op has been read. In order, in blocks of about BLOCK_BYTES in a temporary file (less than one block
stays in memory), each block sealed (ChaCha20-Poly1305) under a key that lives only in this object: what
reaches the disk is unreadable without it, a changed block is refused, and the file is deleted when the
spool closes."""
from __future__ import annotations

import errno
import tempfile
from collections.abc import Iterator
from typing import BinaryIO

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import ChaCha20Poly1305

BLOCK_BYTES = 256 * 1024


class Spool:
    """Use as a context manager: `add` items, then read them back once, joined in blocks, with `blocks`."""

    def __init__(self, block_bytes: int = BLOCK_BYTES) -> None:
        self._block_bytes = block_bytes
        self._aead: ChaCha20Poly1305 | None = None
        self._file: BinaryIO | None = None
        self._sealed: list[tuple[int, int]] = []  # per block on disk: (sealed length, items)
        self._items: list[bytes] = []
        self._size = 0
        self._counts = 0  # items in self._items
        self.count = 0  # items added

    def __enter__(self) -> Spool:
        return self

    def __exit__(self, exc_type: object, exc: object, traceback: object) -> None:
        self.close()

    def close(self) -> None:
        self._items = []
        if self._file is not None:
            self._file.close()
            self._file = None

    def add(self, items: bytes, count: int = 1) -> None:
        """`items`: `count` items joined (the spool keeps them in order and counts them)."""
        if not items:
            return
        self._items.append(items)
        self._size += len(items)
        self._counts += count
        self.count += count
        if self._size >= self._block_bytes:
            self._seal()

    def blocks(self) -> Iterator[tuple[bytes, int]]:
        """(the items of one block joined, their number), in the order added; then the spool is empty."""
        if self._file is not None:
            if self._items:
                self._seal()
            self._file.seek(0)
            assert self._aead is not None
            for index, (length, items) in enumerate(self._sealed):
                sealed = self._file.read(length)
                try:
                    yield self._aead.decrypt(_nonce(index), sealed, None), items
                except InvalidTag:
                    raise OSError(errno.EIO, "临时文件读回时校验失败") from None
            self._sealed = []
            self._file.close()
            self._file = None
        elif self._items:
            yield b"".join(self._items), self._counts
        self._items, self._size, self._counts = [], 0, 0

    def _seal(self) -> None:
        if self._file is None:
            self._aead = ChaCha20Poly1305(ChaCha20Poly1305.generate_key())
            self._file = tempfile.TemporaryFile()
        assert self._aead is not None
        sealed = self._aead.encrypt(_nonce(len(self._sealed)), b"".join(self._items), None)
        self._file.write(sealed)
        self._sealed.append((len(sealed), self._counts))
        self._items, self._size, self._counts = [], 0, 0


def _nonce(index: int) -> bytes:
    return index.to_bytes(12, "big")
