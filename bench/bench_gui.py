"""GUI speed figures (prints numbers; not a test).

    QT_QPA_PLATFORM=offscreen python bench/bench_gui.py [--cases 100000] [--suggestions 20000] [--runs 5]

- time to first window, for the demo database and for a big one (the demo plus 100 000 cases and
  20 000 suggestions, built through the real op log) in the same run: unlock with the password, build
  the main window and paint 首页; then 首页's refresh alone. Min and median of several runs, CPU time
  next to wall time (target: the big database within 1.5× the demo one; first window under 2 s).
  "+counts" is the time after that until a worker thread's counts of cases by status and suggestions
  by stage are on screen (they read every row; the window does not wait for them);
- a 100 000-row case table: load, scroll to the end, sort by 拼音, and filter keystroke → repaint
  (target: under 100 ms per keystroke)."""
from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ["FJLD_DATA_DIR"] = tempfile.mkdtemp(prefix="fjld-bench-gui-")   # (the app's settings folder)

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


def build_database(path: Path, extra_cases: int, extra_suggestions: int) -> float:
    """The demo data, plus generated cases and suggestions (bench_core's generator). Returns seconds."""
    from bench.bench_core import fill
    from models.services.demo import load_demo
    from models.services.setup import initialize

    started = time.perf_counter()
    created = initialize(path, PASSWORD, office_name="宿州市人民检察院", office_code="宿检")
    with created.db.write_scope() as session:
        load_demo(session, TODAY)
    if extra_cases or extra_suggestions:
        fill(created.db, extra_cases, extra_suggestions, 0, random.Random(11))
    created.db.close()
    return time.perf_counter() - started


class Timing:
    def __init__(self) -> None:
        self.wall: list[float] = []
        self.cpu: list[float] = []      # the whole process (worker threads included)
        self.gui: list[float] = []      # this (the GUI) thread alone

    def __enter__(self) -> Timing:
        self._wall, self._cpu, self._gui = time.perf_counter(), time.process_time(), time.thread_time()
        return self

    def __exit__(self, *exc: object) -> None:
        self.wall.append(time.perf_counter() - self._wall)
        self.cpu.append(time.process_time() - self._cpu)
        self.gui.append(time.thread_time() - self._gui)

    def __str__(self) -> str:
        def ms(values: list[float]) -> str:
            return f"min {min(values) * 1000:5.0f}, median {statistics.median(values) * 1000:5.0f} ms"

        return f"wall {ms(self.wall)}; CPU {ms(self.cpu)}; GUI-thread CPU {ms(self.gui)}"


def wait_for_counts(app, dashboard) -> None:  # type: ignore[no-untyped-def]
    deadline = time.perf_counter() + 10
    while dashboard.counting() and time.perf_counter() < deadline:
        app.processEvents()
        time.sleep(0.0005)


def first_window(app, db_path: Path, runs: int) -> dict[str, Timing]:  # type: ignore[no-untyped-def]
    """Unlock, then window + 首页 painted, then 首页's refresh alone, `runs` times."""
    from models.services.setup import unlock
    from ui.context import AppContext
    from ui.main_window import MainWindow

    timings = {"unlock": Timing(), "window": Timing(), "+counts": Timing(), "dashboard": Timing(),
               "+counts ": Timing()}
    for _ in range(runs):
        with timings["unlock"]:
            db = unlock(db_path, password=PASSWORD)   # includes the Argon2 key derivation of the key slot
        with timings["window"]:
            window = MainWindow(AppContext(db, lambda: TODAY))
            window.show()
            window.repaint()
            app.processEvents()
        dashboard = window.show_screen("dashboard")
        with timings["+counts"]:      # until the worker's case and stage counts are on screen (wall)
            wait_for_counts(app, dashboard)
        with timings["dashboard"]:
            dashboard.refresh()  # type: ignore[attr-defined]
            dashboard.repaint()
            app.processEvents()
        with timings["+counts "]:
            wait_for_counts(app, dashboard)
        window.close()
        window.deleteLater()
        app.processEvents()
        db.close()
    return timings


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--suggestions", type=int, default=20_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--folder", type=Path, default=None,
                        help="keep the two databases here and reuse them on the next run (built once)")
    args = parser.parse_args()
    from ui.app import make_application

    app = make_application([])
    folder = args.folder or Path(os.environ["FJLD_DATA_DIR"])
    demo_path = folder / "demo" / "fjld.db"
    big_path = folder / f"big-{args.cases}-{args.suggestions}" / "fjld.db"
    for label, path, cases, suggestions in (("demo database", demo_path, 0, 0),
                                            (f"demo + {args.cases} cases + {args.suggestions} suggestions",
                                             big_path, args.cases, args.suggestions)):
        if path.exists():
            print(f"reusing: {label} in {path.parent}")
        else:
            print(f"building: {label} {build_database(path, cases, suggestions):.1f} s")
    dashboard_source = ("models/services/dashboard.py (SQL GROUP BY)"
                        if (Path(__file__).resolve().parents[1] / "models" / "services" / "dashboard.py").exists()
                        else "ui/dashboard.py as it stands (no models/services/dashboard.py in this tree)")
    argon = os.environ.get("FJLD_ARGON2_MEMORY_KIB", "default")
    print(f"first window, {args.runs} runs each (Argon2 memory KiB: {argon}; 首页 counts from {dashboard_source}):")
    results = {}
    for label, path in (("demo", demo_path), ("big", big_path)):
        results[label] = first_window(app, path, args.runs)
        for name, timing in results[label].items():
            print(f"  {label:4s} {name.strip():9s} {timing}")
    for name in ("window", "dashboard"):
        big, demo = results["big"][name], results["demo"][name]
        ratios = [statistics.median(getattr(big, kind)) / statistics.median(getattr(demo, kind))
                  for kind in ("wall", "gui")]
        print(f"  big / demo, {name}: median wall {ratios[0]:.2f}×, median GUI-thread CPU {ratios[1]:.2f}× "
              f"(target ≤ 1.5×)")

    from models.services.setup import unlock
    from ui.context import AppContext
    from ui.main_window import MainWindow
    db = unlock(demo_path, password=PASSWORD)
    window = MainWindow(AppContext(db, lambda: TODAY))
    window.show()
    app.processEvents()

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
