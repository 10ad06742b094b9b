"""The government view enforced by PostgreSQL itself (issue 16 §2): after `db liaison-roles`, a
府检办联络员 connecting with psycopg directly, with the login role made for that account, reads the task
list and progress (and may write progress: the role table gives it task.write), and nothing of cases,
建议内容 (not one row), non-shared 检察建议 columns, suggestions not sent to the government side, or their ops."""
from __future__ import annotations

import datetime as dt

import psycopg
import pytest
from sqlalchemy import select

from cli import main as cli_main
from models.accounts import Account
from models.case import Case
from models.oplog import Op
from models.pg_roles import group_role, login_role
from models.suggestion import Suggestion, SuggestionItem
from models.tasklist import Measure, ProgressEntry, Task, TaskAspect, TaskList
from tests.pg.server import APP_PASSWORD, tcp_url

LIAISON_PASSWORD = "Lianluo-2026-xyz"
pytestmark = pytest.mark.parametrize("backend", ["postgresql"], indirect=True)


@pytest.fixture
def office(new_db, monkeypatch, capsys):
    """A server database with a case, a suggestion sent to the government side and one not, a 建议内容
    item, a task with progress, and a liaison account; then `db liaison-roles` run (twice: re-runnable)."""
    with new_db.write_scope() as session:
        case = Case(case_no="宿检行公建〔2026〕1号", title="某河道污染案", summary="案件秘密详情")
        session.add(case)
        session.flush()
        shared = Suggestion(doc_no="宿检建〔2026〕1号", case_id=case.id, facts="查明的事实（不共享）",
                            to_government=True)
        private = Suggestion(doc_no="宿检建〔2026〕2号", case_id=case.id, to_government=False)
        session.add_all([shared, private])
        session.flush()
        session.add(SuggestionItem(suggestion_id=shared.id, text="建议内容一"))
        tasks = TaskList(year=2026, title="2026年府检联动任务清单")
        session.add(tasks)
        session.flush()
        aspect = TaskAspect(list_id=tasks.id, title="生态环境")
        session.add(aspect)
        session.flush()
        task = Task(aspect_id=aspect.id, number=1, text="河道整治")
        session.add(task)
        session.flush()
        measure = Measure(task_id=task.id, text="每季度巡查")
        session.add(measure)
        session.flush()
        session.add(ProgressEntry(measure_id=measure.id, reported_on=dt.date(2026, 3, 31), period="2026Q1",
                                  text="已巡查两次"))
        for name, roles in (("王联络", "府检办联络员"), ("李内勤", "内勤")):
            session.add(Account(id=name, name=name, roles=roles, slot_id=name, created_at="2026-01-01"))
    ids = {"case": case.id, "shared": shared.id, "private": private.id, "measure": measure.id}
    url = new_db.server.display  # no password in it: it comes from FJLD_PASSWORD
    monkeypatch.setenv("FJLD_PASSWORD", APP_PASSWORD)
    monkeypatch.setenv("FJLD_NEW_PASSWORD", LIAISON_PASSWORD)
    assert cli_main(["--db", url, "db", "liaison-roles"]) == 0
    first = capsys.readouterr().out
    assert cli_main(["--db", url, "db", "liaison-roles"]) == 0      # roles already there: tolerated
    second = capsys.readouterr().out
    dbname = new_db.server.dbname
    assert f"新建登录角色：{login_role(dbname, '王联络')}" in first
    assert f"已有登录角色（密码未改）：{login_role(dbname, '王联络')}" in second
    assert login_role(dbname, "李内勤") not in first + second
    return new_db, ids


def _liaison(db) -> psycopg.Connection:
    address = db.server
    admin_like = f"postgresql://x@127.0.0.1:{address.port}/{address.dbname}"
    return psycopg.connect(tcp_url(admin_like, address.dbname, user=login_role(address.dbname, "王联络"),
                                   password=LIAISON_PASSWORD), autocommit=True)


def _refused(conn: psycopg.Connection, statement: str, params: tuple = ()) -> bool:
    try:
        conn.execute(statement, params)
    except psycopg.errors.InsufficientPrivilege:
        return True
    return False


def test_the_liaison_login_reads_tasks_and_progress_and_nothing_of_cases(office):
    db, ids = office
    with _liaison(db) as conn:
        assert conn.execute("SELECT title FROM task_list").fetchall() == [("2026年府检联动任务清单",)]
        assert conn.execute("SELECT text FROM progress_entry").fetchall() == [("已巡查两次",)]
        assert conn.execute("SELECT * FROM case_record").fetchall() == []        # named, never a row
        assert conn.execute("SELECT count(*) FROM suggestion_item").fetchone() == (0,)
        assert _refused(conn, "SELECT facts FROM suggestion")
        assert _refused(conn, "SELECT case_id FROM suggestion")
        assert _refused(conn, "SELECT * FROM suggestion")       # * includes the non-shared columns
        assert _refused(conn, "SELECT * FROM account")
        assert len(conn.execute("SELECT seq FROM audit_event").fetchall()) <= 1   # the chain's head only
        rows = conn.execute("SELECT id, doc_no FROM suggestion").fetchall()
        assert rows == [(ids["shared"], "宿检建〔2026〕1号")]     # the one not sent is not there at all
        ops = conn.execute("SELECT DISTINCT entity, field FROM op").fetchall()
        assert ("task", "*") in ops and all(entity not in ("case", "suggestion_item") for entity, _ in ops)
        assert ("suggestion", "facts") not in ops and ("suggestion", "case_id") not in ops
        assert not {row[0] for row in conn.execute("SELECT row_id FROM op").fetchall()} & {str(ids["private"]),
                                                                                           str(ids["case"])}


def test_the_liaison_login_cannot_change_case_data_but_may_write_progress(office):
    db, ids = office
    with _liaison(db) as conn:
        assert _refused(conn, "INSERT INTO case_record (id) VALUES (%s)", (ids["shared"],))
        assert _refused(conn, "UPDATE case_record SET title = 'x'")
        assert _refused(conn, "DELETE FROM case_record")
        assert _refused(conn, "UPDATE suggestion SET doc_no = 'x'")
        assert _refused(conn, "DELETE FROM suggestion")
        assert _refused(conn, "DELETE FROM suggestion_item")
        assert _refused(conn, "INSERT INTO op (op_id) VALUES ('x')")
        assert _refused(conn, "DELETE FROM progress_entry")     # tombstones, never row removal
        conn.execute("UPDATE progress_entry SET text = '已巡查三次' WHERE measure_id = %s", (ids["measure"],))
    with db.read_scope() as session:
        assert [p.text for p in session.query(ProgressEntry)] == ["已巡查三次"]
        assert session.query(Case).count() == 1 and session.query(Suggestion).count() == 2
        assert session.query(Op).count() > 0


def test_the_program_itself_is_not_restricted_by_the_policies(office):
    db, _ids = office
    with db.read_scope() as session:   # the database owner bypasses row-level security
        assert session.query(Suggestion).count() == 2 and session.query(SuggestionItem).count() == 1
        assert {op.entity for op in session.query(Op)} >= {"case", "suggestion_item", "suggestion"}


def test_a_liaison_login_of_one_office_database_has_nothing_in_another(office, pg_server, request):
    from tests.pg.server import create_database, drop_database, unique_name
    db, _ids = office
    admin_url, template = pg_server
    other = unique_name("other")
    create_database(admin_url, other, template)
    request.addfinalizer(lambda: drop_database(admin_url, other))
    assert group_role(db.server.dbname) != group_role(other)
    address = db.server
    url = tcp_url(f"postgresql://x@127.0.0.1:{address.port}/{other}", other,
                  user=login_role(address.dbname, "王联络"), password=LIAISON_PASSWORD)
    with psycopg.connect(url, autocommit=True) as conn:
        assert _refused(conn, "SELECT title FROM task_list")


def test_the_command_is_for_a_server_database_only(new_db, tmp_path, capsys):
    code = cli_main(["--db", str(tmp_path / "fjld.db"), "db", "liaison-roles"])
    err = capsys.readouterr().err
    assert code == 1 and err.count("\n") == 1 and "postgresql://" in err and "Traceback" not in err


def test_a_disabled_liaison_account_loses_its_server_login(office, capsys):
    db, _ids = office
    with db.write_scope() as session:
        session.get(Account, "王联络").disabled = True
    assert cli_main(["--db", db.server.display, "db", "liaison-roles"]) == 0
    assert f"已停用（账户已停用或不再是联络员）：{login_role(db.server.dbname, '王联络')}" in capsys.readouterr().out
    with pytest.raises(psycopg.OperationalError):
        _liaison(db).close()
    with db.write_scope() as session:
        session.get(Account, "王联络").disabled = False
    assert cli_main(["--db", db.server.display, "db", "liaison-roles"]) == 0
    with _liaison(db) as conn:
        assert conn.execute("SELECT count(*) FROM progress_entry").fetchone() == (1,)


def test_a_liaison_login_made_by_the_command_signs_the_account_in_through_the_program(office):
    from urllib.parse import quote

    from models.permissions import actor_of
    from models.pg import sign_in_server

    db, _ids = office
    address = db.server
    url = tcp_url(f"postgresql://x@127.0.0.1:{address.port}/{address.dbname}", address.dbname,
                  user=quote("王联络"), password=LIAISON_PASSWORD)
    liaison = sign_in_server(url)
    try:
        assert actor_of(liaison).name == "王联络"
        with liaison.read_scope() as session:
            assert session.scalars(select(Case)).all() == []
            [shared] = session.scalars(select(Suggestion)).all()
            assert shared.doc_no == "宿检建〔2026〕1号" and shared.facts == ""
    finally:
        liaison.close()
