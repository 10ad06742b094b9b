"""What every CLI handler gets: the unlocked database, one transaction per use, and output."""
from __future__ import annotations

import argparse
import datetime as dt
import getpass
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy.orm import Session

from models.errors import DomainError
from models.storage import Database

PASSWORD_ENV = "FJLD_PASSWORD"          # for unattended runs (scripts, scheduled tasks)
RECOVERY_ENV = "FJLD_RECOVERY_KEY"


def ask_secret(prompt: str, env_name: str) -> str:
    value = os.environ.get(env_name)
    if value is not None:
        return value
    if not sys.stdin or not sys.stdin.isatty():
        raise DomainError("password_required", f"请输入密码：交互运行时会提示输入，无人值守时请设置环境变量 {env_name}")
    return getpass.getpass(prompt)


@dataclass
class CliContext:
    args: argparse.Namespace
    _db: Database | None = field(default=None, repr=False)
    _warned: bool = field(default=False, repr=False)   # a damaged database choice is said once

    @property
    def target(self) -> str:
        """What the command opens: --db, else the database chosen on this computer in the window
        (models/connection.py: a server), else the per-user file."""
        from models.connection import startup_database

        value, problem = startup_database(self.args.db)
        if problem and not self._warned:
            print(problem, file=sys.stderr)
            self._warned = True
        return value

    @property
    def server_url(self) -> str | None:
        """The target when it names a PostgreSQL server (a URL is never taken as a file path)."""
        from models.backend import is_server_url

        value = self.target
        return value.strip() if is_server_url(value) else None

    @property
    def db_path(self) -> Path:
        if self.server_url is not None:
            raise DomainError("server_db", "这个命令只适用于本机数据库文件；服务器上的数据库由管理员在服务器上维护")
        return Path(self.target)

    def server_password(self) -> str:
        """The server login's password: in the URL, else FJLD_PASSWORD, else remembered in this
        computer's credential store, else a prompt."""
        from models.backend import parse_server_url
        from models.pg import remembered_password

        address = parse_server_url(self.server_url or "")
        if address.password is not None:
            return address.password
        if os.environ.get(PASSWORD_ENV) is None:
            remembered = remembered_password(address)
            if remembered is not None:
                return remembered
        return ask_secret(f"{address.user} 的服务器密码：", PASSWORD_ENV)

    def database(self, audit_unlock: bool = True) -> Database:
        """Unlock once: remembered key on this computer, else the password (env or prompt).
        `audit_unlock=False`: the command records the unlock itself (sync import: only after the
        package is authenticated). On a server the URL's user signs in with that person's own login
        (models/pg.py sign_in_server): their account's roles apply and the audit names them."""
        if self._db is None and self.server_url is not None:
            from models.pg import sign_in_server

            self._db = sign_in_server(self.server_url, self.server_password(), audit=audit_unlock)
        if self._db is None:
            from models.services.setup import remembers_key, unlock

            if os.environ.get(PASSWORD_ENV) is None and os.environ.get(RECOVERY_ENV) is not None:
                self._db = unlock(self.db_path, recovery_key=os.environ[RECOVERY_ENV], audit=audit_unlock,
                                  account=getattr(self.args, "user", None))
            elif os.environ.get(PASSWORD_ENV) is None and remembers_key(self.db_path):
                try:
                    self._db = unlock(self.db_path, audit=audit_unlock, account=getattr(self.args, "user", None))
                except DomainError:
                    self._db = None
            if self._db is None:
                self._db = unlock(self.db_path, password=ask_secret("密码：", PASSWORD_ENV), audit=audit_unlock,
                                  account=getattr(self.args, "user", None))
        return self._db

    @contextmanager
    def session_scope(self) -> Iterator[Session]:
        with self.database().session_scope() as session:
            yield session

    def out(self, text: str = "") -> None:
        print(text)

    def close(self) -> None:
        if self._db is not None:
            self._db.close()


def iso_date(text: str) -> dt.date:
    """argparse type for dates on the command line (YYYY-MM-DD), with a Chinese message."""
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"日期格式应为 YYYY-MM-DD：{text}") from None
