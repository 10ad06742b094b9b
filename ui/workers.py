"""Long work off the GUI thread, the shape of Anki's CollectionOp / QueryOp: an `Operation` says what
runs (a job), whether it writes, what it changes and whether it replaces the whole database;
`run_operation` runs it on a pool thread behind a modeless progress dialog with real progress and a
取消 button, and reports back on the GUI thread.

A job is a plain function `job(progress, is_cancelled) -> result`; it opens its own Session, so no
Session or ORM object crosses threads (results are plain values). Core jobs check is_cancelled()
between batches and raise Cancelled inside their write transaction, which rolls it back;
`write_job(db, fn)` wraps `fn(session, progress, is_cancelled)` that way (models.storage
Database.cancellable_write). Cancel is honest: a job that was cancelled before it committed reports
"已取消" and changed nothing; a job that committed anyway delivers its result, which is shown.

Writing operations queue on one writer thread, so two of them never race for the database lock;
readers (PDF, exports) use the global pool. On success the operation's `changes` are broadcast on
AppContext.changed and every screen showing those records refreshes. `run_without_dialog` runs a short
job whose own widget shows it busy (values_dialog.WorkingDialog: a password's key derivation)."""
from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from PySide6.QtCore import QObject, QRunnable, Qt, QThreadPool, Signal, Slot
from PySide6.QtWidgets import QProgressDialog, QWidget

from models.errors import Cancelled
from models.storage import Database
from ui import messages
from ui.i18n import tr

log = logging.getLogger(__name__)
Progress = Callable[[int, int], None]
IsCancelled = Callable[[], bool]
Job = Callable[[Progress, IsCancelled], object]
SessionJob = Callable[[Any, Progress, IsCancelled], object]   # fn(session, progress, is_cancelled)


class WorkerSignals(QObject):
    progress = Signal(int, int)   # done, total
    finished = Signal(object)     # the job's result
    failed = Signal(object)       # the exception (Cancelled when the user cancelled before the commit)


class Worker(QRunnable):
    def __init__(self, job: Job) -> None:
        super().__init__()
        self.signals = WorkerSignals()  # QRunnable is not a QObject, so the signals live on one
        self._job = job
        self._cancelled = threading.Event()
        self.setAutoDelete(False)       # the caller keeps it until a signal arrives

    def cancel(self) -> None:
        self._cancelled.set()

    def is_cancelled(self) -> bool:
        return self._cancelled.is_set()

    @Slot()
    def run(self) -> None:
        try:
            result = self._job(self.signals.progress.emit, self.is_cancelled)
        except BaseException as exc:  # noqa: BLE001 - handed to the GUI, which shows a message
            self.signals.failed.emit(exc)
        else:
            # A job that returned has done its work (committed): its result is the truth even when
            # 取消 was clicked meanwhile; reporting "cancelled" now would be a lie.
            self.signals.finished.emit(result)


@dataclass
class Operation:
    title: str                    # shown in the progress dialog, e.g. "正在导入数据包…"
    job: Job
    writes: bool = False          # queued on the one writer thread
    changes: frozenset[str] = field(default_factory=frozenset)   # entity names announced on success
    exclusive: bool = False       # replaces the whole database (restore): the window waits meanwhile


def write_job(db: Database, fn: SessionJob, *, backup_reason: str | None = None) -> Job:
    """A job running `fn(session, progress, is_cancelled)` in one cancellable write transaction (with a
    verified backup first when `backup_reason` is given)."""
    return lambda progress, is_cancelled: db.cancellable_write(fn, progress, is_cancelled,
                                                               backup_reason=backup_reason)


_running: dict[Worker, Operation] = {}   # keeps Python wrappers alive until the worker reports back
_writer_pool: QThreadPool | None = None


def writer_pool() -> QThreadPool:
    global _writer_pool
    if _writer_pool is None:
        _writer_pool = QThreadPool()
        _writer_pool.setMaxThreadCount(1)
    return _writer_pool


def running_operations() -> list[Operation]:
    return list(_running.values())


def wait_for_operations(msecs: int = 30_000) -> bool:
    """Blocks until every queued operation has run (closing the app, tests)."""
    return writer_pool().waitForDone(msecs) and QThreadPool.globalInstance().waitForDone(msecs)


def run_operation(parent: QWidget, op: Operation, on_done: Callable[[Any], None],
                  on_error: Callable[[BaseException], None] | None = None, *, ctx: Any = None,
                  on_cancelled: Callable[[], None] | None = None) -> Worker | None:
    """Starts `op` behind a modeless progress dialog (the window stays usable, except during an
    exclusive operation). `ctx` (an AppContext) receives `op.changes` after success. Returns the
    worker, or None when an exclusive operation is running and nothing was started."""
    if any(other.exclusive for other in _running.values()):
        messages.show_error(parent, tr("正在恢复数据库，请稍候再操作"))
        return None
    dialog = QProgressDialog(op.title, tr("取消"), 0, 0, parent)
    dialog.setWindowTitle(op.title)
    dialog.setMinimumDuration(300)
    dialog.setAutoClose(False)
    dialog.setAutoReset(False)
    window = parent.window()
    if op.exclusive:
        dialog.setCancelButton(None)   # a restore swaps the file: there is no safe point to stop at
        dialog.setWindowModality(Qt.WindowModality.ApplicationModal)
        window.setEnabled(False)
    else:
        dialog.setWindowModality(Qt.WindowModality.NonModal)
    worker = Worker(op.job)
    worker.dialog = dialog   # type: ignore[attr-defined]  (tests and callers reach the 取消 button here)
    _running[worker] = op

    def progress(done: int, total: int) -> None:
        dialog.setMaximum(max(total, 0))
        dialog.setValue(min(done, total) if total > 0 else 0)

    def settle() -> None:
        _running.pop(worker, None)
        if op.exclusive:
            window.setEnabled(True)
        dialog.canceled.disconnect(cancel_clicked)   # closing a progress dialog emits `canceled`
        dialog.hide()
        dialog.deleteLater()

    def finish(result: object) -> None:
        settle()
        if ctx is not None and op.changes:
            ctx.announce(op.changes)
        on_done(result)

    def fail(exc: object) -> None:
        settle()
        if isinstance(exc, Cancelled):
            if on_cancelled is not None:
                on_cancelled()
            else:
                messages.notify(parent, tr("已取消，数据未做任何改动"))
            return
        assert isinstance(exc, BaseException)
        (on_error or (lambda e: messages.show_error(parent, e)))(exc)

    def cancel_clicked() -> None:
        worker.cancel()
        messages.status(parent, tr("正在取消…（尚未保存的部分将全部撤回）"))

    worker.signals.progress.connect(progress)
    worker.signals.finished.connect(finish)
    worker.signals.failed.connect(fail)
    dialog.canceled.connect(cancel_clicked)
    (writer_pool() if op.writes or op.exclusive else QThreadPool.globalInstance()).start(worker)
    return worker


_queries: set[Worker] = set()


def run_query(job: Job, on_done: Callable[[Any], None],
              on_error: Callable[[BaseException], None] | None = None) -> Worker:
    """A read off the GUI thread without a dialog (Anki's QueryOp), for what a screen shows a moment
    later (首页's record counts): `job` opens its own read snapshot; `on_done(result)` runs on the GUI
    thread. Pass a method of the widget: once the widget is gone it is not called. A read that fails
    (the database closed meanwhile) is logged and shows nothing (`on_error` hears of it)."""
    worker = Worker(job)
    _queries.add(worker)   # alive until it reports, whatever happens to the widget

    def failed(exc: object) -> None:
        _queries.discard(worker)
        log.warning("background read failed: %s", type(exc).__name__)
        if on_error is not None and isinstance(exc, BaseException):
            on_error(exc)

    worker.signals.finished.connect(on_done)
    worker.signals.finished.connect(lambda _result: _queries.discard(worker))
    worker.signals.failed.connect(failed)
    QThreadPool.globalInstance().start(worker)
    return worker


def run_in_background(parent: QWidget, title: str, job: Job, on_done: Callable[[object], None],
                      on_error: Callable[[BaseException], None], *, writes: bool = False,
                      changes: Iterable[str] = (), ctx: Any = None) -> Worker | None:
    """The older call shape, kept for the pages that use it: an Operation without ceremony."""
    return run_operation(parent, Operation(title, job, writes=writes, changes=frozenset(changes)),
                         on_done, on_error, ctx=ctx)


def run_without_dialog(op: Operation, on_done: Callable[[Any], None],
                       on_error: Callable[[BaseException], None]) -> Worker:
    """A short job whose widget shows its own busy state instead of a progress dialog (a password's key
    derivation behind the dialog that asked for it). It runs off the GUI thread, queued with the writers
    when it writes, and counts as running until it reports, so the idle lock, 立即锁定 and closing the
    window wait for it. Pass methods of the widget: once the widget is gone they are not called (the
    job still ends as one transaction, committed or rolled back)."""
    worker = Worker(op.job)
    _running[worker] = op
    worker.signals.finished.connect(lambda _result: _running.pop(worker, None))   # before on_done
    worker.signals.failed.connect(lambda _exc: _running.pop(worker, None))
    worker.signals.finished.connect(on_done)
    worker.signals.failed.connect(on_error)
    (writer_pool() if op.writes else QThreadPool.globalInstance()).start(worker)
    return worker
