"""The encrypted database: SQLCipher 4 through SQLAlchemy, schema by alembic migrations.

Every connection starts with the raw 256-bit key (the password KDF lives in the key slot, so there is
no second PBKDF2 here), then a read of sqlite_master to fail fast on a wrong key or damaged file.
`dek=None` opens a plain SQLite file with the same engine (only the benchmark does that).

Reads and writes are different sessions: `read_scope()` is a WAL snapshot that never waits for a
writer, `write_scope()` one IMMEDIATE transaction. The thread that serves the clerk (the GUI thread,
registered as `interactive_thread`) never waits more than INTERACTIVE_WAIT_MS for a worker's write
lock: its write scopes are optimistic (deferred BEGIN, short busy timeout), so a click answers at once
while an import runs and a save made meanwhile fails fast with `db_busy` instead of freezing.

The same Database runs on a PostgreSQL server (`--db postgresql://…`): its engine, session set-up and
schema command are the PostgreSQL counterpart in models/pg.py; everything above the Database is the same."""
from __future__ import annotations

import getpass
import secrets
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import sqlcipher3
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.exc import DatabaseError as SADatabaseError
from sqlalchemy.exc import OperationalError as SAOperationalError
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import QueuePool

from models.backend import ServerAddress
from models.errors import Cancelled, DomainError
from models.hlc import HybridClock, _system_ms
from models.oplog import LocalState, WriterContext

CIPHER_MAJOR = "4."
WORKER_WAIT_MS = 5000       # a worker waits this long for another worker's write lock
INTERACTIVE_WAIT_MS = 300   # the clerk's thread never waits longer than this (then: db_busy)
PAGE_CACHE_KIB = 65536      # every page read from disk is decrypted, so re-reading is what costs
BULK_PAGE_CACHE_KIB = 16384  # a bulk write (sync import) touches most pages once: see bulk_write_cache
BUSY_MESSAGE = "正在进行导入/同步，请稍候再保存"


@dataclass
class Database:
    path: Path
    engine: Engine
    sessions: sessionmaker[Session]
    clock: HybridClock
    user: str
    dek: bytes | None = None
    # A database on a PostgreSQL server (models/pg.py): `path` is then this user's local folder for it
    # (never a database file), `dek` is None (the server login is the key, the disk encryption the rest).
    server: ServerAddress | None = None
    read_sessions: sessionmaker[Session] = field(init=False)
    interactive_sessions: sessionmaker[Session] = field(init=False)
    interactive_thread: int | None = None   # set by the GUI (ui.context.AppContext)

    def __post_init__(self) -> None:
        reader = self.engine.execution_options(fjld_read_only=True)
        self.read_sessions = sessionmaker(reader, expire_on_commit=False, autoflush=False)
        event.listen(self.read_sessions, "before_flush", _refuse_flush, insert=True)
        optimistic = self.engine.execution_options(fjld_optimistic=True)
        self.interactive_sessions = sessionmaker(optimistic, expire_on_commit=False)

    @contextmanager
    def write_scope(self) -> Iterator[Session]:
        """One write transaction: commit on success, roll back on any exception. On a worker it begins
        IMMEDIATE (two writers fail fast instead of deadlocking mid-transaction); on the interactive
        thread it begins deferred and waits at most INTERACTIVE_WAIT_MS for the lock, so reads in it
        run beside a worker's import and a write is refused with DomainError("db_busy") at once."""
        interactive = self.interactive_thread is not None and threading.get_ident() == self.interactive_thread
        maker = self.interactive_sessions if interactive else self.sessions
        try:
            with maker() as session:
                session.info["writer"] = WriterContext(self.clock, self.user)
                with session.begin():
                    if self.server is not None:
                        # Several desks write one server database: the clock moves past what the others
                        # recorded (this transaction holds the write lock, models/pg.py).
                        state = session.get(LocalState, 1)
                        if state is not None:
                            self.clock.last = max(self.clock.last, state.hlc)
                    yield session
        except SAOperationalError as exc:
            if is_busy(exc):
                raise DomainError("db_busy", BUSY_MESSAGE if interactive else
                                  "数据库正被另一项操作占用，请稍候再试") from None
            raise

    def cancellable_write(self, job: Callable[[Session, Callable[[int, int], None], Callable[[], bool]], object],
                          progress: Callable[[int, int], None], is_cancelled: Callable[[], bool], *,
                          backup_reason: str | None = None) -> object:
        """Runs `job(session, progress, is_cancelled)` in one write transaction (an import scope with a
        verified backup first when `backup_reason` is given). A cancel seen by the job between batches,
        or still pending when the job returns, raises Cancelled inside the transaction, so it rolls back
        and the file is exactly as before; once committed, the result stands whatever is clicked."""
        scope = self.import_scope(backup_reason) if backup_reason else self.write_scope()
        with scope as session:
            result = job(session, progress, is_cancelled)
            if is_cancelled():
                raise Cancelled()
        return result

    # The name most callers grew up with; a write scope.
    session_scope = write_scope

    @contextmanager
    def read_scope(self) -> Iterator[Session]:
        """One read-only snapshot (deferred BEGIN): under WAL it reads beside a running writer instead of
        waiting for its lock, so the GUI thread never blocks on a worker. Any flush fails loudly."""
        with self.read_sessions() as session, session.begin():
            yield session

    @property
    def location(self) -> str:
        """What to show for this database: the file, or the server URL without its password."""
        return self.server.display if self.server is not None else str(self.path)

    def backup_folder(self) -> Path:
        """The folder chosen in settings, else backups/ beside the database."""
        from models.backup import backup_dir_for
        from models.settings import get_setting

        with self.read_scope() as session:
            chosen = str(get_setting(session, "backup_dir") or "")
        return Path(chosen) if chosen else backup_dir_for(self.path)

    def backup(self, reason: str, *, tidy: bool = True) -> Path:
        """A verified encrypted backup into backup_folder(), then (`tidy`) the rotation."""
        from models.backup import backup_engine

        if self.server is not None:
            raise DomainError("server_backup", "服务器上的数据库由管理员在服务器上备份（pg_dump），本机不做备份")
        return backup_engine(self.engine, self.path, self.dek, reason=reason, folder=self.backup_folder(),
                             tidy=tidy)

    @contextmanager
    def import_scope(self, reason: str) -> Iterator[Session]:
        """A verified encrypted backup, then one transaction: the shape of every import (sync package,
        returned xlsx, task-list xlsx, dump, demo), so a bad import can always be undone by a restore.
        An import that fails (refused, cancelled) changed nothing: its backup is removed again, and the
        rotation runs only after a commit, so such a copy never pushes an older one out of the day's cap.
        On a server the transaction alone guards the import; backups there are the administrator's
        (pg_dump, README), not a copy on one desk."""
        from models.backup import discard_backup, tidy_backups

        if self.server is None:
            made = self.backup(reason, tidy=False)
            try:
                with self.write_scope() as session:
                    yield session
            except BaseException:
                discard_backup(made)
                raise
            tidy_backups(made.parent, self.path, self.dek)
            return
        with self.write_scope() as session:
            yield session

    def close(self) -> None:
        self.engine.dispose()


def is_busy(exc: SAOperationalError) -> bool:
    if getattr(exc.orig, "sqlstate", None) == "55P03":  # PostgreSQL lock_timeout (models/pg.py)
        return True
    text = str(exc.orig).lower()
    return "locked" in text or "busy" in text


def _refuse_flush(session: Session, flush_context: object, instances: object) -> None:
    # A write in a read scope is a programming error: it would take the lock the scope exists to avoid.
    raise DomainError("read_scope_write", "内部错误：只读会话中出现了修改")


@contextmanager
def bulk_write_cache(session: Session) -> Iterator[None]:
    """A smaller page cache for the length of a bulk write on a database file. The 64 MiB cache pays off
    for pages read again and again; a sync import of 100k records writes mostly new pages once, and a
    full cache of them kept its peak memory over 200 MiB (issue 15; bench/bench_rss.py). SQLite frees
    the pages over the limit; the usual size comes back afterwards, also when the write fails."""
    conn = session.connection()
    if conn.dialect.name != "sqlite":
        yield
        return
    conn.exec_driver_sql(f"PRAGMA cache_size = -{BULK_PAGE_CACHE_KIB}")
    try:
        yield
    finally:
        conn.exec_driver_sql(f"PRAGMA cache_size = -{PAGE_CACHE_KIB}")


def _connect_factory(path: Path, dek: bytes | None) -> Callable[[], sqlcipher3.Connection]:
    def connect() -> sqlcipher3.Connection:
        conn = sqlcipher3.connect(str(path), check_same_thread=False)
        conn.isolation_level = None  # transactions are begun by the engine's "begin" hook below
        if dek is not None:
            # Only the app-generated hex key is interpolated, never user text.
            conn.execute(f"PRAGMA key = \"x'{dek.hex()}'\"")
            conn.execute("PRAGMA cipher_compatibility = 4")
        conn.execute("PRAGMA temp_store = MEMORY")
        conn.execute(f"PRAGMA cache_size = -{PAGE_CACHE_KIB}")
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
        conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("PRAGMA synchronous = FULL")
        conn.execute("PRAGMA secure_delete = ON")
        conn.execute(f"PRAGMA busy_timeout = {WORKER_WAIT_MS}")
        return conn
    return connect


def make_engine(path: Path, dek: bytes | None) -> Engine:
    # A queue pool, not the SQLite default for a creator (SingletonThreadPool): that one shares one
    # connection per thread (a read beside the same thread's write would join its transaction) and,
    # with more threads than its size, closes connections other threads are still using.
    engine = create_engine("sqlite://", creator=_connect_factory(path, dek), module=sqlcipher3.dbapi2,
                           poolclass=QueuePool, pool_size=4, max_overflow=12)

    @event.listens_for(engine, "begin")
    def _begin(conn) -> None:  # type: ignore[no-untyped-def]
        options = conn.get_execution_options()
        if options.get("fjld_read_only"):
            # A reader takes no lock at BEGIN: WAL gives it a snapshot beside any writer.
            conn.exec_driver_sql("BEGIN DEFERRED")
        elif options.get("fjld_optimistic"):
            # The clerk's thread: read beside a worker, and take the lock only when writing, waiting briefly.
            conn.exec_driver_sql(f"PRAGMA busy_timeout = {INTERACTIVE_WAIT_MS}")
            conn.exec_driver_sql("BEGIN DEFERRED")
        else:
            # Take the write lock at BEGIN so two writers fail fast instead of deadlocking mid-transaction.
            conn.exec_driver_sql(f"PRAGMA busy_timeout = {WORKER_WAIT_MS}")
            conn.exec_driver_sql("BEGIN IMMEDIATE")

    return engine


def _check_cipher(engine: Engine, encrypted: bool) -> None:
    with engine.connect() as conn:
        if encrypted:
            version = conn.exec_driver_sql("PRAGMA cipher_version").scalar() or ""
            if not str(version).startswith(CIPHER_MAJOR):
                raise DomainError("cipher_version", f"加密组件版本不符（{version}），拒绝打开数据库")


def open_database(path: Path, dek: bytes | None, *, user: str | None = None,
                  wall: Callable[[], int] = _system_ms, site_label: str = "") -> Database:
    """Open (creating and migrating as needed) the database at `path` with the data key `dek`."""
    from models.migrate import migrate

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    engine = make_engine(path, dek)
    try:
        _check_cipher(engine, dek is not None)
        migrate(engine, path, dek)
    except (SADatabaseError, sqlcipher3.DatabaseError) as exc:
        engine.dispose()
        from models.fsutil import disk_full_error, is_disk_full

        if is_disk_full(exc):  # a full disk is never reported as damage
            raise disk_full_error(path.parent) from None
        raise DomainError("db_unreadable", "数据库文件损坏或与密钥文件不匹配，可从备份恢复") from None
    except DomainError:
        engine.dispose()
        raise
    db = Database(path, engine, sessionmaker(engine, expire_on_commit=False), HybridClock(wall=wall),
                  user if user is not None else getpass.getuser(), dek)
    start_site(db, site_label, explicit_user=user is not None)
    return db


def start_site(db: Database, site_label: str, *, explicit_user: bool) -> None:
    """The site's identity on first open, the clock past every recorded edit, then the checks at open."""
    with db.sessions() as session, session.begin():
        state = session.get(LocalState, 1)
        if state is None:
            state = LocalState(id=1, site_id=secrets.token_hex(16), incarnation=secrets.token_hex(8),
                               site_label=site_label, seq=0, hlc=0, arrival=0)
            session.add(state)
        db.clock.last = max(db.clock.last, state.hlc)
    from models.integrity import on_open  # audit key and triggers, witnesses, stale-file check, author name

    on_open(db, explicit_user=explicit_user)


def new_incarnation(session: Session) -> None:
    """After an in-app restore: a fresh op-id space, so no op id already held by peers is re-emitted."""
    state = session.get(LocalState, 1)
    assert state is not None
    state.incarnation = secrets.token_hex(8)
    state.seq = 0


def reopen(db: Database) -> Database:
    """Close `db` and open the same database again, as a program start does (file or server)."""
    db.close()
    if db.server is not None:
        from models.pg import open_server

        return open_server(db.engine.url.set(drivername="postgresql").render_as_string(hide_password=False),
                           wall=db.clock.wall)
    return open_database(db.path, db.dek, wall=db.clock.wall)
