"""Core benchmark: 100k cases + 20k suggestions + 2k tasks, through the real services and op log.

Prints insert time, search p50/p95, `due` time and database size, for SQLCipher and for plain SQLite
(same SQLite build, no key) on the same workload in one run.

    python bench/bench_core.py [--cases 100000] [--suggestions 20000] [--tasks 2000]
"""
from __future__ import annotations

import argparse
import datetime as dt
import random
import secrets
import statistics
import sys
import tempfile
import time
from pathlib import Path

from sqlalchemy import select

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from models.case import DEFAULT_DOMAINS, Case  # noqa: E402
from models.search import search_grouped  # noqa: E402
from models.services.due import due_items  # noqa: E402
from models.storage import open_database  # noqa: E402
from models.suggestion import Suggestion  # noqa: E402
from models.tasklist import Measure, Task, TaskAspect, TaskList  # noqa: E402

WORDS = ("非法采砂", "河道", "食品安全", "校园周边", "燃气管道", "占压", "文物", "古桥", "个人信息", "泄露",
         "国有土地", "出让金", "医疗废物", "英烈", "纪念设施", "未成年人", "文身", "安全生产", "饮用水", "水源地")
# Words planted in one case in a thousand: the "rare" queries (a clerk looking for one record).
RARE = ("堃喆", "玥䶮河段", "䶮", "𬌗齿")
UNITS = ("市水利局", "市市场监管局", "市生态环境局", "市自然资源和规划局", "市应急管理局", "市民政局")
BATCH = 2000


def fill(db, cases: int, suggestions: int, tasks: int, rnd: random.Random) -> float:
    start = time.perf_counter()
    case_ids = []
    today = dt.date(2026, 11, 23)
    for offset in range(0, cases, BATCH):
        with db.session_scope() as session:
            for i in range(offset, min(cases, offset + BATCH)):
                title = "".join(rnd.sample(WORDS, 3)) + "案"
                case = Case(case_no=f"宿检行公立〔{2020 + i % 7}〕{i + 1}号", title=title, kind="行政公益诉讼",
                            source="12345热线", domain=rnd.choice(DEFAULT_DOMAINS), status="立案", handler="李明",
                            received_on=today - dt.timedelta(days=rnd.randint(0, 2000)),
                            summary=f"{title}：" + "".join(rnd.sample(WORDS, 6))
                            + (rnd.choice(RARE) if i % 1000 == 0 else ""))
                session.add(case)
                case_ids.append(case.id)
    for offset in range(0, suggestions, BATCH):
        with db.session_scope() as session:
            for i in range(offset, min(suggestions, offset + BATCH)):
                served = today - dt.timedelta(days=rnd.randint(0, 400))
                session.add(Suggestion(doc_no=f"宿检行公建〔{served.year}〕{i + 1}号", addressee_name=rnd.choice(UNITS),
                                       case_id=rnd.choice(case_ids) if case_ids else None, issued_on=served,
                                       served_on=served, facts="".join(rnd.sample(WORDS, 8)),
                                       replied_on=served + dt.timedelta(days=30) if rnd.random() < 0.7 else None))
    with db.session_scope() as session:
        task_list = TaskList(year=2026, title="2026年度“府检联动”重点工作任务清单")
        session.add(task_list)
        session.flush()
        aspect = TaskAspect(list_id=task_list.id, title="重大利益保护方面", sort_key="000010")
        session.add(aspect)
        session.flush()
        for i in range(tasks):
            task = Task(aspect_id=aspect.id, number=i + 1, text="".join(rnd.sample(WORDS, 4)))
            session.add(task)
            session.flush()
            session.add(Measure(task_id=task.id, text="".join(rnd.sample(WORDS, 5)), sort_key="000010",
                                deadline_phrase=rnd.choice(["12月底前", "长期坚持", "6月底前", "每季度末"]),
                                units_text=rnd.choice(UNITS)))
    return time.perf_counter() - start


QUERIES = {  # what the 首页 search box runs: every kind's count and its first 20 hits
    "rare1": ["䶮", "堃", "喆", "玥"], "rare2": ["堃喆", "玥䶮", "䶮河", "𬌗齿"], "rare3": ["玥䶮河段", "堃喆", "𬌗齿"],
    "common1": ["河", "案", "安", "水"], "common2": ["河道", "食品", "文物", "占压"],
    "common3": ["非法采砂", "食品安全", "校园周边", "饮用水"],
}


def measure_search(db, rnd: random.Random, rounds: int = 40) -> dict[str, float]:
    """p50/p95 wall ms per query class, CPU ms p50 beside it, and an exact 案号 lookup."""
    results: dict[str, float] = {}
    q = lambda xs, p: statistics.quantiles(xs, n=100)[p - 1] * 1000  # noqa: E731
    with db.read_scope() as session:
        for name, words in QUERIES.items():
            walls, cpus = [], []
            for _ in range(rounds):
                word = rnd.choice(words)
                t, c = time.perf_counter(), time.process_time()
                search_grouped(session, word, per_kind=20)
                walls.append(time.perf_counter() - t)
                cpus.append(time.process_time() - c)
            results[f"search_{name}_p50_ms"] = q(walls, 50)
            results[f"search_{name}_p95_ms"] = q(walls, 95)
            results[f"search_{name}_cpu50_ms"] = q(cpus, 50)
        walls = []
        for _ in range(rounds):
            number = f"宿检行公立〔{2020 + rnd.randrange(7)}〕{rnd.randrange(1, 1000) * 7 + 1}号"
            t = time.perf_counter()
            session.scalars(select(Case.id).where(Case.case_no == number)).all()
            walls.append(time.perf_counter() - t)
        results["case_no_lookup_p95_ms"] = q(walls, 95)
    return results


def run(label: str, folder: Path, dek: bytes | None, args: argparse.Namespace) -> dict[str, float]:
    path = folder / f"{label}.db"
    started = time.perf_counter()
    db = open_database(path, dek, user="bench")
    rnd = random.Random(7)
    insert_s = fill(db, args.cases, args.suggestions, args.tasks, rnd)
    searched = measure_search(db, rnd)
    t = time.perf_counter()
    with db.session_scope() as session:
        due = due_items(session, dt.date(2026, 11, 23), 7)
    due_s = time.perf_counter() - t
    db.close()
    size = sum(p.stat().st_size for p in folder.glob(f"{label}.db*")) / 1e6
    return {"workload_s": time.perf_counter() - started, "insert_s": insert_s, **searched, "due_s": due_s,
            "due_items": len(due), "size_mb": size}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--suggestions", type=int, default=20_000)
    parser.add_argument("--tasks", type=int, default=2_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        results = {"sqlcipher": run("sqlcipher", Path(tmp), secrets.token_bytes(32), args),
                   "plain": run("plain", Path(tmp), None, args)}
    print(f"workload: {args.cases} cases, {args.suggestions} suggestions, {args.tasks} tasks (with op log)")
    print(f"{'':22}{'SQLCipher':>12}{'plain':>12}{'overhead':>10}")
    for key in results["plain"]:
        enc, plain = results["sqlcipher"][key], results["plain"][key]
        overhead = f"{(enc / plain - 1) * 100:+.0f}%" if plain and key != "due_items" else ""
        print(f"{key:22}{enc:12.2f}{plain:12.2f}{overhead:>10}")


if __name__ == "__main__":
    main()
