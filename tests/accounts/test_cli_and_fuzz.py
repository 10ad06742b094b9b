"""`python main.py account …` end to end, and hostile account names and passwords (Chinese, whitespace,
control characters, lone surrogates, very long): always one Chinese line or success, never a traceback."""
from __future__ import annotations

import string

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from cli import main
from models.accounts import add_account, normalize_name
from models.errors import DomainError
from models.keyslots import check_password_strength
from models.rules.permissions import CLERK
from models.services.setup import unlock
from tests.accounts.conftest import Office
from tests.conftest import TEST_PASSWORD


def _run(capsys, monkeypatch, argv: list[str], **env: str) -> tuple[int, str, str]:
    for name in ("FJLD_USER", "FJLD_NEW_PASSWORD", "FJLD_RECOVERY_KEY"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("FJLD_PASSWORD", TEST_PASSWORD)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    code = main(argv)
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    if code != 0:
        assert err.startswith("错误：") and err.count("\n") == 1, err
    return code, out, err


def test_account_commands_end_to_end(user_data_dir, capsys, monkeypatch):
    db = ["--db", str(user_data_dir / "fjld.db")]
    assert _run(capsys, monkeypatch, db + ["init", "--office", "某县院"])[0] == 0
    code, out, _ = _run(capsys, monkeypatch, db + ["account", "add", "张三", "--role", "承办检察官"],
                        FJLD_NEW_PASSWORD="Zhang-san-2026")
    assert code == 0 and "已添加账户：张三（承办检察官）" in out
    code, _, err = _run(capsys, monkeypatch, db + ["account", "list"])
    assert code == 1 and "多个账户" in err
    code, out, _ = _run(capsys, monkeypatch, db + ["account", "list"], FJLD_USER="某县院")
    assert code == 0 and "张三\t承办检察官\t启用" in out and "某县院\t部门负责人、管理员" in out
    as_zhang = db + ["--user", "张三"]
    code, _, err = _run(capsys, monkeypatch, as_zhang + ["backup"], FJLD_PASSWORD="Zhang-san-2026")
    assert code == 1 and "无权备份" in err and "管理员" in err
    code, _, err = _run(capsys, monkeypatch, as_zhang + ["account", "list"], FJLD_PASSWORD="Zhang-san-2026")
    assert code == 1 and "无权管理账户" in err
    as_admin = db + ["--user", "某县院"]
    assert _run(capsys, monkeypatch, as_admin + ["account", "role", "张三", "内勤,承办检察官"])[0] == 0
    assert _run(capsys, monkeypatch, as_zhang + ["backup"], FJLD_PASSWORD="Zhang-san-2026")[0] == 0
    code, _, err = _run(capsys, monkeypatch, as_admin + ["account", "add", "王五", "--role", "厨师"],
                        FJLD_NEW_PASSWORD="Wang-wu-2026")
    assert code == 1 and "没有这个角色：厨师" in err
    code, _, err = _run(capsys, monkeypatch, as_admin + ["account", "add", "王五", "--role", "内勤"],
                        FJLD_NEW_PASSWORD="abcdefgh")
    assert code == 1 and "密码至少8位" in err
    # an administrator resets 张三's forgotten password; 张三 then changes it
    code, out, _ = _run(capsys, monkeypatch, as_admin + ["account", "reset", "张三"], FJLD_NEW_PASSWORD="Reset-pass-1")
    assert code == 0 and "已重置" in out
    assert _run(capsys, monkeypatch, as_zhang + ["unlock"], FJLD_PASSWORD="Zhang-san-2026")[0] == 1
    assert _run(capsys, monkeypatch, as_zhang + ["account", "passwd"], FJLD_PASSWORD="Reset-pass-1",
                FJLD_NEW_PASSWORD="Mine-again-3")[0] == 0
    assert _run(capsys, monkeypatch, as_zhang + ["unlock"], FJLD_PASSWORD="Mine-again-3")[0] == 0
    assert _run(capsys, monkeypatch, as_admin + ["account", "disable", "张三"])[0] == 0
    code, _, err = _run(capsys, monkeypatch, as_zhang + ["unlock"], FJLD_PASSWORD="Mine-again-3")
    assert code == 1 and "已停用" in err
    # FJLD_USER picks the account the same way as --user
    assert _run(capsys, monkeypatch, db + ["unlock"], FJLD_USER="某县院")[0] == 0


def test_a_single_account_database_needs_no_account_name(user_data_dir, capsys, monkeypatch):
    db = ["--db", str(user_data_dir / "fjld.db")]
    assert _run(capsys, monkeypatch, db + ["init"])[0] == 0
    assert _run(capsys, monkeypatch, db + ["unlock"])[0] == 0
    assert _run(capsys, monkeypatch, db + ["backup"])[0] == 0


NAMES = st.one_of(st.text(max_size=60), st.sampled_from(["张三", " 张 三 ", "\t", "　王五　", "A" * 41, "a,b",
                                                          "李\x00四", "\ud800", "ＡＢＣ", "欧阳" * 20]))
PASSWORDS = st.one_of(st.text(max_size=300), st.sampled_from(["中文密码长长长长长", "Abcdefg1", "        ",
                                                              "密码Password", "\ud800abcdefgh1", "x" * 257]))


@given(name=NAMES)
def test_account_names_are_normalised_or_refused_in_one_line(name):
    try:
        normalized = normalize_name(name)
    except DomainError as exc:
        assert exc.code == "bad_account_name" and "\n" not in exc.message
    else:
        assert normalized == normalize_name(normalized) and 1 <= len(normalized) <= 40
        assert normalized.strip() == normalized


@given(password=PASSWORDS)
def test_passwords_pass_the_policy_or_are_refused_in_one_line(password):
    try:
        check_password_strength(password)
    except DomainError as exc:
        assert exc.code == "weak_password" and "\n" not in exc.message
    else:
        assert 8 <= len(password) <= 256
        assert not (set(password) <= set(string.digits)) and not (set(password) <= set(string.ascii_lowercase))


@pytest.fixture
def admin(office: Office):
    db = office.open_as("王主任")
    yield db
    db.close()


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(name=NAMES, password=PASSWORDS)
@example(name=" 张 三 ", password="密码Password")
@example(name="欧阳" * 20, password="长" * 255 + "1")
@example(name="ＡＢＣ　ｄ", password="  spaces and 空格  ")
def test_any_name_and_password_either_make_a_working_account_or_one_chinese_line(office, admin, name, password,
                                                                                 capsys, monkeypatch):
    try:
        row = add_account(admin, name, CLERK, password)
    except DomainError as exc:
        assert "\n" not in exc.message and exc.code in ("bad_account_name", "weak_password", "account_exists")
        return
    db = unlock(office.path, password=password, account=name)
    assert db.user == row.name == normalize_name(name)
    db.close()
    with pytest.raises(DomainError) as err:
        unlock(office.path, password=password + "x", account=row.name)
    assert err.value.code == "wrong_password"
    if "\x00" not in row.name and "\x00" not in password:   # no NUL in a real command line or environment
        code, _, _ = _run(capsys, monkeypatch, ["--db", str(office.path), f"--user={name}", "unlock"],
                          FJLD_PASSWORD=password)
        assert code == 0


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(name=NAMES, password=PASSWORDS)
def test_unlocking_with_any_name_and_password_is_one_chinese_line(office, name, password):
    try:
        unlock(office.path, password=password, account=name).close()
    except DomainError as exc:
        assert "\n" not in exc.message
