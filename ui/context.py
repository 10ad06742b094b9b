"""What every screen gets: the unlocked database, the date it treats as today, and one signal that says
which kinds of records changed, so each screen refreshes only when what it shows has changed.

The GUI thread reads through `read(fn)` (a WAL snapshot: it answers at once even while a worker
imports) and writes only short user saves through `attempt(parent, action)`. The database knows the
GUI thread: a write there never waits more than a moment for a worker's lock and is refused with
"正在进行导入/同步，请稍候再保存" instead of freezing the window (models.storage.write_scope)."""
from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable, Iterable
from typing import Any, TypeVar

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QWidget

from models.errors import DomainError
from models.storage import Database
from ui import messages

T = TypeVar("T")
EVERYTHING = "*"   # in a `changed` set: the whole database changed (restore, unlock after an idle lock)


class AppContext(QObject):
    changed = Signal(object)   # frozenset of entity names ("case", "suggestion", …) or {EVERYTHING}
    # What other desks changed (models.services.changes.Changes: kinds, records, people), from the
    # window's ui.change_watcher; `changed` carries the same kinds so the lists refresh.
    others_changed = Signal(object)

    def __init__(self, db: Database, today: Callable[[], dt.date] = dt.date.today) -> None:
        super().__init__()
        self.today = today
        self._db = db
        self.locked = False        # the idle lock closed the database: nothing may read it meanwhile
        self._claim(db)

    @property
    def db(self) -> Database:
        return self._db

    @db.setter
    def db(self, db: Database) -> None:   # after a restore or an idle lock the database is reopened
        self._db = db
        self._claim(db)

    @staticmethod
    def _claim(db: Database) -> None:
        db.interactive_thread = threading.get_ident()   # the thread that made the context serves the clerk

    def read(self, fn: Callable[[Any], T]) -> T:
        """`fn(session)` in a read-only snapshot; return plain values, not ORM objects."""
        with self.db.read_scope() as session:
            return fn(session)

    def attempt(self, parent: QWidget, action: Callable[[Any], object],
                changes: Iterable[str] = ()) -> bool:
        """Runs one short user save in its own transaction; a rule it breaks (or a worker holding the
        database) is shown to the clerk in Chinese and nothing is saved. On success `changes` (entity
        names) are broadcast. Returns whether it succeeded."""
        try:
            with self.db.write_scope() as session:
                action(session)
        except DomainError as exc:
            messages.show_error(parent, exc)
            return False
        self.announce(changes)
        return True

    def announce(self, changes: Iterable[str]) -> None:
        names = frozenset(changes)
        if names:
            self.changed.emit(names)
