"""Shared by the scale tests: a suggestion to hang attachments on, generated attachment bytes."""
from __future__ import annotations

import hashlib
import os
import uuid

from models.attachment import Attachment
from models.blobstore import blob_store
from models.services.suggestions import draft_suggestion


def owner(db) -> uuid.UUID:
    with db.session_scope() as session:
        return draft_suggestion(session, "宿州市水利局").id


def generated(count: int, size: int, seed: int = 0) -> list[bytes]:
    """Distinct incompressible contents (random bytes with a marker, so each is a different blob)."""
    return [f"附件{seed}-{i}".encode() + os.urandom(size) for i in range(count)]


def read_all_checked(db) -> dict[str, bytes]:
    """sha256 → bytes of every attachment, read through the store (which checks the hash), re-hashed here."""
    found = {}
    with db.read_scope() as session:
        store = blob_store(session)
        for sha in session.query(Attachment.sha256).distinct():
            data = store.read(sha[0])
            assert hashlib.sha256(data).hexdigest() == sha[0]
            found[sha[0]] = data
    return found
