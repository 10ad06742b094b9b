import datetime as dt

import pytest

from models.errors import DomainError
from models.services.attachments import add_attachment, attachment_bytes, attachments_of, safe_filename
from models.services.meetings import add_meeting, edit_meeting
from models.services.suggestions import draft_suggestion, items_of, replace_items


@pytest.mark.parametrize(("given", "expected"), [
    ("../../x.pdf", "x.pdf"), (r"C:\Windows\回复函.pdf", "回复函.pdf"), (r"\\srv\s\扫描件.pdf", "扫描件.pdf"),
    ("a:stream.pdf", "a_stream.pdf"), ("CON.txt", "附件_CON.txt"), (" .. ", "附件"), ("名" * 200, "名" * 120),
])
def test_attachment_names_are_sanitised(given, expected):
    assert safe_filename(given) == expected


def test_attachments_are_stored_once_by_content_and_read_back(new_db):
    with new_db.session_scope() as session:
        s = draft_suggestion(session, "宿州市水利局")
        add_attachment(session, "suggestion", s.id, "回复函.pdf", b"%PDF-1.4 scanned")
        add_attachment(session, "suggestion", s.id, "回复函（副本）.pdf", b"%PDF-1.4 scanned")
        rows = attachments_of(session, s.id)
        assert [r.filename for r in rows] == ["回复函.pdf", "回复函（副本）.pdf"] and rows[0].mime == "application/pdf"
        assert attachment_bytes(session, rows[1].id) == ("回复函（副本）.pdf", b"%PDF-1.4 scanned")
        from sqlalchemy import func, select

        from models.attachment import Blob
        from models.blobstore import FileBlobStore, blob_store
        store = blob_store(session)
        if isinstance(store, FileBlobStore):   # stored once, as an encrypted file beside the database
            assert len(list(store.folder.glob("*.blob"))) == 1
            assert session.scalar(select(func.count()).select_from(Blob)) == 0
        else:                                  # on a server: once, as a row of the blob table
            assert session.scalar(select(func.count()).select_from(Blob)) == 1
        with pytest.raises(DomainError, match="50 MB"):
            add_attachment(session, "suggestion", s.id, "big.bin", b"0" * (50 * 1024 * 1024 + 1))


def test_edit_meeting_validates_like_add(new_db):
    with new_db.session_scope() as session:
        meeting = add_meeting(session, "联络员会议", dt.date(2024, 5, 1), kind="联络员会议")
        edit_meeting(session, meeting.id, minutes="议定三项事项")
        assert meeting.minutes == "议定三项事项"
        with pytest.raises(DomainError, match="会议类型只能是"):
            edit_meeting(session, meeting.id, kind="茶话会")


def test_replace_items_keeps_unchanged_items(new_db):
    with new_db.session_scope() as session:
        s = draft_suggestion(session, "宿州市水利局", items=["甲", "乙"])
        first_ids = {i.text: i.id for i in items_of(session, s.id)}
        replace_items(session, s.id, ["甲", "丙"])
        after = items_of(session, s.id)
        assert [i.text for i in after] == ["甲", "丙"] and after[0].id == first_ids["甲"]
