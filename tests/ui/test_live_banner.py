"""An open form whose record another desk changed shows a quiet banner (此记录已被 XX 修改：重新载入 /
继续编辑); the clerk's typed text is never replaced by itself: 继续编辑 keeps it (a save over the same
field then shows both values side by side), 重新载入 shows what is stored now."""
from __future__ import annotations

import ui.form
from models.services.changes import current_mark, poll
from models.services.meetings import add_meeting, edit_meeting
from models.services.units import add_unit, edit_unit
from models.storage import open_database
from tests.conftest import DEMO_TODAY
from ui.meeting_page import MeetingPage
from ui.unit_page import UnitPage


def _other_desk(ctx):
    return open_database(ctx.db.path, ctx.db.dek, user="李四")


def _tell(page, ctx, mark: int) -> None:
    """What the window's watcher and main window do after a poll (ui.change_watcher, data_changed)."""
    changes = poll(ctx.db, mark)
    ctx.others_changed.emit(changes)
    page.reload()


def test_typed_text_stays_under_the_banner_and_reload_shows_the_stored_record(qtbot, new_ctx):
    with new_ctx.db.write_scope() as session:
        unit_id = add_unit(session, "某县市场监督管理局", liaison_name="王五").id
    page = UnitPage(new_ctx)
    qtbot.addWidget(page)
    page.show()
    page.select(unit_id)
    editor = page.form.editors["liaison_name"]
    editor.setText("张三填写的")
    editor.textEdited.emit("张三填写的")
    mark = current_mark(new_ctx.db)
    other = _other_desk(new_ctx)
    try:
        with other.write_scope() as session:
            edit_unit(session, unit_id, liaison_name="李四改的", liaison_phone="0557-1111111")
    finally:
        other.close()
    _tell(page, new_ctx, mark)
    assert page.banner.isVisible()
    assert page.banner_label.text().startswith("此记录已被 李四 修改")
    assert page.reload_button.isVisible() and page.keep_button.isVisible()
    assert editor.text() == "张三填写的" and page.form.is_dirty()          # never replaced by itself
    assert page.model.row_of(unit_id) is not None

    page.keep_button.click()                                             # 继续编辑
    assert not page.banner.isVisible() and editor.text() == "张三填写的"
    asked = []
    original = ui.form.ask_overwrite
    ui.form.ask_overwrite = lambda parent, exc: asked.append(exc) or False
    try:
        assert page.save() is False                                      # the same field: both values shown
    finally:
        ui.form.ask_overwrite = original
    assert asked and asked[0].code == "edit_conflict" and editor.text() == "张三填写的"

    _tell(page, new_ctx, mark)
    page.reload_button.click()                                           # 重新载入: what is stored now
    assert editor.text() == "李四改的" and page.form.editors["liaison_phone"].text() == "0557-1111111"
    assert not page.form.is_dirty() and not page.banner.isVisible()


def test_an_unchanged_form_shows_the_new_values_and_a_deleted_record_is_said_so(qtbot, new_ctx):
    from models.services.trash import delete_record

    with new_ctx.db.write_scope() as session:
        meeting_id = add_meeting(session, "第一次联席会议", DEMO_TODAY, topics="原议题").id
    page = MeetingPage(new_ctx)
    qtbot.addWidget(page)
    page.show()
    page.select(meeting_id)
    mark = current_mark(new_ctx.db)
    other = _other_desk(new_ctx)
    try:
        with other.write_scope() as session:
            edit_meeting(session, meeting_id, topics="李四改的议题")
        _tell(page, new_ctx, mark)
        assert page.form.editors["topics"].toPlainText() == "李四改的议题"
        assert page.banner.isVisible() and "已显示最新内容" in page.banner_label.text()
        assert page.close_banner_button.isVisible() and not page.reload_button.isVisible()
        mark = current_mark(new_ctx.db)
        with other.write_scope() as session:
            delete_record(session, "meeting", meeting_id)
    finally:
        other.close()
    _tell(page, new_ctx, mark)
    assert page.current_id is None and "删除" in page.banner_label.text()
    assert page.model.row_of(meeting_id) is None


def test_a_change_of_another_record_shows_no_banner(qtbot, new_ctx):
    with new_ctx.db.write_scope() as session:
        shown = add_unit(session, "某县应急管理局").id
        elsewhere = add_unit(session, "某县消防救援大队").id
    page = UnitPage(new_ctx)
    qtbot.addWidget(page)
    page.show()
    page.select(shown)
    mark = current_mark(new_ctx.db)
    other = _other_desk(new_ctx)
    try:
        with other.write_scope() as session:
            edit_unit(session, elsewhere, note="李四备注")
    finally:
        other.close()
    _tell(page, new_ctx, mark)
    assert not page.banner.isVisible()


def test_reload_of_a_record_another_desk_deleted_says_so(qtbot, new_ctx):
    from models.services.trash import delete_record

    with new_ctx.db.write_scope() as session:
        unit_id = add_unit(session, "某县城市管理局").id
    page = UnitPage(new_ctx)
    qtbot.addWidget(page)
    page.show()
    page.select(unit_id)
    editor = page.form.editors["note"]
    editor.setPlainText("张三的备注")
    mark = current_mark(new_ctx.db)
    other = _other_desk(new_ctx)
    try:
        with other.write_scope() as session:
            delete_record(session, "unit", unit_id)
    finally:
        other.close()
    _tell(page, new_ctx, mark)
    assert page.reload_button.isVisible() and editor.toPlainText() == "张三的备注"   # typed text kept
    page.reload_button.click()
    assert page.current_id is None and page.banner.isVisible() and "已被删除" in page.banner_label.text()
    assert not page.reload_button.isVisible()
