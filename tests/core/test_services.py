import datetime as dt

import pytest

from models.errors import DomainError
from models.rules.warning import WarningLevel
from models.services import suggestions as sg
from models.services.due import due_items
from models.services.meetings import add_decision, add_meeting, decision_to_task
from models.services.tasks import (
    add_aspect,
    add_measure,
    add_progress,
    add_task,
    create_task_list,
    task_list_rows,
)
from models.suggestion import Suggestion


def _served_suggestion(session, served_on, urgent=False):
    s = sg.draft_suggestion(session, "宿州市水利局", items=["依法履职。", "建立长效机制。"], urgent=urgent)
    sg.issue(session, s.id, "宿检行公建〔2024〕3号", served_on - dt.timedelta(days=2))
    return sg.mark_served(session, s.id, served_on)


def test_reply_deadline_follows_service_and_the_holiday_rule(new_db):
    with new_db.session_scope() as session:
        normal = _served_suggestion(session, dt.date(2024, 3, 5))
        urgent = _served_suggestion(session, dt.date(2024, 3, 5), urgent=True)
        assert normal.reply_due == dt.date(2024, 5, 6)   # 5-05 falls in the 劳动节 holiday
        assert urgent.reply_due == dt.date(2024, 3, 20)
        normal.urgent = True
        session.flush()
        assert normal.reply_due == dt.date(2024, 3, 20)


def test_lifecycle_order_is_enforced_with_chinese_messages(new_db):
    with new_db.session_scope() as session:
        draft = sg.draft_suggestion(session, "宿州市民政局")
        with pytest.raises(DomainError, match="尚未制发"):
            sg.mark_served(session, draft.id, dt.date(2024, 1, 2))
        with pytest.raises(DomainError, match="尚未送达"):
            sg.record_reply(session, draft.id, dt.date(2024, 1, 2), "已整改")
    with new_db.session_scope() as session:
        s = _served_suggestion(session, dt.date(2024, 3, 5))
        with pytest.raises(DomainError, match="回复日期不能早于送达日期"):
            sg.record_reply(session, s.id, dt.date(2024, 3, 1), "已整改")


def test_doc_number_with_wrong_brackets_is_refused(new_db):
    with new_db.session_scope() as session:
        s = sg.draft_suggestion(session, "宿州市民政局")
        with pytest.raises(DomainError) as err:
            sg.issue(session, s.id, "宿检行公建[2024]3号", dt.date(2024, 3, 1))
        assert "〔〕" in err.value.message


def test_stage_follows_the_lifecycle(new_db):
    with new_db.session_scope() as session:
        s = _served_suggestion(session, dt.date(2024, 3, 5))
        assert sg.stage_of(s) == "待回复"
        sg.record_reply(session, s.id, dt.date(2024, 4, 1), "已采纳并整改", adoption="采纳")
        assert sg.stage_of(s) == "已回复"
        sg.record_rectification(session, s.id, "整改中")
        assert sg.stage_of(s) == "整改跟进"
        sg.close_suggestion(session, s.id, dt.date(2024, 6, 1), litigation=True)
        assert sg.stage_of(s) == "已起诉"
        assert [i.text for i in sg.items_of(session, s.id)] == ["依法履职。", "建立长效机制。"]


def test_due_lists_overdue_red_and_near_due_yellow_and_drops_replied(new_db):
    with new_db.session_scope() as session:
        overdue = _served_suggestion(session, dt.date(2024, 1, 2))
        near = _served_suggestion(session, dt.date(2024, 1, 30))
        _served_suggestion(session, dt.date(2024, 3, 1))   # on track: not listed by default
        today = dt.date(2024, 3, 25)
        items = due_items(session, today, 7)
        assert [(i.ref_id, i.level) for i in items] == [(overdue.id, WarningLevel.RED), (near.id, WarningLevel.YELLOW)]
        assert len(due_items(session, today, 7, include_green=True)) == 3
        sg.record_reply(session, overdue.id, today, "已回复")
        assert [i.ref_id for i in due_items(session, today, 7)] == [near.id]


def test_task_measures_get_due_dates_from_their_phrase_and_leave_the_list_when_done(new_db):
    with new_db.session_scope() as session:
        task_list = create_task_list(session, 2022, "")
        aspect = add_aspect(session, task_list.id, "重大改革推进方面")
        task = add_task(session, aspect.id, 1, "依法妥善处理好行政案件。")
        fixed = add_measure(session, task.id, "出台实施意见。", deadline="5月底前完成并长期坚持", units="市检察院")
        ongoing = add_measure(session, task.id, "长期做好协调化解。", deadline="长期坚持", units="市司法局")
        assert fixed.due_on == dt.date(2022, 5, 31) and ongoing.due_on is None
        items = due_items(session, dt.date(2022, 6, 1), 7)
        assert [i.ref_id for i in items] == [fixed.id] and items[0].level == WarningLevel.RED
        add_progress(session, fixed.id, status="已完成", text="已印发", reported_on=dt.date(2022, 5, 30))
        assert due_items(session, dt.date(2022, 6, 1), 7) == []
        rows = task_list_rows(session, task_list.id)
        assert [(r.text, r.status) for r in rows] == [("出台实施意见。", "已完成"), ("长期做好协调化解。", "未启动")]


def test_a_meeting_decision_becomes_the_next_task_of_the_list(new_db):
    with new_db.session_scope() as session:
        task_list = create_task_list(session, 2024, "")
        first = add_aspect(session, task_list.id, "一方面")
        second = add_aspect(session, task_list.id, "二方面")
        add_task(session, first.id, 1, "已有任务。")
        meeting = add_meeting(session, "2024年度联席会议", dt.date(2024, 3, 1))
        decision = add_decision(session, meeting.id, "建立联络员季度例会制度。")
        task = decision_to_task(session, decision.id, second.id, deadline="6月底前", units="市司法局")
        assert task.number == 2 and decision.task_id == task.id
        with pytest.raises(DomainError, match="已转为任务"):
            decision_to_task(session, decision.id, second.id)


def test_demo_data_loads_the_real_2022_list_and_shows_due_items(demo_db):
    from models.services.tasks import task_lists
    from tests.conftest import DEMO_TODAY
    with demo_db.session_scope() as session:
        lists = task_lists(session)
        assert [(tl.year, tl.title) for tl in lists] == [(2022, "2022年度“府检联动”重点工作任务清单")]
        rows = task_list_rows(session, lists[0].id)
        assert len({r.task_number for r in rows}) == 14 and len(rows) == 45
        levels = {i.level for i in due_items(session, DEMO_TODAY, 7) if i.kind == "reply"}
        assert levels == {WarningLevel.RED, WarningLevel.YELLOW}
        assert session.query(Suggestion).count() == 8


def test_year_by_quarter_adds_up_to_the_bulletin_rows(demo_db):
    from models.services.statistics import quarterly_statistics, year_by_quarter
    from reports.statistics import total_row
    from tests.conftest import DEMO_TODAY
    with demo_db.session_scope() as session:
        lines = year_by_quarter(session, DEMO_TODAY.year, DEMO_TODAY)
        assert [line.domain for line in lines] == ["第一季度", "第二季度", "第三季度", "第四季度", "全年"]
        q4_rows, overdue = quarterly_statistics(session, DEMO_TODAY.year, 4, DEMO_TODAY)
        assert lines[3] == total_row(q4_rows, "第四季度")
        whole = lines[4]
        assert whole.suggestions_issued == sum(line.suggestions_issued for line in lines[:4]) > 0
        assert whole.replied <= whole.replies_due and whole.rectified <= whole.replied
        assert [o.doc_no for o in overdue] == [f"宿检行公建〔{DEMO_TODAY.year}〕11号"]


def test_a_follow_up_date_shows_among_due_items_until_the_suggestion_is_closed(new_db):
    with new_db.session_scope() as session:
        s = _served_suggestion(session, dt.date(2024, 1, 2))
        sg.record_reply(session, s.id, dt.date(2024, 2, 20), "正在整改")
        sg.record_rectification(session, s.id, "整改中", "部分完成", follow_up="现场查看", follow_up_due=dt.date(2024, 6, 3))
        items = due_items(session, dt.date(2024, 6, 1), 7)
        assert [(i.kind, i.due, i.level) for i in items] == [("follow_up", dt.date(2024, 6, 3), WarningLevel.YELLOW)]
        sg.close_suggestion(session, s.id, dt.date(2024, 6, 2))
        assert due_items(session, dt.date(2024, 6, 1), 7) == []


def test_the_next_doc_number_follows_the_office_numbering(new_db):
    with new_db.session_scope() as session:
        assert sg.next_doc_number(session, "诉前检察建议", 2024) == "宿检行公建〔2024〕1号"   # 院代字 from settings
        first = sg.draft_suggestion(session, "宿州市水利局")
        sg.issue(session, first.id, "宿检行公建〔2024〕7号", dt.date(2024, 3, 1))
        other = sg.draft_suggestion(session, "宿州市民政局", kind="社会治理检察建议")
        sg.issue(session, other.id, "宿检建〔2024〕2号", dt.date(2024, 3, 2))
        assert sg.next_doc_number(session, "诉前检察建议", 2024) == "宿检行公建〔2024〕8号"
        assert sg.next_doc_number(session, "社会治理检察建议", 2024) == "宿检建〔2024〕3号"
        assert sg.next_doc_number(session, "诉前检察建议", 2025) == "宿检行公建〔2025〕1号"   # serials restart yearly


def test_doctor_lists_duplicate_numbers_and_orphans(new_db):
    from models.oplog import tombstone
    from models.services.doctor import check_database, merge_findings
    with new_db.session_scope() as session:
        assert merge_findings(session) == []
        for addressee in ("宿州市水利局", "宿州市民政局"):   # two offices numbered offline alike
            s = sg.draft_suggestion(session, addressee, items=["依法履职。"])
            sg.issue(session, s.id, "宿检行公建〔2024〕9号", dt.date(2024, 3, 1))
        assert merge_findings(session) == ["文号重复：宿检行公建〔2024〕9号（2条）"]
        tombstone(session, session.get(Suggestion, s.id))   # its item stays: an orphan
    findings = check_database(new_db)
    assert "文号重复：宿检行公建〔2024〕9号（2条）" not in findings            # one of them is deleted now
    assert "1条建议事项所属的记录已删除或尚未同步到本机" in findings


def test_exports_leave_a_trace_in_the_audit_log(demo_db, tmp_path):
    from sqlalchemy import text

    from models.services import documents
    from models.services.excel_files import write_ledger, write_task_list
    from models.services.tasks import task_lists
    from reports.xlsx.ledger import LedgerFilter
    from tests.conftest import DEMO_TODAY
    with demo_db.session_scope() as session:
        list_id = task_lists(session)[0].id
        doc = documents.quarterly_report(session, DEMO_TODAY.year, 3, DEMO_TODAY)
        assert documents.render_documents(session, [doc]).startswith(b"%PDF")
    write_task_list(demo_db, list_id, tmp_path / "清单.xlsx")
    write_ledger(demo_db, tmp_path / "台账.xlsx", LedgerFilter(year=DEMO_TODAY.year), DEMO_TODAY)
    with demo_db.session_scope() as session:
        events = [e for (e,) in session.execute(text("SELECT event FROM audit_event ORDER BY seq"))]
    assert events[-3:] == ["export_pdf", "export_task_list", "export_ledger"]
