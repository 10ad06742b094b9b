"""Every record form's save refuses a lost update (issue 16 item 3), through the same service the CLI
uses, on both backends: the meeting, unit, transfer, campaign (and its phases), info-sharing,
task-list (方面/任务/措施, 进展) edits and the 检察建议 lifecycle steps take the `base` their form or dialog loaded; someone else's newer edit
of a field this save changes is refused with edit_conflict naming the field and the person, and nothing
is overwritten; a field only the other desk changed merges; without a base (the CLI) it saves as before."""
from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest

from models.campaign import Campaign, CampaignPhase
from models.errors import DomainError
from models.info_share import InfoShare
from models.meeting import Meeting
from models.services import suggestions as svc
from models.services import task_editing as te
from models.services.campaigns import add_campaign, edit_campaign, edit_phase, phase_rows
from models.services.common import get_live
from models.services.edit_guard import record_base
from models.services.info_sharing import add_info_share, edit_info_share
from models.services.meetings import add_meeting, edit_meeting
from models.services.tasks import add_progress, create_task_list
from models.services.transfers import add_transfer, edit_transfer
from models.services.units import add_unit, edit_unit
from models.suggestion import Suggestion
from models.tasklist import Measure, ProgressEntry, Task, TaskAspect
from models.transfer import Transfer
from models.unit import Unit
from tests.core.test_edit_guard_changes import second_desk

D = dt.date(2026, 3, 2)


def _task_tree(session) -> Measure:
    task_list = create_task_list(session, 2026, "")
    aspect = te.create_aspect(session, task_list.id, "重大风险防控方面")
    task = te.create_task(session, aspect.id, "推进河道综合治理")
    return te.create_measure(session, task.id, "开展联合巡查", deadline="6月底前", units="县水利局")


@dataclass(frozen=True)
class Form:
    """One guarded edit: how to make a record, the service call with a base, and two fields to try."""

    cls: type
    make: Callable[[Any], Any]                           # session -> the record
    save: Callable[[Any, Any, Any, dict[str, Any]], Any]  # (session, row id, base, changes)
    field: str                                           # both desks change this one
    mine: Any
    theirs: Any
    other_field: str                                     # only the other desk changes this one
    other_value: Any


def _phase(session) -> CampaignPhase:
    campaign = add_campaign(session, "河湖清四乱专项活动")
    return get_live(session, CampaignPhase, phase_rows(session, campaign.id)[0].id)


def _served(session):
    suggestion = svc.draft_suggestion(session, "某县水利局", items=["依法查处非法采砂行为。"])
    svc.issue(session, suggestion.id, "宿检行公建〔2026〕31号", D)
    return svc.mark_served(session, suggestion.id, D)


def _close_step(session, row_id, base, changes):
    """The 结案 step dialog (a lifecycle step takes the base too); other fields through the form's save."""
    if "closed_on" in changes:
        return svc.close_suggestion(session, row_id, changes["closed_on"], base=base)
    return svc.edit_suggestion(session, row_id, base=base, **changes)


FORMS = {
    "suggestion_close_step": Form(Suggestion, _served, _close_step, "closed_on", dt.date(2026, 6, 1),
                                  dt.date(2026, 7, 1), "follow_up", "李四跟进"),
    "meeting": Form(Meeting, lambda s: add_meeting(s, "第一次联席会议", D, topics="原议题"),
                    lambda s, i, b, c: edit_meeting(s, i, base=b, **c), "topics", "张三的议题", "李四的议题",
                    "minutes", "李四的纪要"),
    "unit": Form(Unit, lambda s: add_unit(s, "某县水利局", liaison_name="王五"),
                 lambda s, i, b, c: edit_unit(s, i, base=b, **c), "liaison_name", "张三", "李四",
                 "liaison_phone", "0557-1234567"),
    "transfer": Form(Transfer, lambda s: add_transfer(s, "某非法采砂线索", sent_on=D),
                     lambda s, i, b, c: edit_transfer(s, i, base=b, **c), "feedback_days", 20, 45,
                     "summary", "李四补充的线索内容"),
    "campaign": Form(Campaign, lambda s: add_campaign(s, "河湖清四乱专项活动", started_on=D),
                     lambda s, i, b, c: edit_campaign(s, i, base=b, **c), "lead_units", "县检察院",
                     "县河长办", "content", "李四写的活动内容"),
    "campaign_phase": Form(CampaignPhase, _phase, lambda s, i, b, c: edit_phase(s, i, base=b, **c),
                           "start_on", D, dt.date(2026, 4, 1), "end_on", dt.date(2026, 5, 1)),
    "info_share": Form(InfoShare, lambda s: add_info_share(s, provider="县司法局", period="2026年第一季度",
                                                                 schedule=""),
                       lambda s, i, b, c: edit_info_share(s, i, base=b, **c), "content", "张三的内容", "李四的内容",
                       "note", "李四备注"),
    "aspect": Form(TaskAspect, lambda s: get_live(s, TaskAspect, get_live(s, Task, _task_tree(s).task_id).aspect_id),
                   lambda s, i, b, c: te.edit_node(s, "aspect", i, base=b, **c), "title", "张三的方面",
                   "李四的方面", "", None),
    "task": Form(Task, lambda s: get_live(s, Task, _task_tree(s).task_id),
                 lambda s, i, b, c: te.edit_node(s, "task", i, base=b, **c), "text", "张三的任务", "李四的任务",
                 "", None),
    "measure": Form(Measure, _task_tree, lambda s, i, b, c: te.edit_node(s, "measure", i, base=b, **c),
                    "units_text", "县公安局", "县自然资源局", "text", "李四改的措施"),
    "progress_entry": Form(ProgressEntry,
                           lambda s: add_progress(s, _task_tree(s).id, status="推进中", text="已巡查一次",
                                                  reported_on=D),
                           lambda s, i, b, c: te.correct_progress(
                               s, i, base=b, **{**te.progress_values(s, i), **c}),
                           "text", "张三更正", "李四更正", "reporter", "县水利局"),
}


@pytest.fixture
def desks(new_db):
    other = second_desk(new_db, "李四")
    yield new_db, other
    other.close()


@pytest.mark.parametrize("name", list(FORMS))
def test_a_save_over_another_desks_newer_edit_of_the_field_is_refused(desks, name):
    mine, other = desks
    form = FORMS[name]
    with mine.write_scope() as session:
        row_id = form.make(session).id
    with mine.read_scope() as session:       # the form opens the record
        base = record_base(session, form.cls, row_id)
    with other.write_scope() as session:     # another desk saves the same field meanwhile
        form.save(session, row_id, None, {form.field: form.theirs})
    with pytest.raises(DomainError) as caught, mine.write_scope() as session:
        form.save(session, row_id, base, {form.field: form.mine})
    error = caught.value
    assert error.code == "edit_conflict" and "李四" in error.message
    [conflict] = error.fields["conflicts"]
    assert (conflict.field, conflict.mine, conflict.theirs, conflict.by) == (form.field, form.mine, form.theirs,
                                                                             ("李四",))
    with mine.read_scope() as session:
        assert getattr(get_live(session, form.cls, row_id), form.field) == form.theirs   # nothing overwritten
    with mine.read_scope() as session:       # 覆盖: the stored heads become the base, the save goes through
        fresh = record_base(session, form.cls, row_id)
    with mine.write_scope() as session:
        form.save(session, row_id, fresh, {form.field: form.mine})
    with mine.read_scope() as session:
        assert getattr(get_live(session, form.cls, row_id), form.field) == form.mine


@pytest.mark.parametrize("name", [name for name, form in FORMS.items() if form.other_field])
def test_a_field_only_the_other_desk_changed_merges(desks, name):
    mine, other = desks
    form = FORMS[name]
    with mine.write_scope() as session:
        row_id = form.make(session).id
    with mine.read_scope() as session:
        base = record_base(session, form.cls, row_id)
    with other.write_scope() as session:
        form.save(session, row_id, None, {form.other_field: form.other_value})
    with mine.write_scope() as session:
        form.save(session, row_id, base, {form.field: form.mine})
    with mine.read_scope() as session:
        record = get_live(session, form.cls, row_id)
        assert (getattr(record, form.field), getattr(record, form.other_field)) == (form.mine, form.other_value)


def test_node_values_and_progress_values_read_what_the_dialogs_show(new_db):
    with new_db.write_scope() as session:
        measure = _task_tree(session)
        entry = add_progress(session, measure.id, status="推进中", text="已巡查一次", reported_on=D, reporter="县水利局")
    with new_db.read_scope() as session:
        assert te.node_values(session, "measure", measure.id) == {
            "text": "开展联合巡查", "deadline_phrase": "6月底前", "units_text": "县水利局"}
        assert te.progress_values(session, entry.id) == {"status": "推进中", "reported_on": D,
                                                         "reporter": "县水利局", "text": "已巡查一次"}
