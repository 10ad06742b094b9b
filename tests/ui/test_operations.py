"""Never freeze, never lie about cancel (issue 10 item 8): the operation runner in ui/workers.py.

- a row click and other GUI reads answer in < 200 ms while a worker holds the write transaction, and a
  save made meanwhile is refused at once in Chinese with the typed text kept;
- 取消 during a multi-batch import (and during a real dump load) rolls everything back: dump equal;
- 取消 clicked after the commit still shows the result;
- what an operation changed is broadcast, and the screens that show it refresh."""
from __future__ import annotations

import threading
import time

from PySide6.QtWidgets import QProgressDialog

from models.services.cases import list_cases, register_case
from models.services.dump import dump_db, dump_text, load_dump
from models.services.meetings import add_meeting, list_meetings
from tests.lockholder import write_lock_held
from tests.ui.conftest import set_fields
from ui import messages
from ui.history_dialog import record_history_rows
from ui.workers import Operation, run_operation, running_operations, wait_for_operations, write_job

WAIT = 10.0


def _capture_messages(monkeypatch) -> list[str]:
    shown: list[str] = []
    monkeypatch.setattr(messages, "show_error", lambda parent, exc: shown.append(
        exc if isinstance(exc, str) else messages.error_text(exc)))
    monkeypatch.setattr(messages, "show_info", lambda parent, text: shown.append(text))
    monkeypatch.setattr(messages, "notify", lambda widget, text: shown.append(text))
    monkeypatch.setattr(messages, "status", lambda widget, text: shown.append(text))
    return shown


def _as_import(window, results: list[object]):
    """Starts the lock holder (tests/lockholder.py) as a writing operation, the way a sync import holds
    the write transaction; its result lands in `results`."""
    def start(hold) -> None:
        def job(session, progress, is_cancelled) -> str:
            hold(session)
            return "导入完成"

        assert run_operation(window, Operation("正在导入数据包…", write_job(window.ctx.db, job), writes=True,
                                               changes=frozenset({"case"})), results.append, ctx=window.ctx)
    return start


def test_reads_answer_at_once_while_a_worker_holds_the_write_lock(qtbot, window, monkeypatch):
    shown = _capture_messages(monkeypatch)
    page = window.show_screen("case")
    first, second = page.model.row_id(0), page.model.row_id(1)
    results: list[object] = []
    with write_lock_held(window.ctx.db, lambda session: register_case(session, "导入中的案件"),
                         start=_as_import(window, results)):
        started = time.perf_counter()
        assert page.select(second)                                   # a row click: the form opens
        clicked = time.perf_counter() - started
        assert page.current_id == second and page.form.values()["title"]
        started = time.perf_counter()
        window.show_screen("dashboard")                              # counts and the due list
        rows = record_history_rows(window.ctx, "case", first)        # 修改记录
        other_reads = time.perf_counter() - started
        assert rows and clicked < 0.2 and other_reads < 0.4, (clicked, other_reads)

        # a save meanwhile fails fast with one Chinese line; nothing typed is lost
        page = window.show_screen("case")
        set_fields(page.form, {"title": "保存时数据库正忙"})
        started = time.perf_counter()
        assert not page.save()
        assert time.perf_counter() - started < 1.5
        assert "正在进行导入/同步，请稍候再保存" in page.form.error_text()
        assert page.form.values()["title"] == "保存时数据库正忙"
        assert not window.ctx.attempt(window, lambda session: register_case(session, "另一件"))
        assert shown[-1] == "正在进行导入/同步，请稍候再保存"
    qtbot.waitUntil(lambda: results == ["导入完成"], timeout=int(WAIT * 1000))
    assert page.save()                                               # the same save, once the import is done
    titles = window.ctx.read(lambda session: {c.title for c in list_cases(session)})
    assert {"导入中的案件", "保存时数据库正忙"} <= titles and "另一件" not in titles


def test_cancel_between_batches_rolls_the_whole_import_back(qtbot, window, monkeypatch):
    shown = _capture_messages(monkeypatch)
    db = window.ctx.db
    before = db_dump(window)
    proceed = threading.Event()
    batches_written: list[int] = []

    def import_batches(session, progress, is_cancelled):
        for batch in range(5):
            if is_cancelled():
                from models.errors import Cancelled
                raise Cancelled()
            for n in range(20):
                register_case(session, f"批量导入第{batch}批第{n}件")
            session.flush()
            batches_written.append(batch)
            progress(batch + 1, 5)
            proceed.wait(WAIT)       # the clerk clicks 取消 now (after the first batch is written)
            proceed.clear()
        return "导入 100 件"

    done: list[object] = []
    cancelled: list[bool] = []
    worker = run_operation(window, Operation("正在导入…", write_job(db, import_batches), writes=True,
                                             changes=frozenset({"case"})), done.append, ctx=window.ctx,
                           on_cancelled=lambda: cancelled.append(True))
    assert worker is not None
    qtbot.waitUntil(lambda: batches_written == [0], timeout=int(WAIT * 1000))
    worker.dialog.canceled.emit()            # the 取消 button of the progress dialog
    proceed.set()
    qtbot.waitUntil(lambda: cancelled == [True], timeout=int(WAIT * 1000))
    assert done == [] and not running_operations()
    assert db_dump(window) == before                                   # nothing of batch 0 stayed
    assert any("正在取消" in text for text in shown)


def test_cancel_during_a_real_dump_load_leaves_the_database_as_before(qtbot, window, new_db, monkeypatch):
    """A real bulk load (models.services.dump.load_dump, 600 records) cancelled after its first batch."""
    _capture_messages(monkeypatch)
    with new_db.write_scope() as session:
        for n in range(600):
            register_case(session, f"外来案件{n}")
    with new_db.read_scope() as session:
        incoming = dump_db(session)
    before = db_dump(window)
    first_batch, proceed = threading.Event(), threading.Event()

    def load(session, progress, is_cancelled):
        def report(done, total):
            progress(done, total)
            first_batch.set()
            proceed.wait(WAIT)       # the clerk clicks 取消 while the load is under way
        return load_dump(session, incoming, report, is_cancelled)

    outcome: list[str] = []
    worker = run_operation(window, Operation("正在载入数据文件…", write_job(window.ctx.db, load), writes=True),
                           lambda count: outcome.append(f"done {count}"), ctx=window.ctx,
                           on_cancelled=lambda: outcome.append("cancelled"))
    assert worker is not None and first_batch.wait(WAIT)
    worker.dialog.canceled.emit()
    proceed.set()
    qtbot.waitUntil(lambda: outcome == ["cancelled"], timeout=int(WAIT * 3000))
    assert db_dump(window) == before


def test_cancel_clicked_after_the_commit_shows_the_result(qtbot, window, monkeypatch):
    shown = _capture_messages(monkeypatch)
    db = window.ctx.db
    meetings = window.show_screen("meeting")
    rows_before = meetings.model.rowCount()
    committed, proceed = threading.Event(), threading.Event()

    def export_then_finish(progress, is_cancelled):
        with db.write_scope() as session:
            add_meeting(session, "第四季度联席会议", window.ctx.today())
        committed.set()              # committed: from here on a cancel can no longer undo anything
        progress(1, 1)
        proceed.wait(WAIT)
        return "已保存 1 次会议"

    worker = run_operation(window, Operation("正在保存…", export_then_finish, writes=True,
                                             changes=frozenset({"meeting"})),
                           lambda summary: messages.show_info(window, summary), ctx=window.ctx)
    assert worker is not None and committed.wait(WAIT)
    worker.dialog.canceled.emit()
    proceed.set()
    qtbot.waitUntil(lambda: "已保存 1 次会议" in shown, timeout=int(WAIT * 1000))
    assert not any(text.startswith("已取消") for text in shown)
    assert "第四季度联席会议" in window.ctx.read(lambda session: [m.title for m in list_meetings(session)])
    assert meetings.model.rowCount() == rows_before + 1              # the meeting screen refreshed itself
    assert not [w for w in window.findChildren(QProgressDialog) if w.isVisible()]


def test_changes_refresh_only_the_screens_that_show_them(qtbot, window):
    units, meetings = window.show_screen("unit"), window.show_screen("meeting")
    reloaded: list[str] = []
    units.reload = lambda: reloaded.append("unit")                 # type: ignore[method-assign]
    meetings.reload = lambda: reloaded.append("meeting")           # type: ignore[method-assign]
    seen: list[frozenset[str]] = []
    window.ctx.changed.connect(seen.append)
    assert window.ctx.attempt(window, lambda session: add_meeting(session, "专题会", window.ctx.today()),
                              changes={"meeting"})
    assert seen == [frozenset({"meeting"})] and reloaded == ["meeting"]
    window.refresh_all()
    assert sorted(reloaded) == ["meeting", "meeting", "unit"]


def db_dump(window) -> str:
    wait_for_operations()
    return window.ctx.read(dump_text)
