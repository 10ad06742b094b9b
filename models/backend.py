"""Which engine a `--db` value names: a server URL (postgresql://USER[:PASSWORD]@HOST:PORT/DBNAME) or a
database file. A value that looks like a URL is never taken as a file path (it would otherwise quietly
create a file under ./postgresql:/)."""
from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import parse_qsl, quote, unquote, urlsplit, urlunsplit

from models.errors import DomainError

SERVER_SCHEMES = ("postgresql", "postgres", "postgresql+psycopg")
# Anything shaped like "scheme://": a URL of a kind we do not speak is refused, not made a folder.
_URL_SHAPE = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://")


def looks_like_url(value: str) -> bool:
    return bool(_URL_SHAPE.match(value.strip()))


def is_server_url(value: object) -> bool:
    return isinstance(value, str) and looks_like_url(value) and \
        value.strip().split("://", 1)[0].lower() in SERVER_SCHEMES


@dataclass(frozen=True)
class ServerAddress:
    user: str
    password: str | None      # only when the URL carries one (scripts); never stored
    host: str
    port: int
    dbname: str
    query: tuple[tuple[str, str], ...] = ()   # sslmode=verify-full, sslrootcert=..., host=/socket/dir

    @property
    def display(self) -> str:
        """The URL without the password: what is shown and logged."""
        where = self.host or dict(self.query).get("host", "")
        return f"postgresql://{self.user}@{where}:{self.port}/{self.dbname}"

    @property
    def keyring_id(self) -> str:
        return f"{self.user}@{self.host or dict(self.query).get('host', '')}:{self.port}/{self.dbname}"


def parse_server_url(value: str) -> ServerAddress:
    if not is_server_url(value):
        scheme = value.strip().split("://", 1)[0] if looks_like_url(value) else ""
        raise DomainError("bad_db_url", f"不支持的数据库地址：{scheme}://（只支持 postgresql://用户@主机:端口/库名）")
    parts = urlsplit(value.strip())
    try:
        port = parts.port or 5432
    except ValueError:
        raise DomainError("bad_db_url", "数据库地址中的端口号无效") from None
    dbname = unquote(parts.path.lstrip("/"))
    user = unquote(parts.username or "")
    if not dbname or not user:
        raise DomainError("bad_db_url", "数据库地址应为 postgresql://用户名@主机:端口/库名（缺少用户名或库名）")
    password = unquote(parts.password) if parts.password is not None else None
    return ServerAddress(user, password, parts.hostname or "", port, dbname, tuple(parse_qsl(parts.query)))


def with_user(value: str, user: str, password: str | None = None) -> str:
    """The same server URL signed in as another person (the user name, and a password only if given)."""
    parse_server_url(value)
    parts = urlsplit(value.strip())
    where = parts.netloc.rsplit("@", 1)[-1]
    secret = f":{quote(password, safe='')}" if password is not None else ""
    return urlunsplit((parts.scheme, f"{quote(user, safe='')}{secret}@{where}", parts.path, parts.query, parts.fragment))


def server_key(address: ServerAddress) -> str:
    """One server database whoever signs in (host, port, database): what the last user name is kept under."""
    return f"{address.host or dict(address.query).get('host', '')}:{address.port}/{address.dbname}"
