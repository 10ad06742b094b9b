"""The main window's part of issue 10: 立即锁定 and 退出 in the menu, reopening on 首页, no database path
in the status bar, and the whole-database jobs (backup, restore) run as operations off the GUI thread."""
from __future__ import annotations

from PySide6.QtWidgets import QLabel

from models.services.cases import list_cases, register_case
from models.services.restore import available_backups
from models.services.setup import backup_now
from ui import messages
from ui.main_window import MainWindow
from ui.workers import running_operations


def _menu_texts(window) -> dict[str, list[str]]:
    return {menu_action.text(): [a.text() for a in menu_action.menu().actions()]
            for menu_action in window.menuBar().actions()}


def test_menu_offers_lock_and_quit_and_lock_uses_the_idle_lock(qtbot, window):
    menus = _menu_texts(window)
    assert "立即锁定" in menus["系统"] and "退出" in menus["系统"] and "立即备份" in menus["系统"]
    locked = []

    class FakeLock:
        def lock(self) -> None:
            locked.append(True)

    window.idle_lock = FakeLock()
    window.actions_by_name["lock"].trigger()
    assert locked == [True]
    window.actions_by_name["quit"].trigger()
    assert not window.isVisible()


def test_status_bar_shows_no_database_path_and_the_app_reopens_on_the_home_screen(qtbot, demo_ctx):
    first = MainWindow(demo_ctx)
    qtbot.addWidget(first)
    first.show()
    first.show_screen("meeting")
    texts = [label.text() for label in first.statusBar().findChildren(QLabel)]
    path = str(demo_ctx.db.path)
    assert texts and not any(path in t or demo_ctx.db.path.parent.name in t for t in texts)
    first.close()
    second = MainWindow(demo_ctx)
    qtbot.addWidget(second)
    assert second.nav.currentRow() == 0 and second.current_screen() is second.screens["dashboard"]


def test_backup_and_restore_run_as_operations_and_every_screen_follows(qtbot, window, monkeypatch):
    notes: list[str] = []
    monkeypatch.setattr(messages, "notify", lambda widget, text: notes.append(text))
    ctx = window.ctx
    window.actions_by_name["backup"].trigger()
    qtbot.waitUntil(lambda: any(n.startswith("已备份并校验") for n in notes), timeout=20000)
    backup = available_backups(ctx.db)[0].path
    with ctx.db.write_scope() as session:
        register_case(session, "备份之后误录的案件")
    cases = window.show_screen("case")
    cases.reload()
    old_db = ctx.db
    window.restore_backup_file(backup)
    assert not window.isEnabled() and running_operations()   # nothing may read while the file is swapped
    qtbot.waitUntil(lambda: "已从备份恢复" in notes, timeout=20000)
    assert window.isEnabled() and ctx.db is not old_db
    assert "备份之后误录的案件" not in ctx.read(lambda session: {c.title for c in list_cases(session)})
    shown = {cases.model.index(r, c).data() for r in range(cases.model.rowCount())
             for c in range(cases.model.columnCount())}
    assert "备份之后误录的案件" not in shown
    backup_now(ctx.db)   # the reopened database is fully usable


def test_ctrl_z_reverts_the_last_saved_edit_from_the_op_log(qtbot, window, monkeypatch):
    from PySide6.QtCore import Qt

    from tests.ui.conftest import set_fields

    monkeypatch.setattr(messages, "confirm", lambda parent, text: True)
    page = window.show_screen("case")
    row_id = page.model.row_id(0)
    page.select(row_id)
    original = page.form.values()["title"]
    set_fields(page.form, {"title": "改错的名称"})
    assert page.save()
    page.table.setFocus()                       # (in a text field Ctrl+Z undoes typing instead)
    qtbot.keyClick(page.table, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    stored = window.ctx.read(lambda session: {c.id: c.title for c in list_cases(session)})
    assert stored[row_id] == original and page.form.values()["title"] == original
    page.delete_current()                       # 删除, then Ctrl+Z with no record selected brings it back
    assert page.current_id is None and row_id not in window.ctx.read(
        lambda session: {c.id for c in list_cases(session)})
    window.undo()
    assert page.current_id == row_id and page.form.values()["title"] == original


def test_the_idle_lock_waits_for_a_running_operation(qtbot, window, monkeypatch):
    import threading

    from PySide6.QtWidgets import QApplication

    from ui.idle_lock import IdleLock
    from ui.workers import Operation, run_operation

    relocked: list[bool] = []
    lock = IdleLock(window, window.ctx, minutes=1, relock=lambda path: relocked.append(True) or None,
                    clock=lambda: 10_000.0)
    lock.last_input = 0.0
    release = threading.Event()
    done: list[object] = []
    run_operation(window, Operation("正在导出…", lambda progress, cancelled: release.wait(10)), done.append)
    lock.check()
    assert relocked == [] and window.isVisible()          # closing the database now would abort the job
    release.set()
    qtbot.waitUntil(lambda: done == [True], timeout=10000)
    quit_called: list[bool] = []
    monkeypatch.setattr(QApplication, "quit", lambda: quit_called.append(True))
    lock.check()                                           # now it locks (and the test declines to unlock)
    assert relocked == [True] and quit_called == [True]


def test_home_screen_reads_its_counts_once_at_start_up_and_again_when_revisited(qtbot, demo_ctx, monkeypatch):
    from ui.dashboard import Dashboard

    refreshes: list[bool] = []
    original = Dashboard.refresh
    monkeypatch.setattr(Dashboard, "refresh", lambda self: refreshes.append(True) or original(self))
    window = MainWindow(demo_ctx)
    qtbot.addWidget(window)
    window.show()
    assert len(refreshes) == 1
    window.show_screen("case")
    window.show_screen("dashboard")              # coming back shows what changed meanwhile
    assert len(refreshes) == 2
