"""Creating, unlocking and re-keying the encrypted database (one function per use case). Unlocking
signs an account in (models/accounts.py): its name and roles ride on every session from then on."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from models.accounts import change_own_password, create_first_account, remember_account, sign_in, slot_for
from models.audit import append_audit
from models.errors import DomainError
from models.keyslots import KeyFile, create_key_file, keys_path_for
from models.lockout import UnlockGuard
from models.permissions import require
from models.settings import set_setting
from models.storage import Database, open_database


@dataclass(frozen=True)
class NewDatabase:
    db: Database
    recovery_key: str  # shown once, to print or write down


def initialize(db_path: Path, password: str, *, office_name: str, office_code: str,
               site_label: str = "", remember: bool = False, user: str | None = None,
               account: str | None = None) -> NewDatabase:
    """A new database and its first account (管理员 + 部门负责人), named `account`, else `user`, else
    the database's author (the office name)."""
    from models.accounts import normalize_name

    keys = keys_path_for(db_path)
    if db_path.exists() or keys.exists():
        raise DomainError("db_exists", f"数据库已存在：{db_path}，不会覆盖")
    if account is not None:
        normalize_name(account)   # a bad name is refused before anything is written
    key_file, dek, recovery = create_key_file(keys, password)
    db = open_database(db_path, dek, user=user, site_label=site_label or office_name)
    try:
        create_first_account(db, account)
    except DomainError:
        db.close()
        raise
    with db.session_scope() as session:
        set_setting(session, "office_name", office_name)
        set_setting(session, "office_code", office_code)
        append_audit(session, "init", detail={"office": office_name})
    if remember:
        remember_account(db, True)
    return NewDatabase(db, recovery)


def _key_file(db_path: Path) -> KeyFile:
    if not db_path.exists():
        raise DomainError("no_db", f"找不到数据库：{db_path}。请先运行 init 创建")
    return KeyFile.load(keys_path_for(db_path))


def unlock(db_path: Path, *, password: str | None = None, recovery_key: str | None = None,
           user: str | None = None, account: str | None = None, guard: UnlockGuard | None = None,
           audit: bool = True) -> Database:
    """Keyring slot first (if remembered), else the password of `account` (the only account when None),
    else the recovery key (an administrator's: `account`, or the first one). Wrong passwords and recovery
    keys count towards that account's lock-out (models/lockout.py). The account is signed in: ops and
    audit events name it (`user` is kept for old callers and ignored once an account signs in).
    `audit=False`: the caller records the unlock itself (a sync import writes nothing before the
    package is authenticated)."""
    key_file = _key_file(db_path)
    slot_id: str | None
    if password is not None or recovery_key is not None:
        slot_id, lock_key = slot_for(key_file, account) if password is not None else (None, "")
        guard = guard or UnlockGuard.for_db(db_path, account=lock_key)
        guard.check()
        try:
            if password is not None:
                dek, how = key_file.unlock_with_password(password, slot_id or "password"), "password"
            else:
                dek, how = key_file.unlock_with_recovery(recovery_key or ""), "recovery_key"
        except DomainError as exc:
            if exc.code in ("wrong_password", "wrong_recovery_key"):
                guard.failed()
            raise
    else:
        remembered = key_file.unlock_with_keyring()
        if remembered is None:
            raise DomainError("password_required", "请输入密码")
        dek, how, slot_id = remembered, "keyring", key_file.remembered_slot()
        guard = guard or UnlockGuard.for_db(db_path)
    db = open_database(db_path, dek, user=user)
    try:
        sign_in(db, slot_id=slot_id, name=account, recovery=how == "recovery_key")
    except DomainError:
        db.close()
        raise
    failures = guard.succeeded()
    if failures or audit:
        with db.session_scope() as session:
            if failures:
                append_audit(session, "unlock_failed", detail={"attempts": failures}, result="failed")
            append_audit(session, "unlock", detail={"method": how})
    return db


def remembers_key(db_path: Path) -> bool:
    return _key_file(db_path).remembers


def set_remember(db: Database, remember: bool) -> None:
    remember_account(db, remember)
    with db.session_scope() as session:
        append_audit(session, "remember_on_this_computer", detail={"on": remember})


def _dek(db: Database) -> bytes:
    if db.dek is None:
        raise DomainError("not_encrypted", "数据库未加密")
    return db.dek


def change_password(db: Database, new_password: str) -> None:
    """The signed-in account's own password: re-wraps its slot; the database itself is not re-encrypted."""
    from models.keyslots import check_password_strength

    check_password_strength(new_password)
    if db.server is None:   # a server's password is its login's: no key file, no file backup
        db.backup("key_change")
    change_own_password(db, new_password)


def new_recovery_key(db: Database) -> str:
    from models.keyslots import new_recovery_key as make

    require(db, "accounts")
    recovery = make()
    key_file = KeyFile.load(keys_path_for(db.path))
    key_file.set_recovery(_dek(db), recovery)
    key_file.save()
    with db.session_scope() as session:
        append_audit(session, "recovery_key_renewed")
    return recovery


def backup_now(db: Database) -> Path:
    """The clerk's 立即备份 / `backup`: a verified copy, recorded in the audit log."""
    require(db, "backup")
    path = db.backup("manual")
    with db.session_scope() as session:
        append_audit(session, "backup", object_ref=path.name)
    return path
