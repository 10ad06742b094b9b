"""From start to an unlocked database: first-run set-up (then the recovery key, then demo data when
asked), or unlock with the remembered key, the password, or the recovery key plus a new password."""
from __future__ import annotations

import datetime as dt
import getpass
from pathlib import Path

from PySide6.QtWidgets import QDialog, QWidget

from models.accounts import account_names
from models.errors import DomainError
from models.services.demo import load_demo
from models.services.setup import change_password, initialize, remembers_key, unlock
from models.storage import Database
from ui.recovery_dialog import show_recovery_key
from ui.start_dialogs import FORGOT, server_login_dialog, setup_dialog, unlock_dialog


def first_run(db_path: Path, parent: QWidget | None = None, *, demo: bool = False,
              today: dt.date | None = None) -> Database | None:
    created: dict[str, object] = {}

    def attempt(values: dict[str, object]) -> None:
        new = initialize(db_path, str(values["password"]), office_name=str(values["office_name"]).strip(),
                         office_code=str(values["office_code"]).strip(), remember=bool(values["remember"]),
                         account=_account(values))
        created["db"], created["recovery"] = new.db, new.recovery_key

    if setup_dialog(parent, attempt).exec() != QDialog.DialogCode.Accepted:
        return None
    db: Database = created["db"]  # type: ignore[assignment]
    show_recovery_key(parent, str(created["recovery"]))
    if demo:
        with db.import_scope("before_demo") as session:
            load_demo(session, today or dt.date.today(), keep_office=True)   # the wizard's 院名 stays
    return db


def unlock_interactively(db_path: Path, parent: QWidget | None = None, *,
                         allow_remembered: bool = True) -> Database | None:
    if allow_remembered and remembers_key(db_path):
        try:
            return unlock(db_path, user=getpass.getuser())
        except DomainError:
            pass  # the remembered key is gone (new Windows profile...): ask for the password
    opened: dict[str, Database] = {}

    def attempt(values: dict[str, object]) -> None:
        if values.get("mode") == "recovery":
            db = unlock(db_path, recovery_key=str(values["recovery_key"]).strip(), account=_account(values),
                        user=getpass.getuser())
            try:
                change_password(db, str(values["new_password"]))
            except DomainError:
                db.close()
                raise
        else:
            db = unlock(db_path, password=str(values["password"]), account=_account(values),
                        user=getpass.getuser())
        opened["db"] = db

    recovery = False
    while True:
        result = unlock_dialog(parent, attempt, recovery=recovery, accounts=_offered_accounts(db_path)).exec()
        if result == FORGOT:
            recovery = True
            continue
        if result == QDialog.DialogCode.Accepted:
            return opened["db"]
        if recovery:  # back from the recovery form to the password form
            recovery = False
            continue
        return None


def _account(values: dict[str, object]) -> str | None:
    """The account chosen in a start dialog (None: the database's only one, or its first administrator)."""
    chosen = values.get("account")
    return str(chosen) if chosen else None


def _offered_accounts(db_path: Path) -> list[str]:
    """The account names the unlock dialog offers; none when the key file cannot be read (the attempt
    then says why in one line, as before accounts)."""
    try:
        return account_names(db_path)
    except DomainError:
        return []


def open_server_interactively(url: str, parent: QWidget | None = None, *,
                              allow_remembered: bool = True) -> Database | None:
    """A PostgreSQL server database (`--db postgresql://…`): a person signs in with their own account and
    the server's password for it. The password in the URL or remembered in this computer's credential
    store is tried first; else the dialog asks, the account preset to the last one used on this server."""
    from models.backend import parse_server_url, server_key, with_user
    from models.pg import remembered_password, sign_in_server

    address = parse_server_url(url)
    known = address.password if address.password is not None else (
        remembered_password(address) if allow_remembered else None)
    if known is not None:
        try:
            return sign_in_server(url, known)
        except DomainError as exc:
            if exc.code != "wrong_password":
                raise
    opened: dict[str, Database] = {}

    def attempt(values: dict[str, object]) -> None:
        account = str(values["account"])
        opened["db"] = sign_in_server(with_user(url, account), str(values["password"]))
        _remember_server_user(server_key(address), account)

    last = _last_server_user(server_key(address)) or address.user
    dialog = server_login_dialog(parent, attempt, address.display.split("@", 1)[-1], last)
    return opened["db"] if dialog.exec() == QDialog.DialogCode.Accepted else None


SERVER_USERS = "server_users"


def _last_server_user(key: str) -> str:
    """The account last signed in on this server database from this computer (a name, never a password)."""
    from ui.fonts import workstation_settings

    settings = workstation_settings()
    settings.beginGroup(SERVER_USERS)
    try:
        return str(settings.value(key.replace("/", "|"), "") or "")
    finally:
        settings.endGroup()


def _remember_server_user(key: str, account: str) -> None:
    from ui.fonts import workstation_settings

    settings = workstation_settings()
    settings.beginGroup(SERVER_USERS)
    settings.setValue(key.replace("/", "|"), account)
    settings.endGroup()
    settings.sync()


def open_database_interactively(db_path: Path, *, demo: bool = False, today: dt.date | None = None,
                                parent: QWidget | None = None) -> Database | None:
    if not db_path.exists():
        return first_run(db_path, parent, demo=demo, today=today)
    return unlock_interactively(db_path, parent)
