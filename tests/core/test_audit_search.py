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
    for sql in ("UPDATE audit_event SET user = 'x'", "DELETE FROM audit_event"):
        with pytest.raises((DatabaseError, IntegrityError)):
            with new_db.session_scope() as session:
                session.execute(text(sql))


def test_tampering_that_bypasses_the_triggers_is_found_by_the_chain(new_db):
    with new_db.session_scope() as session:
        append_audit(session, "backup")
        session.execute(text("DROP TRIGGER audit_no_update"))
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
