"""Each person signs in on the server (issue 16 §2): every account is a PostgreSQL login of its own, the
URL's user is whoever signs in, and the program's role checks, read filter and audit name run exactly
as on a file database. Run on the private test cluster (tests/pg/cluster.py)."""
from __future__ import annotations

import json
from urllib.parse import quote

import psycopg
import pytest
from sqlalchemy import select

from cli import main as cli_main
from models.accounts import Account, add_account, reset_password, set_disabled, set_roles
from models.audit import AuditEvent
from models.case import Case
from models.errors import DomainError
from models.oplog import Op
from models.pg import sign_in_server
from models.pg_roles import login_role, staff_role
from models.search import search
from models.services.cases import edit_case, register_case
from models.suggestion import Suggestion
from tests.pg.server import tcp_url

pytestmark = pytest.mark.parametrize("backend", ["postgresql"], indirect=True)
PASSWORDS = {"张检察官": "Zhang-2026-abc", "李检察官": "Li-2026-abcde", "王内勤": "Wang-2026-abc",
             "赵联络": "Zhao-2026-abc"}
ROLES = {"张检察官": "承办检察官", "李检察官": "承办检察官", "王内勤": "内勤", "赵联络": "府检办联络员"}


def person_url(db, name: str, password: str | None = None) -> str:
    """The URL a person types: their account name as the user (no prefix), the office database."""
    address = db.server
    base = f"postgresql://x@127.0.0.1:{address.port}/{address.dbname}"
    return tcp_url(base, address.dbname, user=quote(name), password=password and quote(password))


@pytest.fixture
def office(new_db):
    """A server database (its owner is the first administrator, signed in) with four accounts, a case of
    each prosecutor and a 检察建议 of 张's case sent to the government side."""
    for name, password in PASSWORDS.items():
        add_account(new_db, name, ROLES[name], password)
    with new_db.write_scope() as session:
        mine = register_case(session, "张的案件", handler="张检察官", summary="案件秘密详情")
        theirs = register_case(session, "李的案件", handler="李检察官")
        session.flush()
        session.add(Suggestion(doc_no="宿检建〔2026〕1号", case_id=mine.id, facts="不共享的事实", to_government=True))
    return new_db, {"mine": str(mine.id), "theirs": str(theirs.id)}


def signed_in(db, name: str, password: str | None = None):
    return sign_in_server(person_url(db, name, password or PASSWORDS[name]))


def test_a_prosecutor_signed_in_on_the_server_may_edit_only_own_cases(office):
    db, ids = office
    zhang = signed_in(db, "张检察官")
    try:
        assert zhang.user == "张检察官"
        with pytest.raises(DomainError) as refused, zhang.write_scope() as session:
            edit_case(session, ids["theirs"], summary="改别人的案件")
        assert refused.value.code == "forbidden" and "本人承办" in refused.value.message
        with zhang.write_scope() as session:
            edit_case(session, ids["mine"], summary="本人修改")
    finally:
        zhang.close()
    with db.read_scope() as session:
        assert session.get(Case, ids["theirs"]).summary == ""
        ops = session.scalars(select(Op).where(Op.row_id == ids["mine"], Op.field == "summary")
                              .order_by(Op.hlc.desc())).first()
        assert json.loads(ops.value) == "本人修改" and ops.user == "张检察官"   # the op names the person


def test_the_clerk_exports_and_the_prosecutor_may_not(office, tmp_path, monkeypatch, capsys):
    db, _ids = office
    out = tmp_path / "dump.json"
    monkeypatch.setenv("FJLD_PASSWORD", PASSWORDS["王内勤"])
    assert cli_main(["--db", person_url(db, "王内勤"), "dump", "-o", str(out)]) == 0
    assert "张的案件" in out.read_text(encoding="utf-8")
    monkeypatch.setenv("FJLD_PASSWORD", PASSWORDS["张检察官"])
    capsys.readouterr()
    assert cli_main(["--db", person_url(db, "张检察官"), "dump"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("错误：无权导出") and err.count("\n") == 1 and "Traceback" not in err
    with db.read_scope() as session:   # the audit names who signed in, not the server's owner
        users = {e.user for e in session.scalars(select(AuditEvent).where(AuditEvent.event == "unlock"))}
    assert {"王内勤", "张检察官"} <= users


def test_a_liaison_through_the_program_sees_no_case_details(office):
    db, _ids = office
    liaison = signed_in(db, "赵联络")
    try:
        with liaison.read_scope() as session:
            assert session.scalars(select(Case)).all() == []
            [suggestion] = session.scalars(select(Suggestion)).all()
            assert suggestion.doc_no == "宿检建〔2026〕1号" and suggestion.facts == ""
            assert search(session, "案件") == []
            assert all(op.entity != "case" for op in session.scalars(select(Op)))
    finally:
        liaison.close()


def test_the_liaison_login_itself_cannot_read_case_rows_with_plain_sql(office):
    db, _ids = office
    address = db.server
    with psycopg.connect(host="127.0.0.1", port=address.port, dbname=address.dbname,
                         user=login_role(address.dbname, "赵联络"), password=PASSWORDS["赵联络"]) as conn:
        assert conn.execute("SELECT title FROM case_record").fetchall() == []
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute("SELECT facts FROM suggestion")
        conn.rollback()
        assert conn.execute("SELECT count(*) FROM search_index WHERE entity = 'case'").fetchone() == (0,)
        with pytest.raises(psycopg.errors.InsufficientPrivilege):   # ops only of what it may write
            conn.execute("INSERT INTO op (op_id, hlc, site_id, entity, row_id, field, value) "
                         "VALUES ('x', 1, 's', 'case', 'r', 'title', '\"x\"')")
        conn.rollback()
        assert conn.execute("SELECT name FROM account").fetchall() == [("赵联络",)]   # its own row only


def test_a_disabled_account_cannot_connect_and_enabled_again_can(office):
    db, _ids = office
    set_disabled(db, "李检察官")
    with pytest.raises(DomainError) as refused:
        signed_in(db, "李检察官")
    assert refused.value.code == "account_disabled"
    set_disabled(db, "李检察官", False)
    signed_in(db, "李检察官").close()


def test_a_reset_password_works_and_the_old_one_does_not(office):
    db, _ids = office
    reset_password(db, "张检察官", "Zhang-new-2027")
    with pytest.raises(DomainError) as refused:
        signed_in(db, "张检察官")
    assert refused.value.code == "wrong_password"
    signed_in(db, "张检察官", "Zhang-new-2027").close()
    with pytest.raises(DomainError) as weak:   # the file database's rule, before the server sees it
        reset_password(db, "张检察官", "123")
    assert weak.value.code == "weak_password"


def test_only_an_administrator_manages_accounts_and_roles_move_the_login_between_groups(office):
    db, _ids = office
    clerk = signed_in(db, "王内勤")
    try:
        with pytest.raises(DomainError) as refused:
            add_account(clerk, "钱某", "内勤", "Qian-2026-abc")
        assert refused.value.code == "forbidden"
    finally:
        clerk.close()
    set_roles(db, "王内勤", "府检办联络员")
    address = db.server
    with psycopg.connect(host="127.0.0.1", port=address.port, dbname=address.dbname,
                         user=login_role(address.dbname, "王内勤"), password=PASSWORDS["王内勤"]) as conn:
        member_of = {row[0] for row in conn.execute(
            "SELECT g.rolname FROM pg_auth_members a JOIN pg_roles g ON g.oid = a.roleid "
            "WHERE a.member = (SELECT oid FROM pg_roles WHERE rolname = current_user)").fetchall()}
        assert staff_role(address.dbname) not in member_of
        assert conn.execute("SELECT title FROM case_record").fetchall() == []


def test_a_login_without_an_account_is_refused_in_one_line(office, pg_server):
    db, _ids = office
    admin_url, _template = pg_server
    role = login_role(db.server.dbname, "陌生人")
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(psycopg.sql.SQL("CREATE ROLE {} LOGIN PASSWORD 'Mosheng-2026-x' IN ROLE {}").format(
            psycopg.sql.Identifier(role), psycopg.sql.Identifier(staff_role(db.server.dbname))))
    try:
        with pytest.raises(DomainError) as refused:
            sign_in_server(person_url(db, "陌生人", "Mosheng-2026-x"))
        assert refused.value.code == "no_account" and "没有对应的账户" in refused.value.message
    finally:
        with psycopg.connect(admin_url, autocommit=True) as conn:
            conn.execute(psycopg.sql.SQL("DROP ROLE {}").format(psycopg.sql.Identifier(role)))


def test_two_office_databases_on_one_cluster_keep_their_people_apart(office, user_data_dir, request):
    from tests.conftest import make_database

    db, _ids = office
    other = make_database("postgresql", user_data_dir, request)
    try:
        add_account(other, "张检察官", "内勤", "Other-2026-abc")   # the same name in another office
        with other.read_scope() as session:
            login = session.scalars(select(Account.server_login).where(Account.name == "张检察官")).one()
        assert login == login_role(other.server.dbname, "张检察官") != login_role(db.server.dbname, "张检察官")
        with pytest.raises(DomainError):
            signed_in(other, "张检察官")                  # the first office's password opens nothing here
        there = signed_in(other, "张检察官", "Other-2026-abc")
        here = signed_in(db, "张检察官")
        try:
            with there.read_scope() as session:
                assert session.scalars(select(Case)).all() == []      # the other office has no cases
            assert here.user == there.user == "张检察官"
        finally:
            there.close()
            here.close()
    finally:
        other.close()


def test_a_person_changes_their_own_server_password(office):
    from models.services.setup import change_password

    db, _ids = office
    liaison = signed_in(db, "赵联络")
    try:
        change_password(liaison, "Zhao-new-2027")
    finally:
        liaison.close()
    signed_in(db, "赵联络", "Zhao-new-2027").close()
    with pytest.raises(DomainError):
        signed_in(db, "赵联络")


def test_a_liaison_signed_in_reports_progress_and_may_not_touch_cases(office):
    import datetime as dt

    from models.services.tasks import add_aspect, add_measure, add_progress, add_task, create_task_list
    from models.tasklist import ProgressEntry

    db, ids = office
    with db.write_scope() as session:
        tasks = create_task_list(session, 2026, "2026年任务清单")
        task = add_task(session, add_aspect(session, tasks.id, "生态环境").id, 1, "河道整治")
        measure_id = add_measure(session, task.id, "每季度巡查").id
    liaison = signed_in(db, "赵联络")
    try:
        with liaison.write_scope() as session:
            add_progress(session, measure_id, status="推进中", text="已巡查两次", reported_on=dt.date(2026, 3, 31))
        with pytest.raises(DomainError) as refused, liaison.write_scope() as session:
            register_case(session, "联络员登记的案件")
        assert refused.value.code == "forbidden"
        with liaison.read_scope() as session:
            assert [hit.title for hit in search(session, "巡查两次")] != []
    finally:
        liaison.close()
    with db.read_scope() as session:
        [entry] = session.scalars(select(ProgressEntry)).all()
        op = session.scalars(select(Op).where(Op.row_id == str(entry.id))).first()
        assert entry.text == "已巡查两次" and op.user == "赵联络"


def test_the_account_commands_on_a_server(office, monkeypatch, capsys):
    db, _ids = office
    admin_url = person_url(db, "fjld_app")
    from tests.pg.server import APP_PASSWORD

    monkeypatch.setenv("FJLD_PASSWORD", APP_PASSWORD)
    monkeypatch.setenv("FJLD_NEW_PASSWORD", "Sun-2026-abcd")
    assert cli_main(["--db", admin_url, "account", "add", "孙内勤", "--role", "内勤"]) == 0
    out = capsys.readouterr().out
    assert "已添加账户：孙内勤（内勤）" in out and "--db postgresql://%E5%AD%99%E5%86%85%E5%8B%A4@" in out
    monkeypatch.setenv("FJLD_PASSWORD", "Sun-2026-abcd")
    assert cli_main(["--db", person_url(db, "孙内勤"), "account", "passwd"]) == 0     # FJLD_NEW_PASSWORD
    assert cli_main(["--db", person_url(db, "孙内勤"), "account", "list"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("错误：无权管理账户") and err.count("\n") == 1
    monkeypatch.setenv("FJLD_PASSWORD", APP_PASSWORD)
    assert cli_main(["--db", admin_url, "account", "disable", "孙内勤"]) == 0
    monkeypatch.setenv("FJLD_PASSWORD", "Sun-2026-abcd")
    capsys.readouterr()
    assert cli_main(["--db", person_url(db, "孙内勤"), "search", "案件"]) == 1
    assert capsys.readouterr().err == "错误：该账户已停用，请联系管理员\n"


def test_an_account_may_not_take_over_a_group_role_of_the_office(office):
    db, _ids = office
    for reserved in ("staff", "liaison", "admin"):
        with pytest.raises(DomainError) as refused:
            add_account(db, reserved, "内勤", "Group-2026-abc")
        assert refused.value.code == "account_name_reserved"
    address = db.server
    with pytest.raises(psycopg.OperationalError):   # the group is still no login
        psycopg.connect(host="127.0.0.1", port=address.port, dbname=address.dbname,
                        user=staff_role(address.dbname), password="Group-2026-abc").close()
    with db.read_scope() as session:
        assert session.scalars(select(Account.name).where(Account.name == "staff")).first() is None


def test_on_a_government_side_server_the_liaison_is_held_to_the_sites_role(office):
    """The site's role limits every desk's writes (sync-security §A.3.8), also a login that may not read
    the site's signing key: it reads the role through fjld_site_role()."""
    import datetime as dt

    from models.services.sync import set_identity
    from models.services.tasks import add_aspect, add_measure, add_progress, add_task, create_task_list

    db, _ids = office
    with db.write_scope() as session:                 # the list as received from the procuratorate
        tasks = create_task_list(session, 2026, "2026年任务清单")
        task = add_task(session, add_aspect(session, tasks.id, "生态环境").id, 1, "河道整治")
        measure_id = add_measure(session, task.id, "每季度巡查").id
    with db.write_scope() as session:
        set_identity(session, "宿州市司法局", "服务器", "government")
    liaison = signed_in(db, "赵联络")
    try:
        with liaison.write_scope() as session:        # progress: the government side's to write
            add_progress(session, measure_id, status="推进中", text="已巡查两次", reported_on=dt.date(2026, 3, 31))
        with pytest.raises(DomainError) as refused, liaison.write_scope() as session:
            add_task(session, task.aspect_id, 2, "联络员自己加的任务")   # the task list is the procuratorate's
        assert refused.value.code == "not_writable" and "行政机关" in refused.value.message
    finally:
        liaison.close()
