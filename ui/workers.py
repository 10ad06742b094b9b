"""Long work off the GUI thread: one worker class (QRunnable on the global pool) with progress,
finished/failed signals and cancel, plus a helper that shows a progress bar with a 取消 button.

A job is a plain function `job(progress, is_cancelled) -> result`; it opens its own Session with
db.session_scope(), so no Session or ORM object crosses threads (results are plain values)."""
from __future__ import annotations

import threading
from collections.abc import Callable

from PySide6.QtCore import QObject, QRunnable, Qt, QThreadPool, Signal, Slot
from PySide6.QtWidgets import QProgressDialog, QWidget

from models.errors import Cancelled
from ui.i18n import tr

Progress = Callable[[int, int], None]
IsCancelled = Callable[[], bool]
Job = Callable[[Progress, IsCancelled], object]


class WorkerSignals(QObject):
    progress = Signal(int, int)   # done, total
    finished = Signal(object)     # the job's result
    failed = Signal(object)       # the exception (Cancelled when the user cancelled)


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
            if self.is_cancelled():
                raise Cancelled()
        except BaseException as exc:  # noqa: BLE001 - handed to the GUI, which shows a message
            self.signals.failed.emit(exc)
        else:
            self.signals.finished.emit(result)


_running: set[Worker] = set()  # keeps Python wrappers alive until the worker reports back


def run_in_background(parent: QWidget, title: str, job: Job, on_done: Callable[[object], None],
                      on_error: Callable[[BaseException], None]) -> Worker:
    """Starts `job` with a modeless progress dialog; the window stays usable meanwhile."""
    dialog = QProgressDialog(title, tr("取消"), 0, 0, parent)
    dialog.setWindowTitle(title)
    dialog.setWindowModality(Qt.WindowModality.NonModal)
    dialog.setMinimumDuration(300)
    worker = Worker(job)
    _running.add(worker)

    def progress(done: int, total: int) -> None:
        dialog.setMaximum(max(total, 0))
        dialog.setValue(done)

    def finish(result: object) -> None:
        _running.discard(worker)
        dialog.reset()
        dialog.deleteLater()
        on_done(result)

    def fail(exc: object) -> None:
        _running.discard(worker)
        dialog.reset()
        dialog.deleteLater()
        if not isinstance(exc, Cancelled):
            on_error(exc)  # type: ignore[arg-type]

    worker.signals.progress.connect(progress)
    worker.signals.finished.connect(finish)
    worker.signals.failed.connect(fail)
    dialog.canceled.connect(worker.cancel)
    QThreadPool.globalInstance().start(worker)
    return worker
