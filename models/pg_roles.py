"""The government view (府检办联络员) enforced by PostgreSQL itself, so a client with a liaison's server
login cannot read past it with any SQL tool (issue 16 §2). The service layer's filter is
models/permissions.py; this is its server counterpart, built from the same registry and role table:

- one NOLOGIN group role per office database, `<库名>_liaison`, and one LOGIN role per liaison account,
  `<库名>_<账户名>`, member of the group (the database name prefix keeps two office databases on one
  cluster apart; roles that already exist are kept, with their passwords);
- the group may SELECT only what the government view reads: the task lists and progress, units,
  meetings, campaigns, info shares; of 检察建议 and 线索移送 only the shared columns
  (SUGGESTION_STATUS_FIELDS / TRANSFER_SHARED_FIELDS) and only rows sent to the government side; the op
  log filtered as _VISIBLE_OPS; attachments and blobs only of records it may see. Not one row of cases or
  建议内容 (the tables may be named, as the program's filtered queries do, under a policy never true). It may INSERT/UPDATE the tables of the actions the role table gives 府检办联络员 (task.write);
- ROW LEVEL SECURITY policies apply to the group only: the database owner (the application's login)
  bypasses them, so the program itself is unaffected.

Per-person accounts on a server (issue 16 §2): every account is a LOGIN role of its own, `<库名>_<账户名>`,
member of the group roles its program roles need (GROUPS_FOR): `<库名>_liaison` for 府检办联络员, `<库名>_staff`
(the table privileges the program needs) for everyone else, `<库名>_admin` (may write the account table)
for 管理员, whose login also has CREATEROLE so it can manage the others' logins. The password is the
server's (a SCRAM verifier computed by libpq before it is sent; the program stores nothing of it). The
groups and their grants are (re)made by `db upgrade`/`init` (apply_office_grants), as the database owner;
the program's role checks run on top of them (models/permissions.py) for every signed-in account.

Run by the administrator (`db liaison-roles`), as the login that owns the database (CREATEROLE)."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import psycopg
from psycopg import sql
from sqlalchemy import Table, text
from sqlalchemy.dialects import postgresql
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from models.attachment import Attachment, Blob
from models.base import BOOKKEEPING_COLUMNS, Base
from models.errors import DomainError
from models.oplog import Op
from models.permissions import _HIDDEN_ATTACHMENT_OWNERS, _VISIBLE_OPS
from models.registry import REPLICATED, SUGGESTION_STATUS_FIELDS, TRANSFER_SHARED_FIELDS, replicated_columns
from models.rules.permissions import ADMIN, CASE_DETAIL_ENTITIES, ENTITY_ACTION, LIAISON, RULES, parse_roles
from models.suggestion import Suggestion
from models.transfer import Transfer

GROUP_SUFFIX = "liaison"
STAFF_SUFFIX = "staff"
ADMIN_SUFFIX = "admin"
ROLE_NAME_MAX_BYTES = 63          # PostgreSQL's NAMEDATALEN - 1
POLICY = "fjld_government_view"
STAFF_POLICY = "fjld_staff"
# What the liaison group needs to run the program itself (sign in, open, write progress), none of which
# holds case details: the site's clock and settings, the search index layout, the sync bookkeeping read
# at open (of the peers only the package counters; their keys, and the site's own, stay unreadable).
LIAISON_PROGRAM_READABLE = ("local_state", "setting", "search_index_meta")
LIAISON_PROGRAM_COLUMNS = {"sync_peer": ("out_seq", "out_incarnation")}
AUDIT_HEAD_FUNCTION = "fjld_audit_head_seq"
SITE_ROLE_FUNCTION = "fjld_site_role"   # the site's sync role, readable without its signing key
# The partly shared records: their shared columns, and rows only where sent to the government side.
PARTLY_SHARED = {Suggestion: SUGGESTION_STATUS_FIELDS, Transfer: TRANSFER_SHARED_FIELDS}
# Two more stage columns of a shared 检察建议 the program's 首页 reads for everyone, the liaison included
# (已起诉 counts, 回头看 dates; models/services/dashboard.py, due.py): status, not case details.
LIAISON_STAGE_COLUMNS = {Suggestion: frozenset({"litigation", "follow_up_due"}), Transfer: frozenset()}
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


def staff_role(dbname: str) -> str:
    return _checked(f"{dbname}_{STAFF_SUFFIX}")


def admin_role(dbname: str) -> str:
    return _checked(f"{dbname}_{ADMIN_SUFFIX}")


def office_groups(dbname: str) -> tuple[str, ...]:
    return (staff_role(dbname), group_role(dbname), admin_role(dbname))


def login_role(dbname: str, account: str) -> str:
    return _checked(f"{dbname}_{account}")


def groups_for(dbname: str, roles: tuple[str, ...]) -> tuple[str, ...]:
    """The group roles of an account with these program roles: the government view for 府检办联络员, the
    staff group for any other role, and the admin group for 管理员."""
    groups = []
    if any(role != LIAISON for role in roles):
        groups.append(staff_role(dbname))
    if LIAISON in roles:
        groups.append(group_role(dbname))
    if ADMIN in roles:
        groups.append(admin_role(dbname))
    return tuple(groups)


def _checked(name: str) -> str:
    if len(name.encode()) > ROLE_NAME_MAX_BYTES:
        raise DomainError("role_name_too_long", f"服务器角色名太长（最多 {ROLE_NAME_MAX_BYTES} 字节）：{name}")
    return name


def readable_tables() -> list[Table]:
    """Every replicated table the government view reads (all but 案件 and 建议内容), plus EXTRA_READABLE."""
    return [cls.__table__ for cls in REPLICATED if cls.entity_name not in CASE_DETAIL_ENTITIES]  # type: ignore[attr-defined]


def case_detail_tables() -> list[Table]:
    return [cls.__table__ for cls in REPLICATED if cls.entity_name in CASE_DETAIL_ENTITIES]  # type: ignore[attr-defined]


def writable_tables() -> list[Table]:
    liaison_actions = set(RULES[LIAISON])
    return [cls.__table__ for cls in REPLICATED  # type: ignore[attr-defined]
            if ENTITY_ACTION.get(cls.entity_name) in liaison_actions]


def shared_columns(cls: type) -> list[str]:
    """The columns of a partly shared record the group may SELECT: all but the replicated fields that are
    not shared (bookkeeping, shared fields, what is derived from them such as 回复期限, and the two stage
    columns of LIAISON_STAGE_COLUMNS) — the program's read filter (models/permissions.py) does not fetch
    the others when it loads such a record."""
    hidden = set(replicated_columns(cls)) - PARTLY_SHARED[cls] - LIAISON_STAGE_COLUMNS[cls] - BOOKKEEPING_COLUMNS \
        - {"deleted"}
    return [c.name for c in cls.__table__.columns if c.key not in hidden]  # type: ignore[attr-defined]


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
        _policy(conn, table_name, f"{POLICY}_{group}", "SELECT", group, using=using)
    for table in case_detail_tables():
        # The program's own queries name these tables (its read filter turns them into "no rows"): the
        # group may name them too, and a policy that is never true gives it no row of them.
        conn.execute(sql.SQL("GRANT SELECT ON TABLE {} TO {}").format(_ident(table.name), g))
        _policy(conn, table.name, f"{POLICY}_{group}", "SELECT", group, using="false")
    _grant_liaison_program(conn, group, existing)


def _policy(conn: psycopg.Connection, table: str, name: str, command: str, role: str, *,
            using: str | None = None, check: str | None = None) -> None:
    """(Re)creates one policy on `table` (row-level security switched on for it)."""
    t = _ident(table)
    conn.execute(sql.SQL("ALTER TABLE {} ENABLE ROW LEVEL SECURITY").format(t))
    conn.execute(sql.SQL("DROP POLICY IF EXISTS {} ON {}").format(_ident(name), t))
    clauses = sql.SQL("")
    if using is not None:
        clauses += sql.SQL(" USING ({})").format(sql.SQL(using))  # type: ignore[arg-type]
    if check is not None:
        clauses += sql.SQL(" WITH CHECK ({})").format(sql.SQL(check))  # type: ignore[arg-type]
    conn.execute(sql.SQL("CREATE POLICY {} ON {} FOR {} TO {}{}").format(
        _ident(name), t, sql.SQL(command), _ident(role), clauses))  # type: ignore[arg-type]


def _in_list(names: list[str] | frozenset[str]) -> str:
    return "(" + ", ".join(f"'{name}'" for name in sorted(names)) + ")"


def _grant_liaison_program(conn: psycopg.Connection, group: str, existing: set[str]) -> None:
    """What a 府检办联络员 needs to use the program itself with its own login, none of it case details:
    the site's bookkeeping; ops only of the records it may write; the search index without the kinds the
    government view does not search (models/permissions.GOVERNMENT_UNSEARCHABLE); the audit log to append
    to, reading only its newest row (the chain's head); of the account table only its own row."""
    from models.permissions import GOVERNMENT_UNSEARCHABLE

    g = _ident(group)
    writable = [cls.entity_name for cls in REPLICATED  # type: ignore[attr-defined]
                if cls.__table__ in writable_tables()]  # type: ignore[attr-defined]
    for name in LIAISON_PROGRAM_READABLE:
        if name in existing:
            conn.execute(sql.SQL("GRANT SELECT ON TABLE {} TO {}").format(_ident(name), g))
    for name, columns in LIAISON_PROGRAM_COLUMNS.items():
        conn.execute(sql.SQL("GRANT SELECT ({}) ON TABLE {} TO {}").format(
            sql.SQL(", ").join(_ident(c) for c in columns), _ident(name), g))
    conn.execute(sql.SQL("GRANT UPDATE ON TABLE local_state TO {}").format(g))
    conn.execute(sql.SQL("GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA {} TO {}").format(_ident(_schema(conn)), g))
    conn.execute(sql.SQL("GRANT INSERT ON TABLE {} TO {}").format(_ident(Op.__tablename__), g))
    _policy(conn, Op.__tablename__, f"{POLICY}_{group}_insert", "INSERT", group, check=f"entity IN {_in_list(writable)}")
    if "search_index" in existing:
        conn.execute(sql.SQL("GRANT SELECT, INSERT, DELETE ON TABLE search_index TO {}").format(g))
        _policy(conn, "search_index", f"{POLICY}_{group}", "SELECT", group,
                using=f"entity NOT IN {_in_list(GOVERNMENT_UNSEARCHABLE)}")
        _policy(conn, "search_index", f"{POLICY}_{group}_insert", "INSERT", group,
                check=f"entity IN {_in_list(writable)}")
        _policy(conn, "search_index", f"{POLICY}_{group}_delete", "DELETE", group,
                using=f"entity IN {_in_list(writable)}")
    conn.execute(sql.SQL(
        "CREATE OR REPLACE FUNCTION {}() RETURNS bigint LANGUAGE sql STABLE SECURITY DEFINER "
        "SET search_path = {} AS 'SELECT coalesce(max(seq), 0) FROM audit_event'").format(
            _ident(AUDIT_HEAD_FUNCTION), _ident(_schema(conn))))
    conn.execute(sql.SQL("GRANT SELECT, INSERT ON TABLE audit_event TO {}").format(g))
    _policy(conn, "audit_event", f"{POLICY}_{group}", "SELECT", group, using=f"seq >= {AUDIT_HEAD_FUNCTION}()")
    _policy(conn, "audit_event", f"{POLICY}_{group}_insert", "INSERT", group, check="true")
    # Conflicts held for a person: those of what the government view reads; of what it writes, it may
    # also record and clear them (a local edit of a conflicted field).
    visible_ops = _sql_text(_VISIBLE_OPS).replace(f"{Op.__tablename__}.", "")
    conn.execute(sql.SQL("GRANT SELECT, INSERT, UPDATE, DELETE ON TABLE field_conflict TO {}").format(g))
    _policy(conn, "field_conflict", f"{POLICY}_{group}", "SELECT", group, using=visible_ops)
    for command in ("INSERT", "UPDATE", "DELETE"):
        only_writable = f"entity IN {_in_list(writable)}"
        _policy(conn, "field_conflict", f"{POLICY}_{group}_{command.lower()}", command, group,
                using=None if command == "INSERT" else only_writable,
                check=only_writable if command != "DELETE" else None)
    # The site's identity holds its signing key: named by the program's write guard, never a row for the
    # group (the guard then sees no site role; SITE_ROLE_FUNCTION gives the role without the key).
    conn.execute(sql.SQL("GRANT SELECT ON TABLE sync_identity TO {}").format(g))
    _policy(conn, "sync_identity", f"{POLICY}_{group}", "SELECT", group, using="false")
    conn.execute(sql.SQL(
        "CREATE OR REPLACE FUNCTION {}() RETURNS text LANGUAGE sql STABLE SECURITY DEFINER "
        "SET search_path = {} AS 'SELECT (secret_json::json)->>''role'' FROM sync_identity WHERE id = 1'").format(
            _ident(SITE_ROLE_FUNCTION), _ident(_schema(conn))))
    conn.execute(sql.SQL("GRANT SELECT (id, name, roles, disabled, server_login) ON TABLE account TO {}").format(g))
    conn.execute(sql.SQL("GRANT UPDATE (password_changed_at) ON TABLE account TO {}").format(g))
    _policy(conn, "account", f"{POLICY}_{group}", "SELECT", group, using="server_login = current_user")
    _policy(conn, "account", f"{POLICY}_{group}_update", "UPDATE", group, using="server_login = current_user")


def apply_staff_grants(conn: psycopg.Connection, dbname: str) -> None:
    """The staff group: what the program needs on every table (its role checks decide the rest), the
    account table read-only; the admin group may also write the account table. Every table under
    row-level security (the government view's) gets a policy letting the staff group through."""
    staff, admin, schema = _ident(staff_role(dbname)), _ident(admin_role(dbname)), _ident(_schema(conn))
    for g in (staff, admin):
        conn.execute(sql.SQL("GRANT CONNECT ON DATABASE {} TO {}").format(_ident(dbname), g))
        conn.execute(sql.SQL("GRANT USAGE ON SCHEMA {} TO {}").format(schema, g))
    conn.execute(sql.SQL("GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA {} TO {}").format(schema, staff))
    conn.execute(sql.SQL("GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA {} TO {}").format(schema, staff))
    conn.execute(sql.SQL("REVOKE INSERT, UPDATE, DELETE ON TABLE account FROM {}").format(staff))
    conn.execute(sql.SQL("GRANT UPDATE (password_changed_at) ON TABLE account TO {}").format(staff))
    conn.execute(sql.SQL("GRANT SELECT, INSERT, UPDATE ON TABLE account TO {}").format(admin))
    secured = [row[0] for row in conn.execute(
        "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
        "WHERE n.nspname = current_schema() AND c.relkind = 'r' AND c.relrowsecurity ORDER BY 1").fetchall()]
    for table in secured:
        _policy(conn, table, f"{STAFF_POLICY}_{staff_role(dbname)}", "ALL", staff_role(dbname),
                using="true", check="true")


def apply_office_grants(conn: psycopg.Connection, dbname: str) -> None:
    """The office's group roles (made if missing; roles already in the cluster are kept) and their grants
    and policies: run as the database owner by `db upgrade` and `init` (inside their transaction)."""
    for group in office_groups(dbname):
        _create_role(conn, group, login=False, password=None)
    apply_grants(conn, dbname, group_role(dbname))
    apply_staff_grants(conn, dbname)


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
                # the account signs in with this login from now on (models/accounts.sign_in_server)
                conn.execute("UPDATE account SET server_login = %s WHERE name = %s AND server_login = ''",
                             (role, account))
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
                apply_office_grants(conn, address.dbname)
    except psycopg.Error as exc:
        sqlstate = getattr(exc, "sqlstate", None)
        if sqlstate == "42501":
            raise DomainError("server_privilege", f"登录用户 {address.user} 没有建立角色或授权的权限："
                                                  "应由拥有该数据库且有 CREATEROLE 的账户运行") from None
        raise server_error(DBAPIError(None, None, exc), address) from None  # type: ignore[arg-type]
    return LiaisonRoles(group, tuple(created), tuple(kept), tuple(withdrawn))



# -- per-person logins, managed through an administrator's connection inside the program's transaction --

def driver_connection(session: Session) -> psycopg.Connection:
    """The psycopg connection under a write scope's session: role statements join its transaction, so
    the account row and the login change commit (or roll back) together."""
    return session.connection().connection.driver_connection  # type: ignore[return-value]


def current_login(session: Session) -> tuple[str, str, str]:
    """(login role of this connection, the database's owner, the database's name)."""
    row = session.execute(text("SELECT current_user, pg_get_userbyid(datdba), current_database() "
                               "FROM pg_database WHERE datname = current_database()")).one()
    return str(row[0]), str(row[1]), str(row[2])


def _verifier(conn: psycopg.Connection, role: str, password: str) -> str:
    """The SCRAM verifier of `password`, computed here by libpq: the plain password never reaches the
    server (nor its statement log)."""
    return conn.pgconn.encrypt_password(password.encode(), role.encode(), b"scram-sha-256").decode()


def _role_error(exc: psycopg.Error, who: str) -> DomainError:
    if getattr(exc, "sqlstate", None) == "42501":
        return DomainError("server_privilege", f"当前登录没有管理服务器登录角色的权限（需要 CREATEROLE）：{who}")
    return DomainError("server_error", f"数据库服务器拒绝了对登录角色的修改（{getattr(exc, 'sqlstate', '')}）：{who}")


def create_login(session: Session, role: str, password: str, roles: tuple[str, ...]) -> bool:
    """A LOGIN role for a new account, in the groups its roles need. An existing role of that name (made
    by `db liaison-roles`, or left by an account of an earlier set-up) is taken over: its password is set
    and it may log in again. True if made now."""
    conn = driver_connection(session)
    _, owner, dbname = current_login(session)
    if role in office_groups(dbname) or role == owner:   # an account named "staff" must not become the group
        raise DomainError("account_name_reserved", f"该账户名在服务器上已被占用（{role}），请换一个账户名")
    try:
        exists = conn.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", (role,)).fetchone() is not None
        verifier = sql.Literal(_verifier(conn, role, password))
        if exists:
            conn.execute(sql.SQL("ALTER ROLE {} LOGIN PASSWORD {}").format(_ident(role), verifier))
        else:
            conn.execute(sql.SQL("CREATE ROLE {} LOGIN PASSWORD {} NOSUPERUSER NOCREATEDB NOCREATEROLE INHERIT")
                         .format(_ident(role), verifier))
        _set_groups(conn, dbname, role, roles)
    except psycopg.Error as exc:
        raise _role_error(exc, role) from None
    return not exists


def set_login_roles(session: Session, role: str, roles: tuple[str, ...]) -> None:
    """The groups (and CREATEROLE for 管理员) of an account's login after its program roles changed. The
    database owner's login (the first administrator) keeps what it has: it owns everything anyway."""
    _, owner, dbname = current_login(session)
    if role == owner:
        return
    try:
        _set_groups(driver_connection(session), dbname, role, roles)
    except psycopg.Error as exc:
        raise _role_error(exc, role) from None


def _set_groups(conn: psycopg.Connection, dbname: str, role: str, roles: tuple[str, ...]) -> None:
    wanted = groups_for(dbname, roles)
    for group in office_groups(dbname):
        verb = "GRANT {} TO {}" if group in wanted else "REVOKE {} FROM {}"
        conn.execute(sql.SQL(verb).format(_ident(group), _ident(role)))
    conn.execute(sql.SQL("ALTER ROLE {} {}").format(_ident(role), sql.SQL("CREATEROLE" if ADMIN in roles
                                                                            else "NOCREATEROLE")))


def set_login_password(session: Session, role: str, password: str) -> None:
    """A reset by an administrator, or a person's own change (any login may change its own password)."""
    conn = driver_connection(session)
    try:
        conn.execute(sql.SQL("ALTER ROLE {} PASSWORD {}").format(_ident(role),
                                                                 sql.Literal(_verifier(conn, role, password))))
    except psycopg.Error as exc:
        raise _role_error(exc, role) from None


def set_login_enabled(session: Session, role: str, enabled: bool) -> None:
    """停用: NOLOGIN — the server refuses every new connection of that login (one already open ends when
    that desk closes the program); 启用: LOGIN again."""
    conn = driver_connection(session)
    try:
        conn.execute(sql.SQL("ALTER ROLE {} {}").format(_ident(role), sql.SQL("LOGIN" if enabled else "NOLOGIN")))
    except psycopg.Error as exc:
        raise _role_error(exc, role) from None
