"""Choosing the database this computer opens: the encrypted file of this Windows user (one PC, offline)
or the office's PostgreSQL server (several clerks). Asked at first run and from 设置; the choice is kept by
models/connection.py, never with a password."""
from __future__ import annotations

from urllib.parse import quote, urlencode

from PySide6.QtWidgets import QMessageBox, QWidget

from models.backend import parse_server_url
from models.connection import server_url_of
from models.errors import DomainError
from ui.form import FieldSpec
from ui.i18n import tr
from ui.values_dialog import ask_values

LOCAL = "local"
DEFAULT_PORT = 5432

SERVER_SPECS = (
    FieldSpec("host", tr("服务器地址"), placeholder=tr("例如 192.168.1.20 或 jcy-server")),
    FieldSpec("port", tr("端口"), "int", minimum=1, maximum=65535),
    FieldSpec("dbname", tr("数据库名"), placeholder=tr("例如 fjld")),
    FieldSpec("user", tr("登录名"), placeholder=tr("管理员分配给您的服务器账户")),
    FieldSpec("ca_file", tr("单位 CA 证书"), "file", file_filter=tr("证书文件 (*.crt *.pem *.cer)"),
              hint=tr("填写后以加密并核验服务器身份的方式连接；证书由管理员提供")),
)
ERROR_FIELDS = {"bad_db_url": "host"}


def server_url_from(values: dict[str, object]) -> str:
    """The form's values as a server URL (checked by the same parser as `--db`)."""
    host, dbname, user = (str(values.get(key) or "").strip() for key in ("host", "dbname", "user"))
    if not host:
        raise DomainError("bad_db_url", tr("请填写服务器地址"))
    if not dbname or not user:
        raise DomainError("bad_db_url", tr("请填写数据库名和登录名"))
    port = int(values.get("port") or DEFAULT_PORT)
    ca_file = str(values.get("ca_file") or "").strip()
    query = urlencode({"sslmode": "verify-full", "sslrootcert": ca_file}) if ca_file else ""
    url = f"postgresql://{quote(user, safe='')}@{quote(host, safe='')}:{port}/{quote(dbname, safe='')}"
    return server_url_of(parse_server_url(f"{url}?{query}" if query else url))


def _initial(current_url: str | None) -> dict[str, object]:
    if not current_url:
        return {"port": DEFAULT_PORT}
    address = parse_server_url(current_url)
    query = dict(address.query)
    return {"host": address.host, "port": address.port, "dbname": address.dbname, "user": address.user,
            "ca_file": query.get("sslrootcert", "")}


def ask_server_address(parent: QWidget | None, current_url: str | None = None) -> str | None:
    """The server to connect to, as a URL without password; None when cancelled."""
    chosen: dict[str, str] = {}

    def check(values: dict[str, object]) -> None:
        chosen["url"] = server_url_from(values)

    values = ask_values(parent, tr("连接单位服务器"), SERVER_SPECS, _initial(current_url), check=check,
                        error_fields=ERROR_FIELDS,
                        note=tr("多人共用一个数据库时，由管理员在单位的服务器上建立数据库并分配账户。"
                                "密码在登录时输入，不会写入本机文件。"))
    return chosen["url"] if values is not None else None


def first_run_choice(parent: QWidget | None = None) -> str | None:
    """At first run: LOCAL (a new encrypted file on this computer), a server URL, or None (quit)."""
    while True:
        box = QMessageBox(QMessageBox.Icon.Question, tr("选择数据库"),
                          tr("这台电脑上还没有数据库。请选择：\n\n"
                             "· 本机数据库：只在这台电脑上使用，可离线，通过同步包与其他单位交换；\n"
                             "· 单位服务器：几位同事共用单位服务器上的同一个数据库。"), parent=parent)
        local = box.addButton(tr("新建本机数据库"), QMessageBox.ButtonRole.AcceptRole)
        server = box.addButton(tr("连接单位服务器…"), QMessageBox.ButtonRole.ActionRole)
        box.addButton(tr("退出"), QMessageBox.ButtonRole.RejectRole)
        box.exec()
        if box.clickedButton() is local:
            return LOCAL
        if box.clickedButton() is not server:
            return None
        url = ask_server_address(parent)
        if url is not None:
            return url


RETRY = "retry"


def server_failed_choice(reason: str, parent: QWidget | None = None) -> str | None:
    """The server chosen on this computer could not be opened: RETRY, LOCAL (open this computer's own
    file from now on) or None (quit)."""
    box = QMessageBox(QMessageBox.Icon.Warning, tr("无法连接服务器"),
                      tr("{reason}\n\n可以稍后重试，或改用这台电脑上的本机数据库（以后可在“设置”中再改回服务器）。")
                      .format(reason=reason), parent=parent)
    retry = box.addButton(tr("重试"), QMessageBox.ButtonRole.AcceptRole)
    local = box.addButton(tr("改用本机数据库"), QMessageBox.ButtonRole.ActionRole)
    box.addButton(tr("退出"), QMessageBox.ButtonRole.RejectRole)
    box.exec()
    clicked = box.clickedButton()
    return RETRY if clicked is retry else LOCAL if clicked is local else None
