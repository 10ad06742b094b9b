"""Ten desks at once: p50/p95 of the common operations (open the case list, save a case form, search,
and the window's poll for other desks' changes, ui/change_watcher.py) with N concurrent client processes, on the encrypted file database and on a PostgreSQL server, in one
run, next to one client alone on the same database (the baseline).

    .venv/bin/python bench/bench_clients.py [--clients 10] [--rounds 20] [--runs 3] [--cases 2000]

The server is a private throw-away cluster started here (tests/pg/cluster.py, the one the tests use).
Each client opens the database itself (file: the key slot with cheap Argon2 parameters, as in the tests:
the unlock is not what is measured), waits at a barrier, then runs `rounds` rounds of the three
operations. Printed per backend and operation: p50 and p95 of wall time, median CPU per operation,
and the ratio of the concurrent p50 to the one-client p50; min and median over `runs`."""
from __future__ import annotations

import argparse
import multiprocessing as mp
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("FJLD_ARGON2_MEMORY_KIB", "8192")
os.environ.setdefault("FJLD_ARGON2_TIME", "1")
PASSWORD = "Bench-clients-2026"
OPERATIONS = ("open list", "save form", "search", "poll")


def _open(target: str):  # type: ignore[no-untyped-def]
    if target.startswith("postgresql://"):
        from models.pg import open_server
        return open_server(target)
    from models.services.setup import unlock
    return unlock(Path(target), password=PASSWORD)


def _client(target: str, rounds: int, number: int, barrier, out) -> None:  # type: ignore[no-untyped-def]
    from models.search import search_grouped
    from models.services.cases import edit_case, list_cases
    from models.services.changes import changes_since, current_mark

    db = _open(target)
    mark = current_mark(db)
    with db.read_scope() as session:
        ids = [row.id for row in list_cases(session)]
    mine = ids[number::max(1, barrier.parties)] or ids   # each desk saves its own cases
    timings: dict[str, list[tuple[float, float]]] = {name: [] for name in OPERATIONS}
    barrier.wait()
    for index in range(rounds):
        for name in OPERATIONS:
            wall, cpu = time.perf_counter(), time.process_time()
            if name == "open list":
                with db.read_scope() as session:
                    list_cases(session)
            elif name == "save form":
                with db.write_scope() as session:
                    edit_case(session, mine[index % len(mine)], summary=f"第{number}号工作站第{index}次保存")
            elif name == "search":
                with db.read_scope() as session:
                    search_grouped(session, "非法")
            else:   # what arrived from the other desks since this desk's last poll
                with db.read_scope() as session:
                    mark = changes_since(session, mark).mark
            timings[name].append((time.perf_counter() - wall, time.process_time() - cpu))
    db.close()
    out.put(timings)


def measure(target: str, clients: int, rounds: int) -> dict[str, list[tuple[float, float]]]:
    context = mp.get_context("spawn")
    barrier, out = context.Barrier(clients), context.Queue()
    processes = [context.Process(target=_client, args=(target, rounds, n, barrier, out)) for n in range(clients)]
    for process in processes:
        process.start()
    merged: dict[str, list[tuple[float, float]]] = {name: [] for name in OPERATIONS}
    for _ in processes:
        for name, values in out.get(timeout=1800).items():
            merged[name].extend(values)
    for process in processes:
        process.join()
    return merged


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))]


def prepare(folder: Path, cases: int) -> tuple[str, str, object]:
    """The same records in an encrypted file and in a server database; returns both targets and the cluster."""
    from models.pg import initialize_server
    from models.services.cases import register_case
    from models.services.demo import load_demo
    from models.services.setup import initialize
    from tests.pg.cluster import start_cluster
    from tests.pg.server import create_database, ensure_app_role, tcp_url

    cluster = start_cluster()
    ensure_app_role(cluster.admin_url)
    create_database(cluster.admin_url, "bench_clients")
    url = tcp_url(cluster.admin_url, "bench_clients")
    file_db = initialize(folder / "fjld.db", PASSWORD, office_name="宿州市人民检察院", office_code="宿检").db
    server_db = initialize_server(url, office_name="宿州市人民检察院", office_code="宿检")
    import datetime as dt
    for db in (file_db, server_db):
        with db.write_scope() as session:
            load_demo(session, dt.date(2026, 11, 23))
            for n in range(cases):
                register_case(session, f"非法采砂线索{n}号", summary="河道非法采砂，破坏生态", handler="张三")
        db.close()
    return str(folder / "fjld.db"), url, cluster


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--clients", type=int, default=10)
    parser.add_argument("--rounds", type=int, default=20)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--cases", type=int, default=2000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-clients-") as tmp:
        file_target, server_target, cluster = prepare(Path(tmp), args.cases)
        try:
            print(f"{args.clients} clients × {args.rounds} rounds, {args.runs} runs, demo + {args.cases} cases")
            for label, target in (("file (SQLCipher)", file_target), ("PostgreSQL", server_target)):
                results: dict[str, dict[str, list[float]]] = {name: {} for name in OPERATIONS}
                for _ in range(args.runs):
                    alone = measure(target, 1, args.rounds)
                    crowd = measure(target, args.clients, args.rounds)
                    for name in OPERATIONS:
                        walls = [w for w, _ in crowd[name]]
                        p50_alone = percentile([w for w, _ in alone[name]], 0.5)
                        for key, value in (("p50", percentile(walls, 0.5)), ("p95", percentile(walls, 0.95)),
                                           ("cpu", statistics.median(c for _, c in crowd[name])),
                                           ("alone", p50_alone), ("ratio", percentile(walls, 0.5) / p50_alone)):
                            results[name].setdefault(key, []).append(value)
                print(f"\n{label}:")
                for name in OPERATIONS:
                    r = results[name]
                    print(f"  {name:9s} p50 min {min(r['p50']) * 1e3:6.1f} median {statistics.median(r['p50']) * 1e3:6.1f} ms;"
                          f" p95 min {min(r['p95']) * 1e3:6.1f} median {statistics.median(r['p95']) * 1e3:6.1f} ms;"
                          f" CPU/op median {statistics.median(r['cpu']) * 1e3:5.1f} ms;"
                          f" one client p50 {statistics.median(r['alone']) * 1e3:5.1f} ms"
                          f" (×{statistics.median(r['ratio']):.1f} with {args.clients})")
        finally:
            cluster.stop()  # type: ignore[attr-defined]


if __name__ == "__main__":
    main()
