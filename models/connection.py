"""Which database this computer's user opens when the program starts without `--db`: the encrypted
file in the per-user data folder (the default), or an office PostgreSQL server chosen at first run or in
设置. Kept in connection.json beside the database file, so the window and the command line open the same
database. Never holds a password: a server password lives only in the credential store (models/pg.py)."""
from __future__ import annotations

import json
import logging
import os
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote, urlencode

from models.backend import ServerAddress, is_server_url, looks_like_url, parse_server_url
from models.errors import DomainError
from models.platform import default_db_path, user_data_dir

log = logging.getLogger(__name__)
CHOICE_FILE = "connection.json"


@dataclass(frozen=True)
class ConnectionChoice:
    server_url: str | None = None   # None: the file database in the per-user folder
    problem: str = ""               # why a damaged choice file was ignored (shown once at start)


def choice_path(folder: Path | None = None) -> Path:
    return (folder or user_data_dir()) / CHOICE_FILE


def server_url_of(address: ServerAddress) -> str:
    """The address as a URL to keep or show: user, host, port, database and the TLS options
    (sslmode, sslrootcert…), never the password."""
    where = quote(address.host, safe="") if address.host else ""
    url = f"postgresql://{quote(address.user, safe='')}@{where}:{address.port}/{quote(address.dbname, safe='')}"
    return f"{url}?{urlencode(address.query)}" if address.query else url


def load_choice(folder: Path | None = None) -> ConnectionChoice:
    """The saved choice. A missing file means the default; a damaged or foreign one is ignored with a
    reason (the program then opens the per-user file, and says so), never a crash."""
    path = choice_path(folder)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return ConnectionChoice()
    except (OSError, UnicodeDecodeError) as exc:
        log.warning("connection choice unreadable: %s", exc)
        return ConnectionChoice(problem=f"无法读取数据库连接设置（{path.name}），本次打开本机数据库")
    try:
        data = json.loads(text)
        url = data.get("server") if isinstance(data, dict) else None
        if url is None:
            return ConnectionChoice()
        return ConnectionChoice(server_url_of(parse_server_url(url)))
    except (ValueError, AttributeError, DomainError) as exc:
        log.warning("connection choice damaged: %s", exc)
        return ConnectionChoice(problem=f"数据库连接设置（{path.name}）已损坏，本次打开本机数据库；"
                                        "请在“设置”中重新选择服务器")


def choose_server(url: str, folder: Path | None = None) -> str:
    """Remember a server for the next start; returns the URL kept (a password in `url` is dropped)."""
    kept = server_url_of(parse_server_url(url.strip()))
    _write(choice_path(folder), {"server": kept})
    return kept


def choose_local(folder: Path | None = None) -> None:
    """Back to the encrypted file in the per-user data folder at the next start."""
    _write(choice_path(folder), {"server": None})


def startup_database(explicit: str | None, folder: Path | None = None) -> tuple[str, str]:
    """What to open, as (server URL or file path, problem to show): `--db` wins, then the saved choice,
    then the per-user file."""
    value = (explicit or "").strip()
    if value:
        if looks_like_url(value) and not is_server_url(value):
            parse_server_url(value)   # the one-line refusal of an unknown scheme
        return value, ""
    choice = load_choice(folder)
    if choice.server_url is not None:
        return choice.server_url, ""
    return str(default_db_path()), choice.problem


def _write(path: Path, data: dict[str, object]) -> None:
    """Written whole or not at all (a crash leaves the old choice), in the user's own folder."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = path.with_name(path.name + ".tmp")
        with open(temporary, "w", encoding="utf-8") as out:
            json.dump(data, out, ensure_ascii=False)
            out.flush()
            os.fsync(out.fileno())
        os.replace(temporary, path)
    except OSError as exc:
        raise DomainError("choice_unwritable", f"无法保存数据库连接设置：{path.parent} 不可写（{exc.strerror or exc}）") from None
