"""Two clerks on one record: the form's save is refused when someone else changed a field it changes
since it was opened; both values are shown side by side, the typed text stays, and 覆盖 saves it."""
from __future__ import annotations

import dataclasses

import ui.form
from models.case import Case
from models.services.cases import edit_case, register_case
from models.services.common import get_live
from models.services.suggestions import draft_suggestion, edit_suggestion
from models.suggestion import Suggestion
from ui.case_page import CasePage
from ui.form import EditConflictDialog
from ui.suggestion_page import SuggestionPage


def _other_clerk(ctx):
    return dataclasses.replace(ctx.db, user="李四")


def test_the_case_form_shows_the_conflict_keeps_the_typed_text_and_may_overwrite(qtbot, new_ctx, monkeypatch):
    with new_ctx.db.write_scope() as session:
        case_id = register_case(session, "癸案", handler="李明", summary="初稿").id
    page = CasePage(new_ctx)
    qtbot.addWidget(page)
    page.select(case_id)
    editor = page.form.editors["handler"]
    editor.setText("张三填写的")
    editor.textEdited.emit("张三填写的")   # as typed by the clerk: the form is dirty
    with _other_clerk(new_ctx).write_scope() as session:
        edit_case(session, case_id, handler="李四改的")

    shown = []

    def refuse(parent, exc):
        dialog = EditConflictDialog(parent, exc)
        qtbot.addWidget(dialog)
        shown.append(dialog.rows)
        return False

    monkeypatch.setattr(ui.form, "ask_overwrite", refuse)
    assert page.save() is False
    assert shown == [[("承办人", "张三填写的", "李四改的", "李四")]]
    assert page.form.editors["handler"].text() == "张三填写的" and page.form.is_dirty()
    assert "李四" in page.form.error_text("handler")
    with new_ctx.db.read_scope() as session:
        assert get_live(session, Case, case_id).handler == "李四改的"

    monkeypatch.setattr(ui.form, "ask_overwrite", lambda parent, exc: True)
    assert page.save() is True
    with new_ctx.db.read_scope() as session:
        assert get_live(session, Case, case_id).handler == "张三填写的"


def test_the_suggestion_form_merges_other_fields_and_refuses_the_same_one(qtbot, new_ctx, monkeypatch):
    with new_ctx.db.write_scope() as session:
        suggestion_id = draft_suggestion(session, "某镇人民政府", facts="原事实").id
    page = SuggestionPage(new_ctx)
    qtbot.addWidget(page)
    page.select(suggestion_id)
    page.form.editors["facts"].setPlainText("张三写的事实")
    with _other_clerk(new_ctx).write_scope() as session:
        edit_suggestion(session, suggestion_id, follow_up="李四跟进")
    assert page.save() is True      # 李四 changed another field: both stay
    with new_ctx.db.read_scope() as session:
        suggestion = get_live(session, Suggestion, suggestion_id)
        assert (suggestion.facts, suggestion.follow_up) == ("张三写的事实", "李四跟进")

    page.form.editors["facts"].setPlainText("张三再改")
    with _other_clerk(new_ctx).write_scope() as session:
        edit_suggestion(session, suggestion_id, facts="李四改的事实")
    refused = []
    monkeypatch.setattr(ui.form, "ask_overwrite", lambda parent, exc: refused.append(exc) or False)
    assert page.save() is False
    assert refused and refused[0].code == "edit_conflict"
    assert page.form.editors["facts"].toPlainText() == "张三再改"
    with new_ctx.db.read_scope() as session:
        assert get_live(session, Suggestion, suggestion_id).facts == "李四改的事实"
