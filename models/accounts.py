"""Per-person accounts of one database (issue 16 §2). The data key stays one; each account has its own
password slot in the key file (models/keyslots.py). The account table, inside the encrypted database,
decides who a slot belongs to, its roles and whether it is disabled: the key file's account label only
finds the slot before the database is open, and editing it gains nothing.

A database from before accounts has one slot ("password"): its first unlock makes it the first
account (管理员 + 部门负责人, named after the database's author), with no other change.

On a PostgreSQL server there is no data key and no key file: each account is a server login of its own
(`server_login`, models/pg_roles.py) whose password is the server's; the connection's login is mapped
to its account at sign-in (sign_in_server), and the administration below changes the login in the same
transaction as the row.

Services take the Database (they change the key file as well as the database); reads take a Session."""
from __future__ import annotations

import datetime as dt
import secrets
import unicodedata
from dataclasses import dataclass
from typing import TYPE_CHECKING

from sqlalchemy import String, select, update
from sqlalchemy.orm import Mapped, Session, mapped_column

from models.audit import append_audit
from models.base import Base
from models.errors import DomainError
from models.keyslots import KeyFile, check_password_strength, keys_path_for
from models.permissions import Actor, actor_of, attach_actor, require
from models.rules.permissions import ADMIN, FIRST_ACCOUNT_ROLES, ROLES, parse_roles

if TYPE_CHECKING:
    from models.storage import Database

NAME_MAX_LENGTH = 40
FIRST_SLOT = "password"   # the first account keeps the slot id a database had before accounts


class Account(Base):
    """One person who may unlock this database. Local: never replicated (each office has its own people)."""

    __tablename__ = "account"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    name: Mapped[str] = mapped_column(String(NAME_MAX_LENGTH), unique=True)
    roles: Mapped[str] = mapped_column(String(200))          # role names joined by ","
    slot_id: Mapped[str] = mapped_column(String(60))         # its password slot in the key file
    disabled: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[str] = mapped_column(String(40))
    password_changed_at: Mapped[str] = mapped_column(String(40), default="")
    # On a PostgreSQL server: the account's own LOGIN role (models/pg_roles.py); empty on a file database.
    server_login: Mapped[str] = mapped_column(String(63), default="", server_default="")

    def role_tuple(self) -> tuple[str, ...]:
        return tuple(role for role in ROLES if role in self.roles.split(","))

    def actor(self) -> Actor:
        return Actor(self.name, self.role_tuple(), self.id)


@dataclass(frozen=True)
class AccountRow:
    name: str
    roles: tuple[str, ...]
    disabled: bool
    created_at: str
    password_changed_at: str
    no_server_login: bool = False   # on a server: an account that came with `db move-to`, not yet reset

    @property
    def status(self) -> str:
        """How the 账户 screen and `account list` name its state."""
        if self.disabled:
            return "已停用"
        return "未开通服务器登录（重置密码即开通）" if self.no_server_login else "启用"


def normalize_name(text: object) -> str:
    """An account name as stored: NFKC, trimmed, inner whitespace as single spaces; 1–40 printable
    characters. Refused names are one Chinese line."""
    name = " ".join(unicodedata.normalize("NFKC", str(text if text is not None else "")).split())
    if not name:
        raise DomainError("bad_account_name", "请填写账户名")
    if len(name) > NAME_MAX_LENGTH:
        raise DomainError("bad_account_name", f"账户名太长（最多{NAME_MAX_LENGTH}个字）")
    if any(unicodedata.category(c).startswith("C") for c in name) or "," in name:
        raise DomainError("bad_account_name", "账户名中不能有控制字符或逗号")
    return name


def _now() -> str:
    return dt.datetime.now().isoformat(timespec="seconds")


def _roles(roles: str | tuple[str, ...] | list[str]) -> tuple[str, ...]:
    try:
        return parse_roles(roles if isinstance(roles, str) else ",".join(roles))
    except ValueError as exc:
        raise DomainError("bad_role", f"没有这个角色：{exc}。可选：{'、'.join(ROLES)}") from None


def _key_file(db: Database) -> KeyFile:
    return KeyFile.load(keys_path_for(db.path))


def _dek(db: Database) -> bytes:
    if db.dek is None:
        raise DomainError("not_encrypted", "数据库未加密")
    return db.dek


def _by_name(session: Session, name: str) -> Account:
    account = session.scalars(select(Account).where(Account.name == normalize_name(name))).first()
    if account is None:
        raise DomainError("unknown_account", f"没有这个账户：{normalize_name(name)}")
    return account


# --- unlock ---

def slot_for(key_file: KeyFile, name: str | None) -> tuple[str, str]:
    """(slot id, lock-out key) of the account `name`, found by the key file's labels before the database
    is open. Without a name: the only account. A database from before accounts has one unlabelled slot,
    which any name may try (the first unlock names its account)."""
    slots = key_file.password_slots()
    if name is None:
        if len(slots) > 1:
            raise DomainError("account_required", "本数据库有多个账户，请选择账户（命令行用 --user 或环境变量 FJLD_USER）")
        return (slots[0][0], slots[0][1]) if slots else (FIRST_SLOT, "")
    wanted = normalize_name(name)
    for slot_id, label in slots:
        if label == wanted or (label == "" and len(slots) == 1):
            return slot_id, wanted
    if wanted in key_file.disabled_accounts():
        raise DomainError("account_disabled", f"账户“{wanted}”已停用，请联系管理员")
    raise DomainError("unknown_account", f"没有这个账户：{wanted}")


def account_names(db_path: object) -> list[str]:
    """Names to offer in the unlock dialog (from the key file's labels; the database is still locked)."""
    from pathlib import Path

    key_file = KeyFile.load(keys_path_for(Path(str(db_path))))
    return sorted(label for _, label in key_file.password_slots() if label)


def sign_in(db: Database, *, slot_id: str | None, name: str | None, recovery: bool = False) -> Actor:
    """The account that unlocked `db` (by its slot, or — with the recovery key — the named or first
    administrator), attached to every session. Makes the first account of a database from before accounts."""
    with db.read_scope() as session:
        has_accounts = session.scalars(select(Account.id).limit(1)).first() is not None
    if not has_accounts:
        _make_first_account(db, name)
    with db.read_scope() as session:
        if recovery:
            candidates = [_by_name(session, name)] if name else list(
                session.scalars(select(Account).where(Account.disabled.is_(False)).order_by(Account.created_at)))
            account = next((a for a in candidates if ADMIN in a.role_tuple()), None)
            if account is None:
                raise DomainError("recovery_admin_only", "恢复密钥只能用于重置管理员的密码；其他账户请由管理员重置")
        else:
            account = session.scalars(select(Account).where(Account.slot_id == slot_id)).first()
            if account is None or (name is not None and account.name != normalize_name(name)):
                raise DomainError("wrong_password", "密码错误")
        if account.disabled:
            raise DomainError("account_disabled", f"账户“{account.name}”已停用，请联系管理员")
        actor = account.actor()
    attach_actor(db, actor)
    return actor


def _make_first_account(db: Database, name: str | None, *, audit: bool = True) -> None:
    account_name = normalize_name(name) if name else _default_name(db.user)
    with db.write_scope() as session:
        session.add(Account(id=secrets.token_hex(8), name=account_name, roles=",".join(FIRST_ACCOUNT_ROLES),
                            slot_id=FIRST_SLOT, created_at=_now()))
        key_file = _key_file(db)
        key_file.label_slot(FIRST_SLOT, account_name)
        key_file.save()
        if audit:   # at init the "init" event, written by this account, records it
            append_audit(session, "account_added", object_ref=account_name,
                         detail={"roles": list(FIRST_ACCOUNT_ROLES), "first": True})


def _default_name(author: str) -> str:
    try:
        return normalize_name(author)
    except DomainError:
        return ADMIN


def create_first_account(db: Database, name: str | None) -> Actor:
    """`init`: the database's first account, on the slot the key file was created with."""
    _make_first_account(db, name, audit=False)
    return sign_in(db, slot_id=FIRST_SLOT, name=None)


# --- a server database: the login is the person (models/pg.py sign_in_server, models/pg_roles.py) ---

def sign_in_server(db: Database) -> Actor | None:
    """Maps the connection's login role to its account and attaches it (role checks, read filter, audit
    name). The database owner without an account row (a database set up before accounts) opens as the
    program's own login, unrestricted; any other login without an enabled account is refused."""
    from models.pg_roles import current_login

    with db.read_scope() as session:
        login, owner, _dbname = current_login(session)
        row = session.execute(select(Account.id, Account.name, Account.roles, Account.disabled)
                              .where(Account.server_login == login)).first()
    if row is None:
        if login == owner:
            return None
        raise DomainError("no_account", f"服务器登录“{login}”没有对应的账户，请联系管理员")
    if row.disabled:
        raise DomainError("account_disabled", f"账户“{row.name}”已停用，请联系管理员")
    actor = Actor(row.name, _roles(row.roles), row.id)
    attach_actor(db, actor)
    return actor


def create_first_server_account(db: Database, name: str | None) -> Actor:
    """`init` on a server: the login that set the database up (its owner) becomes the first account
    (管理员 + 部门负责人), named `name` or after the login, and is signed in."""
    from models.pg_roles import current_login

    with db.write_scope() as session:
        login = current_login(session)[0]
        account = Account(id=secrets.token_hex(8), name=normalize_name(name) if name else _default_name(login),
                          roles=",".join(FIRST_ACCOUNT_ROLES), slot_id="", server_login=login, created_at=_now())
        session.add(account)
    actor = sign_in_server(db)
    assert actor is not None
    return actor


# --- administration (管理员) ---

def list_accounts(session: Session) -> list[AccountRow]:
    require(session, "accounts")
    on_server = session.get_bind().dialect.name == "postgresql"
    return [AccountRow(a.name, a.role_tuple(), a.disabled, a.created_at, a.password_changed_at,
                       on_server and not a.server_login)
            for a in session.scalars(select(Account).order_by(Account.created_at, Account.name))]


def add_account(db: Database, name: str, roles: str | tuple[str, ...] | list[str], password: str) -> AccountRow:
    """A new account with its own password: a key slot on a file database; on a server its own LOGIN
    role in the groups of its roles (the password is the server's), in the same transaction."""
    require(db, "accounts")
    account_name, role_tuple = normalize_name(name), _roles(roles)
    check_password_strength(password)
    with db.write_scope() as session:
        if session.scalars(select(Account.id).where(Account.name == account_name)).first() is not None:
            raise DomainError("account_exists", f"账户已存在：{account_name}")
        account = Account(id=secrets.token_hex(8), name=account_name, roles=",".join(role_tuple),
                          created_at=_now(), password_changed_at=_now())
        account.slot_id = f"account-{account.id}"
        session.add(account)
        append_audit(session, "account_added", object_ref=account_name, detail={"roles": list(role_tuple)})
        if db.server is not None:
            from models.pg_roles import create_login, login_role

            account.slot_id = ""
            account.server_login = login_role(db.server.dbname, account_name)
            session.flush()
            create_login(session, account.server_login, password, role_tuple)
            return AccountRow(account_name, role_tuple, False, account.created_at, account.password_changed_at)
        key_file = _key_file(db)
        key_file.set_password(_dek(db), password, slot_id=account.slot_id, account=account_name)
        key_file.save()   # before the commit: a failed save rolls the account back
        return AccountRow(account_name, role_tuple, False, account.created_at, account.password_changed_at)


def _active_admins(session: Session) -> int:
    return sum(1 for a in session.scalars(select(Account).where(Account.disabled.is_(False)))
               if ADMIN in a.role_tuple())


def set_roles(db: Database, name: str, roles: str | tuple[str, ...] | list[str]) -> tuple[str, ...]:
    require(db, "accounts")
    role_tuple = _roles(roles)
    with db.write_scope() as session:
        account = _by_name(session, name)
        before = account.role_tuple()
        account.roles = ",".join(role_tuple)
        session.flush()
        if not account.disabled and ADMIN in before and _active_admins(session) == 0:
            raise DomainError("last_admin", "至少要保留一个启用的管理员账户")
        append_audit(session, "account_roles", object_ref=account.name,
                     detail={"before": list(before), "after": list(role_tuple)})
        if db.server is not None and account.server_login:   # one without a login gets it at its reset
            from models.pg_roles import set_login_roles

            set_login_roles(session, account.server_login, role_tuple)
    return role_tuple


def set_disabled(db: Database, name: str, disabled: bool = True) -> None:
    """停用 removes the account's password slot from the key file (its password no longer opens the data
    key at all); 启用 needs a password reset afterwards. On a server: its login role becomes NOLOGIN
    (启用: LOGIN again, with the password it had)."""
    require(db, "accounts")
    with db.write_scope() as session:
        account = _by_name(session, name)
        actor = actor_of(db)
        if disabled and actor is not None and actor.account_id == account.id:
            raise DomainError("disable_self", "不能停用当前登录的账户")
        account.disabled = disabled
        session.flush()
        if disabled and _active_admins(session) == 0:
            raise DomainError("last_admin", "至少要保留一个启用的管理员账户")
        append_audit(session, "account_disabled" if disabled else "account_enabled", object_ref=account.name)
        if db.server is not None and account.server_login:
            from models.pg_roles import set_login_enabled

            set_login_enabled(session, account.server_login, not disabled)
        elif disabled and db.server is None:
            key_file = _key_file(db)
            key_file.disable_slot(account.slot_id, account.name)
            if key_file.remembered_slot() == account.slot_id:
                key_file.forget()
            key_file.save()


def reset_password(db: Database, name: str, new_password: str) -> None:
    """An administrator sets a forgotten password (the person changes it afterwards with passwd)."""
    require(db, "accounts")
    check_password_strength(new_password)
    with db.write_scope() as session:
        account = _by_name(session, name)
        _write_password(db, session, account, new_password)
        append_audit(session, "account_password_reset", object_ref=account.name)


def change_own_password(db: Database, new_password: str) -> None:
    """The person changes their own password (any role). Without an account (internal use): the first slot."""
    check_password_strength(new_password)
    actor = actor_of(db)
    with db.write_scope() as session:
        if db.server is not None:   # any login may change its own password; the row: only the date
            from models.pg_roles import current_login, set_login_password

            set_login_password(session, current_login(session)[0], new_password)
            if actor is not None:
                session.execute(update(Account).where(Account.id == actor.account_id)
                                .values(password_changed_at=_now()))
            append_audit(session, "password_changed")
            return
        account = session.get(Account, actor.account_id) if actor is not None else None
        if account is None:
            key_file = _key_file(db)
            key_file.set_password(_dek(db), new_password, slot_id=FIRST_SLOT)
            key_file.save()
        else:
            _write_password(db, session, account, new_password)
        append_audit(session, "password_changed")


def _write_password(db: Database, session: Session, account: Account, password: str) -> None:
    """The account's new password: its key slot, or on a server its login role's (the server's SCRAM
    verifier). A server account without a login yet (made before logins) gets one now."""
    account.password_changed_at = _now()
    if db.server is not None:
        from models.pg_roles import create_login, login_role, set_login_password

        if account.server_login:
            set_login_password(session, account.server_login, password)
        else:
            account.server_login = login_role(db.server.dbname, account.name)
            create_login(session, account.server_login, password, account.role_tuple())
        return
    key_file = _key_file(db)
    key_file.set_password(_dek(db), password, slot_id=account.slot_id, account=account.name)
    key_file.save()


def remember_account(db: Database, remember: bool) -> None:
    """在本机记住密码 for the signed-in account (its slot bound into the device slot)."""
    actor = actor_of(db)
    slot = FIRST_SLOT
    if actor is not None:
        with db.read_scope() as session:
            account = session.get(Account, actor.account_id)
            slot = account.slot_id if account is not None else FIRST_SLOT
    key_file = _key_file(db)
    if remember:
        key_file.remember(_dek(db), slot)
    else:
        key_file.forget()
    key_file.save()
