"""A writer holding the database's write lock from another thread, for the tests of what happens beside
a long import (reads answer at once, a clerk's save or a backup is refused with db_busy, the snapshot
does not see uncommitted rows). One shape for the file and the server database."""
from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from sqlalchemy.orm import Session

from models.storage import Database

WAIT = 10.0   # seconds; only reached when something is broken


@contextmanager
def write_lock_held(db: Database, body: Callable[[Session], object] = lambda _session: None, *,
                    start: Callable[[Callable[[Session], None]], object] | None = None) -> Iterator[None]:
    """For the with-block, another thread is inside a write transaction of `db` that ran `body(session)`
    (flushed, so its rows and locks are taken) and stays open; after the block it commits.

    By default a thread of its own opens `db.write_scope()` and is joined at the end; `start(hold)`
    runs `hold(session)` in a write transaction some other way instead (a writing worker operation,
    whose result the test then waits for). A failure of `body` or of the commit is raised here."""
    holding, release = threading.Event(), threading.Event()
    failures: list[BaseException] = []

    def hold(session: Session) -> None:
        try:
            body(session)
            session.flush()
        finally:
            holding.set()   # also on failure: the test stops waiting and hears of it
        release.wait(WAIT)

    def in_thread() -> None:
        try:
            with db.write_scope() as session:
                hold(session)
        except BaseException as exc:  # noqa: BLE001 - raised again in the test's thread
            failures.append(exc)
            holding.set()

    thread = None
    if start is None:
        thread = threading.Thread(target=in_thread, daemon=True)
        thread.start()
    else:
        start(hold)
    try:
        assert holding.wait(WAIT), "the writer never took the write lock"
        if failures:
            raise failures[0]
        yield
    finally:
        release.set()
        if thread is not None:
            thread.join(WAIT)
    if failures:
        raise failures[0]
