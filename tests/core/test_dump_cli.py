import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from models.errors import DomainError
from models.services.dump import dump_db, dump_text, import_dump_file, load_dump
from models.services.setup import initialize
from tests.conftest import TEST_PASSWORD

ROOT = Path(__file__).resolve().parents[2]


def test_dump_is_canonical_and_load_reproduces_it_in_another_database(demo_db, user_data_dir, tmp_path):
    with demo_db.session_scope() as session:
        text = dump_text(session)
        assert text == dump_text(session)
    file = tmp_path / "导出.json"
    file.write_text(text, encoding="utf-8")
    other = initialize(user_data_dir / "other.db", TEST_PASSWORD, office_name="x", office_code="y").db
    assert import_dump_file(other, file) == sum(len(v) for v in json.loads(text)["entities"].values())
    with other.session_scope() as session:
        assert dump_text(session) == text
    assert any(p.name.startswith("other-") and "before_load" in p.name
               for p in (user_data_dir / "backups").iterdir())
    other.close()


def test_a_malformed_dump_is_refused_and_nothing_is_written(new_db):
    with new_db.session_scope() as session:
        before = dump_db(session)
    bad = {"format": "fjld-dump-1", "entities": {"case": [{"id": "00000000-0000-7000-8000-000000000001",
                                                            "title": "好的一条"}, {"title": "缺少编号"}]}}
    with pytest.raises(DomainError, match="第2条记录格式不对"):
        with new_db.session_scope() as session:
            load_dump(session, bad)
    with new_db.session_scope() as session:
        assert dump_db(session) == before
    with pytest.raises(DomainError, match="不是本系统导出的数据文件"):
        with new_db.session_scope() as session:
            load_dump(session, {"entities": {}})


def run_cli(*args, env_extra=None, data_dir):
    env = {**os.environ, "FJLD_DATA_DIR": str(data_dir), "FJLD_PASSWORD": TEST_PASSWORD, **(env_extra or {})}
    env = {key: value for key, value in env.items() if value is not None}
    return subprocess.run([sys.executable, str(ROOT / "main.py"), *args], capture_output=True, text=True,
                          env=env, cwd=ROOT, timeout=120)


def test_cli_init_demo_due_search_dump_and_errors(tmp_path):
    data = tmp_path / "数据 文件夹"
    db = data / "测试库.db"
    created = run_cli("--db", str(db), "init", "--office", "宿州市人民检察院", "--code", "宿检", data_dir=data)
    assert created.returncode == 0, created.stderr
    recovery = created.stdout.splitlines()[2].strip()
    assert len(recovery.split("-")) == 9
    assert run_cli("--db", str(db), "demo", "--today", "2026-11-23", data_dir=data).returncode == 0
    due = run_cli("--db", str(db), "due", "--today", "2026-11-23", data_dir=data)
    assert "逾期\t2026-11-12\t逾期11天\t检察建议 宿检行公建〔2026〕11号 待回复" in due.stdout
    found = run_cli("--db", str(db), "search", "非法采砂", data_dir=data)
    assert "新汴河沿岸非法采砂破坏河道生态案" in found.stdout
    dumped = run_cli("--db", str(db), "dump", "-o", str(tmp_path / "d.json"), data_dir=data)
    assert dumped.returncode == 0 and json.loads((tmp_path / "d.json").read_text())["format"] == "fjld-dump-1"
    wrong = run_cli("--db", str(db), "due", env_extra={"FJLD_PASSWORD": "Falsch-123"}, data_dir=data)
    assert wrong.returncode == 1 and wrong.stderr.strip() == "错误：密码错误"
    missing = run_cli("--db", str(tmp_path / "none.db"), "due", data_dir=data)
    assert missing.returncode == 1 and "找不到数据库" in missing.stderr
    bad_load = run_cli("--db", str(db), "load", str(tmp_path / "nothing.json"), data_dir=data)
    assert bad_load.returncode == 1 and "找不到文件" in bad_load.stderr
    reset = run_cli("--db", str(db), "passwd", data_dir=data,
                    env_extra={"FJLD_PASSWORD": None, "FJLD_RECOVERY_KEY": recovery, "FJLD_NEW_PASSWORD": "Neu-Pass-2026"})
    assert reset.returncode == 0, reset.stderr
    assert run_cli("--db", str(db), "doctor", data_dir=data,
                   env_extra={"FJLD_PASSWORD": "Neu-Pass-2026"}).returncode == 0


def test_a_full_disk_during_backup_gives_a_chinese_error_and_loses_nothing(tmp_path):
    import resource
    data = tmp_path / "数据"
    db = data / "fjld.db"
    assert run_cli("--db", str(db), "init", data_dir=data).returncode == 0
    assert run_cli("--db", str(db), "demo", "--today", "2026-11-23", data_dir=data).returncode == 0
    before = run_cli("--db", str(db), "dump", data_dir=data).stdout
    limit = db.stat().st_size // 2  # the backup copy cannot be written in full

    def small_disk():
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    env = {**os.environ, "FJLD_DATA_DIR": str(data), "FJLD_PASSWORD": TEST_PASSWORD}
    full = subprocess.run([sys.executable, str(ROOT / "main.py"), "--db", str(db), "backup"], capture_output=True,
                          text=True, env=env, cwd=ROOT, timeout=120, preexec_fn=small_disk)
    assert full.returncode == 1 and "磁盘空间不足" in full.stderr, full.stderr
    assert "Traceback" not in full.stderr
    assert not [p for p in (data / "backups").glob("*.tmp")]
    assert run_cli("--db", str(db), "dump", data_dir=data).stdout == before


def test_cli_lists_backups_and_restores_one_by_number(tmp_path):
    data = tmp_path / "数据"
    db = data / "fjld.db"
    assert run_cli("--db", str(db), "init", data_dir=data).returncode == 0
    assert run_cli("--db", str(db), "backup", data_dir=data).returncode == 0
    empty = run_cli("--db", str(db), "dump", data_dir=data).stdout
    assert run_cli("--db", str(db), "demo", "--today", "2026-11-23", data_dir=data).returncode == 0
    listed = run_cli("--db", str(db), "restore", data_dir=data).stdout.splitlines()
    assert [line.split("\t")[2] for line in listed] == ["载入演示数据前", "手动备份"]
    restored = run_cli("--db", str(db), "restore", "2", data_dir=data)
    assert restored.returncode == 0 and "已从备份恢复" in restored.stdout, restored.stderr
    assert run_cli("--db", str(db), "dump", data_dir=data).stdout == empty
    assert run_cli("--db", str(db), "restore", "9", data_dir=data).returncode == 1
