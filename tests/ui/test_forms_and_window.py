"""Validation next to the field, ask-to-save on leave and close, remembered layout, attachments by drop,
quick search on the dashboard."""
from __future__ import annotations

from PySide6.QtCore import QMimeData, QPoint, Qt, QUrl
from PySide6.QtGui import QDropEvent

from models.services.attachments import attachments_of
from models.services.cases import list_cases
from tests.ui.conftest import set_fields
from ui import messages
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
    assert second.nav.currentRow() == 5 and second.size().height() == size.height() == 540


def test_files_dropped_on_the_attachment_list_are_stored(qtbot, window, tmp_path):
    page = window.show_screen("suggestion")
    page.select(page.model.row_id(0))
    scan = tmp_path / "回复函扫描件.pdf"
    scan.write_bytes(b"%PDF-1.4 scan")
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(scan))])
    drop = QDropEvent(QPoint(5, 5), Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton,
                      Qt.KeyboardModifier.NoModifier)
    page.attachments.dropEvent(drop)
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
    hit = next(i for i, t in enumerate(texts) if t.startswith("【检察建议】"))
    dashboard.hits.itemActivated.emit(dashboard.hits.item(hit))
    page = window.current_screen()
    assert page is window.screens["suggestion"] and "水利局" in page.heading.text()
