"""The same program on a PostgreSQL server (psycopg 3): the PostgreSQL counterpart of models/storage.py.

- Sessions keep the file database's shape: `read_scope()` is a REPEATABLE READ, READ ONLY snapshot
  (never waits for a writer, refuses any write); a write transaction takes one transaction-scoped
  advisory lock first, so writes to one office database are serialized exactly as SQLite's IMMEDIATE
  transactions are (the op-log sequence, the audit chain and the site clock stay one line). The clerk's
  thread waits at most INTERACTIVE_WAIT_MS for it (lock_timeout, then `db_busy`), a worker WORKER_WAIT_MS.
- The schema is changed only by an administrator command (`db upgrade` / `init`, `upgrade_server`),
  never silently by a client: a client on another schema revision is refused with one Chinese line.
- The login in the URL is the user; the password comes from the URL, FJLD_PASSWORD or a prompt and is
  kept, when asked, only in the OS credential store (keyring), never in a file.
- Encryption at rest is the server's disk encryption (README); there is no data key, so `dek` is None."""
from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import psycopg
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import URL
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import sessionmaker

from models.backend import ServerAddress, parse_server_url
from models.errors import DomainError
from models.hlc import HybridClock, _system_ms
from models.storage import INTERACTIVE_WAIT_MS, WORKER_WAIT_MS, Database, start_site

log = logging.getLogger(__name__)
# pg_advisory_xact_lock key of the one write lock of an office database ("FJLD" in ASCII).
WRITE_LOCK_KEY = 0x464A4C44
KEYRING_SERVICE = "FujianLiandong-server"
SCHEMA_ADMIN_HINT = "请管理员运行 python main.py db upgrade --db <地址>"


def make_server_engine(address: ServerAddress, password: str) -> Engine:
    query = dict(address.query)
    url = URL.create("postgresql+psycopg", username=address.user, password=password,
                     host=address.host or None, port=address.port, database=address.dbname, query=query)
    engine = create_engine(url, pool_size=4, max_overflow=12, pool_pre_ping=True,
                           connect_args={"connect_timeout": 10, "application_name": "fjld"})

    @event.listens_for(engine, "begin")
    def _begin(conn) -> None:  # type: ignore[no-untyped-def]
        options = conn.get_execution_options()
        if options.get("fjld_read_only"):
            conn.exec_driver_sql("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            return
        wait = INTERACTIVE_WAIT_MS if options.get("fjld_optimistic") else WORKER_WAIT_MS
        conn.exec_driver_sql(f"SET LOCAL lock_timeout = '{wait}ms'")
        conn.exec_driver_sql(f"SELECT pg_advisory_xact_lock({WRITE_LOCK_KEY})")

    return engine


def server_folder(address: ServerAddress) -> Path:
    """This user's local folder for one server database (exports, logs); never a database file."""
    from models.platform import user_data_dir

    safe = "".join(ch if ch.isalnum() or ch in "-_." else "_" for ch in address.keyring_id)
    return user_data_dir() / "servers" / safe


def server_error(exc: DBAPIError, address: ServerAddress) -> DomainError:
    sqlstate = getattr(exc.orig, "sqlstate", None)
    text = str(exc.orig)
    if sqlstate == "28P01" or "password authentication failed" in text:
        return DomainError("wrong_password", "密码错误")
    if "is not permitted to log in" in text:   # NOLOGIN: a disabled account (checked after its password)
        return DomainError("account_disabled", "该账户已停用，请联系管理员")
    if sqlstate == "3D000" or "does not exist" in text and "database" in text:
        return DomainError("no_db", f"服务器上没有这个数据库：{address.dbname}")
    if "SSL" in text or "certificate" in text:
        return DomainError("server_tls", "无法与数据库服务器建立安全连接（证书校验未通过），请检查 sslmode/sslrootcert 设置")
    if sqlstate is None or sqlstate.startswith("08") or sqlstate.startswith("57P"):
        return DomainError("server_unreachable", f"无法连接数据库服务器：{address.display}")
    log.error("server error %s: %s", sqlstate, text.splitlines()[0] if text else "")
    return DomainError("server_error", f"数据库服务器报告错误（{sqlstate}）：{text.splitlines()[0] if text else ''}")


def _engine_for(url: str, password: str | None, login: str | None = None) -> tuple[ServerAddress, Engine]:
    """An engine connecting as `login` (default: the URL's user); the address keeps the URL's user."""
    address = parse_server_url(url)
    secret = address.password if address.password is not None else password
    if secret is None:
        raise DomainError("password_required", "请输入密码")
    engine = make_server_engine(replace(address, user=login) if login else address, secret)
    try:
        with engine.connect() as conn:
            conn.exec_driver_sql("SELECT 1")
    except DBAPIError as exc:
        engine.dispose()
        raise server_error(exc, address) from None
    return address, engine


def open_server(url: str, password: str | None = None, *, user: str | None = None,
                wall: Callable[[], int] = _system_ms, site_label: str = "", login: str | None = None) -> Database:
    """A client's open: the schema must already be at this program's revision (else one clear line).
    No account is signed in (internal jobs, tests): a person's open is sign_in_server. `login`: the
    server role to connect as, when it differs from the URL's user."""
    from models.migrate import current_revision, head_revision

    address, engine = _engine_for(url, password, login)
    try:
        current, head = current_revision(engine), head_revision()
        if current is None:
            raise DomainError("schema_missing", f"服务器上的数据库还没有建立数据结构：{SCHEMA_ADMIN_HINT}")
        if current != head:
            raise DomainError("schema_outdated", f"服务器数据库的结构版本（{current}）与本程序（{head}）不一致："
                                                 f"{SCHEMA_ADMIN_HINT}，或更新本程序")
        folder = server_folder(address)
        folder.mkdir(parents=True, exist_ok=True)
        db = Database(folder / "server", engine, sessionmaker(engine, expire_on_commit=False),
                      HybridClock(wall=wall), user if user is not None else address.user, None, server=address)
        start_site(db, site_label, explicit_user=user is not None)
    except DBAPIError as exc:
        engine.dispose()
        raise server_error(exc, address) from None
    except BaseException:
        engine.dispose()
        raise
    return db


def upgrade_server(url: str, password: str | None = None) -> tuple[str | None, str]:
    """The administrator's schema command: pg_trgm (a trusted extension the database owner installs),
    then alembic to head, then the search index if its layout changed. Returns (before, after)."""
    from models.migrate import current_revision, head_revision, upgrade_schema

    address, engine = _engine_for(url, password)
    try:
        before = current_revision(engine)
        with engine.begin() as conn:
            conn.exec_driver_sql("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        upgrade_schema(engine)
        with engine.begin() as conn:
            from models.pg_roles import apply_office_grants

            apply_office_grants(conn.connection.driver_connection, address.dbname)  # type: ignore[arg-type]
        return before, head_revision()
    except DBAPIError as exc:
        sqlstate = getattr(exc.orig, "sqlstate", None)
        if sqlstate == "42501":
            raise DomainError("server_privilege", f"登录用户 {address.user} 没有建立数据结构的权限："
                                                  "应由拥有该数据库的账户运行（README 的 PostgreSQL 一节）") from None
        raise server_error(exc, address) from None
    except psycopg.Error as exc:   # the grants, run on the driver connection
        if getattr(exc, "sqlstate", None) == "42501":
            raise DomainError("server_privilege", f"登录用户 {address.user} 没有建立角色或授权的权限："
                                                  "应由拥有该数据库且有 CREATEROLE 的账户运行") from None
        raise server_error(DBAPIError(None, None, exc), address) from None  # type: ignore[arg-type]
    finally:
        engine.dispose()


def person_logins(address: ServerAddress) -> list[str]:
    """The server roles a person signing in as the URL's user may be: the account's own login
    (`<库名>_<账户名>`, models/pg_roles.py), else the user as written (the database owner — the first
    administrator — or a login role name typed in full)."""
    from models.accounts import normalize_name
    from models.pg_roles import login_role

    candidates = []
    try:
        if not address.user.startswith(f"{address.dbname}_"):
            candidates.append(login_role(address.dbname, normalize_name(address.user)))
    except DomainError:
        pass   # not an account name (too long, a comma ...): only the name as written
    return [*candidates, address.user]


def sign_in_server(url: str, password: str | None = None, *, wall: Callable[[], int] = _system_ms,
                   site_label: str = "", audit: bool = True) -> Database:
    """A person's open of a server database: connects as the URL user's login role (the password is the
    server's), maps that login to its account and signs the account in, so the program's role checks,
    read filter and audit name run exactly as on a file database. A login with no account (other than
    the database owner's) is refused with one line. `audit`: the sign-in is an "unlock" audit event
    naming the person (False: the caller records it itself, as a sync import does after authenticating)."""
    from models.accounts import sign_in_server as sign_in
    from models.audit import append_audit

    address = parse_server_url(url)
    refused: DomainError | None = None
    for login in person_logins(address):
        try:
            db = open_server(url, password, wall=wall, site_label=site_label, login=login)
        except DomainError as exc:
            if exc.code != "wrong_password":
                raise
            refused = refused or exc
            continue
        try:
            sign_in(db)
            if audit:
                with db.write_scope() as session:
                    append_audit(session, "unlock", detail={"method": "server_login"})
        except BaseException:
            db.close()
            raise
        return db
    assert refused is not None
    raise refused


# -- the password, remembered only in the OS credential store --

def remembered_password(address: ServerAddress) -> str | None:
    from keyring.errors import KeyringError

    from models.platform import credential_store

    try:
        return credential_store().get_password(KEYRING_SERVICE, address.keyring_id)
    except KeyringError:
        return None


def remember_password(address: ServerAddress, password: str | None) -> None:
    """Store (or, with None, forget) the server password in the credential store."""
    from keyring.errors import KeyringError, PasswordDeleteError

    from models.platform import credential_store

    try:
        if password is None:
            try:
                credential_store().delete_password(KEYRING_SERVICE, address.keyring_id)
            except PasswordDeleteError:
                pass
        else:
            credential_store().set_password(KEYRING_SERVICE, address.keyring_id, password)
    except KeyringError:
        raise DomainError("no_keyring", "本机没有可用的凭据管理器，无法记住密码；请每次输入密码") from None


def initialize_server(url: str, password: str | None = None, *, office_name: str, office_code: str,
                      site_label: str = "", user: str | None = None) -> Database:
    """`init --db postgresql://…`: the schema (administrator command), the office settings and the first
    administrator — the login in the URL, recorded as the setting `server_admin`, in the audit log and as
    the first account (管理员 + 部门负责人, named `user` or after the login), signed in on the returned
    Database. Refuses a database that already holds an office."""
    from sqlalchemy import select

    from models.accounts import create_first_server_account
    from models.audit import AuditEvent, append_audit
    from models.settings import set_setting

    upgrade_server(url, password)
    db = open_server(url, password, user=user, site_label=site_label or office_name)
    try:
        with db.write_scope() as session:
            if session.scalars(select(AuditEvent.seq).where(AuditEvent.event == "init")).first() is not None:
                raise DomainError("db_exists", f"服务器上的数据库已建立：{db.location}，不会覆盖")
            administrator = db.server.user if db.server is not None else ""
            set_setting(session, "office_name", office_name)
            set_setting(session, "office_code", office_code)
            set_setting(session, "server_admin", administrator)
        create_first_server_account(db, user)
        with db.write_scope() as session:
            append_audit(session, "init", detail={"office": office_name, "administrator": administrator})
    except BaseException:
        db.close()
        raise
    return db
