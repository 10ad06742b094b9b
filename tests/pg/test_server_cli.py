"""The program driven against a PostgreSQL server (issue 16, "How it is driven"): init with no prompt,
a URL never taken as a path, clients refused on another schema revision, the server login's password,
and `db move-to` from an encrypted file to the server and back, verified by dump equality."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from cli import main as cli_main
from tests.conftest import DEMO_TODAY, TEST_PASSWORD
from tests.pg.server import APP_PASSWORD, create_database, tcp_url, unique_name

ROOT = Path(__file__).resolve().parents[2]
ATTACHMENT = "回复函扫描件".encode() * 20_000


@pytest.fixture
def empty_server_db(pg_server, request):
    """An empty database owned by the application's login role (no schema yet), and its URL."""
    admin_url, _template = pg_server
    name = unique_name("cli")
    create_database(admin_url, name)
    from tests.pg.server import drop_database
    request.addfinalizer(lambda: drop_database(admin_url, name))
    return tcp_url(admin_url, name, password=None), admin_url, name


def _run(argv: list[str], capsys) -> tuple[int, str, str]:
    code = cli_main(argv)
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_init_on_a_server_with_no_prompt_and_no_file_under_the_url(empty_server_db, tmp_path):
    url, _admin, _name = empty_server_db
    env = {**os.environ, "FJLD_PASSWORD": APP_PASSWORD, "FJLD_DATA_DIR": str(tmp_path / "数据")}
    done = subprocess.run([sys.executable, "main.py", "--db", url, "init", "--office", "宿州市埇桥区人民检察院",
                           "--code", "埇检"], cwd=tmp_path if False else ROOT, env=env, stdin=subprocess.DEVNULL,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "第一位管理员：fjld_app" in done.stdout and "Traceback" not in done.stderr
    assert not (ROOT / "postgresql:").exists() and not (tmp_path / "postgresql:").exists()
    again = subprocess.run([sys.executable, "main.py", "--db", url, "search", "检察院"], cwd=ROOT, env=env,
                           stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=120)
    assert again.returncode == 0, again.stderr
    second = subprocess.run([sys.executable, "main.py", "--db", url, "init"], cwd=ROOT, env=env,
                            stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=120)
    assert second.returncode == 1 and second.stderr.startswith("错误：服务器上的数据库已建立")


def test_the_first_administrator_is_the_url_login(empty_server_db, monkeypatch, capsys):
    url, _admin, _name = empty_server_db
    monkeypatch.setenv("FJLD_PASSWORD", APP_PASSWORD)
    assert _run(["--db", url, "init"], capsys)[0] == 0
    from models.pg import open_server
    from models.settings import get_setting
    db = open_server(url, APP_PASSWORD)
    with db.read_scope() as session:
        assert get_setting(session, "server_admin") == "fjld_app"
    db.close()


def test_a_client_on_another_schema_revision_gets_one_line(empty_server_db, monkeypatch, capsys):
    from alembic import command

    from models.backend import parse_server_url
    from models.migrate import alembic_config
    from models.pg import make_server_engine
    url, _admin_url, _name = empty_server_db
    monkeypatch.setenv("FJLD_PASSWORD", APP_PASSWORD)
    code, out, err = _run(["--db", url, "search", "x"], capsys)
    assert code == 1 and err.count("\n") == 1 and "db upgrade" in err          # no schema at all yet
    engine = make_server_engine(parse_server_url(url), APP_PASSWORD)        # an older program's schema
    with engine.begin() as conn:
        conn.exec_driver_sql("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        config = alembic_config()
        config.attributes["connection"] = conn
        command.upgrade(config, "0011")
    engine.dispose()
    code, out, err = _run(["--db", url, "search", "x"], capsys)
    assert code == 1 and err.count("\n") == 1 and "结构版本（0011）" in err and "db upgrade" in err
    code, out, err = _run(["--db", url, "db", "upgrade"], capsys)
    assert code == 0, err
    assert "从 0011 升级到" in out
    assert _run(["--db", url, "db", "upgrade"], capsys)[1].startswith("数据结构已是最新版本")
    assert _run(["--db", url, "init"], capsys)[0] == 0
    assert _run(["--db", url, "search", "x"], capsys)[:2] == (0, "没有找到\n")


def test_wrong_password_unknown_scheme_and_file_only_commands_are_one_line(empty_server_db, monkeypatch, capsys):
    url, _admin, _name = empty_server_db
    monkeypatch.setenv("FJLD_PASSWORD", "不对的密码")
    assert _run(["--db", url, "search", "x"], capsys)[1:] == ("", "错误：密码错误\n")
    code, _, err = _run(["--db", "mysql://a@b/c", "search", "x"], capsys)
    assert code == 1 and err.startswith("错误：不支持的数据库地址：mysql://")
    monkeypatch.setenv("FJLD_PASSWORD", APP_PASSWORD)
    assert _run(["--db", url, "init"], capsys)[0] == 0
    code, _, err = _run(["--db", url, "passwd"], capsys)
    assert code == 1 and "只适用于本机数据库文件" in err


def test_move_to_the_server_and_back_keeps_everything(demo_db_file, empty_server_db, tmp_path, monkeypatch, capsys):
    """File → server → file: dump, search and due print the same; history, audit and attachments travel."""
    from models.audit import verify_chain
    from models.oplog import Op
    url, _admin, _name = empty_server_db
    source = str(demo_db_file.path)
    from models.accounts import add_account
    add_account(demo_db_file, "李明", ("内勤",), "Fjld-liming-2026")   # comes along without a server login
    monkeypatch.setenv("FJLD_USER", "测试员")   # a file with two accounts asks whose password it is
    with demo_db_file.read_scope() as session:
        ops = session.query(Op).count()
    demo_db_file.close()
    monkeypatch.setenv("FJLD_PASSWORD", TEST_PASSWORD)
    outputs = {}
    for where in (source,):
        outputs[where] = [_run(["--db", where, *cmd], capsys)[1] for cmd in
                          (["dump"], ["search", "检察"], ["due", "--today", DEMO_TODAY.isoformat(), "--all"])]
    code, out, err = _run(["--db", source, "db", "move-to", url + "x"], capsys)    # not an existing database
    assert code == 1 and err.startswith("错误：")
    monkeypatch.setenv("FJLD_PASSWORD", TEST_PASSWORD)
    server = url.replace("postgresql://fjld_app@", f"postgresql://fjld_app:{APP_PASSWORD}@")
    code, out, err = _run(["--db", source, "db", "move-to", server], capsys)
    assert code == 0, err
    assert f"变更记录 {ops} 条" in out and "dump 校验一致" in out
    code, _, err = _run(["--db", source, "db", "move-to", server], capsys)     # only into an empty one
    assert code == 1 and "不是空的" in err
    monkeypatch.setenv("FJLD_PASSWORD", APP_PASSWORD)
    outputs[url] = [_run(["--db", url, *cmd], capsys)[1] for cmd in
                    (["dump"], ["search", "检察"], ["due", "--today", DEMO_TODAY.isoformat(), "--all"])]
    assert outputs[url] == outputs[source]
    listed = {line.split("\t")[0]: line for line in _run(["--db", url, "account", "list"], capsys)[1].splitlines()}
    assert "未开通服务器登录（重置密码即开通）" in listed["李明"]   # the administrator sees whom to reset
    monkeypatch.setenv("FJLD_NEW_PASSWORD", "Fjld-liming-2027")
    assert _run(["--db", url, "account", "reset", "李明"], capsys)[0] == 0
    listed = {line.split("\t")[0]: line for line in _run(["--db", url, "account", "list"], capsys)[1].splitlines()}
    assert listed["李明"].split("\t")[2] == "启用"
    back = tmp_path / "回到文件" / "fjld.db"
    monkeypatch.setenv("FJLD_NEW_PASSWORD", "Fjld-back-2026")
    code, out, err = _run(["--db", url, "db", "move-to", str(back)], capsys)
    assert code == 0, err
    assert "恢复密钥" in out
    monkeypatch.setenv("FJLD_PASSWORD", "Fjld-back-2026")
    outputs[str(back)] = [_run(["--db", str(back), *cmd], capsys)[1] for cmd in
                          (["dump"], ["search", "检察"], ["due", "--today", DEMO_TODAY.isoformat(), "--all"])]
    assert outputs[str(back)] == outputs[source]
    code, out, _ = _run(["--db", str(back), "doctor"], capsys)
    assert code == 0, out
    from models.services.setup import unlock
    db = unlock(back, password="Fjld-back-2026")
    with db.read_scope() as session:
        assert verify_chain(session) == [] and session.query(Op).count() >= ops
        from models.attachment import Attachment
        from models.blobstore import FileBlobStore, blob_store
        attachment = session.query(Attachment).filter(Attachment.filename == "回复函.pdf").one()
        store = blob_store(session)
        assert isinstance(store, FileBlobStore)   # back on a file, the bytes are files again, not rows
        assert store.read(attachment.sha256) == ATTACHMENT
    db.close()


@pytest.fixture
def demo_db_file(user_data_dir):
    from models.services.demo import load_demo
    from models.services.setup import initialize

    db = initialize(user_data_dir / "源.db", TEST_PASSWORD, office_name="宿州市人民检察院", office_code="宿检",
                    user="测试员").db
    with db.write_scope() as session:
        load_demo(session, DEMO_TODAY)
    from models.attachment import Attachment, store_blob
    with db.write_scope() as session:
        sha = store_blob(session, ATTACHMENT)
        session.add(Attachment(owner_entity="suggestion", filename="回复函.pdf", size=len(ATTACHMENT), sha256=sha))
    return db


def test_a_remembered_server_password_lives_only_in_the_credential_store(empty_server_db, monkeypatch, capsys,
                                                                        memory_keyring, user_data_dir):
    url, _admin, _name = empty_server_db
    monkeypatch.setenv("FJLD_PASSWORD", APP_PASSWORD)
    assert _run(["--db", url, "init", "--remember"], capsys)[0] == 0
    assert list(memory_keyring.store.values()) == [APP_PASSWORD]
    files = [p for p in user_data_dir.rglob("*") if p.is_file()]
    assert all(APP_PASSWORD.encode() not in p.read_bytes() for p in files)
    monkeypatch.delenv("FJLD_PASSWORD")
    monkeypatch.setattr("sys.stdin", None)   # no prompt possible: the remembered password is used
    code, out, err = _run(["--db", url, "search", "宿州"], capsys)
    assert code == 0, err
    assert _run(["--db", url, "unlock", "--forget"], capsys)[0] == 0
    assert memory_keyring.store == {}
    code, _, err = _run(["--db", url, "search", "宿州"], capsys)
    assert code == 1 and "FJLD_PASSWORD" in err


def test_init_user_names_the_first_administrators_account(empty_server_db, monkeypatch, capsys):
    url, _admin, _name = empty_server_db
    monkeypatch.setenv("FJLD_PASSWORD", APP_PASSWORD)
    assert _run(["--db", url, "--user", "王管理", "init", "--office", "宿州市人民检察院", "--code", "宿检"], capsys)[0] == 0
    code, out, _err = _run(["--db", url, "account", "list"], capsys)
    assert code == 0 and "王管理" in out
