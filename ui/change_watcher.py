"""The window notices what other desks change (issue 16 item 3): every few seconds a poll on a pool
thread asks the database what arrived after the last mark (models/services/changes.py: one indexed
query when nothing changed), leaving out this window's own writes. What others changed is broadcast on
the context's `changed` signal, so the screens showing it refresh, and on `others_changed` with the
records and people, so an open form can say that its record was changed by someone else.

Polling works on both backends and needs no schema. It never runs while the window is locked (the
database is closed then), one poll at a time, and it stops with the window."""
from __future__ import annotations

from collections.abc import Callable, Iterable

from PySide6.QtCore import QObject, QTimer

from models.services.changes import Changes, OwnWrites, current_mark, poll, track, untrack
from models.storage import Database
from ui.context import AppContext
from ui.workers import run_query

POLL_MS = 3000
Watched = Callable[[], Iterable[tuple[str, object]]]   # the records open in forms: (entity, row id)


class ChangeWatcher(QObject):
    def __init__(self, ctx: AppContext, parent: QObject | None = None, *, interval_ms: int = POLL_MS,
                 watched: Watched = tuple) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.watched = watched
        self.timer = QTimer(self)
        self.timer.setInterval(interval_ms)
        self.timer.timeout.connect(self.poll)
        self._db: Database | None = None
        self._own: OwnWrites | None = None
        self.mark = 0
        self.polls = 0            # polls answered (tests, bench)
        self._in_flight = False

    @property
    def running(self) -> bool:
        return self.timer.isActive()

    def start(self) -> None:
        self._rebase()
        self.timer.start()

    def stop(self) -> None:
        self.timer.stop()
        if self._own is not None:
            untrack(self._own)
            self._own = None
        self._db = None

    def _rebase(self) -> None:
        """(Re)starts on the context's database: after an idle lock or a restore it is another handle,
        and the screens have just refreshed everything."""
        if self._own is not None:
            untrack(self._own)
        self._db = self.ctx.db
        self._own = track(self._db)
        self.mark = current_mark(self._db)
        self._in_flight = False

    def poll(self) -> None:
        """One poll off the GUI thread (the timer calls this; tests call it directly)."""
        if self._db is None or self.ctx.locked or self._in_flight:
            return
        if self.ctx.db is not self._db:
            self._rebase()
            return
        db, own, since = self._db, self._own, self.mark
        watch = tuple(self.watched())
        self._in_flight = True
        ctx = self.ctx

        def job(_progress: object, _cancelled: object) -> Changes | None:
            # queued behind other reads: the window may have locked (and closed the database) meanwhile
            return None if ctx.locked else poll(db, since, own, watch)

        run_query(job, lambda changes: self._arrived(db, changes), self._failed)

    def _failed(self, _exc: BaseException) -> None:
        self._in_flight = False   # logged by run_query; the next tick tries again

    def _arrived(self, db: Database, changes: Changes | None) -> None:
        self._in_flight = False
        if changes is None or db is not self._db or self.ctx.locked:
            return   # the database was closed or replaced meanwhile: the next poll starts afresh
        self.polls += 1
        self.mark = changes.mark
        if self._own is not None:
            self._own.forget_before(changes.mark)
        if changes:
            self.ctx.others_changed.emit(changes)
            self.ctx.announce(changes.entities)
