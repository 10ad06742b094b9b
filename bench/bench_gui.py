"""GUI speed figures (prints numbers; not a test).

    QT_QPA_PLATFORM=offscreen python bench/bench_gui.py

- time to first window: unlock an existing demo database with the password, build the main window
  and paint the dashboard (target: under 2 s on an ordinary PC);
- a 100 000-row case table: load, scroll to the end, sort by 拼音, and filter keystroke → repaint
  (target: under 100 ms per keystroke)."""
from __future__ import annotations

import datetime as dt
import os
import random
import sys
import tempfile
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ["FJLD_DATA_DIR"] = tempfile.mkdtemp(prefix="fjld-bench-gui-")

PASSWORD = "Bench-gui-2026"
TODAY = dt.date(2026, 11, 23)
SURNAMES = "张王李赵刘陈杨黄周吴徐孙马朱胡郭何高林罗"
PLACES = ("宿州市", "埇桥区", "砀山县", "萧县", "灵璧县", "泗县")
SUBJECTS = ("河道非法采砂", "饮用水水源地污染", "国有土地出让金欠缴", "食品安全监管", "养老保险基金流失",
            "英烈纪念设施保护", "未成年人网吧准入", "燃气安全隐患", "文物保护单位损毁", "个人信息泄露")


def fake_rows(count: int) -> list[tuple[uuid.UUID, tuple[object, ...]]]:
    rng = random.Random(7)
    rows = []
    for n in range(count):
        subject = rng.choice(SUBJECTS)
        rows.append((uuid.uuid4(), (f"宿检行公〔{2020 + n % 7}〕{n}号", f"{rng.choice(PLACES)}{subject}公益诉讼案",
                                    "行政公益诉讼", "自行发现", "生态环境和资源保护",
                                    TODAY - dt.timedelta(days=n % 2000), rng.choice(("立案", "诉前程序", "结案")),
                                    rng.choice(SURNAMES) + rng.choice(SURNAMES))))
    return rows


def main() -> None:
    from models.services.demo import load_demo
    from models.services.setup import initialize, unlock
    from ui.app import make_application
    from ui.context import AppContext

    app = make_application([])
    db_path = Path(os.environ["FJLD_DATA_DIR"]) / "fjld.db"
    created = initialize(db_path, PASSWORD, office_name="宿州市人民检察院", office_code="宿检")
    with created.db.session_scope() as session:
        load_demo(session, TODAY)
    created.db.close()

    started = time.perf_counter()
    db = unlock(db_path, password=PASSWORD)   # includes the Argon2 key derivation of the key slot
    unlocked = time.perf_counter()
    from ui.main_window import MainWindow
    window = MainWindow(AppContext(db, lambda: TODAY))
    window.show()
    window.repaint()
    app.processEvents()
    shown = time.perf_counter()
    argon = os.environ.get("FJLD_ARGON2_MEMORY_KIB", "default")
    print(f"first window: unlock {unlocked - started:.2f} s (Argon2 memory KiB: {argon}), "
          f"window + dashboard {shown - unlocked:.2f} s, total {shown - started:.2f} s")

    from ui.case_page import CasePage
    page = window.show_screen("case")
    assert isinstance(page, CasePage)
    rows = fake_rows(100_000)
    t0 = time.perf_counter()
    page.model.set_rows(rows)
    app.processEvents()
    print(f"100k rows: set_rows + first paint {(time.perf_counter() - t0) * 1000:.0f} ms")

    t0 = time.perf_counter()
    while page.model.canFetchMore(page.table.rootIndex()) and page.model.rowCount() < 20_000:
        page.table.scrollToBottom()
        app.processEvents()
    print(f"scroll: {page.model.rowCount()} rows loaded by scrolling in {(time.perf_counter() - t0) * 1000:.0f} ms")

    t0 = time.perf_counter()
    page.table.sortByColumn(7, page.table.horizontalHeader().sortIndicatorOrder())
    app.processEvents()
    print(f"sort 100k rows by 承办人 拼音 (first time, pinyin cached after): {(time.perf_counter() - t0) * 1000:.0f} ms")

    timings = []
    typed = ""
    for char in "砀山县燃气":
        typed += char
        t0 = time.perf_counter()
        page.search_edit.setText(typed)
        page.table.viewport().repaint()
        app.processEvents()
        timings.append((time.perf_counter() - t0) * 1000)
        print(f"  filter '{typed}': {page.model.matching_count()} rows, keystroke→repaint {timings[-1]:.0f} ms")
    print(f"filter keystroke→repaint: max {max(timings):.0f} ms, mean {sum(timings) / len(timings):.0f} ms "
          f"(target < 100 ms)")
    window.close()
    db.close()


if __name__ == "__main__":
    main()
