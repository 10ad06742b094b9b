"""Export/import between simulated workstations: acks, duplicates, stale and rejected packages
(each rejection leaves the database file byte-identical), conflicts, profiles and attachments."""
from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import pytest
from sqlalchemy import text

from models.attachment import Attachment, store_blob
from models.case import Case
from models.conflicts import list_conflicts, resolve_conflict
from models.errors import DomainError
from models.keyslots import keys_path_for
from models.oplog import tombstone  # noqa: F401  (documents the delete API the tests rely on)
from models.suggestion import Suggestion
from models.sync import export
from models.sync.errors import PackageError
from models.sync.peers import Peer
from models.tasklist import ProgressEntry
from models.unit import Unit
from tests.sync.workstations import Workstation, add_unit


def _file_hash(site: Workstation) -> str:
    site.db.close()  # closing checkpoints the WAL, so the main file holds every committed page
    digest = hashlib.sha256(site.path.read_bytes()).hexdigest()
    site.db.engine.dispose()
    return digest


def test_changes_travel_and_acks_shrink_the_next_package(trio):
    a, b, _ = trio
    add_unit(a.db, "某县司法局")
    first = a.export_to(b)
    assert first.op_count == 1
    assert b.import_file(first.path).new_ops == 1
    again = a.export_to(b)
    assert again.op_count == 1  # b has not acknowledged yet: resend
    a.import_file(b.export_to(a).path)
    assert a.export_to(b).op_count == 0  # b's package carried its ack
    assert a.export_to(b, full=True).op_count == 1
    assert a.dump() == b.dump()


def test_reimport_is_a_no_op(trio):
    a, b, _ = trio
    add_unit(a.db, "某县财政局")
    package = a.export_to(b)
    b.import_file(package.path)
    before = b.dump()
    result = b.import_file(package.path)
    assert result.status == "duplicate" and result.message == "此包已导入过，无变化"
    assert b.dump() == before


def test_stale_package_after_newer_one_changes_nothing(trio):
    a, b, _ = trio
    add_unit(a.db, "甲")
    older = a.export_to(b)
    add_unit(a.db, "乙")
    newer = a.export_to(b)
    assert b.import_file(newer.path).notes == ["缺少第 1 号包（内容已随本包补发）"]
    digest = _file_hash(b)
    result = b.import_file(older.path)
    assert result.status == "stale" and result.message == "过期的包，内容已包含在第 2 号包中，未做改动"
    assert _file_hash(b) == digest


def test_rewound_sender_is_refused_and_db_untouched(trio, tmp_path, memory_keyring):
    """The database AND its key file copied back (no keyring): nothing outside the file knows better,
    so the rewind is caught at the peer, with a remedy that names what exists."""
    a, b, _ = trio
    backup, keys = tmp_path / "a-backup.db", tmp_path / "a-backup.keys.json"
    a.db.close()
    shutil.copy(a.path, backup)
    shutil.copy(keys_path_for(a.path), keys)
    add_unit(a.db, "甲")
    b.import_file(a.export_to(b).path)
    a.db.close()
    shutil.copy(backup, a.path)  # a clerk copies an old database file back by hand
    shutil.copy(keys, keys_path_for(a.path))
    memory_keyring.store.clear()  # a PC without a credential store
    a.reopen()
    add_unit(a.db, "乙")
    rewound = a.export_to(b)
    assert rewound.seq == 1
    digest = _file_hash(b)
    with pytest.raises(PackageError) as caught:
        b.import_file(rewound.path)
    assert caught.value.message.startswith("包序号回退") and "导出一个同步包" in caught.value.message
    assert _file_hash(b) == digest


def test_a_database_file_copied_back_starts_a_new_incarnation_and_loses_nothing(trio, tmp_path):
    a, b, _ = trio
    backup = tmp_path / "a-backup.db"
    a.db.close()
    shutil.copy(a.path, backup)
    first = add_unit(a.db, "甲")
    b.import_file(a.export_to(b).path)
    a.db.close()
    shutil.copy(backup, a.path)  # only the database file: the key file still knows what left
    a.reopen()
    with a.db.session_scope() as session:
        events = session.execute(text("SELECT event FROM audit_event")).scalars().all()
    assert "sync_incarnation_renewed" in events
    second = add_unit(a.db, "乙")
    assert b.import_file(a.export_to(b).path).new_ops == 1  # a fresh op-id space, not a rewind
    a.import_file(b.export_to(a).path)  # b noticed a's new incarnation and sends everything back
    assert {first, second} <= set(a.dump()["unit"])
    assert a.dump() == b.dump()


def _assert_rejected_untouched(site: Workstation, path: Path, message: str) -> None:
    digest = _file_hash(site)
    with pytest.raises(PackageError) as caught:
        site.import_file(path)
    assert message in caught.value.message
    assert _file_hash(site) == digest


def test_rejections_leave_the_database_byte_identical(trio, tmp_path):
    a, b, c = trio
    add_unit(a.db, "某县人民检察院")
    good = a.export_to(b).path
    data = good.read_bytes()
    cases = {
        "truncated": (data[:100], "同步包文件已损坏或不完整，未做改动"),
        "cut_in_half": (data[:len(data) // 2], "未做改动"),
        "tampered": (data[:300] + bytes([data[300] ^ 1]) + data[301:], "未做改动"),
        "trailing": (data + b"\x00" * 10, "未做改动"),
        "not_a_package": (b"hello" * 100, "这不是同步包文件"),
    }
    for name, (content, message) in cases.items():
        bad = tmp_path / f"{name}.fjpkg"
        bad.write_bytes(content)
        _assert_rejected_untouched(b, bad, message)
    _assert_rejected_untouched(c, good, "此文件不是发给本机的")
    stranger = Workstation(tmp_path / "x", "x")
    stranger.pair(b)
    _assert_rejected_untouched(b, stranger.export_to(b).path, "未配对的发送方")
    with b.db.session_scope() as session:
        session.get(Peer, a.site_id).revoked = True
    _assert_rejected_untouched(b, good, "未配对的发送方")


def test_newer_op_format_asks_for_an_upgrade(trio, monkeypatch):
    a, b, _ = trio
    add_unit(a.db, "甲")
    monkeypatch.setattr("models.sync.export.MIN_READER_OP_FMT", export.OP_FMT + 1)
    monkeypatch.setattr("models.sync.export.APP_VERSION", "2.0.0")
    package = a.export_to(b)
    monkeypatch.undo()
    _assert_rejected_untouched(b, package.path, "请先将本机软件升级到 v2.0.0")


def test_concurrent_edits_become_a_conflict_and_resolution_spreads(trio):
    a, b, c = trio
    unit_id = add_unit(a.db, "司法局")
    for site in (b, c):
        site.import_file(a.export_to(site).path)
    for site, name in ((a, "县司法局"), (b, "某县司法局")):
        with site.db.session_scope() as session:
            session.get(Unit, __import__("uuid").UUID(unit_id)).name = name
    b_package = b.export_to(a)
    a.import_file(b_package.path)
    with a.db.session_scope() as session:
        conflicts = list_conflicts(session)
        assert [(x.entity, x.field) for x in conflicts] == [("unit", "name")]
        assert {h["value"] for h in conflicts[0].heads} == {"县司法局", "某县司法局"}
        resolve_conflict(session, "unit", unit_id, "name", "某县司法局")
    for site in (b, c):
        site.import_file(a.export_to(site).path)
    b.import_file(c.export_to(b).path)
    assert a.dump() == b.dump() == c.dump()
    assert a.dump()["conflicts"] == []


def test_preview_writes_nothing(trio):
    a, b, _ = trio
    add_unit(a.db, "甲")
    package = a.export_to(b)
    digest = _file_hash(b)
    result = b.import_file(package.path, preview=True)
    assert result.status == "preview" and result.new_ops == 1 and "预览" in result.message
    assert _file_hash(b) == digest
    assert b.import_file(package.path).status == "applied"


def test_attachments_travel_by_hash(trio):
    a, b, _ = trio
    content = "回复函扫描件".encode() * 50_000
    with a.db.session_scope() as session:
        sha = store_blob(session, content)
        session.add(Attachment(owner_entity="suggestion", filename="回复函.pdf", size=len(content), sha256=sha))
    package = a.export_to(b)
    assert package.blob_count == 1 and content not in package.path.read_bytes()
    assert b.import_file(package.path).blobs == 1
    assert a.dump() == b.dump() and a.dump()["blobs"] == [sha]


def test_government_view_gets_no_case_details_and_may_only_write_its_fields(tmp_path):
    a = Workstation(tmp_path / "a", "a")
    gov = Workstation(tmp_path / "g", "g", role="government")
    a.pair(gov, profile="gov_view")
    gov.pair(a)
    with a.db.session_scope() as session:
        case = Case(case_no="宿检行公〔2024〕1号", summary="当事人张三的违法事实")
        session.add(case)
        session.flush()
        shared = Suggestion(doc_no="宿检行公建〔2024〕1号", case_id=case.id, facts="查明的事实（机密）",
                            addressee_name="某县自然资源局", to_government=True)
        hidden = Suggestion(doc_no="宿检行公建〔2024〕2号", facts="不送政府方", to_government=False)
        session.add_all([shared, hidden])
        session.flush()
        shared_id = shared.id
    package = a.export_to(gov)
    assert "当事人张三".encode() not in package.path.read_bytes()
    gov.import_file(package.path)
    with gov.db.session_scope() as session:
        assert session.query(Case).count() == 0
        rows = session.query(Suggestion).all()
        assert [r.doc_no for r in rows] == ["宿检行公建〔2024〕1号"]
        assert rows[0].facts == "" and rows[0].addressee_name == "某县自然资源局"
        rows[0].reply_content = "已整改完毕"
        session.add(ProgressEntry(text="已召开专题会议", status="推进中",
                                  measure_id=__import__("uuid").uuid4()))
    a.import_file(gov.export_to(a).path)
    with a.db.session_scope() as session:
        row = session.get(Suggestion, shared_id)
        assert row.reply_content == "已整改完毕" and row.facts == "查明的事实（机密）"
        assert session.query(ProgressEntry).count() == 1
    assert a.dump("gov_view") == gov.dump("gov_view")
    with pytest.raises(DomainError) as refused:  # the government side cannot edit a field it does not own
        with gov.db.session_scope() as session:
            session.query(Suggestion).one().doc_no = "改过的文号"
    assert "无权修改" in refused.value.message and "doc_no" in refused.value.message
    with gov.db.session_scope() as session:
        assert session.query(Suggestion).one().doc_no == "宿检行公建〔2024〕1号"


def test_a_sender_clock_days_ahead_needs_a_persons_confirmation(trio, tmp_path):
    import json
    import time

    from sqlalchemy import text

    from models.sync.exchange import import_package
    from models.sync.export import export_package
    a, b, _ = trio
    add_unit(a.db, "市民政局")
    three_days_ahead = lambda: int(time.time() * 1000) + 3 * 24 * 3600 * 1000  # noqa: E731
    path = tmp_path / "fast-clock.fjpkg"
    with a.db.session_scope() as session:
        export_package(session, session.get(Peer, b.site_id), path, now_ms=three_days_ahead)
    _assert_rejected_untouched(b, path, "对方电脑时钟比本机快约 72 小时，未做改动")
    with b.db.session_scope() as session:
        result = import_package(session, path, accept_clock_skew=True)
    assert result.new_ops == 1 and result.clock_skew_accepted_hours == 72
    with b.db.session_scope() as session:
        detail = session.execute(text("SELECT detail FROM audit_event WHERE event = 'sync_import'")).scalar_one()
    assert json.loads(detail)["clock_skew_accepted_hours"] == 72
