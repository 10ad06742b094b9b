"""The government view (府检办联络员) enforced by PostgreSQL itself, so a client with a liaison's server
login cannot read past it with any SQL tool (issue 16 §2). The service layer's filter is
models/permissions.py; this is its server counterpart, built from the same registry and role table:

- one NOLOGIN group role per office database, `<库名>_liaison`, and one LOGIN role per liaison account,
  `<库名>_<账户名>`, member of the group (the database name prefix keeps two office databases on one
  cluster apart; roles that already exist are kept, with their passwords);
- the group may SELECT only what the government view reads: the task lists and progress, units,
  meetings, campaigns, info shares; of 检察建议 and 线索移送 only the shared columns
  (SUGGESTION_STATUS_FIELDS / TRANSFER_SHARED_FIELDS) and only rows sent to the government side; the op
  log filtered as _VISIBLE_OPS; attachments and blobs only of records it may see. Nothing of cases or
  建议内容. It may INSERT/UPDATE the tables of the actions the role table gives 府检办联络员 (task.write);
- ROW LEVEL SECURITY policies apply to the group only: the database owner (the application's login)
  bypasses them, so the program itself is unaffected.

Run by the administrator (`db liaison-roles`), as the login that owns the database (CREATEROLE)."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import psycopg
from psycopg import sql
from sqlalchemy import Table
from sqlalchemy.dialects import postgresql
from sqlalchemy.exc import DBAPIError

from models.attachment import Attachment, Blob
from models.base import BOOKKEEPING_COLUMNS, Base
from models.errors import DomainError
from models.oplog import Op
from models.permissions import _HIDDEN_ATTACHMENT_OWNERS, _VISIBLE_OPS
from models.registry import REPLICATED, SUGGESTION_STATUS_FIELDS, TRANSFER_SHARED_FIELDS
from models.rules.permissions import CASE_DETAIL_ENTITIES, ENTITY_ACTION, LIAISON, RULES, parse_roles
from models.suggestion import Suggestion
from models.transfer import Transfer

GROUP_SUFFIX = "liaison"
ROLE_NAME_MAX_BYTES = 63          # PostgreSQL's NAMEDATALEN - 1
POLICY = "fjld_government_view"
# The partly shared records: their shared columns, and rows only where sent to the government side.
PARTLY_SHARED = {Suggestion: SUGGESTION_STATUS_FIELDS, Transfer: TRANSFER_SHARED_FIELDS}
# Local tables the government view needs besides the replicated ones (a client checks the revision).
EXTRA_READABLE = ("alembic_version", Blob.__tablename__, Op.__tablename__)


@dataclass(frozen=True)
class LiaisonRoles:
    group: str
    created: tuple[str, ...]        # login roles made now
    kept: tuple[str, ...]           # login roles that already existed (password unchanged)
    withdrawn: tuple[str, ...] = () # logins of accounts no longer enabled liaisons: out of the group, NOLOGIN


def group_role(dbname: str) -> str:
    return _checked(f"{dbname}_{GROUP_SUFFIX}")


def login_role(dbname: str, account: str) -> str:
    return _checked(f"{dbname}_{account}")


def _checked(name: str) -> str:
    if len(name.encode()) > ROLE_NAME_MAX_BYTES:
        raise DomainError("role_name_too_long", f"服务器角色名太长（最多 {ROLE_NAME_MAX_BYTES} 字节）：{name}")
    return name


def readable_tables() -> list[Table]:
    """Every replicated table the government view reads (all but 案件 and 建议内容), plus EXTRA_READABLE."""
    return [cls.__table__ for cls in REPLICATED if cls.entity_name not in CASE_DETAIL_ENTITIES]  # type: ignore[attr-defined]


def writable_tables() -> list[Table]:
    liaison_actions = set(RULES[LIAISON])
    return [cls.__table__ for cls in REPLICATED  # type: ignore[attr-defined]
            if ENTITY_ACTION.get(cls.entity_name) in liaison_actions]


def shared_columns(cls: type) -> list[str]:
    """The columns of a partly shared record the group may SELECT: bookkeeping + shared fields."""
    keep = BOOKKEEPING_COLUMNS | PARTLY_SHARED[cls] | {"deleted"}
    return [c.name for c in cls.__table__.columns if c.key in keep]  # type: ignore[attr-defined]


def _sql_text(clause: object) -> str:
    return str(clause.compile(dialect=postgresql.dialect(), compile_kwargs={"literal_binds": True}))  # type: ignore[attr-defined]


def _policies() -> dict[str, str]:
    """table → USING expression of the group's SELECT policy."""
    hidden = ", ".join(f"'{owner}'" for owner in _HIDDEN_ATTACHMENT_OWNERS)
    visible_attachment = f"owner_entity NOT IN ({hidden})"
    return {
        Suggestion.__tablename__: "to_government IS TRUE",
        Transfer.__tablename__: "to_government IS TRUE",
        Attachment.__tablename__: visible_attachment,
        Blob.__tablename__: (f"EXISTS (SELECT 1 FROM {Attachment.__tablename__} a WHERE a.sha256 = "
                             f"{Blob.__tablename__}.sha256 AND a.{visible_attachment})"),
        Op.__tablename__: _sql_text(_VISIBLE_OPS).replace(f"{Op.__tablename__}.", ""),
    }


def liaison_accounts(conn: psycopg.Connection) -> list[str]:
    """Names of the enabled accounts holding 府检办联络员 (the account table of this database)."""
    rows = conn.execute("SELECT name, roles FROM account WHERE NOT disabled ORDER BY name").fetchall()
    return [name for name, roles in rows if LIAISON in parse_roles(roles)]


def _ident(name: str) -> sql.Identifier:
    return sql.Identifier(name)


def _create_role(conn: psycopg.Connection, name: str, *, login: bool, password: str | None) -> bool:
    """True if made now; an existing role (this or an earlier run, or another tool) is kept."""
    if conn.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", (name,)).fetchone() is not None:
        return False
    kind = sql.SQL("LOGIN PASSWORD {}").format(sql.Literal(password)) if login else sql.SQL("NOLOGIN")
    try:
        with conn.transaction():
            conn.execute(sql.SQL("CREATE ROLE {} {} NOSUPERUSER NOCREATEDB NOCREATEROLE INHERIT").format(
                _ident(name), kind))
    except psycopg.errors.DuplicateObject:
        return False
    return True


def apply_grants(conn: psycopg.Connection, dbname: str, group: str) -> None:
    """Revokes everything from the group, then grants the government view and (re)creates its policies."""
    g = _ident(group)
    existing = {row[0] for row in conn.execute(
        "SELECT tablename FROM pg_tables WHERE schemaname = current_schema()").fetchall()}
    conn.execute(sql.SQL("GRANT CONNECT ON DATABASE {} TO {}").format(_ident(dbname), g))
    conn.execute(sql.SQL("GRANT USAGE ON SCHEMA {} TO {}").format(_ident(_schema(conn)), g))
    for table in Base.metadata.sorted_tables:
        if table.name in existing:
            conn.execute(sql.SQL("REVOKE ALL ON TABLE {} FROM {}").format(_ident(table.name), g))
    partly = {cls.__tablename__: cls for cls in PARTLY_SHARED}
    for table in readable_tables():
        if table.name in partly:
            columns = sql.SQL(", ").join(_ident(c) for c in shared_columns(partly[table.name]))
            conn.execute(sql.SQL("GRANT SELECT ({}) ON TABLE {} TO {}").format(columns, _ident(table.name), g))
        else:
            conn.execute(sql.SQL("GRANT SELECT ON TABLE {} TO {}").format(_ident(table.name), g))
    for name in EXTRA_READABLE:
        if name in existing:
            conn.execute(sql.SQL("GRANT SELECT ON TABLE {} TO {}").format(_ident(name), g))
    for table in writable_tables():
        conn.execute(sql.SQL("GRANT INSERT, UPDATE ON TABLE {} TO {}").format(_ident(table.name), g))
    for table_name, using in _policies().items():
        t = _ident(table_name)
        conn.execute(sql.SQL("ALTER TABLE {} ENABLE ROW LEVEL SECURITY").format(t))
        conn.execute(sql.SQL("DROP POLICY IF EXISTS {} ON {}").format(_ident(f"{POLICY}_{group}"), t))
        conn.execute(sql.SQL("CREATE POLICY {} ON {} FOR SELECT TO {} USING ({})").format(
            _ident(f"{POLICY}_{group}"), t, g, sql.SQL(using)))  # type: ignore[arg-type]


def _schema(conn: psycopg.Connection) -> str:
    row = conn.execute("SELECT current_schema()").fetchone()
    return row[0] if row else "public"


def set_up_liaison_roles(url: str, password: str | None,
                         login_password: Callable[[str, str], str]) -> LiaisonRoles:
    """`db liaison-roles`: the group role, its grants and policies, and a login role per liaison account.
    `login_password(account, role)` gives the password of a login role made now. One transaction for the
    grants; role creation tolerates roles that already exist in the cluster."""
    from models.pg import _engine_for, server_error

    address, engine = _engine_for(url, password)
    engine.dispose()
    secret = address.password if address.password is not None else password
    query = dict(address.query)
    try:
        with psycopg.connect(host=address.host or query.get("host") or None, port=address.port,
                             user=address.user, password=secret, dbname=address.dbname, autocommit=True,
                             **{k: v for k, v in query.items() if k != "host"}) as conn:
            if conn.execute("SELECT to_regclass('account')").fetchone() in (None, (None,)):
                raise DomainError("schema_missing", "服务器上的数据库还没有建立数据结构：请先运行 db upgrade 或 init")
            group = group_role(address.dbname)
            _create_role(conn, group, login=False, password=None)
            created, kept = [], []
            for account in liaison_accounts(conn):
                role = login_role(address.dbname, account)
                exists = conn.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", (role,)).fetchone()
                made = exists is None and _create_role(conn, role, login=True,
                                                       password=login_password(account, role))
                conn.execute(sql.SQL("GRANT {} TO {}").format(_ident(group), _ident(role)))
                if not made:
                    conn.execute(sql.SQL("ALTER ROLE {} LOGIN").format(_ident(role)))  # an account enabled again
                (created if made else kept).append(role)
            withdrawn = []
            members = conn.execute("SELECT m.rolname FROM pg_auth_members a JOIN pg_roles g ON g.oid = a.roleid "
                                   "JOIN pg_roles m ON m.oid = a.member WHERE g.rolname = %s ORDER BY 1",
                                   (group,)).fetchall()
            for (member,) in members:
                if member not in created and member not in kept:
                    conn.execute(sql.SQL("REVOKE {} FROM {}").format(_ident(group), _ident(member)))
                    conn.execute(sql.SQL("ALTER ROLE {} NOLOGIN").format(_ident(member)))
                    withdrawn.append(member)
            with conn.transaction():
                apply_grants(conn, address.dbname, group)
    except psycopg.Error as exc:
        sqlstate = getattr(exc, "sqlstate", None)
        if sqlstate == "42501":
            raise DomainError("server_privilege", f"登录用户 {address.user} 没有建立角色或授权的权限："
                                                  "应由拥有该数据库且有 CREATEROLE 的账户运行") from None
        raise server_error(DBAPIError(None, None, exc), address) from None  # type: ignore[arg-type]
    return LiaisonRoles(group, tuple(created), tuple(kept), tuple(withdrawn))

