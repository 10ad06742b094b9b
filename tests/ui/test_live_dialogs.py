"""The edit dialogs guard their saves too (issue 16 item 3): a 措施 or 进展 dialog shows the record as
stored when it opens (not the tree's older copy) and refuses, with both values side by side, to
overwrite a field another desk saved meanwhile; 覆盖 saves knowingly. The same for a campaign phase."""
from __future__ import annotations

import ui.form
from models.services import task_editing as te
from models.services.campaigns import add_campaign, edit_phase, phase_rows
from models.storage import open_database
from tests.ui.conftest import set_fields
from ui.campaign_page import ID_ROLE, CampaignPage
from ui.tasklist_page import MEASURE_ROLE, TaskListPage


def _other_desk(ctx):
    return open_database(ctx.db.path, ctx.db.dek, user="李四")


def _first_measure(page: TaskListPage):
    measure = page.model.index(0, 0, page.model.index(0, 0, page.model.index(0, 0)))
    page.tree.setCurrentIndex(measure)
    return measure.data(MEASURE_ROLE)


def test_a_measure_dialog_refuses_to_overwrite_and_may_overwrite_knowingly(qtbot, demo_ctx, modal, monkeypatch):
    page = TaskListPage(demo_ctx)
    qtbot.addWidget(page)
    measure_id = _first_measure(page)
    other = _other_desk(demo_ctx)
    with other.write_scope() as session:          # before the dialog opens: the tree still shows the old text
        te.edit_node(session, "measure", measure_id, units_text="李四先改的单位")
    answers = [False, True]
    asked = []
    monkeypatch.setattr(ui.form, "ask_overwrite", lambda parent, exc: asked.append(exc) or answers.pop(0))
    seen = {}

    def handler(dialog) -> None:
        seen["initial"] = dialog.form.values()["units_text"]
        with other.write_scope() as session:       # while the dialog is open, the same field again
            te.edit_node(session, "measure", measure_id, units_text="李四又改的单位")
        set_fields(dialog, {"units_text": "张三填写的单位"})
        dialog.accept()                            # refused, 取消 in the conflict dialog: stays open
        seen["error"] = dialog.form.error_text("units_text") or dialog.form.error_text()
        seen["open"] = dialog.isVisible()
        dialog.accept()                            # again, 覆盖 this time

    modal.then(handler)
    try:
        page.edit_button.click()
    finally:
        other.close()
    assert seen["initial"] == "李四先改的单位"
    assert seen["open"] and "李四" in seen["error"] and "责任单位" in seen["error"]
    assert [exc.code for exc in asked] == ["edit_conflict", "edit_conflict"]
    with demo_ctx.db.read_scope() as session:
        assert te.node_values(session, "measure", measure_id)["units_text"] == "张三填写的单位"


def test_a_progress_correction_refused_keeps_the_other_desks_text(qtbot, demo_ctx, modal, monkeypatch):
    page = TaskListPage(demo_ctx)
    qtbot.addWidget(page)
    _first_measure(page)
    page.progress_list.setCurrentRow(0)
    entry = page.current_entry()
    other = _other_desk(demo_ctx)
    monkeypatch.setattr(ui.form, "ask_overwrite", lambda parent, exc: False)
    errors = []

    def handler(dialog) -> None:
        with other.write_scope() as session:
            values = te.progress_values(session, entry.id)
            te.correct_progress(session, entry.id, **{**values, "text": "李四更正的进展"})
        set_fields(dialog, {"text": "张三更正的进展"})
        dialog.accept()
        errors.append(dialog.form.error_text("text"))
        dialog.reject()

    modal.then(handler)
    try:
        page.correct_button.click()
    finally:
        other.close()
    assert errors and "李四" in errors[0]
    with demo_ctx.db.read_scope() as session:
        assert te.progress_values(session, entry.id)["text"] == "李四更正的进展"


def test_a_campaign_phase_dialog_is_guarded(qtbot, new_ctx, modal, monkeypatch):
    import datetime as dt

    with new_ctx.db.write_scope() as session:
        campaign_id = add_campaign(session, "河湖清四乱专项活动").id
        phase_id = phase_rows(session, campaign_id)[0].id
    page = CampaignPage(new_ctx)
    qtbot.addWidget(page)
    page.select(campaign_id)
    row = next(r for r in range(page.phases.rowCount()) if page.phases.item(r, 0).data(ID_ROLE) == phase_id)
    page.phases.setCurrentCell(row, 0)
    other = _other_desk(new_ctx)
    monkeypatch.setattr(ui.form, "ask_overwrite", lambda parent, exc: False)
    errors = []

    def handler(dialog) -> None:
        with other.write_scope() as session:
            edit_phase(session, phase_id, start_on=dt.date(2026, 4, 1))
        set_fields(dialog, {"start_on": "2026-03-01"})
        dialog.accept()
        errors.append(dialog.form.error_text("start_on"))
        dialog.reject()

    modal.then(handler)
    try:
        page.edit_phase()
    finally:
        other.close()
    assert errors and "李四" in errors[0]
    with new_ctx.db.read_scope() as session:
        assert phase_rows(session, campaign_id)[0].start_on == dt.date(2026, 4, 1)


def test_a_suggestion_step_dialog_does_not_overwrite_a_reply_recorded_meanwhile(qtbot, new_ctx, modal, monkeypatch):
    import datetime as dt

    from models.services import suggestions as svc
    from ui.suggestion_page import SuggestionPage

    with new_ctx.db.write_scope() as session:
        row_id = svc.draft_suggestion(session, "某县水利局", items=["依法查处非法采砂行为。"]).id
        svc.issue(session, row_id, "宿检行公建〔2026〕31号", dt.date(2026, 9, 1))
        svc.mark_served(session, row_id, dt.date(2026, 9, 3))
    page = SuggestionPage(new_ctx)
    qtbot.addWidget(page)
    page.open_record(row_id)
    other = _other_desk(new_ctx)
    monkeypatch.setattr(ui.form, "ask_overwrite", lambda parent, exc: False)
    errors = []

    def handler(dialog) -> None:
        with other.write_scope() as session:
            svc.record_reply(session, row_id, dt.date(2026, 10, 20), "李四登记的回复内容")
        set_fields(dialog, {"replied_on": "2026-10-21", "content": "张三登记的回复内容"})
        dialog.accept()
        errors.append(dialog.form.error_text("replied_on") or dialog.form.error_text())
        dialog.reject()

    modal.then(handler)
    try:
        page.actions.run("reply")
    finally:
        other.close()
    assert errors and "李四" in errors[0]
    with new_ctx.db.read_scope() as session:
        values = svc.suggestion_view(session, row_id, dt.date(2026, 11, 23)).values
    assert values["replied_on"] == dt.date(2026, 10, 20) and values["reply_content"] == "李四登记的回复内容"
