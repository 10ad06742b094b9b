"""The clerk's main path, driven through the real widgets: create a case and a suggestion, issue and
serve it, see it due on the dashboard, record the reply, undo, preview and save the PDF."""
from __future__ import annotations

import datetime as dt

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QPushButton, QWidget

from models.services.suggestions import list_suggestions
from tests.conftest import DEMO_TODAY
from tests.ui.conftest import fill_and_accept, set_fields
from ui import files
from ui.context import AppContext
from ui.main_window import MainWindow
from ui.pdf_preview import PdfPreviewDialog


def _window(qtbot, ctx: AppContext) -> MainWindow:
    win = MainWindow(ctx)
    qtbot.addWidget(win)
    win.show()
    _activate(qtbot, win)
    return win


def _activate(qtbot, win: MainWindow) -> None:
    win.activateWindow()                       # shortcuts reach only the active window
    qtbot.waitUntil(win.isActiveWindow)


def test_case_to_suggestion_to_reply(qtbot, new_ctx, modal, tmp_path, monkeypatch):
    win = _window(qtbot, new_ctx)
    cases = win.show_screen("case")
    qtbot.keyClick(win, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)      # Ctrl+N: a new case
    set_fields(cases.form, {"case_no": "宿检行公〔2026〕1号", "title": "某河道非法采砂公益诉讼案",
                            "received_on": "2026-03-02", "handler": "张三"})
    qtbot.keyClick(win, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)      # Ctrl+S
    assert cases.current_id is not None and cases.model.total_count() == 1

    page = win.show_screen("suggestion")
    page.new_record()
    set_fields(page.form, {"addressee_name": "宿州市水利局", "facts": "经查，河道内存在非法采砂。",
                           "items": "依法查处非法采砂行为。\n建立河道巡查机制。"})
    assert page.save()
    suggestion_id = page.current_id

    modal.then(fill_and_accept({"doc_no": "宿检行公建〔2026〕1号", "issued_on": "2026-09-01"}))
    assert page.actions.run("issue")
    modal.then(fill_and_accept({"served_on": "2026-09-25", "method": "直接送达"}))
    assert page.actions.run("serve")
    assert page.form.editors["stage"].text() == "待回复"

    dashboard = win.show_screen("dashboard")      # due 2026-11-25: two days from DEMO_TODAY -> 黄色
    titles = [dashboard.due_model.index(r, 3).data() for r in range(dashboard.due_model.rowCount())]
    assert "检察建议 宿检行公建〔2026〕1号 待回复" in titles
    qtbot.waitUntil(lambda: dashboard.findChild(QWidget, "count_待回复").text() == "1", timeout=5000)

    win.open_record("suggestion", suggestion_id)
    modal.then(fill_and_accept({"replied_on": "2026-11-20", "content": "已开展专项整治。", "adoption": "采纳"}))
    assert page.actions.run("reply")
    dashboard = win.show_screen("dashboard")
    assert dashboard.due_model.rowCount() == 0

    win.show_screen("suggestion")
    _activate(qtbot, win)                      # the offscreen platform does not re-activate after a dialog
    page.table.setFocus()                      # (in a text field Ctrl+Z undoes typing instead)
    qtbot.keyClick(page.table, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)  # undo the reply
    with new_ctx.db.session_scope() as session:
        (row,) = list_suggestions(session)
    assert row.replied_on is None and row.stage == "待回复"

    saved = tmp_path / "建议书.pdf"
    monkeypatch.setattr(files, "ask_save_path", lambda *a: saved)
    _activate(qtbot, win)
    qtbot.keyClick(win, Qt.Key.Key_P, Qt.KeyboardModifier.ControlModifier)      # Ctrl+P: preview to print
    qtbot.waitUntil(lambda: page.actions.last_pdf is not None, timeout=20000)
    assert page.actions.last_pdf.startswith(b"%PDF")
    preview = next(w for w in win.findChildren(PdfPreviewDialog))
    assert preview.page_count() >= 1
    preview.save_as()
    assert saved.read_bytes() == page.actions.last_pdf


def test_lifecycle_rule_errors_show_in_the_dialog(qtbot, new_ctx, modal):
    win = _window(qtbot, new_ctx)
    page = win.show_screen("suggestion")
    set_fields(page.form, {"addressee_name": "宿州市林业局", "items": "加强巡查。"})
    assert page.save()
    errors: list[str] = []

    def serve_before_issue(dialog: QWidget) -> None:
        set_fields(dialog, {"served_on": "2026-09-25"})
        dialog.accept()
        errors.append(dialog.form.error_text())
        dialog.reject()

    modal.then(serve_before_issue)
    assert not page.actions.run("serve")
    assert errors == ["该检察建议尚未制发，不能登记送达"]

    def bad_date(dialog: QWidget) -> None:
        set_fields(dialog, {"doc_no": "宿检行公建〔2026〕2号", "issued_on": "2026-13-45"})
        dialog.accept()
        errors.append(dialog.form.error_text("issued_on"))
        dialog.reject()

    modal.then(bad_date)
    page.actions.run("issue")
    assert "年-月-日" in errors[-1]


def test_red_reply_rows_are_coloured_in_the_ledger(qtbot, demo_ctx):
    win = _window(qtbot, demo_ctx)
    page = win.show_screen("suggestion")
    model = page.model
    stages = {model.index(r, 7).data(): model.index(r, 0).data(Qt.ItemDataRole.BackgroundRole)
              for r in range(model.rowCount())}
    assert stages["待回复"] is not None and stages["草稿"] is None
    assert any(isinstance(b, QPushButton) for b in page.findChildren(QPushButton))
    assert DEMO_TODAY == demo_ctx.today() and isinstance(DEMO_TODAY, dt.date)
