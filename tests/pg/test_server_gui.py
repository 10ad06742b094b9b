"""The window on a server database: `--db postgresql://…` asks for the account and its password (wrong one:
密码错误 next to the field) and opens the office database; a URL of another scheme is one line, never
a folder named after it."""
from __future__ import annotations

import argparse

import pytest

from cli import main as cli_main
from models.errors import DomainError
from tests.pg.server import APP_PASSWORD
from tests.pg.test_server_cli import empty_server_db  # noqa: F401  (fixture)
from tests.ui.conftest import modal, set_fields, submit  # noqa: F401  (modal: fixture)
from ui.app import _open
from ui.start_dialogs import server_login_dialog


@pytest.fixture
def server_url(empty_server_db, monkeypatch):  # noqa: F811
    url = empty_server_db[0]
    monkeypatch.setenv("FJLD_PASSWORD", APP_PASSWORD)
    assert cli_main(["--db", url, "init", "--office", "宿州市人民检察院", "--code", "宿检"]) == 0
    monkeypatch.delenv("FJLD_PASSWORD")
    return url


def test_the_window_asks_for_the_server_password_and_opens_the_office_database(qtbot, modal, server_url):  # noqa: F811
    from models.settings import get_setting

    def log_in(dialog) -> None:
        set_fields(dialog, {"password": "not-the-password"})
        submit(qtbot, dialog)
        assert dialog.form.error_text("password") == "密码错误"    # stays open, says why
        set_fields(dialog, {"password": APP_PASSWORD})
        submit(qtbot, dialog)

    modal.then(log_in)
    db, relock = _open(argparse.Namespace(db=server_url, demo=False))
    assert modal.seen == ["连接服务器"]
    assert db is not None and db.server is not None
    with db.read_scope() as session:
        assert get_setting(session, "office_name") == "宿州市人民检察院"
    db.close()
    modal.then(lambda dialog: dialog.reject())   # the idle lock asks again; 取消 closes the program
    assert relock(db.path) is None


def test_the_server_dialog_refuses_an_empty_password(qtbot):
    tried = []
    dialog = server_login_dialog(None, tried.append, "fjld_app@127.0.0.1:5432/office")
    qtbot.addWidget(dialog)
    set_fields(dialog, {"account": "", "password": "x"})
    dialog.accept()
    assert dialog.form.error_text("account") == "请填写账户名" and tried == []
    set_fields(dialog, {"account": "王内勤", "password": ""})
    dialog.accept()
    assert dialog.form.error_text("password") == "请输入密码" and tried == []


def test_a_url_of_another_scheme_is_one_line_and_no_folder(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(DomainError, match="不支持的数据库地址"):
        _open(argparse.Namespace(db="mysql://u@h/db", demo=False))
    assert list(tmp_path.iterdir()) == []
