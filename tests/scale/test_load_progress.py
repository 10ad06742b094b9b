"""`load` shows its progress on the CLI (issue 15): a Chinese line on stderr every 10 percent of the
file, on a terminal only; a pipe or a log gets the result line alone."""
from __future__ import annotations

import io
import os
import pty
import subprocess
import sys

from cli.core import progress_printer
from tests.conftest import TEST_PASSWORD
from tests.core.test_dump_cli import ROOT, run_cli


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_a_line_every_ten_percent_once_and_the_last_at_the_end():
    stream = Terminal()
    report = progress_printer("导入", stream)
    total = 41 * 2**20
    for done in [0, *range(0, total, total // 37), total, total]:
        report(done, total)
    lines = stream.getvalue().splitlines()
    assert [line.split("：")[1].split("%")[0] for line in lines] == [str(p) for p in range(0, 101, 10)]
    assert lines[-1] == "导入进度：100%（41.0 / 41.0 MB）"
    assert progress_printer("导入", io.StringIO()) is None and progress_printer("导入", None) is None


def test_cli_load_prints_progress_on_a_terminal_and_nothing_into_a_pipe(tmp_path):
    source, target = tmp_path / "源.db", tmp_path / "目标.db"
    for db in (source, target):
        made = run_cli("--db", str(db), "init", "--office", "宿州市人民检察院", "--code", "宿检", data_dir=tmp_path)
        assert made.returncode == 0, made.stderr
    assert run_cli("--db", str(source), "demo", data_dir=tmp_path).returncode == 0
    dump = tmp_path / "导出.json"
    assert run_cli("--db", str(source), "dump", "-o", str(dump), data_dir=tmp_path).returncode == 0

    piped = run_cli("--db", str(target), "load", str(dump), data_dir=tmp_path)
    assert piped.returncode == 0 and "已导入" in piped.stdout and "进度" not in piped.stderr

    second = tmp_path / "第二.db"
    assert run_cli("--db", str(second), "init", "--office", "x", "--code", "y", data_dir=tmp_path).returncode == 0
    master, slave = pty.openpty()
    env = {**os.environ, "FJLD_DATA_DIR": str(tmp_path), "FJLD_PASSWORD": TEST_PASSWORD}
    process = subprocess.run([sys.executable, str(ROOT / "main.py"), "--db", str(second), "load", str(dump)],
                             stdout=subprocess.PIPE, stderr=slave, stdin=subprocess.DEVNULL, env=env, cwd=ROOT,
                             timeout=120, text=True)
    os.close(slave)
    shown = b""
    try:
        while chunk := os.read(master, 4096):
            shown += chunk
    except OSError:  # EIO once the terminal's other end is closed and drained
        pass
    os.close(master)
    assert process.returncode == 0 and "已导入" in process.stdout
    lines = shown.decode("utf-8").splitlines()
    assert lines and lines[-1].startswith("导入进度：100%"), lines
    assert all(line.startswith("导入进度：") for line in lines)
