"""Choosing the database in the window: at first run (a file here or the office server), in 设置, and
when the chosen server cannot be reached (retry, or this computer's own file: never a dead end)."""
from __future__ import annotations

import argparse

from PySide6.QtWidgets import QMessageBox, QPushButton

from models.connection import choose_server, load_choice
from models.errors import DomainError
from models.platform import default_db_path
from tests.ui.conftest import modal, set_fields  # noqa: F401  (modal: fixture)
from ui import startup
from ui.app import _open
from ui.connection_dialog import server_url_from
from ui.settings_page import SettingsPage

SERVER = "postgresql://张三@192.168.1.20:5432/fjld"


def click(label: str):
    def handler(box: QMessageBox) -> None:
        [button] = [b for b in box.findChildren(QPushButton) if b.text() == label]
        button.click()
    return handler


def fill_server(values: dict[str, object]):
    def handler(dialog) -> None:
        set_fields(dialog, values)
        dialog.accept()
    return handler


def test_the_form_makes_a_verify_full_url_and_refuses_a_missing_host():
    url = server_url_from({"host": "192.168.1.20", "port": 5432, "dbname": "fjld", "user": "张三",
                           "ca_file": r"C:\证书\ca.crt"})
    assert url.startswith("postgresql://%E5%BC%A0%E4%B8%89@192.168.1.20:5432/fjld?sslmode=verify-full")
    try:
        server_url_from({"host": "", "dbname": "fjld", "user": "张三"})
    except DomainError as exc:
        assert exc.message == "请填写服务器地址"
    else:
        raise AssertionError("a missing host was accepted")


def test_first_run_can_choose_the_office_server(qtbot, modal, monkeypatch):  # noqa: F811
    opened = []
    monkeypatch.setattr(startup, "open_server_interactively", lambda url, **kw: opened.append(url) or "server-db")
    monkeypatch.setattr(startup, "open_database_interactively", lambda *a, **kw: opened.append("file") or None)
    modal.then(click("连接单位服务器…")).then(
        fill_server({"host": "192.168.1.20", "dbname": "fjld", "user": "张三"}))
    db, _relock = _open(argparse.Namespace(db=None, demo=False))
    assert db == "server-db" and modal.seen == ["选择数据库", "连接单位服务器"]
    assert opened == [load_choice().server_url] and "192.168.1.20:5432/fjld" in opened[0]


def test_first_run_can_make_a_file_here_and_quit_asks_nothing_more(qtbot, modal, monkeypatch):  # noqa: F811
    opened = []
    monkeypatch.setattr(startup, "open_database_interactively", lambda path, **kw: opened.append(path) or "file-db")
    modal.then(click("新建本机数据库"))
    assert _open(argparse.Namespace(db=None, demo=False))[0] == "file-db"
    assert opened == [default_db_path()] and load_choice().server_url is None
    modal.then(click("退出"))
    assert _open(argparse.Namespace(db=None, demo=False))[0] is None and len(opened) == 1


def test_an_unreachable_chosen_server_offers_this_computers_file(qtbot, modal, monkeypatch):  # noqa: F811
    choose_server(SERVER)
    tries = []

    def unreachable(url, **kw):
        tries.append(url)
        raise DomainError("server_unreachable", "无法连接服务器 192.168.1.20:5432")

    monkeypatch.setattr(startup, "open_server_interactively", unreachable)
    monkeypatch.setattr(startup, "open_database_interactively", lambda path, **kw: f"file:{path}")
    modal.then(click("重试")).then(click("改用本机数据库"))
    db, _relock = _open(argparse.Namespace(db=None, demo=False))
    assert len(tries) == 2 and modal.seen == ["无法连接服务器", "无法连接服务器"]
    assert db == f"file:{default_db_path()}" and load_choice().server_url is None


def test_settings_keeps_the_server_for_the_next_start_and_goes_back(qtbot, modal, demo_ctx):  # noqa: F811
    page = SettingsPage(demo_ctx)
    qtbot.addWidget(page)
    assert "下次启动时打开：本机数据库" in page.connection_label.text()
    assert not page.to_local.isEnabled()
    modal.then(fill_server({"host": "jcy-server", "port": 5433, "dbname": "fjld", "user": "李四"})).then(
        lambda box: box.accept())
    page.choose_server()
    assert "postgresql://李四@jcy-server:5433/fjld" in page.connection_label.text()
    assert load_choice().server_url.endswith("@jcy-server:5433/fjld") and page.to_local.isEnabled()
    modal.then(lambda box: box.accept())
    page.choose_local()
    assert load_choice().server_url is None and "下次启动时打开：本机数据库" in page.connection_label.text()
