"""What other desks changed since a mark (issue 16 item 3): the window polls this to refresh the lists
that show it and to tell an open form that its record was changed by someone else.

Every op has a local `arrival` number (indexed; on a PostgreSQL server all desks share one counter, and
write transactions are serialized, so arrivals become visible in order without gaps). A poll is one read
snapshot: `latest_arrival` (an index lookup; when it equals the mark nothing else is read), then which
records, kinds and people arrived after the mark. It needs no schema and works on both backends.

"This window's own writes" are those made through one Database handle: `OwnWrites` notes the arrival
numbers its transactions take (the local-state counter before and after each flush) as soon as they are
flushed, drops them again on a rollback, and `changes_since` reads them after its snapshot began, so an
own commit the snapshot sees is always left out. Another handle on the same file (a CLI import in another process) or
another desk on the same server counts as someone else."""
from __future__ import annotations

import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import and_, event, func, inspect, not_, select
from sqlalchemy.orm import Session

from models.oplog import LocalState, Op
from models.storage import Database

ROW_LIMIT = 200          # beyond this many changed records a poll reports kinds only (plus watched rows)
SOMEONE = "其他用户"
_PENDING = "fjld_own_arrivals"


@dataclass(frozen=True)
class Changes:
    """What arrived after a mark, others' writes only."""

    mark: int                                                   # the next poll's `since`
    entities: frozenset[str] = frozenset()                      # kinds of records others changed
    rows: dict[tuple[str, str], tuple[str, ...]] = field(default_factory=dict)   # (entity, row id) -> who
    all_rows: bool = True                                       # False: `rows` holds only the watched ones

    def __bool__(self) -> bool:
        return bool(self.entities)

    def changed_by(self, entity: str, row_id: object) -> tuple[str, ...]:
        """Who changed record `row_id` of `entity` (empty: nobody else, as far as this poll knows)."""
        return self.rows.get((entity, str(row_id)), ())


def latest_arrival(session: Session) -> int:
    """The highest arrival number in the op log (0 for an empty log): one index lookup."""
    return int(session.scalar(select(func.max(Op.arrival))) or 0)


Ranges = Iterable[tuple[int, int]]


def changes_since(session: Session, since: int, *, own: Ranges | Callable[[], Ranges] = (),
                  watch: Iterable[tuple[str, object]] = (), row_limit: int = ROW_LIMIT) -> Changes:
    """The records others changed after arrival `since`: `own` are arrival ranges (inclusive) to leave
    out (this window's writes; a callable is asked once the snapshot has begun); `watch` are (entity,
    row id) pairs always reported by row (open forms), even when more than `row_limit` records changed
    and only the kinds are listed otherwise."""
    top = latest_arrival(session)   # the snapshot begins here
    if top <= since:
        return Changes(top)   # nothing new (a lower top: the database was replaced, e.g. restored)
    ranges = own() if callable(own) else own
    window = [Op.arrival > since, Op.arrival <= top]
    window += [not_(Op.arrival.between(lo, hi)) for lo, hi in ranges if hi > since and lo <= top]
    where = and_(*window)
    grouped = list(session.execute(select(Op.entity, Op.row_id, Op.user).where(where)
                                   .group_by(Op.entity, Op.row_id, Op.user).limit(row_limit + 1)))
    if len(grouped) <= row_limit:
        return Changes(top, frozenset(entity for entity, _row, _user in grouped), _who(grouped))
    entities = frozenset(session.scalars(select(Op.entity).where(where).distinct()))
    watched = [(entity, str(row_id)) for entity, row_id in watch]
    rows: list[Any] = []
    for entity, row_id in watched:
        rows += session.execute(select(Op.entity, Op.row_id, Op.user).distinct()
                                .where(where, Op.entity == entity, Op.row_id == row_id))
    return Changes(top, entities, _who(rows), all_rows=False)


def _who(rows: Iterable[Any]) -> dict[tuple[str, str], tuple[str, ...]]:
    people: dict[tuple[str, str], set[str]] = {}
    for entity, row_id, user in rows:
        people.setdefault((entity, row_id), set()).add(user or SOMEONE)
    return {key: tuple(sorted(names)) for key, names in people.items()}


# -- this window's own writes --------------------------------------------------------------------------
class OwnWrites:
    """The arrival ranges committed through one Database handle since `track` (thread-safe: workers
    commit on pool threads). `forget_before(mark)` drops what a poll has passed."""

    def __init__(self, db: Database) -> None:
        self.db = db
        self._lock = threading.Lock()
        self._ranges: list[tuple[int, int]] = []

    def add(self, ranges: Iterable[tuple[int, int]]) -> None:
        with self._lock:
            self._ranges.extend(ranges)

    def drop(self, ranges: Iterable[tuple[int, int]]) -> None:
        """A rolled-back transaction's ranges: those numbers will be taken again, maybe by another desk."""
        gone = set(ranges)
        with self._lock:
            self._ranges = [pair for pair in self._ranges if pair not in gone]

    def ranges(self) -> tuple[tuple[int, int], ...]:
        with self._lock:
            return tuple(self._ranges)

    def forget_before(self, mark: int) -> None:
        with self._lock:
            self._ranges = [(lo, hi) for lo, hi in self._ranges if hi > mark]


_tracked: dict[int, OwnWrites] = {}    # id(db.clock) -> tracker: the clock is the one object a session
_tracked_lock = threading.Lock()       # of a Database handle carries (WriterContext) and no other shares


def track(db: Database) -> OwnWrites:
    """Start noting the arrivals committed through `db` (until `untrack`)."""
    tracker = OwnWrites(db)
    with _tracked_lock:
        _tracked[id(db.clock)] = tracker
    return tracker


def untrack(tracker: OwnWrites) -> None:
    with _tracked_lock:
        if _tracked.get(id(tracker.db.clock)) is tracker:
            del _tracked[id(tracker.db.clock)]


def _tracker_of(session: Session) -> OwnWrites | None:
    writer = session.info.get("writer")
    if writer is None:
        return None
    with _tracked_lock:
        return _tracked.get(id(writer.clock))


@event.listens_for(Session, "after_flush")
def _note_arrivals(session: Session, _flush_context: object) -> None:
    """The local-state counter before and after this flush: every op the flush wrote (local edits and
    ops applied from a package alike) took an arrival number in between."""
    tracker = _tracker_of(session) if _tracked else None
    if tracker is None:
        return
    state = session.identity_map.get(inspect(LocalState).identity_key_from_primary_key((1,)))
    if state is None:
        return
    history = inspect(state).attrs.arrival.history
    if not history.added or not history.deleted:
        return
    before, after = int(history.deleted[0] or 0), int(history.added[0] or 0)
    if after > before:   # noted at once: a poll whose snapshot sees the commit reads it afterwards
        tracker.add([(before + 1, after)])
        session.info.setdefault(_PENDING, []).append((before + 1, after))


@event.listens_for(Session, "after_commit")
def _commit_arrivals(session: Session) -> None:
    session.info.pop(_PENDING, None)


@event.listens_for(Session, "after_rollback")
def _drop_arrivals(session: Session) -> None:
    pending = session.info.pop(_PENDING, None)
    tracker = _tracker_of(session) if pending else None
    if tracker is not None:
        tracker.drop(pending)


def poll(db: Database, since: int, own: OwnWrites | None = None,
         watch: Iterable[tuple[str, object]] = ()) -> Changes:
    """One poll in its own read snapshot (run it off the GUI thread)."""
    with db.read_scope() as session:
        return changes_since(session, since, own=own.ranges if own is not None else (), watch=watch)


def current_mark(db: Database) -> int:
    with db.read_scope() as session:
        return latest_arrival(session)
