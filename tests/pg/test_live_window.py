"""The open window notices what another desk writes (issue 16 item 3), on a file (a second handle on
the same file, as a CLI import in another process) and on the PostgreSQL test cluster (a second login
to the same server database): the 单位 list shows the other desk's new unit within a few polls, the
window's own saves are not reported as someone else's, nothing is read while the window is locked, and
polling stops with the window. The watcher's timer is driven directly instead of waiting for it."""
from __future__ import annotations

import time

from models.services.units import add_unit, edit_unit
from tests.core.test_edit_guard_changes import second_desk
from tests.ui.conftest import qt_application  # noqa: F401  (the app font and translator, autouse)
from ui.context import AppContext
from ui.main_window import MainWindow
from ui.unit_page import UnitPage


def _window(qtbot, db) -> MainWindow:
    window = MainWindow(AppContext(db))
    qtbot.addWidget(window)
    return window


def _polled(qtbot, window: MainWindow, until, polls: int = 3) -> bool:
    """Drive the watcher's timer up to `polls` times; True as soon as `until()` holds."""
    for _ in range(polls):
        poll_once(qtbot, window)
        if until():
            return True
    return until()


def poll_once(qtbot, window: MainWindow) -> None:
    """One tick of the watcher's timer, waited for until its answer has been handled."""
    answered = window.watcher.polls
    window.watcher.poll()
    qtbot.waitUntil(lambda: window.watcher.polls > answered, timeout=5000)


def test_another_desks_new_unit_shows_in_the_open_unit_list(qtbot, new_db):
    window = _window(qtbot, new_db)
    assert window.watcher.running
    page = window.show_screen("unit")
    assert isinstance(page, UnitPage)
    other = second_desk(new_db, "李四")
    try:
        with other.write_scope() as session:
            unit_id = add_unit(session, "某县生态环境分局").id
        assert page.model.row_of(unit_id) is None          # nothing refreshes by itself before a poll
        seen = []
        window.ctx.others_changed.connect(seen.append)
        assert _polled(qtbot, window, lambda: page.model.row_of(unit_id) is not None)
        assert seen and seen[-1].entities == {"unit"} and seen[-1].changed_by("unit", unit_id) == ("李四",)

        # this window's own save is not someone else's change: no report, no extra refresh
        seen.clear()
        page.select(unit_id)
        page.form.editors["liaison_name"].setText("张三")
        page.form.changed.emit()
        assert page.save()
        poll_once(qtbot, window)
        assert seen == []

        # the other desk edits it: the open form (unchanged) shows the new value and says who
        with other.write_scope() as session:
            edit_unit(session, unit_id, liaison_phone="0557-7654321")
        assert _polled(qtbot, window, lambda: page.form.editors["liaison_phone"].text() == "0557-7654321")
        assert page.banner.isVisibleTo(page) and "李四" in page.banner_label.text()
        assert page.form.editors["liaison_name"].text() == "张三"
    finally:
        other.close()


def test_no_poll_while_locked_and_none_after_the_window_closed(qtbot, new_db):
    window = _window(qtbot, new_db)
    window.ctx.locked = True            # the idle lock closes the database: nothing may read it
    before = window.watcher.polls
    window.watcher.poll()
    qtbot.wait(100)
    assert window.watcher.polls == before and not window.watcher._in_flight
    window.ctx.locked = False
    window.close()
    assert not window.watcher.running
    window.watcher.poll()               # a stray tick after closing reads nothing
    assert not window.watcher._in_flight


def test_nothing_changed_is_one_cheap_query(new_db):
    """The idle poll: the highest arrival, one index lookup (measured: well under a few milliseconds)."""
    from models.services.changes import current_mark, poll

    with new_db.write_scope() as session:
        for n in range(200):
            add_unit(session, f"某县第{n}测试单位")
    mark = current_mark(new_db)
    started = time.perf_counter()
    for _ in range(20):
        assert not poll(new_db, mark)
    per_poll = (time.perf_counter() - started) / 20
    assert per_poll < 0.05, per_poll


def test_the_idle_lock_pauses_polling_and_the_reopened_database_is_watched(qtbot, new_db):
    from ui.idle_lock import IdleLock

    window = _window(qtbot, new_db)
    during_lock = []

    def relock(_path):
        during_lock.append(window.ctx.locked)
        window.watcher.poll()                      # a timer tick while the password dialog is open
        during_lock.append(window.watcher._in_flight)
        return second_desk(new_db, new_db.user)    # the database opened again after the password

    window.idle_lock = IdleLock(window, window.ctx, 0, relock)
    window.idle_lock.lock()
    assert during_lock == [True, False] and not window.ctx.locked
    reopened = window.ctx.db
    assert reopened is not new_db
    seen = []
    window.ctx.others_changed.connect(seen.append)
    window.watcher.poll()                          # notices the new handle: starts afresh from its mark
    with reopened.write_scope() as session:        # the window's own write on the reopened database
        add_unit(session, "某县审计局")
    poll_once(qtbot, window)
    assert seen == []
    other = second_desk(new_db, "李四")
    try:
        with other.write_scope() as session:
            unit_id = add_unit(session, "某县统计局").id
        poll_once(qtbot, window)
        assert seen and seen[-1].changed_by("unit", unit_id) == ("李四",)
    finally:
        other.close()
        reopened.close()
