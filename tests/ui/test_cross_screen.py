"""The seams between screens: records open each other, units keep their 别名, returns of several units
show whose they are, and an office's old records come in from the 系统 menu."""
import datetime as dt

from models.services.cases import list_cases
from models.services.suggestions import list_suggestions
from models.services.tasks import add_progress
from models.services.units import list_units
from models.suggestion import Suggestion
from models.tasklist import Measure
from tests.ui.conftest import set_fields


def test_a_filtered_list_still_opens_the_record_asked_for(qtbot, window):
    page = window.show_screen("suggestion")
    target = window.ctx.read(lambda session: list_suggestions(session)[-1].id)
    page.search_edit.setText("不会匹配任何记录的文字")
    assert page.model.row_of(target) is None
    window.open_record("suggestion", target)
    assert window.current_screen() is page and page.current_id == target
    assert page.search_edit.text() == "" and page.model.row_of(target) is not None


def test_a_case_opens_its_suggestion_through_the_window(qtbot, window):
    cases = window.show_screen("case")
    case_id, suggestion = window.ctx.read(lambda session: next(
        (s.case_id, s.id) for s in session.query(Suggestion).filter(Suggestion.case_id.is_not(None))))
    cases.open_record(case_id)
    cases.open_requested.emit("suggestion", suggestion)
    assert window.current_screen() is window.screens["suggestion"]
    assert window.screens["suggestion"].current_id == suggestion
    assert case_id in {c.id for c in window.ctx.read(list_cases)}


def test_unit_aliases_are_kept(qtbot, window):
    page = window.show_screen("unit")
    page.new_record()
    set_fields(page.form, {"name": "某市市场监督管理局", "short_name": "市市场监管局", "aliases": "市场监管局、工商局"})
    assert page.save()
    saved = {u.name: u for u in window.ctx.read(list_units)}
    assert "某市市场监督管理局" in saved
    page.open_record(page.current_id)
    assert page.form.values()["aliases"] == "市场监管局、工商局"


def test_progress_entries_say_which_unit_reported(qtbot, window):
    tasks = window.show_screen("tasks")
    with window.ctx.db.write_scope() as session:
        measure = session.query(Measure).filter(Measure.deleted.is_(False)).first()
        add_progress(session, measure.id, status="推进中", text="本单位已完成排查", reported_on=dt.date(2026, 11, 1),
                     unit_name="宿州市司法局")
        measure_id = measure.id
    tasks.load_tree()
    assert tasks.show_measure(measure_id)
    lines = [tasks.progress_list.item(i).text() for i in range(tasks.progress_list.count())]
    assert any("本单位已完成排查" in line and "宿州市司法局" in line for line in lines)
    assert tasks.review_button.isVisibleTo(tasks)


def test_the_system_menu_opens_the_records_import(qtbot, window):
    from ui.records_import import RecordsImportDialog

    window.actions_by_name["import_ledger"].trigger()
    dialogs = [w for w in window.findChildren(RecordsImportDialog)]
    assert len(dialogs) == 1 and dialogs[0].isVisible()
    dialogs[0].close()
