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


def raw_load(db, data: dict) -> None:
    """The floor `load` is measured against: the same rows, one create op per row and the same index rows,
    written with plain executemany in one transaction (no ORM, no derivations, no checks)."""
    from sqlalchemy import insert
    from sqlalchemy import text as sql_text

    from models.fieldcodec import canonical_json, from_plain
    from models.oplog import Op
    from models.registry import ENTITY_BY_NAME, replicated_columns
    from models.search import SEARCHABLE, _rowid_of
    from models.search_text import fold, spaced

    with db.engine.begin() as conn:
        seq = 0
        for name, rows in data["entities"].items():
            cls = ENTITY_BY_NAME[name]
            columns = replicated_columns(cls)
            table_rows, op_rows, index_rows = [], [], []
            for row in rows:
                seq += 1
                values = {key: from_plain(columns[key], row[key]) for key in row if key in columns}
                row_id = from_plain(cls.__table__.c.id, row["id"])
                table_rows.append({"id": row_id, **values, "created_hlc": seq, "updated_hlc": seq,
                                   "updated_site": "raw"})
                op_rows.append({"op_id": f"raw:1:{seq}", "hlc": seq, "site_id": "raw", "user": "bench", "entity": name,
                                "row_id": row["id"], "field": "*", "pred": "[]", "arrival": seq, "sig": "",
                                "value": canonical_json({key: row.get(key) for key in columns})})
                if cls in SEARCHABLE and not row.get("deleted"):
                    body = fold("\n".join(str(row.get(key) or "") for key in SEARCHABLE[cls]))
                    index_rows.append({"rowid": _rowid_of(name, row_id), "entity": name, "row_id": row["id"],
                                       "body": body, "spaced": spaced(body)})
            if not table_rows:
                continue
            conn.execute(insert(cls.__table__), table_rows)
            conn.execute(insert(Op.__table__), op_rows)
            if index_rows:
                index_rows.sort(key=lambda index_row: index_row["rowid"])  # FTS5's cheap order (models/search.py)
                conn.execute(sql_text("INSERT INTO search_index (rowid, entity, row_id, body) "
                                      "VALUES (:rowid, :entity, :row_id, :body)"), index_rows)
                conn.execute(sql_text("INSERT INTO search_index_chars (rowid, body) VALUES (:rowid, :spaced)"),
                             index_rows)


def timed_runs(label: str, action, runs: int) -> tuple[float, float]:  # noqa: ANN001 - tiny bench helper
    """min and median of wall and CPU seconds over `runs` runs of action(run_number)."""
    walls, cpus = [], []
    for run_number in range(runs):
        t, c = time.perf_counter(), time.process_time()
        action(run_number)
        walls.append(time.perf_counter() - t)
        cpus.append(time.process_time() - c)
    print(f"{label:34} wall min {min(walls):7.2f} s  median {statistics.median(walls):7.2f} s   "
          f"CPU min {min(cpus):7.2f} s  median {statistics.median(cpus):7.2f} s")
    return min(walls), min(cpus)


def bench_load(cases: int, runs: int) -> None:
    """`load` of a dump of `cases` cases (plus cases/5 suggestions) into a fresh encrypted database, against
    raw SQL writing the same rows, op rows and index rows into another fresh one."""
    import json

    from models.services.dump import dump_text, load_dump

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        source = open_database(folder / "source.db", secrets.token_bytes(32), user="bench")
        fill(source, cases, cases // 5, 0, random.Random(7))
        with source.read_scope() as session:
            data = json.loads(dump_text(session))
        source.close()
        records = sum(len(rows) for rows in data["entities"].values())
        print(f"load: dump of {records} records")

        def load(n: int) -> None:
            db = open_database(folder / f"load{n}.db", secrets.token_bytes(32), user="bench")
            with db.write_scope() as session:
                load_dump(session, data)
            db.close()

        def raw(n: int) -> None:
            db = open_database(folder / f"raw{n}.db", secrets.token_bytes(32), user="bench")
            raw_load(db, data)
            db.close()

        load_wall, load_cpu = timed_runs("load (services, op log, index)", load, runs)
        raw_wall, raw_cpu = timed_runs("raw SQL (rows + op rows + index)", raw, runs)
        print(f"load / raw SQL: wall {load_wall / raw_wall:.2f}x, CPU {load_cpu / raw_cpu:.2f}x (target <= 3x)")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--suggestions", type=int, default=20_000)
    parser.add_argument("--tasks", type=int, default=2_000)
    parser.add_argument("--load-only", action="store_true", help="只测 load 与原始 SQL 的对比")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    if args.load_only:
        bench_load(args.cases, args.runs)
        return
    with tempfile.TemporaryDirectory() as tmp:
        results = {"sqlcipher": run("sqlcipher", Path(tmp), secrets.token_bytes(32), args),
                   "plain": run("plain", Path(tmp), None, args)}
    print(f"workload: {args.cases} cases, {args.suggestions} suggestions, {args.tasks} tasks (with op log)")
    print(f"{'':22}{'SQLCipher':>12}{'plain':>12}{'overhead':>10}")
    for key in results["plain"]:
        enc, plain = results["sqlcipher"][key], results["plain"][key]
        overhead = f"{(enc / plain - 1) * 100:+.0f}%" if plain and key != "due_items" else ""
        print(f"{key:22}{enc:12.2f}{plain:12.2f}{overhead:>10}")
    bench_load(args.cases, args.runs)


if __name__ == "__main__":
    main()
