import pytest
from sqlalchemy import text
from sqlalchemy.exc import DatabaseError, IntegrityError

from models.audit import append_audit, verify_chain
from models.case import Case
from models.oplog import tombstone
from models.search import search
from models.services.cases import register_case


def test_audit_chain_verifies_and_the_database_refuses_edits_and_deletes(new_db):
    with new_db.session_scope() as session:
        append_audit(session, "export_pdf", object_ref="宿检行公建〔2026〕11号")
        assert verify_chain(session) == []
        assert [e for e in session.execute(text("SELECT event FROM audit_event ORDER BY seq")).scalars()] == [
            "init", "export_pdf"]
    for sql in ('UPDATE audit_event SET "user" = \'x\'', "DELETE FROM audit_event"):
        with pytest.raises((DatabaseError, IntegrityError)):
            with new_db.session_scope() as session:
                session.execute(text(sql))


def test_tampering_that_bypasses_the_triggers_is_found_by_the_chain(new_db):
    with new_db.session_scope() as session:
        append_audit(session, "backup")
        _drop_trigger(session, "audit_no_update")
        session.execute(text("UPDATE audit_event SET object_ref = 'forged' WHERE seq = 1"))
        assert verify_chain(session) == ["审计记录第1条被篡改"]


@pytest.mark.parametrize("query", ["采砂", "河", "非法采砂", "新汴河沿岸", "〔2024〕9号", "李明"])
def test_search_finds_chinese_substrings_of_any_length(new_db, query):
    with new_db.session_scope() as session:
        register_case(session, "新汴河沿岸非法采砂破坏河道生态案", case_no="宿检行公立〔2024〕9号", handler="李明")
        register_case(session, "校园周边食品安全案")
        hits = search(session, query)
    assert [h.title for h in hits] == ["宿检行公立〔2024〕9号 新汴河沿岸非法采砂破坏河道生态案"]


def test_search_follows_edits_and_deletions(new_db):
    with new_db.session_scope() as session:
        case = register_case(session, "燃气管道占压案")
    with new_db.session_scope() as session:
        session.get(Case, case.id).title = "燃气管线占压隐患案"
    with new_db.session_scope() as session:
        assert search(session, "管道占压") == [] and len(search(session, "管线占压")) == 1
        tombstone(session, session.get(Case, case.id))
    with new_db.session_scope() as session:
        assert search(session, "管线占压") == []


def test_search_treats_quotes_and_wildcards_as_text(new_db):
    with new_db.session_scope() as session:
        register_case(session, "关于“50%”比例的案")
        assert len(search(session, "“50%”")) == 1
        assert search(session, '"') == []
        assert len(search(session, "%")) == 1
        assert search(session, "_") == []


def _drop_trigger(session, name: str) -> None:
    on_table = " ON audit_event" if session.get_bind().dialect.name == "postgresql" else ""
    session.execute(text(f"DROP TRIGGER {name}{on_table}"))


def _append_events(db, count: int) -> None:
    with db.session_scope() as session:
        for n in range(count):
            append_audit(session, "export_pdf", object_ref=f"宿检行公建〔2026〕{n}号")


def _reopen(db):
    from models.storage import reopen

    return reopen(db)


def test_doctor_reports_the_newest_three_rows_cut_off(new_db):
    from models.services.doctor import check_database

    _append_events(new_db, 5)
    assert check_database(new_db) == []
    with new_db.session_scope() as session:  # someone with the key drops the guard and deletes the tail
        _drop_trigger(session, "audit_no_delete")
        top = session.execute(text("SELECT max(seq) FROM audit_event")).scalar_one()
        session.execute(text("DELETE FROM audit_event WHERE seq > :keep"), {"keep": top - 3})
    findings = check_database(new_db)
    assert f"审计记录被截断：密钥文件记录有 {top} 条，数据库中只有 {top - 3} 条" in findings
    assert any("保护触发器缺失" in line for line in findings)


def test_doctor_reports_a_rewritten_chain_even_when_recomputed_with_the_key(new_db):
    from models.audit import AuditEvent, _audit_key, chain_hash
    from models.services.doctor import check_database

    _append_events(new_db, 3)
    with new_db.session_scope() as session:
        _drop_trigger(session, "audit_no_update")
        key = _audit_key(session)
        prev = "0" * 64
        for row in session.query(AuditEvent).order_by(AuditEvent.seq):
            if row.seq == 2:
                row.object_ref = "改写过的内容"
            row.prev_hash = prev
            row.hash = prev = chain_hash(prev, row.chained_fields(), key)
        session.flush()
        assert verify_chain(session) == []  # internally consistent: only the witness can tell
        session.info.pop("audit_head", None)
    findings = check_database(new_db)
    assert any(line.startswith("审计记录被改写：第") and "密钥文件" in line for line in findings)


def test_an_unkeyed_recomputed_chain_is_caught_by_its_witness(new_db):
    import hashlib

    from models.audit import AuditEvent
    from models.fieldcodec import canonical_json

    _append_events(new_db, 2)
    with new_db.session_scope() as session:
        _drop_trigger(session, "audit_no_update")
        prev = "0" * 64
        for row in session.query(AuditEvent).order_by(AuditEvent.seq):
            row.prev_hash = prev
            row.hash = prev = hashlib.sha256((prev + canonical_json(row.chained_fields())).encode()).hexdigest()
        session.flush()
        # an unkeyed prefix is what a database written before the keyed chain holds, so the chain alone
        # accepts it; the head witnessed in the key file does not
        assert verify_chain(session) == []
        session.add(AuditEvent(seq=99, hlc=1, at="", site_id="", user="", event="x", prev_hash=prev, hash="0" * 64))
        session.flush()
        assert "审计记录第99条被篡改" in verify_chain(session)
    from models.services.doctor import check_database
    assert any(line.startswith("审计记录被改写") for line in check_database(new_db))


def test_open_recreates_dropped_triggers_with_an_audit_event(new_db):
    from models.services.doctor import check_database

    with new_db.session_scope() as session:
        _drop_trigger(session, "audit_no_update")
        _drop_trigger(session, "audit_no_delete")
    db = _reopen(new_db)
    try:
        with pytest.raises((DatabaseError, IntegrityError)):
            with db.session_scope() as session:
                session.execute(text("DELETE FROM audit_event"))
        with db.session_scope() as session:
            event, result = session.execute(text(
                "SELECT event, result FROM audit_event ORDER BY seq DESC LIMIT 1")).one()
        assert (event, result) == ("audit_triggers_restored", "warning")
        assert any("保护触发器曾被删除" in line for line in check_database(db))
    finally:
        db.close()
