"""The database this computer opens without --db (models/connection.py): the per-user file by default,
or the server chosen in 设置 / at first run; never a password on disk; a damaged choice file is one
line and the per-user file, never a crash."""
from __future__ import annotations

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from models.connection import choice_path, choose_local, choose_server, load_choice, startup_database
from models.errors import DomainError
from models.platform import default_db_path

URL = "postgresql://张三@192.168.1.20:5433/fjld?sslmode=verify-full&sslrootcert=C%3A%5C证书%5Coffice-ca.crt"


def test_without_a_choice_the_per_user_file_opens(user_data_dir):
    assert startup_database(None) == (str(default_db_path()), "")
    assert not choice_path().exists()


def test_a_chosen_server_opens_next_time_with_its_tls_options_and_without_its_password(user_data_dir):
    kept = choose_server(URL.replace("张三@", "张三:秘密口令123@"))
    assert "秘密口令123" not in choice_path().read_text(encoding="utf-8")
    assert "秘密口令123" not in kept
    value, problem = startup_database(None)
    assert (value, problem) == (kept, "")
    assert "sslmode=verify-full" in value and "office-ca.crt" in value and "@192.168.1.20:5433/fjld" in value


def test_the_command_line_wins_and_local_goes_back_to_the_file(user_data_dir, tmp_path):
    choose_server(URL)
    own = str(tmp_path / "别的.db")
    assert startup_database(own) == (own, "")
    choose_local()
    assert load_choice().server_url is None
    assert startup_database(None)[0] == str(default_db_path())


def test_a_url_of_another_scheme_is_refused_in_one_line(user_data_dir):
    with pytest.raises(DomainError, match="不支持的数据库地址"):
        startup_database("mysql://u@h/db")
    with pytest.raises(DomainError, match="不支持的数据库地址"):
        choose_server("mysql://u@h/db")
    assert not choice_path().exists()


def test_an_unwritable_place_is_one_line_and_the_old_choice_stays(user_data_dir):
    kept = choose_server(URL)
    (user_data_dir / "connection.json.tmp").mkdir()   # the new file cannot be written (also as root)
    with pytest.raises(DomainError, match="无法保存数据库连接设置"):
        choose_local()
    assert load_choice().server_url == kept


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.one_of(st.binary(max_size=200),
                 st.recursive(st.none() | st.booleans() | st.integers() | st.text(max_size=30),
                              lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner,
                                                                                           max_size=3),
                              max_leaves=8).map(lambda data: json.dumps(data, ensure_ascii=False).encode()),
                 st.text(max_size=60).map(lambda url: json.dumps({"server": url}).encode())))
def test_a_damaged_choice_file_is_one_line_and_the_per_user_file(user_data_dir, content):
    user_data_dir.mkdir(parents=True, exist_ok=True)
    choice_path().write_bytes(content)
    value, problem = startup_database(None)
    choice = load_choice()
    if choice.server_url is None:
        assert value == str(default_db_path())
        assert problem == choice.problem
        assert problem == "" or "\n" not in problem and "本机数据库" in problem
    else:  # a readable server URL in the file: it opens (and keeps no password)
        assert value == choice.server_url and value.startswith("postgresql://")
