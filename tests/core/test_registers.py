"""线索移送, 专项活动 and 信息共享 registers: create, edit, delete/restore, their clocks on the due list."""
from __future__ import annotations

import datetime as dt

import pytest

from models.derived import default_calendar
from models.errors import DomainError
from models.labels import FIELD_LABELS
from models.registry import ENTITY_BY_NAME, replicated_columns
from models.rules.warning import WarningLevel
from models.search import search
from models.services.campaigns import (
    add_campaign,
    add_phase,
    campaign_values,
    edit_campaign,
    edit_phase,
    link_choices,
    link_record,
    link_rows,
    list_campaigns,
    phase_rows,
    unlink_record,
)
from models.services.cases import register_case
from models.services.due import due_items
from models.services.info_sharing import (
    add_info_share,
    edit_info_share,
    list_info_shares,
    next_report_due,
)
from models.services.transfers import (
    add_transfer,
    edit_transfer,
    feedback_days_by_kind,
    list_transfers,
    set_feedback_days,
    transfer_values,
)
from models.services.trash import delete_record, deleted_records, restore_record

D = dt.date


def _items(db, today, kind):
    with db.read_scope() as session:
        return [i for i in due_items(session, today, 7, include_green=True) if i.kind == kind]


def test_every_register_field_has_a_label():
    for entity in ("transfer", "campaign", "campaign_phase", "campaign_link", "info_share"):
        fields = set(replicated_columns(ENTITY_BY_NAME[entity])) - {"deleted", "sort_key"}
        assert fields <= set(FIELD_LABELS[entity]), entity


def test_transfer_feedback_clock_from_receipt_moves_off_rest_days(new_db):
    with new_db.write_scope() as session:
        first = add_transfer(session, "某企业非法占用林地线索", kind="线索移送", doc_no="宿林移〔2026〕3号",
                             from_unit="宿州市林业局", to_unit="宿州市人民检察院", sent_on=D(2026, 11, 2)).id
        # received on a Saturday: 7 日 end on Saturday 14th, so the period ends on Monday 16th
        second = add_transfer(session, "张某不起诉后应予行政处罚", kind="反向衔接", to_unit="宿州市市场监督管理局",
                              sent_on=D(2026, 11, 6), received_on=D(2026, 11, 7)).id
    assert _items(new_db, D(2026, 11, 5), "transfer") == sorted(_items(new_db, D(2026, 11, 5), "transfer"),
                                                               key=lambda i: i.due)
    by_id = {i.ref_id: i for i in _items(new_db, D(2026, 11, 5), "transfer")}
    assert by_id[first].due == D(2026, 11, 9) and by_id[first].level is WarningLevel.YELLOW
    assert by_id[first].party == "宿州市人民检察院" and by_id[first].target == ("transfer", first)
    assert by_id[second].due == D(2026, 11, 16)
    overdue = {i.ref_id: i for i in _items(new_db, D(2026, 11, 12), "transfer")}
    assert overdue[first].level is WarningLevel.RED and overdue[first].days_left == -3
    with new_db.write_scope() as session:
        edit_transfer(session, first, received_on=D(2026, 11, 3))   # the clock now runs from 接收
    assert {i.ref_id: i.due for i in _items(new_db, D(2026, 11, 5), "transfer")}[first] == D(2026, 11, 10)
    with new_db.write_scope() as session:
        edit_transfer(session, first, feedback_on=D(2026, 11, 9), feedback="已立案审查")
    assert [i.ref_id for i in _items(new_db, D(2026, 11, 20), "transfer")] == [second]
    with new_db.read_scope() as session:
        rows = {r.id: r for r in list_transfers(session, D(2026, 11, 20), 7, default_calendar())}
        assert rows[first].state == "已反馈" and rows[first].level is WarningLevel.GREEN
        assert rows[second].direction == "检察院移送行政机关" and rows[second].level is WarningLevel.RED
        assert transfer_values(session, first)["feedback"] == "已立案审查"


def test_feedback_period_is_configurable_per_kind(new_db):
    with new_db.write_scope() as session:
        assert feedback_days_by_kind(session)["立案监督"] == 7
        set_feedback_days(session, {"立案监督": 15})
        supervised = add_transfer(session, "应当立案而未立案", kind="立案监督", sent_on=D(2026, 11, 2))
        plain = add_transfer(session, "一般线索", sent_on=D(2026, 11, 2))
        assert (supervised.feedback_days, plain.feedback_days) == (15, 7)
        with pytest.raises(DomainError) as bad:
            set_feedback_days(session, {"立案监督": 0})
        assert bad.value.code == "transfer_feedback_days"
    with new_db.read_scope() as session:
        assert feedback_days_by_kind(session) == {"线索移送": 7, "反向衔接": 7, "监督移送": 7, "立案监督": 15}
    assert {i.due for i in _items(new_db, D(2026, 11, 3), "transfer")} == {D(2026, 11, 9), D(2026, 11, 17)}


@pytest.mark.parametrize(("fields", "code"), [
    ({"title": " "}, "transfer_title_empty"),
    ({"title": "x", "kind": "其他"}, "transfer_kind"),
    ({"title": "x", "kind": "反向衔接", "direction": "行政机关移送检察院"}, "transfer_direction"),
    ({"title": "x", "sent_on": D(2026, 5, 2), "received_on": D(2026, 5, 1)}, "transfer_received_before_sent"),
    ({"title": "x", "sent_on": D(2026, 5, 2), "feedback_on": D(2026, 5, 1)}, "transfer_feedback_before_start"),
    ({"title": "x", "feedback_days": 0}, "transfer_feedback_days"),
])
def test_transfer_rules(new_db, fields, code):
    with pytest.raises(DomainError) as refused:
        with new_db.write_scope() as session:
            add_transfer(session, **fields)
    assert refused.value.code == code


def test_transfer_links_a_case_and_is_deleted_and_restored(new_db):
    with new_db.write_scope() as session:
        case = register_case(session, "林地保护行政公益诉讼案", case_no="宿检行公〔2026〕7号")
        transfer_id = add_transfer(session, "林地线索", case_id=case.id, summary="毁林开垦三亩").id
    with new_db.read_scope() as session:
        assert [(h.entity, h.row_id) for h in search(session, "毁林开垦")] == [("transfer", transfer_id)]
    with new_db.write_scope() as session:
        delete_record(session, "transfer", transfer_id)
    with new_db.read_scope() as session:
        assert list_transfers(session, D(2026, 11, 1), 7, default_calendar()) == []
        assert [(r.kind, r.title) for r in deleted_records(session)] == [("线索移送", "线索移送 林地线索")]
        assert search(session, "毁林开垦") == []
    with new_db.write_scope() as session:
        restore_record(session, "transfer", transfer_id)
    with new_db.read_scope() as session:
        assert [r.id for r in list_transfers(session, D(2026, 11, 1), 7, default_calendar())] == [transfer_id]


def test_campaign_phases_links_and_deadlines(new_db):
    with new_db.write_scope() as session:
        case = register_case(session, "非法采砂案", case_no="宿检行公〔2026〕9号")
        campaign = add_campaign(session, "河道非法采砂专项整治", lead_units="宿州市水利局",
                                member_units="宿州市人民检察院、宿州市公安局", started_on=D(2026, 9, 1),
                                summary_due=D(2026, 12, 20))
        campaign_id = campaign.id
        phases = phase_rows(session, campaign_id)
        assert [p.name for p in phases] == ["动员部署", "自查自纠", "集中整治", "总结提高"]
        edit_phase(session, phases[0].id, start_on=D(2026, 9, 1), end_on=D(2026, 9, 15), done_on=D(2026, 9, 15))
        edit_phase(session, phases[1].id, start_on=D(2026, 9, 16), end_on=D(2026, 11, 10))
        extra = add_phase(session, campaign_id, "回头看", D(2026, 12, 1), D(2026, 12, 10))
        link_record(session, campaign_id, "case", case.id)
        with pytest.raises(DomainError) as twice:
            link_record(session, campaign_id, "case", case.id)
        assert twice.value.code == "campaign_link_exists"
    with pytest.raises(DomainError) as backwards:   # refused and rolled back
        with new_db.write_scope() as session:
            edit_phase(session, extra.id, end_on=D(2026, 11, 1))
    assert backwards.value.code == "phase_end_before_start"
    items = _items(new_db, D(2026, 11, 8), "campaign")
    assert [(i.due, i.title) for i in items] == [
        (D(2026, 11, 10), "专项活动“河道非法采砂专项整治”自查自纠阶段结束"),
        (D(2026, 12, 10), "专项活动“河道非法采砂专项整治”回头看阶段结束"),
        (D(2026, 12, 20), "专项活动“河道非法采砂专项整治”总结报送")]
    assert {i.target for i in items} == {("campaign", campaign_id)}
    assert items[0].level is WarningLevel.YELLOW and items[0].party == "宿州市水利局"
    with new_db.read_scope() as session:
        row = list_campaigns(session)[0]
        assert (row.current_phase, row.links) == ("自查自纠", 1)
        assert "案件 宿检行公〔2026〕9号 非法采砂案" in link_choices(session)
        link_id = link_rows(session, campaign_id)[0].id
    with new_db.write_scope() as session:
        unlink_record(session, link_id)
        edit_campaign(session, campaign_id, summary_on=D(2026, 12, 18), summary="查处非法采砂12起")
        assert campaign_values(session, campaign_id)["summary"] == "查处非法采砂12起"
        assert link_rows(session, campaign_id) == []
    assert _items(new_db, D(2026, 11, 8), "campaign") == []   # 总结 sent: the campaign is over
    with new_db.write_scope() as session:
        delete_record(session, "campaign", campaign_id)   # its phases go with it, and come back with it
        assert phase_rows(session, campaign_id) == []
        restore_record(session, "campaign", campaign_id)
        assert len(phase_rows(session, campaign_id)) == 5
    with pytest.raises(DomainError) as empty:
        with new_db.write_scope() as session:
            add_campaign(session, " ")
    assert empty.value.code == "campaign_name_empty"


@pytest.mark.parametrize(("schedule", "sent_on", "expected"), [
    ("每季度首月10日前", D(2026, 4, 8), D(2026, 7, 10)),      # answered 4/10
    ("每季度首月10日前", D(2026, 4, 14), D(2026, 7, 10)),     # a few days late still answers 4/10
    ("每季度", D(2026, 12, 28), D(2027, 3, 31)),
    ("每月5日前", D(2026, 1, 30), D(2026, 3, 5)),            # early for February's report
    ("每半年", D(2026, 7, 2), D(2026, 12, 31)),
    ("每年1月31日前", D(2026, 1, 20), D(2027, 1, 31)),
    ("每周五", D(2026, 11, 26), D(2026, 12, 4)),
    ("", D(2026, 1, 20), None),
])
def test_next_report_due(schedule, sent_on, expected):
    assert next_report_due(schedule, sent_on) == expected


def test_info_share_series_next_due_on_the_due_list(new_db):
    with new_db.write_scope() as session:
        first = add_info_share(session, provider="宿州市司法局", category="行政复议数据", period="2026年第二季度",
                               sent_on=D(2026, 7, 8), schedule="每季度首月10日前", content="受理行政复议案件46件")
        assert first.next_due == D(2026, 10, 10)
        ours = add_info_share(session, provider="宿州市人民检察院", direction="检察院报送政府方",
                              category="法律监督数据", sent_on=D(2026, 9, 28), schedule="每季度").id
        with pytest.raises(DomainError) as unclear:
            add_info_share(session, provider="某局", schedule="看情况")
        assert unclear.value.code == "share_schedule"
    items = _items(new_db, D(2026, 10, 5), "info_share")
    assert [(i.due, i.party) for i in items] == [(D(2026, 10, 10), "宿州市司法局"),
                                                 (D(2026, 12, 31), "宿州市人民检察院")]
    assert items[0].level is WarningLevel.YELLOW and items[0].target == ("info_share", first.id)
    with new_db.write_scope() as session:   # the third quarter's figures arrive: the series moves on
        add_info_share(session, provider="宿州市司法局", category="行政复议数据", period="2026年第三季度",
                       sent_on=D(2026, 10, 9), schedule="每季度首月10日前")
        edit_info_share(session, ours, schedule="每月")        # recomputed from the new 报送频次
    assert [i.due for i in _items(new_db, D(2026, 10, 5), "info_share")] == [D(2026, 10, 31), D(2027, 1, 10)]
    with new_db.read_scope() as session:
        rows = list_info_shares(session)
        assert [(r.period, r.superseded) for r in rows if r.provider == "宿州市司法局"] == [
            ("2026年第三季度", False), ("2026年第二季度", True)]
    with new_db.write_scope() as session:
        edit_info_share(session, ours, next_due=D(2026, 11, 15))   # the clerk may set the date himself
    assert D(2026, 11, 15) in [i.due for i in _items(new_db, D(2026, 10, 5), "info_share")]


def test_an_info_share_without_a_schedule_is_added_with_no_next_due(new_db):
    """报送频次 is optional (the CLI and scripts may leave it out): no next due date, no traceback."""
    with new_db.write_scope() as session:
        share = add_info_share(session, provider="宿州市司法局", sent_on=dt.date(2026, 7, 8))
        assert share.schedule == "" and share.next_due is None
