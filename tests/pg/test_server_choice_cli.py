"""The command line opens the database chosen on this computer in the window (models/connection.py):
the office server when one is chosen, the per-user file otherwise; a damaged choice is one warning
line and the per-user file."""
from __future__ import annotations

from cli import main as cli_main
from models.connection import choice_path, choose_server
from tests.conftest import TEST_PASSWORD
from tests.pg.server import APP_PASSWORD
from tests.pg.test_server_cli import empty_server_db  # noqa: F401  (fixture)


def test_without_db_the_cli_opens_the_server_chosen_on_this_computer(empty_server_db, monkeypatch, capsys,  # noqa: F811
                                                                     user_data_dir):
    url, _admin, _name = empty_server_db
    monkeypatch.setenv("FJLD_PASSWORD", APP_PASSWORD)
    assert cli_main(["--db", url, "init", "--office", "宿州市人民检察院", "--code", "宿检"]) == 0
    choose_server(url)
    capsys.readouterr()
    assert cli_main(["account", "list"]) == 0
    assert "fjld_app" in capsys.readouterr().out            # the server's first administrator
    assert not (user_data_dir / "fjld.db").exists()       # nothing was made on this computer


def test_a_damaged_choice_warns_once_and_opens_the_per_user_file(monkeypatch, capsys, user_data_dir):
    monkeypatch.setenv("FJLD_PASSWORD", TEST_PASSWORD)
    user_data_dir.mkdir(parents=True, exist_ok=True)
    choice_path().write_bytes(b'{"server": "postgresql://\xff')
    assert cli_main(["init", "--office", "宿州市人民检察院", "--code", "宿检"]) == 0
    err = capsys.readouterr().err
    assert err.count("数据库连接设置") == 1 and "Traceback" not in err
    assert (user_data_dir / "fjld.db").exists()
