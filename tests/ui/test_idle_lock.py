"""After the idle time the database is closed and the window hidden until the password is entered."""
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from models.services.setup import unlock
from tests.conftest import TEST_PASSWORD
from ui.idle_lock import IdleLock


def test_idle_window_locks_and_reopens_with_the_password(qtbot, window):
    ctx, now = window.ctx, [1000.0]
    asked = []

    def relock(path):
        asked.append(window.isVisible())
        return unlock(path, password=TEST_PASSWORD)

    lock = IdleLock(window, ctx, minutes=15, relock=relock, clock=lambda: now[0])
    old_db = ctx.db
    now[0] += 14 * 60
    qtbot.keyClick(window, Qt.Key.Key_Shift)          # input resets the idle time
    now[0] += 14 * 60
    lock.check()
    assert ctx.db is old_db and not asked
    now[0] += 2 * 60
    lock.check()
    assert asked == [False]                            # the window was hidden while asking
    assert ctx.db is not old_db and window.isVisible()
    with ctx.db.session_scope() as session:            # and the new connection works
        assert session.connection().exec_driver_sql("select 1").scalar() == 1


def test_cancelling_the_unlock_quits(qtbot, window, monkeypatch):
    quit_called = []
    monkeypatch.setattr(QApplication, "quit", lambda: quit_called.append(True))
    lock = IdleLock(window, window.ctx, minutes=1, relock=lambda path: None, clock=lambda: 10_000.0)
    lock.last_input = 0.0
    lock.check()
    assert quit_called == [True]
