"""Validation next to the field, ask-to-save on leave and close, remembered layout, attachments by drop,
quick search on the dashboard; date pickers that take typed dates and may be empty, spin boxes for
numbers, Ctrl+N into the first field."""
from __future__ import annotations

import datetime as dt

import pytest
from PySide6.QtCore import QDate, QMimeData, QPoint, Qt, QUrl
from PySide6.QtGui import QDropEvent
from PySide6.QtWidgets import QDateEdit, QSpinBox, QToolButton

from models.errors import DomainError
from models.services.attachments import attachments_of
from models.services.cases import list_cases
from tests.ui.conftest import set_fields
from ui import messages
from ui.date_edit import BadDate, parse_date_text
from ui.form import FieldSpec, FormWidget
from ui.main_window import MainWindow


def test_domain_error_appears_under_its_field(qtbot, window):
    cases = window.show_screen("case")
    cases.new_record()
    set_fields(cases.form, {"title": "", "received_on": "2026-05-01", "filed_on": "2026-04-01"})
    assert not cases.save()
    assert cases.form.error_text("title") == "请填写案件名称"
    set_fields(cases.form, {"title": "某案"})
    assert not cases.save()
    assert "受理 ≤ 立案" in cases.form.error_text("filed_on")
    set_fields(cases.form, {"received_on": "2026-02-30"})
    assert not cases.save()
    assert "年-月-日" in cases.form.error_text("received_on")
    cases.form.mark_clean()   # leave without the ask-to-save box at teardown


def test_unsaved_edit_asks_before_closing(qtbot, demo_ctx, monkeypatch):
    win = MainWindow(demo_ctx)
    qtbot.addWidget(win)
    win.show()
    cases = win.show_screen("case")
    cases.select(cases.model.row_id(0))
    title = cases.form.editors["title"]
    qtbot.keyClicks(title, " v2")                            # typed: the form is dirty
    answers = iter(["cancel", "save"])
    monkeypatch.setattr(messages, "ask_save_changes", lambda parent: next(answers))
    assert not win.close()                                   # 取消: the window stays open
    assert win.isVisible()
    assert win.close()                                       # 保存: saved, then closed
    with demo_ctx.db.session_scope() as session:
        assert any(r.title.endswith(" v2") for r in list_cases(session))


def test_window_layout_is_remembered(qtbot, demo_ctx):
    first = MainWindow(demo_ctx)
    qtbot.addWidget(first)
    first.show()
    first.resize(760, 540)                                 # within the offscreen 800×600 screen
    first.show_screen("unit")
    size = first.size()
    first.close()
    second = MainWindow(demo_ctx)
    qtbot.addWidget(second)
    # the size is remembered; the screen is not: the app always reopens on 首页
    assert second.nav.currentRow() == 0 and second.size().height() == size.height() == 540


def test_files_dropped_on_the_attachment_list_are_stored(qtbot, window, tmp_path):
    page = window.show_screen("suggestion")
    page.select(page.model.row_id(0))
    scan = tmp_path / "回复函扫描件.pdf"
    scan.write_bytes(b"%PDF-1.4 scan")
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(scan))])
    drop = QDropEvent(QPoint(5, 5), Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton,
                      Qt.KeyboardModifier.NoModifier)
    page.attachments.dropEvent(drop)   # stored by a writing operation off the GUI thread
    qtbot.waitUntil(lambda: page.attachments.count() == 1, timeout=10000)
    assert page.attachments.count() == 1 and "回复函扫描件.pdf" in page.attachments.item(0).text()
    with window.ctx.db.session_scope() as session:
        assert [(a.filename, a.size) for a in attachments_of(session, page.current_id)] == [("回复函扫描件.pdf", 13)]


def test_dashboard_quick_search_opens_the_record(qtbot, window):
    dashboard = window.show_screen("dashboard")
    window.show_screen("case")
    window.show_screen("dashboard")
    qtbot.keyClick(window, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)   # Ctrl+F
    assert dashboard.search_edit.hasFocus()
    dashboard.search_edit.setText("水利")               # (QTest cannot type Chinese characters)
    qtbot.keyClick(dashboard.search_edit, Qt.Key.Key_Return)
    texts = [dashboard.hits.item(i).text() for i in range(dashboard.hits.count())]
    hit = next(i for i, t in enumerate(texts) if t.strip().startswith("【检察建议】"))
    dashboard.hits.itemActivated.emit(dashboard.hits.item(hit))
    page = window.current_screen()
    assert page is window.screens["suggestion"] and "水利局" in page.heading.text()


# -- forms a clerk is at ease with ------------------------------------------------------------------

def _date_form(qtbot):
    form = FormWidget((FieldSpec("title", "名称"), FieldSpec("held_on", "会议日期", "date"),
                       FieldSpec("days", "天数", "int", minimum=1, maximum=90, suffix=" 天"), FieldSpec("note", "备注")))
    qtbot.addWidget(form)
    form.show()
    qtbot.waitExposed(form)
    return form


@pytest.mark.parametrize("typed", ["2026-03-05", "2026.3.5", "2026/3/5", "2026年3月5日", "2026 年 3 月 5 日",
                                   "20260305", "２０２６－０３－０５"])
def test_dates_are_understood_the_ways_clerks_write_them(typed):
    assert parse_date_text(typed) == dt.date(2026, 3, 5)


@pytest.mark.parametrize("typed", ["2026-02-30", "2026-13-01", "3/5/2026", "明天", "2026-3"])
def test_impossible_or_unclear_dates_are_refused(typed):
    with pytest.raises(BadDate):
        parse_date_text(typed)


def test_date_field_is_a_calendar_popup_that_takes_typed_dates(qtbot):
    form = _date_form(qtbot)
    editor = form.editors["held_on"]
    assert isinstance(editor, QDateEdit) and editor.calendarPopup()
    form.set_values({"title": "联席会议", "held_on": dt.date(2026, 1, 2), "days": 7})
    editor.setFocus()
    qtbot.waitUntil(editor.hasFocus)
    qtbot.keyClicks(editor, "2026.3.5")                    # replaces the selected old date
    qtbot.keyClick(editor, Qt.Key.Key_Tab)                 # Tab leaves the field (not the month part)
    assert form.editors["days"].hasFocus()
    assert editor.date() == QDate(2026, 3, 5) and editor.text() == "2026-03-05"
    assert form.values()["held_on"] == dt.date(2026, 3, 5) and form.is_dirty()
    editor.setText("2026年12月31日")                          # (QTest cannot type Chinese characters)
    assert form.values()["held_on"] == dt.date(2026, 12, 31)
    editor.calendarWidget().clicked.emit(QDate(2026, 4, 8))   # a day picked in the popup
    assert form.values()["held_on"] == dt.date(2026, 4, 8)


def test_a_date_field_can_be_left_empty_and_emptied(qtbot):
    form = _date_form(qtbot)
    editor = form.editors["held_on"]
    form.set_values({"title": "x", "held_on": None, "days": 1})
    assert form.values()["held_on"] is None and editor.text() == ""
    form.set_values({"held_on": dt.date(2026, 5, 1)})
    editor.setFocus()
    qtbot.waitUntil(editor.hasFocus)
    qtbot.keyClick(editor, Qt.Key.Key_Delete)              # the whole date is selected on entry
    assert form.values()["held_on"] is None
    form.editors["note"].setFocus()
    qtbot.waitUntil(lambda: not editor.hasFocus())
    assert form.values()["held_on"] is None and editor.lineEdit().text() == "（未填）"
    qtbot.keyClick(editor, Qt.Key.Key_Up)                  # arrows on an empty date start from today
    assert editor.date() == QDate.currentDate()


def test_an_impossible_typed_date_is_kept_and_reported_under_the_field(qtbot):
    form = _date_form(qtbot)
    editor = form.editors["held_on"]
    form.set_values({"held_on": dt.date(2026, 2, 1)})
    editor.setFocus()
    qtbot.waitUntil(editor.hasFocus)
    qtbot.keyClicks(editor, "2026-02-30")
    form.editors["note"].setFocus()
    qtbot.waitUntil(lambda: bool(form.error_text("held_on")))
    assert "年-月-日" in form.error_text("held_on") and editor.lineEdit().text() == "2026-02-30"
    with pytest.raises(DomainError) as error:
        form.values()
    assert error.value.code == "bad_date" and error.value.fields["field"] == "held_on"
    form.show_domain_error(error.value)                    # as on 保存: the cursor goes back to the field
    qtbot.waitUntil(editor.hasFocus)
    assert editor.lineEdit().text() == "2026-02-30"        # still what was typed, ready to correct


def test_a_date_set_without_focus_and_refused_on_save_stays_visible(qtbot, window):
    cases = window.show_screen("case")
    cases.select(cases.model.row_id(0))
    cases.form.editors["filed_on"].setText("2026-02-30")
    assert not cases.save()
    assert "年-月-日" in cases.form.error_text("filed_on")
    assert cases.form.editors["filed_on"].lineEdit().text() == "2026-02-30"
    cases.form.mark_clean()


def test_numbers_are_spin_boxes_within_their_range(qtbot):
    form = _date_form(qtbot)
    spin = form.editors["days"]
    assert isinstance(spin, QSpinBox) and (spin.minimum(), spin.maximum()) == (1, 90) and spin.suffix() == " 天"
    form.set_values({"days": "7"})
    assert form.values()["days"] == 7 and not form.is_dirty()
    spin.setFocus()
    qtbot.keyClick(spin, Qt.Key.Key_Up)
    assert form.values()["days"] == 8 and form.is_dirty()
    spin.setValue(500)
    assert form.values()["days"] == 90


def test_ctrl_n_puts_the_cursor_in_the_first_field(qtbot, window):
    cases = window.show_screen("case")
    cases.select(cases.model.row_id(0))
    window.nav.setFocus()
    qtbot.keyClick(window, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: cases.form.editors["case_no"].hasFocus())
    assert cases.current_id is None and cases.form.editors["case_no"].text() == ""
    meetings = window.show_screen("meeting")
    qtbot.keyClick(window, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: meetings.form.editors["title"].hasFocus())


def test_the_clear_button_of_a_date_empties_it(qtbot):
    form = _date_form(qtbot)
    editor = form.editors["held_on"]
    form.set_values({"held_on": dt.date(2026, 5, 1)})
    assert editor.lineEdit().isClearButtonEnabled()
    editor.lineEdit().findChild(QToolButton).click()          # the ✕ inside the field, without focus
    assert form.values()["held_on"] is None and form.is_dirty()
    assert editor.lineEdit().text() == "（未填）"
