"""The blob store (issue 15): encrypted, content-addressed files beside the database, the table behind
the same interface where the database is not a file, streamed writes, checked reads, garbage only
after its grace period, and migration 0015 moving the old rows out."""
from __future__ import annotations

import hashlib
import os
import secrets
import time
import uuid

import pytest
from sqlalchemy import create_engine, select, text

from models.attachment import Attachment, Blob
from models.base import Base
from models.blobfile import CHUNK, encrypted_size, plain_size
from models.blobstore import FileBlobStore, TableBlobStore, blob_dir_for, blob_store, collect_garbage
from models.errors import DomainError
from models.services.attachments import (
    BlobCheck,
    add_attachment,
    add_attachment_files,
    attachment_bytes,
    check_attachment_files,
)
from models.storage import make_engine, open_database
from tests.scale.helpers import owner

SIZES = [0, 1, CHUNK - 1, CHUNK, CHUNK + 1, 3 * CHUNK, 3 * CHUNK + 17]


def test_every_size_round_trips_encrypted_under_a_keyed_name(new_db):
    contents = [os.urandom(size) for size in SIZES]
    with new_db.session_scope() as session:
        store = blob_store(session)
        assert isinstance(store, FileBlobStore) and store.folder == blob_dir_for(new_db.path)
        hashes = [store.put_stream(data[i:i + 100_000] for i in range(0, len(data), 100_000))[0] for data in contents]
    with new_db.read_scope() as session:
        store = blob_store(session)
        assert store.sizes(hashes + ["0" * 64]) == dict(zip(hashes, SIZES, strict=True))
        for sha, data in zip(hashes, contents, strict=True):
            assert store.read(sha) == data
            path = store.path_of(sha)
            assert path.stat().st_size == encrypted_size(len(data)) and plain_size(path.stat().st_size) == len(data)
    names = sorted(p.name for p in blob_dir_for(new_db.path).iterdir())
    assert len(names) == len(SIZES)
    assert not any(sha in name for sha in hashes for name in names)  # the plain SHA-256 never shows
    marker = contents[4][1000:1064]
    assert all(marker not in p.read_bytes() for p in blob_dir_for(new_db.path).iterdir())


def test_the_same_content_is_stored_once(new_db):
    with new_db.session_scope() as session:
        store = blob_store(session)
        first = store.put_stream([b"%PDF-1.4 ", b"scanned"])
        second = store.put_stream([b"%PDF-1.4 scanned"])
    assert first[:2] == second[:2] and (first[2], second[2]) == (True, False)
    assert len(list(blob_dir_for(new_db.path).iterdir())) == 1


@pytest.mark.parametrize("damage", ["truncate", "flip", "swap", "empty"])
def test_a_damaged_truncated_or_swapped_file_is_never_read_as_the_blob(new_db, damage):
    big, other = os.urandom(2 * CHUNK + 5), os.urandom(CHUNK + 3)
    with new_db.session_scope() as session:
        store = blob_store(session)
        sha, other_sha = store.put(big), store.put(other)
        path, other_path = store.path_of(sha), store.path_of(other_sha)
    raw = path.read_bytes()
    if damage == "truncate":  # whole chunks only: still a valid-looking length
        path.write_bytes(raw[:len(raw) - (len(raw) - 16) % (CHUNK + 16) - 16])
    elif damage == "flip":
        path.write_bytes(raw[:CHUNK] + bytes([raw[CHUNK] ^ 1]) + raw[CHUNK + 1:])
    elif damage == "swap":
        os.replace(other_path, path)
    else:
        path.write_bytes(b"")
    with new_db.read_scope() as session, pytest.raises(DomainError) as caught:
        blob_store(session).read(sha)
    assert caught.value.code == "blob_damaged" and "损坏" in caught.value.message


def test_attachments_stream_files_in_and_read_back_without_table_rows(new_db, tmp_path):
    suggestion = owner(new_db)
    source = tmp_path / "回复函扫描件.pdf"
    content = os.urandom(5 * CHUNK + 123)
    source.write_bytes(content)
    with new_db.session_scope() as session:
        add_attachment_files(session, "suggestion", suggestion, [source])
        attachment_id = session.scalar(select(Attachment.id))
    with new_db.read_scope() as session:
        assert attachment_bytes(session, attachment_id) == ("回复函扫描件.pdf", content)
        assert session.scalar(select(Attachment.size)) == len(content)
        assert session.query(Blob).count() == 0  # the bytes are not in the database file
    assert new_db.path.stat().st_size < len(content)


def test_a_missing_blob_file_is_reported_in_chinese(new_db):
    suggestion = owner(new_db)
    with new_db.session_scope() as session:
        attachment = add_attachment(session, "suggestion", suggestion, "函.pdf", b"content")
        path = blob_store(session).path_of(attachment.sha256)
    path.unlink()
    with new_db.read_scope() as session, pytest.raises(DomainError, match="尚未同步到本机"):
        attachment_bytes(session, attachment.id)


def test_the_table_store_keeps_the_same_contract():
    engine = create_engine("sqlite://")
    Base.metadata.create_all(engine)
    with engine.begin() as conn:
        store = blob_store(conn)
        assert isinstance(store, TableBlobStore)  # not a local file: bytes stay in the table
        contents = [os.urandom(size) for size in (0, 5, CHUNK + 1)]
        hashes = [store.put_stream([data]) for data in contents]
        assert [h[2] for h in hashes] == [True] * 3 and store.put_stream([contents[1]])[2] is False
        assert store.sizes([h[0] for h in hashes]) == {h[0]: len(d) for h, d in zip(hashes, contents, strict=True)}
        assert [store.read(h[0]) for h in hashes] == contents
        conn.execute(text("UPDATE blob SET data = x'00' WHERE size = 5"))
        with pytest.raises(DomainError, match="损坏"):
            store.read(hashes[1][0])


def test_garbage_collection_spares_referenced_young_and_held_blobs(new_db):
    suggestion = owner(new_db)
    with new_db.session_scope() as session:
        kept = add_attachment(session, "suggestion", suggestion, "留.pdf", b"kept").sha256
        store = blob_store(session)
        orphan, young = store.put(b"orphan"), store.put(b"young orphan")
        paths = {sha: store.path_of(sha) for sha in (kept, orphan, young)}
    folder = blob_dir_for(new_db.path)
    stale_part = folder / "incoming-x.part"
    stale_part.write_bytes(b"half")
    old = time.time() - 2 * 24 * 3600
    for path in (paths[kept], paths[orphan], stale_part):
        os.utime(path, (old, old))
    with new_db.session_scope() as session:
        assert collect_garbage(session) == (1, 1)
    assert paths[kept].exists() and paths[young].exists()
    assert not paths[orphan].exists() and not stale_part.exists()


def test_migration_0015_moves_blob_rows_out_after_a_verified_backup(tmp_path):
    from alembic import command

    from models.migrate import alembic_config

    path, dek = tmp_path / "旧库" / "fjld.db", secrets.token_bytes(32)
    path.parent.mkdir()
    engine = make_engine(path, dek)
    config = alembic_config()
    with engine.begin() as conn:
        config.attributes["connection"] = conn
        command.upgrade(config, "0012")
    contents = [os.urandom(3 * CHUNK + 9), "回复函".encode() * 1000]
    with engine.begin() as conn:
        for data in contents:
            sha = hashlib.sha256(data).hexdigest()
            conn.execute(Blob.__table__.insert().values(sha256=sha, size=len(data), data=data))
            conn.execute(Attachment.__table__.insert().values(
                id=uuid.uuid4(), created_hlc=1, updated_hlc=1, updated_site="s", deleted=False,
                owner_entity="suggestion", filename="旧附件.pdf", mime="application/pdf", size=len(data), sha256=sha))
    engine.dispose()

    db = open_database(path, dek, user="测试员")
    try:
        with db.read_scope() as session:
            assert session.query(Blob).count() == 0
            store = blob_store(session)
            assert sorted(store.read(hashlib.sha256(d).hexdigest()) for d in contents) == sorted(contents)
        backups = list((path.parent / "backups").glob("fjld-*-migration.db"))
        assert len(backups) == 1  # the verified copy taken before the move still holds the rows
        old = make_engine(backups[0], dek)
        with old.connect() as conn:
            assert conn.execute(text("SELECT count(*) FROM blob")).scalar() == 2
        old.dispose()
    finally:
        db.close()


def test_the_doctor_check_names_damaged_and_absent_attachments(new_db):
    suggestion = owner(new_db)
    with new_db.session_scope() as session:
        add_attachment(session, "suggestion", suggestion, "好.pdf", b"fine")
        bad = add_attachment(session, "suggestion", suggestion, "坏.pdf", os.urandom(CHUNK + 5))
        gone = add_attachment(session, "suggestion", suggestion, "缺.pdf", b"absent")
        store = blob_store(session)
        bad_path, gone_path = store.path_of(bad.sha256), store.path_of(gone.sha256)
    raw = bad_path.read_bytes()
    bad_path.write_bytes(raw[:-1] + bytes([raw[-1] ^ 0x80]))
    gone_path.unlink()
    with new_db.read_scope() as session:
        assert check_attachment_files(session) == BlobCheck(present=1, not_here=1, damaged=["坏.pdf"])


def test_doctor_reports_a_damaged_attachment_and_tidies_old_leftovers(new_db, capsys, monkeypatch):
    """`doctor` reads every attachment through its check (exit 1 naming the damaged one) and removes a
    day-old leftover of an interrupted write, never a referenced file."""
    from cli import main
    from tests.conftest import TEST_PASSWORD

    suggestion = owner(new_db)
    with new_db.session_scope() as session:
        kept = add_attachment(session, "suggestion", suggestion, "回复函.pdf", b"reply")
        bad = add_attachment(session, "suggestion", suggestion, "整改报告.pdf", os.urandom(CHUNK + 5))
        store = blob_store(session)
        kept_path, bad_path = store.path_of(kept.sha256), store.path_of(bad.sha256)
    leftover = kept_path.with_name("0" * 64 + ".blob.part")
    leftover.write_bytes(b"half")
    day_ago = time.time() - 2 * 24 * 3600
    for path in (leftover, kept_path):
        os.utime(path, (day_ago, day_ago))
    path = new_db.path
    new_db.close()
    monkeypatch.setenv("FJLD_PASSWORD", TEST_PASSWORD)
    assert main(["--db", str(path), "doctor"]) == 0
    assert "已清理 1 个不再使用的附件文件" in capsys.readouterr().out
    assert kept_path.is_file() and not leftover.exists()
    raw = bad_path.read_bytes()
    bad_path.write_bytes(raw[:-1] + bytes([raw[-1] ^ 0x80]))
    assert main(["--db", str(path), "doctor"]) == 1
    out = capsys.readouterr().out
    assert "有 1 个附件的内容已损坏（整改报告.pdf）" in out and "回复函" not in out
