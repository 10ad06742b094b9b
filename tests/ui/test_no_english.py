"""No English anywhere a clerk looks, with LANG=zh_CN.UTF-8 and with LANG=C.UTF-8: scripts/screenshots.py
--check walks the widget tree of every screen, the 检察建议 form in each stage with each step's dialog,
and Qt's own dialogs and popups (file dialog, calendar, text-field menu, message box, print preview),
in a fresh process per locale (Qt reads the locale at start-up)."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "scripts" / "screenshots.py"
sys.path.insert(0, str(ROOT / "scripts"))

from screenshots import ALLOWED_LATIN, LOCALES, english_words, offenders  # noqa: E402

SCREENS = ("首页", "线索、案件", "检察建议", "任务清单", "联席会议", "线索移送", "专项活动", "信息共享", "单位", "同步",
           "设置")
STAGES = ("草稿", "已制发", "待回复", "已回复", "整改跟进", "已结案")
QT_DIALOGS = ("日期选择", "文本框菜单", "文件对话框", "确认对话框", "打印预览")


def test_the_check_finds_english_and_spares_user_data_and_listed_names():
    assert english_words("Save the record first") == {"Save", "the", "record", "first"}
    assert english_words("导出Excel…") == set() and english_words("在清单中查找（Ctrl+F）") == set()
    assert english_words("/home/张三/backups") == set()      # a path is the clerk's own data
    assert english_words("&Cancel") == {"Cancel"}              # a mnemonic does not hide a word
    assert offenders([("QLabel:", "共 3 条"), ("QPushButton:", "OK")]) == [("QPushButton:", "OK")]
    assert {"PDF", "Excel", "Word"} <= ALLOWED_LATIN


@pytest.mark.parametrize("locale", sorted(LOCALES))
def test_every_screen_stage_and_dialog_shows_no_english(locale, tmp_path):
    env = dict(os.environ, LANG=LOCALES[locale], LC_ALL=LOCALES[locale], LANGUAGE="", QT_QPA_PLATFORM="offscreen",
               FJLD_DATA_DIR=str(tmp_path))
    done = subprocess.run([sys.executable, str(SCRIPT), "--inner"], env=env, capture_output=True, text=True,
                          timeout=300, cwd=ROOT)
    assert done.stdout.strip(), done.stderr[-3000:]
    report = json.loads(done.stdout.strip().splitlines()[-1])
    shots = report["shots"]
    for name in SCREENS + QT_DIALOGS:
        assert any(shot.endswith(f"-{name}") for shot in shots), name
    for stage in STAGES:
        assert any(shot.endswith(f"检察建议-{stage}") for shot in shots), stage
    assert sum("下一步对话框" in shot for shot in shots) == len(STAGES) - 1
    assert report["english"] == {}
    assert done.returncode == 0, done.stderr[-3000:]


def test_the_walk_reads_what_is_shown_and_leaves_typed_data_out(qtbot):
    from PySide6.QtGui import QStandardItem, QStandardItemModel
    from PySide6.QtWidgets import QLineEdit, QPushButton, QTableView, QVBoxLayout, QWidget
    from screenshots import visible_texts

    root = QWidget()
    qtbot.addWidget(root)
    layout = QVBoxLayout(root)
    edit = QLineEdit("Smith Holdings")             # typed by the clerk: user data
    edit.setPlaceholderText("Search")
    hidden = QPushButton("Hidden")
    layout.addWidget(edit)
    layout.addWidget(QPushButton("OK"))
    layout.addWidget(hidden)
    model = QStandardItemModel(1, 1)
    model.setHorizontalHeaderLabels(["Name"])
    model.setItem(0, 0, QStandardItem("Acme"))      # a row of the table: user data
    table = QTableView()
    table.setModel(model)
    layout.addWidget(table)
    root.show()
    hidden.hide()
    qtbot.waitExposed(root)
    words = set().union(*(english_words(text) for _where, text in visible_texts(root)))
    assert words == {"Search", "OK", "Name"}
