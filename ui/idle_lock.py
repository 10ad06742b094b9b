"""Idle lock (等保 登录连接超时自动退出, sync-security.md §B.3.6): after N minutes without keyboard or
mouse input the database is closed and the window hidden until the password is entered again (the
remembered key does not count here: walking away must not leave the data open). Cancelling quits."""
from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QApplication

from models.storage import Database
from ui.context import EVERYTHING, AppContext
from ui.workers import running_operations

INPUT_EVENTS = frozenset({QEvent.Type.KeyPress, QEvent.Type.MouseButtonPress, QEvent.Type.MouseMove,
                          QEvent.Type.Wheel})
Relock = Callable[[Path], Database | None]


class IdleLock(QObject):
    def __init__(self, window, ctx: AppContext, minutes: float, relock: Relock,  # type: ignore[no-untyped-def]
                 clock: Callable[[], float] = time.monotonic) -> None:
        super().__init__(window)
        self.window, self.ctx, self.minutes, self.relock, self.clock = window, ctx, minutes, relock, clock
        self.last_input = clock()
        self.locking = False
        QApplication.instance().installEventFilter(self)
        self.timer = QTimer(self)
        self.timer.setInterval(15_000)
        self.timer.timeout.connect(self.check)
        if minutes > 0:
            self.timer.start()

    def set_minutes(self, minutes: float) -> None:
        self.minutes = minutes
        if minutes > 0:
            self.timer.start()
        else:
            self.timer.stop()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt's name)
        if event.type() in INPUT_EVENTS:
            self.last_input = self.clock()
        return False

    def check(self) -> None:
        # Not while an operation runs: closing the database under an import would abort it; the next
        # check after it ends locks.
        if (self.minutes > 0 and not self.locking and not running_operations()
                and self.clock() - self.last_input >= self.minutes * 60):
            self.lock()

    def lock(self) -> None:
        self.locking = True
        self.ctx.locked = True      # background reads (the change watcher) stop before the close
        path = self.ctx.db.path
        self.window.hide()
        self.ctx.db.close()
        db = self.relock(path)
        self.locking = False
        if db is None:
            QApplication.quit()
            return
        self.ctx.db = db
        self.ctx.locked = False
        self.last_input = self.clock()
        self.ctx.announce({EVERYTHING})
        self.window.show()
