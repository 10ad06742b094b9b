"""Sync packages still carry attachments (issue 15): export streams them out of the sender's blob files,
import streams them into the receiver's (its own key, its own file names), checked on both sides."""
from __future__ import annotations

import hashlib
import os

import pytest

from models.attachment import Attachment, Blob
from models.blobstore import CHUNK, blob_dir_for, blob_store
from models.services.attachments import add_attachment
from tests.scale.helpers import read_all_checked
from tests.sync.workstations import Workstation


@pytest.fixture
def pair(tmp_path):
    a, b = Workstation(tmp_path / "a", "a"), Workstation(tmp_path / "b", "b")
    a.pair(b)
    b.pair(a)
    yield a, b
    a.close()
    b.close()


def test_attachments_travel_in_packages_between_blob_stores(pair):
    a, b = pair
    contents = [os.urandom(3 * CHUNK + 11), "回复函".encode() * 20_000, b""]
    with a.db.session_scope() as session:
        for i, data in enumerate(contents):
            add_attachment(session, "suggestion", None, f"件{i}.pdf", data)
    package = a.export_to(b)
    assert package.blob_count == 3 and package.blob_bytes == sum(map(len, contents))
    assert contents[1][:3000] not in package.path.read_bytes()
    result = b.import_file(package.path)
    assert result.blobs == 3
    expected = {hashlib.sha256(data).hexdigest(): data for data in contents}
    assert read_all_checked(b.db) == expected == read_all_checked(a.db)
    a_names = {p.name for p in blob_dir_for(a.path).iterdir()}
    b_names = {p.name for p in blob_dir_for(b.path).iterdir()}
    assert len(b_names) == 3 and not a_names & b_names  # each workstation names and encrypts with its own key
    assert not list(blob_dir_for(b.path).glob("*.part"))
    with b.db.read_scope() as session:
        assert session.query(Blob).count() == 0
    again = b.import_file(a.export_to(b, full=True).path)
    assert again.blobs == 0 and len(list(blob_dir_for(b.path).iterdir())) == 3


def test_an_attachment_whose_bytes_are_not_here_is_left_out_of_the_package(pair):
    a, b = pair
    with a.db.session_scope() as session:
        add_attachment(session, "suggestion", None, "有.pdf", b"present")
        gone = add_attachment(session, "suggestion", None, "无.pdf", b"not on this machine")
    with a.db.read_scope() as session:
        blob_store(session).path_of(gone.sha256).unlink()
    package = a.export_to(b)
    assert package.blob_count == 1 and b.import_file(package.path).blobs == 1
    with b.db.read_scope() as session:
        store = blob_store(session)
        assert session.query(Attachment).count() == 2  # both rows travel; only one has bytes here
        assert [sha for (sha,) in session.query(Attachment.sha256) if store.has(sha)] == [
            hashlib.sha256(b"present").hexdigest()]
        assert store.read(hashlib.sha256(b"present").hexdigest()) == b"present"
