"""The .fjpkg file: magic, header, X25519-wrapped file key, ChaCha20-Poly1305 STREAM, Ed25519 signature.

    magic "FJLDPKG1" | hdr_len u32 LE | header JSON | STREAM chunks | signature (64 B)

Modelled on age (per-file 128-bit key, 64 KiB chunks, nonce = 11-byte counter ‖ final flag) plus a
sender signature over everything, checked BEFORE anything is decrypted (sync-security.md §A.3.4,
§A.3.6, §B.3.9). Both directions stream with bounded memory; see FORMAT.md for the byte layout.
"""
from __future__ import annotations

import hashlib
import os
import secrets
import struct
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
from cryptography.hazmat.primitives.ciphers.aead import ChaCha20Poly1305
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from models.sync.errors import PackageError
from models.sync.header import CHUNK_SIZE, MAX_HEADER_BYTES, PackageHeader, Routing
from models.sync.identity import PeerCard, SiteIdentity
from models.sync.records import (
    BLOB_CHUNK_BYTES,
    End,
    Record,
    RecordReader,
    RecordType,
    Totals,
    canonical_json,
    check_manifest_envelope,
    encode_record,
)

MAGIC = b"FJLDPKG1"
SIGNATURE_CONTEXT = b"FJLD-PKG-v1"
SIGNATURE_BYTES = 64
TAG_BYTES = 16
MAX_PACKAGE_BYTES = 2 * 1024**3
_HDR_LEN = struct.Struct("<I")
_ZERO_NONCE = bytes(12)
_READ_BYTES = 1024 * 1024


def _wrap_key(shared_secret: bytes, eph_pub: bytes, recipient_pub: bytes) -> bytes:
    return HKDF(hashes.SHA256(), 32, salt=eph_pub + recipient_pub,
                info=b"FJLD-PKG-v1 X25519 file key").derive(shared_secret)


def _payload_key(file_key: bytes, payload_nonce: bytes) -> ChaCha20Poly1305:
    return ChaCha20Poly1305(HKDF(hashes.SHA256(), 32, salt=payload_nonce, info=b"payload").derive(file_key))


def _chunk_nonce(counter: int, final: bool) -> bytes:
    return counter.to_bytes(11, "big") + (b"\x01" if final else b"\x00")


@dataclass(frozen=True)
class WrittenPackage:
    path: Path
    sha256: str  # of the whole file: the next package's prev_pkg_sha256 and the 回执码 source
    size: int


class PackageWriter:
    """Use as a context manager; the file appears under `path` only after a successful `close()`."""

    def __init__(self, path: Path, sender: SiteIdentity, recipient: PeerCard, routing: Routing,
                 manifest: dict[str, Any]) -> None:
        if routing.from_site != sender.site_id or routing.to_site != recipient.site_id:
            raise ValueError("routing does not match sender/recipient")
        self._path = path
        self._sender = sender
        self._manifest = check_manifest_envelope(manifest)
        file_key = secrets.token_bytes(16)
        ephemeral = X25519PrivateKey.generate()
        eph_pub = ephemeral.public_key().public_bytes_raw()
        wrap = _wrap_key(ephemeral.exchange(X25519PublicKey.from_public_bytes(recipient.kem_pub)), eph_pub,
                         recipient.kem_pub)
        payload_nonce = secrets.token_bytes(16)
        header = PackageHeader(routing, sender.card("").sign_fpr, recipient.kem_fpr, eph_pub,
                               ChaCha20Poly1305(wrap).encrypt(_ZERO_NONCE, file_key, None), payload_nonce)
        header_bytes = header.to_bytes()
        prefix = MAGIC + _HDR_LEN.pack(len(header_bytes)) + header_bytes
        self._aad = hashlib.sha256(prefix).digest()
        self._aead = _payload_key(file_key, payload_nonce)
        self._hash = hashlib.sha256()
        self._size = 0
        self._counter = 0
        self._pending = bytearray()
        self._totals = Totals()
        self._tmp_path = path.with_name(path.name + ".part")
        self._file: BinaryIO = open(self._tmp_path, "wb")
        self._emit(prefix)
        self._record(RecordType.MANIFEST, canonical_json(manifest))

    def __enter__(self) -> PackageWriter:
        return self

    def __exit__(self, exc_type: object, exc: object, traceback: object) -> None:
        if not self._file.closed:  # an exception before close(): leave no half-written file behind
            self._file.close()
            self._tmp_path.unlink(missing_ok=True)

    def write_attestation(self, body: bytes) -> None:
        """An ATTEST record (op format 2): before every op."""
        if self._totals.op_count or self._totals.blobs:
            raise ValueError("attestations must precede ops")
        self._record(RecordType.ATTEST, body)

    def write_op(self, op_fields: dict[str, Any]) -> None:
        """An op of format 1 (a JSON object)."""
        self.write_op_body(canonical_json(op_fields))

    def write_op_body(self, body: bytes) -> None:
        if self._totals.blobs:
            raise ValueError("ops must precede blobs")
        raw = self._record(RecordType.OP, body)
        self._totals.add_op(raw)

    def write_op_records(self, records: bytes, count: int) -> None:
        """`count` OP records framed by records.encode_record, joined: one call per block of ops."""
        if self._totals.blobs:
            raise ValueError("ops must precede blobs")
        self._totals.add_ops(records, count)
        self._append(records)

    def write_blob(self, sha256: str, size: int, chunks: Iterable[bytes]) -> None:
        """Streams one attachment; its bytes are checked against `sha256` and `size` on the way out."""
        index = len(self._totals.blobs)
        if index >= len(self._manifest["blobs"]) or self._manifest["blobs"][index] != [sha256, size]:
            raise ValueError("blobs must be written in manifest order")
        self._totals.blobs.append([sha256, size])
        self._record(RecordType.BLOB_HDR, canonical_json({"sha256": sha256, "size": size}))
        running, seen = hashlib.sha256(), 0
        for chunk in chunks:
            for start in range(0, len(chunk), BLOB_CHUNK_BYTES):
                piece = chunk[start:start + BLOB_CHUNK_BYTES]
                running.update(piece)
                seen += len(piece)
                self._record(RecordType.BLOB_CHUNK, bytes(piece))
        if seen != size or running.hexdigest() != sha256:
            raise ValueError(f"blob {sha256} does not match its stored hash")

    def close(self) -> WrittenPackage:
        if self._totals.op_count != self._manifest["op_count"] or len(self._totals.blobs) != len(
                self._manifest["blobs"]):
            raise ValueError("manifest counts do not match what was written")
        self._record(RecordType.END, canonical_json(self._totals.end_fields()))
        self._seal(bytes(self._pending), final=True)
        signature = self._sender.sign(SIGNATURE_CONTEXT + self._hash.digest())
        self._hash.update(signature)  # from here on the hash of the whole file
        self._file.write(signature)
        self._size += len(signature)
        self._file.flush()
        os.fsync(self._file.fileno())
        self._file.close()
        os.replace(self._tmp_path, self._path)
        return WrittenPackage(self._path, self._hash.hexdigest(), self._size)

    def _record(self, kind: RecordType, body: bytes) -> bytes:
        raw = encode_record(kind, body)
        self._append(raw)
        return raw

    def _append(self, data: bytes) -> None:
        pending = self._pending
        pending += data
        if len(pending) <= CHUNK_SIZE:
            return
        # Seal only while MORE than one chunk is pending, so the last chunk is never empty and can always
        # carry the final flag; cut by offset and compact once (deleting per chunk would be quadratic).
        start = 0
        with memoryview(pending) as view:
            while len(pending) - start > CHUNK_SIZE:
                with view[start:start + CHUNK_SIZE] as chunk:
                    self._seal(chunk, final=False)
                start += CHUNK_SIZE
        del pending[:start]

    def _seal(self, plaintext: bytes | memoryview, final: bool) -> None:
        self._emit(self._aead.encrypt(_chunk_nonce(self._counter, final), plaintext, self._aad))
        self._counter += 1

    def _emit(self, data: bytes) -> None:
        self._hash.update(data)
        self._file.write(data)
        self._size += len(data)


@dataclass(frozen=True)
class OpenedPackage:
    """A package whose routing, sender and signature have been checked; content still encrypted."""

    path: Path
    header: PackageHeader
    sender: PeerCard
    size: int
    prefix_len: int
    signed_sha256: bytes  # SHA-256 of everything before the signature
    sha256: str  # of the whole file


def read_header(path: Path) -> tuple[PackageHeader, int, int]:
    """Steps before any crypto: size cap, magic, header length, strict header JSON.
    Returns (header, file size, length of magic+hdr_len+header)."""
    size = path.stat().st_size
    if size > MAX_PACKAGE_BYTES:
        raise PackageError("too_large")
    with open(path, "rb") as stream:
        if stream.read(len(MAGIC)) != MAGIC:
            raise PackageError("not_a_package")
        length_bytes = stream.read(_HDR_LEN.size)
        if len(length_bytes) != _HDR_LEN.size:
            raise PackageError("malformed")
        (header_len,) = _HDR_LEN.unpack(length_bytes)
        prefix_len = len(MAGIC) + _HDR_LEN.size + header_len
        if header_len > MAX_HEADER_BYTES or size < prefix_len + TAG_BYTES + SIGNATURE_BYTES:
            raise PackageError("malformed")
        header = PackageHeader.parse(stream.read(header_len))
    return header, size, prefix_len


def open_package(path: Path, me: SiteIdentity, find_sender: Callable[[str], PeerCard | None]) -> OpenedPackage:
    """Steps 1–4 of the import pipeline. `find_sender(site_id)` returns the paired card, None when
    unknown, or raises PackageError itself (e.g. revoked)."""
    header, size, prefix_len = read_header(path)
    my_card = me.card("")
    if header.routing.to_site != me.site_id or header.to_kem_fpr != my_card.kem_fpr:
        raise PackageError("not_for_me")
    sender = find_sender(header.routing.from_site)
    if sender is None or sender.sign_fpr != header.from_sign_fpr:
        raise PackageError("unknown_sender")
    signed_hash, signature, whole = _hash_file(path, size)
    if not sender.verify(signature, SIGNATURE_CONTEXT + signed_hash):
        raise PackageError("bad_signature")
    return OpenedPackage(path, header, sender, size, prefix_len, signed_hash, whole)


def iter_records(package: OpenedPackage, me: SiteIdentity) -> Iterator[Record]:
    """Decrypts and yields validated records. Apply nothing until `End` has been yielded: it comes
    only after the final chunk, the END totals, every blob hash and a re-check that the file did
    not change since its signature was verified."""
    header = package.header
    try:
        shared = me.kem_key.exchange(X25519PublicKey.from_public_bytes(header.eph_pub))
        wrap = _wrap_key(shared, header.eph_pub, me.kem_key.public_key().public_bytes_raw())
        file_key = ChaCha20Poly1305(wrap).decrypt(_ZERO_NONCE, header.wrapped_file_key, None)
    except (InvalidTag, ValueError):
        raise PackageError("malformed") from None
    aead = _payload_key(file_key, header.payload_nonce)
    reader = RecordReader()
    rehash = hashlib.sha256()
    payload_end = package.size - SIGNATURE_BYTES
    sealed_chunk = CHUNK_SIZE + TAG_BYTES
    with open(package.path, "rb") as stream:
        prefix = stream.read(package.prefix_len)
        rehash.update(prefix)
        aad = hashlib.sha256(prefix).digest()
        position, counter = package.prefix_len, 0
        while position < payload_end:
            final = payload_end - position <= sealed_chunk
            sealed = stream.read(min(sealed_chunk, payload_end - position))
            rehash.update(sealed)
            position += len(sealed)
            if len(sealed) <= TAG_BYTES:
                raise PackageError("malformed")  # an empty final chunk is never written
            try:
                plaintext = aead.decrypt(_chunk_nonce(counter, final), sealed, aad)
            except InvalidTag:
                raise PackageError("malformed") from None
            counter += 1
            for record in reader.feed(plaintext, final):
                if record.__class__ is End:  # the reader has ended: nothing follows
                    _check_unchanged(rehash, stream, package)
                yield record
    if not reader.ended:
        raise PackageError("malformed")


def _check_unchanged(rehash: Any, stream: BinaryIO, package: OpenedPackage) -> None:
    """The file is read twice (signature pass, decrypt pass); make sure it is the same file."""
    if rehash.digest() != package.signed_sha256 or len(stream.read(SIGNATURE_BYTES + 1)) != SIGNATURE_BYTES:
        raise PackageError("bad_signature")


def _hash_file(path: Path, size: int) -> tuple[bytes, bytes, str]:
    signed = hashlib.sha256()
    remaining = size - SIGNATURE_BYTES
    with open(path, "rb") as stream:
        while remaining > 0:
            block = stream.read(min(_READ_BYTES, remaining))
            if not block:
                raise PackageError("malformed")
            signed.update(block)
            remaining -= len(block)
        signature = stream.read(SIGNATURE_BYTES + 1)
    if len(signature) != SIGNATURE_BYTES:
        raise PackageError("malformed")
    whole = signed.copy()  # the same bytes plus the signature: one pass over the file
    whole.update(signature)
    return signed.digest(), signature, whole.hexdigest()
