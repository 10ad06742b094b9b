"""Each role is refused what it may not do and allowed what it may, through the services (issue 16 §2)."""
from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable

import pytest
from sqlalchemy import select

from models.errors import DomainError
from models.rules.permissions import ADMIN, CLERK, LEADER, LIAISON, PROSECUTOR, ROLES
from models.storage import Database
from tests.accounts.conftest import Office

TODAY = dt.date(2026, 12, 3)


def _write(db: Database, job: Callable) -> None:
    with db.write_scope() as session:
        job(session)


def _read(db: Database, job: Callable) -> None:
    with db.read_scope() as session:
        job(session)


def _case_write(db: Database) -> None:
    from models.services.cases import register_case

    _write(db, lambda s: register_case(s, "某河道污染线索", handler="赵科长"))   # someone else's case


def _own_case_write(db: Database) -> None:
    from models.services.cases import register_case

    _write(db, lambda s: register_case(s, "本人承办的线索"))


def _register_write(db: Database) -> None:
    from models.services.transfers import add_transfer

    _write(db, lambda s: add_transfer(s, "移送线索一件"))


def _unit_write(db: Database) -> None:
    from models.services.units import add_unit

    _write(db, lambda s: add_unit(s, "某县生态环境局"))


def _meeting_write(db: Database) -> None:
    from models.services.meetings import add_meeting

    _write(db, lambda s: add_meeting(s, "府检联席会议", TODAY))


def _task_write(db: Database) -> None:
    from models.services.tasks import create_task_list

    _write(db, lambda s: create_task_list(s, 2031, "2031年任务清单"))


def _approve(db: Database) -> None:
    from models.services.tasks import choose_progress

    _write(db, lambda s: choose_progress(s, uuid.uuid4(), keep_new=True))


def _document(db: Database) -> None:
    from models.services.documents import render_documents

    _read(db, lambda s: render_documents(s, []))


def _export(db: Database) -> None:
    from models.services.ledger import ledger_bytes
    from reports.xlsx.ledger import LedgerFilter

    _read(db, lambda s: ledger_bytes(s, LedgerFilter(), TODAY))


def _task_export(db: Database, tmp_path) -> None:
    from models.services.excel_files import write_task_list

    write_task_list(db, uuid.uuid4(), tmp_path / "清单.xlsx")


def _import(db: Database, tmp_path) -> None:
    from models.services.dump import import_dump_file

    import_dump_file(db, tmp_path / "不存在.json")


def _sync(db: Database) -> None:
    from models.services.sync import set_identity

    _write(db, lambda s: set_identity(s, "埇桥区人民检察院", "内勤一号机", "procuratorate"))


def _backup(db: Database) -> None:
    from models.services.setup import backup_now

    backup_now(db)


def _restore(db: Database, tmp_path) -> None:
    from models.services.restore import restore_backup

    restore_backup(db, tmp_path / "不存在.db")


def _settings(db: Database) -> None:
    from models.services.office_settings import load_office_settings, save_office_settings

    _write(db, lambda s: save_office_settings(s, load_office_settings(s)))


def _accounts(db: Database) -> None:
    from models.accounts import list_accounts

    _read(db, list_accounts)


ATTEMPTS: dict[str, Callable] = {
    "case.write (others')": _case_write, "case.write (own)": _own_case_write, "register.write": _register_write,
    "unit.write": _unit_write, "meeting.write": _meeting_write, "task.write": _task_write, "approve": _approve,
    "document": _document, "export": _export, "task.export": _task_export, "import": _import, "sync": _sync,
    "backup": _backup, "restore": _restore, "settings": _settings, "accounts": _accounts,
}
# Written out by hand (not computed from the rule table), so a change of the table must be a decision.
EXPECTED: dict[str, set[str]] = {
    PROSECUTOR: {"case.write (own)", "document"},
    CLERK: {"case.write (others')", "case.write (own)", "register.write", "unit.write", "meeting.write",
            "task.write", "document", "export", "task.export", "import", "sync", "backup"},
    LEADER: {"case.write (others')", "case.write (own)", "register.write", "unit.write", "meeting.write",
             "task.write", "approve", "document", "export", "task.export", "import", "sync", "backup", "settings"},
    LIAISON: {"task.write", "task.export"},
    ADMIN: {"backup", "restore", "settings", "accounts"},
}


def _outcome(attempt: Callable, db: Database, tmp_path) -> str:
    """"allowed", or "forbidden" with the message; any other error means the role check let it through."""
    try:
        if attempt in (_task_export, _import, _restore):
            attempt(db, tmp_path)
        else:
            attempt(db)
    except DomainError as exc:
        if exc.code == "forbidden":
            return "forbidden: " + exc.message
    except Exception:  # noqa: BLE001  past the role check, the bogus argument fails: allowed
        pass
    return "allowed"


@pytest.mark.parametrize("role", ROLES)
def test_every_action_for_every_role(office: Office, role: str, tmp_path) -> None:
    db = office.open_role(role)
    try:
        outcomes = {name: _outcome(attempt, db, tmp_path) for name, attempt in ATTEMPTS.items()}
    finally:
        db.close()
    allowed = {name for name, outcome in outcomes.items() if outcome == "allowed"}
    assert allowed == EXPECTED[role], outcomes
    for outcome in outcomes.values():
        if outcome != "allowed":   # one Chinese line that names who may do it
            assert "\n" not in outcome and ("只有" in outcome or "本人承办" in outcome), outcome


def test_a_refusal_changes_nothing(office: Office) -> None:
    from models.services.dump import dump_text

    leader = office.open_role(LEADER)
    with leader.read_scope() as session:
        before = dump_text(session)
    leader.close()
    liaison = office.open_role(LIAISON)
    with pytest.raises(DomainError) as err:
        _unit_write(liaison)
    liaison.close()
    assert err.value.code == "forbidden" and "部门负责人" in err.value.message
    leader = office.open_role(LEADER)
    with leader.read_scope() as session:
        assert dump_text(session) == before
    leader.close()


def test_a_prosecutor_writes_only_the_cases_and_suggestions_they_handle(office: Office) -> None:
    from models.case import Case
    from models.services.attachments import add_attachment
    from models.services.cases import edit_case, register_case
    from models.services.suggestions import add_item, draft_suggestion, edit_suggestion

    leader = office.open_role(LEADER)
    with leader.write_scope() as session:
        theirs = register_case(session, "他人承办的案件", handler="赵科长").id
        mine = register_case(session, "张三承办的案件", handler="张 三").id   # spelled with a space
        their_suggestion = draft_suggestion(session, "某局", case_id=theirs).id
    leader.close()

    db = office.open_as("张三")
    try:
        with db.write_scope() as session:
            new_case = register_case(session, "张三新登记的线索")
            assert new_case.handler == "张三"   # the 承办人 of a case a prosecutor registers is the prosecutor
            edit_case(session, mine, summary="补充材料")
            own_suggestion = draft_suggestion(session, "某镇政府", case_id=mine, items=["一、依法履职"])
            add_attachment(session, "case", mine, "现场照片.jpg", b"jpeg")
        refused = [
            lambda s: edit_case(s, theirs, summary="改他人的案件"),
            lambda s: edit_case(s, mine, handler="赵科长"),                      # giving it away
            lambda s: register_case(s, "替别人登记", handler="赵科长"),
            lambda s: edit_suggestion(s, their_suggestion, facts="改他人的建议"),
            lambda s: edit_suggestion(s, own_suggestion.id, case_id=theirs),    # moving it to another's case
            lambda s: add_item(s, their_suggestion, "追加一项"),
            lambda s: add_attachment(s, "case", theirs, "附件.pdf", b"%PDF"),
        ]
        for attempt in refused:
            with pytest.raises(DomainError) as err, db.write_scope() as session:
                attempt(session)
            assert err.value.code == "forbidden" and "本人承办" in err.value.message
        with db.read_scope() as session:
            assert session.get(Case, theirs).summary == ""
            assert session.get(Case, mine).handler == "张 三"
    finally:
        db.close()


def test_the_liaison_sees_tasks_and_the_government_view_but_no_case_details(office: Office) -> None:
    from models.case import Case
    from models.services.cases import list_cases, register_case
    from models.services.suggestions import draft_suggestion, edit_suggestion, list_suggestions
    from models.services.tasks import create_task_list
    from models.suggestion import Suggestion, SuggestionItem

    leader = office.open_role(LEADER)
    with leader.write_scope() as session:
        case_id = register_case(session, "秘密案件名称", handler="赵科长", summary="案情摘要").id
        shared = draft_suggestion(session, "某县水利局", case_id=case_id, facts="查明的事实：秘密",
                                  doc_no="埇检行公建〔2026〕1号", items=["一、建议内容秘密"]).id
        internal = draft_suggestion(session, "某县公安局", case_id=case_id, to_government=False).id
        edit_suggestion(session, shared, facts="查明的事实：秘密（补充）", addressee_name="某县水务局")
        create_task_list(session, 2026, "2026年府检联动任务清单")
    leader.close()

    db = office.open_role(LIAISON)
    try:
        with db.read_scope() as session:
            assert list_cases(session) == []
            assert session.get(Case, case_id) is None
            assert session.scalars(select(Case.title)).all() == []
            assert session.scalars(select(SuggestionItem)).all() == []
            assert [row.id for row in list_suggestions(session)] == [shared]
            assert session.get(Suggestion, internal) is None
            suggestion = session.get(Suggestion, shared)
            assert suggestion.doc_no == "埇检行公建〔2026〕1号" and suggestion.addressee_name == "某县水务局"
            assert suggestion.facts == "" and suggestion.case_id is None
            from models.services.tasks import task_lists

            assert [t.title for t in task_lists(session)] == ["2026年府检联动任务清单"]
            # nor through the op log (修改记录)
            from models.oplog import Op
            from models.services.history import field_history

            assert session.scalars(select(Op).where(Op.row_id == str(case_id))).all() == []
            fields = {op.field for op in session.scalars(select(Op).where(Op.row_id == str(shared)))}
            assert fields == {"addressee_name"}
            assert "查明的事实" not in "".join(op.value for op in field_history(session, suggestion))
    finally:
        db.close()
    leader = office.open_role(LEADER)   # the filtering is per account: the leader still reads everything
    with leader.read_scope() as session:
        assert session.get(Suggestion, shared).facts == "查明的事实：秘密（补充）"
        assert len(list_cases(session)) == 1
    leader.close()


def test_ops_of_a_peer_are_not_checked_against_the_local_account(office: Office) -> None:
    """A sync import applies ops authorised by the sync rules (and needs the sync action itself)."""
    from models.unit import Unit

    db = office.open_role(LIAISON)
    try:
        with db.write_scope() as session:
            session.info["applying_remote"] = True
            session.add(Unit(name="同步来的单位"))
            session.flush()
    finally:
        db.close()


def test_the_liaison_search_finds_no_case_details_the_others_do(office: Office) -> None:
    """Search reads its index with raw SQL: the government view must not count or list texts from cases,
    检察建议 (their bodies hold blanked fields), 建议内容, attachments or 线索移送."""
    from models.search import count_matches, search
    from models.services.cases import register_case
    from models.services.suggestions import draft_suggestion
    from models.services.tasks import add_aspect, add_task, create_task_list

    leader = office.open_role(LEADER)
    with leader.write_scope() as session:
        case_id = register_case(session, "秘密案件名称甲", handler="赵科长", summary="秘密案件摘要").id
        draft_suggestion(session, "某县水利局", case_id=case_id, facts="秘密案件事实", items=["秘密案件建议"])
        task_list = create_task_list(session, 2026, "2026年府检联动任务清单")
        aspect = add_aspect(session, task_list.id, "一、依法行政")
        add_task(session, aspect.id, 1, "秘密案件以外的任务")
    leader.close()

    for role, kinds in ((LEADER, {"case", "suggestion", "suggestion_item", "task"}), (LIAISON, {"task"})):
        db = office.open_role(role)
        try:
            with db.read_scope() as session:
                counted = set(count_matches(session, "秘密案件"))
                assert counted == kinds
                assert {hit.matched for hit in search(session, "秘密案件")} == counted
        finally:
            db.close()
