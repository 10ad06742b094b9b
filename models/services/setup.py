"""Creating, unlocking and re-keying the encrypted database (one function per use case)."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from models.audit import append_audit
from models.errors import DomainError
from models.keyslots import KeyFile, check_password_strength, create_key_file, keys_path_for
from models.lockout import UnlockGuard
from models.settings import set_setting
from models.storage import Database, open_database


@dataclass(frozen=True)
class NewDatabase:
    db: Database
    recovery_key: str  # shown once, to print or write down


def initialize(db_path: Path, password: str, *, office_name: str, office_code: str,
               site_label: str = "", remember: bool = False, user: str | None = None) -> NewDatabase:
    keys = keys_path_for(db_path)
    if db_path.exists() or keys.exists():
        raise DomainError("db_exists", f"数据库已存在：{db_path}，不会覆盖")
    key_file, dek, recovery = create_key_file(keys, password)
    db = open_database(db_path, dek, user=user, site_label=site_label or office_name)
    with db.session_scope() as session:
        set_setting(session, "office_name", office_name)
        set_setting(session, "office_code", office_code)
        append_audit(session, "init", detail={"office": office_name})
    if remember:
        key_file.remember(dek)
        key_file.save()
    return NewDatabase(db, recovery)


def _key_file(db_path: Path) -> KeyFile:
    if not db_path.exists():
        raise DomainError("no_db", f"找不到数据库：{db_path}。请先运行 init 创建")
    return KeyFile.load(keys_path_for(db_path))


def unlock(db_path: Path, *, password: str | None = None, recovery_key: str | None = None,
           user: str | None = None, guard: UnlockGuard | None = None, audit: bool = True) -> Database:
    """Keyring slot first (if remembered), else the password, else the recovery key. Wrong passwords
    and recovery keys count towards the lock-out (models/lockout.py). `audit=False`: the caller records
    the unlock itself (a sync import writes nothing before the package is authenticated)."""
    key_file = _key_file(db_path)
    guard = guard or UnlockGuard.for_db(db_path)
    if password is not None or recovery_key is not None:
        guard.check()
        try:
            if password is not None:
                dek, how = key_file.unlock_with_password(password), "password"
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
        dek, how = remembered, "keyring"
    db = open_database(db_path, dek, user=user)
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
    key_file = KeyFile.load(keys_path_for(db.path))
    if remember:
        key_file.remember(_dek(db))
    else:
        key_file.forget()
    key_file.save()
    with db.session_scope() as session:
        append_audit(session, "remember_on_this_computer", detail={"on": remember})


def _dek(db: Database) -> bytes:
    if db.dek is None:
        raise DomainError("not_encrypted", "数据库未加密")
    return db.dek


def change_password(db: Database, new_password: str) -> None:
    """Re-wraps the password slot; the database itself is not re-encrypted."""
    check_password_strength(new_password)
    db.backup("key_change")
    key_file = KeyFile.load(keys_path_for(db.path))
    key_file.set_password(_dek(db), new_password)
    key_file.save()
    with db.session_scope() as session:
        append_audit(session, "password_changed")


def new_recovery_key(db: Database) -> str:
    from models.keyslots import new_recovery_key as make

    recovery = make()
    key_file = KeyFile.load(keys_path_for(db.path))
    key_file.set_recovery(_dek(db), recovery)
    key_file.save()
    with db.session_scope() as session:
        append_audit(session, "recovery_key_renewed")
    return recovery


def backup_now(db: Database) -> Path:
    """The clerk's 立即备份 / `backup`: a verified copy, recorded in the audit log."""
    path = db.backup("manual")
    with db.session_scope() as session:
        append_audit(session, "backup", object_ref=path.name)
    return path
