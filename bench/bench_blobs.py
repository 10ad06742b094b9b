"""Blob benchmark (issue 15): the verified backup taken before an import, with GB of attachments in
the encrypted blob store, next to a plain copy of the same blob files made in the same run (the day's
first backup gets the full integrity and cipher check, the next ones before an import the quick one;
a manual backup always the full one); then a restore that hash-checks every attachment. Wall and CPU
time, min and median of several runs. Prints the figures; asserts nothing.

    python bench/bench_blobs.py [--gigabytes 2] [--blob-mb 5] [--runs 5]
    python bench/bench_blobs.py --records 10000 50000 100000 [--runs 5]

The second form has no attachments: the database file itself grows (bench_core's cases, suggestions
and tasks, same mix), and the backup before an import is timed with the quick check and the full one.
"""
from __future__ import annotations

import argparse
import os
import secrets
import shutil
import statistics
import sys
import tempfile
import time
from functools import partial
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from models.backup import backup_engine  # noqa: E402
from models.blobbackup import check_all  # noqa: E402
from models.blobstore import blob_dir_for, blob_store  # noqa: E402
from models.services.attachments import add_attachment  # noqa: E402
from models.services.restore import restore_backup  # noqa: E402
from models.storage import open_database  # noqa: E402

MB = 1024 * 1024


def records_case(sizes: list[int], runs: int) -> None:
    """The backup before an import at N records: quick check vs the full one (the day's first)."""
    import importlib.util
    import random

    spec = importlib.util.spec_from_file_location("bench_core", Path(__file__).with_name("bench_core.py"))
    core = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(core)
    for size in sizes:
        with tempfile.TemporaryDirectory(prefix="bench-backup-") as tmp:
            db = open_database(Path(tmp) / "fjld.db", secrets.token_bytes(32), user="bench")
            filled = core.fill(db, size, size // 5, size // 50, random.Random(7))
            print(f"{size:,} cases + {size // 5:,} suggestions + {size // 50:,} tasks: database file "
                  f"{db.path.stat().st_size / MB:.1f} MB (filled in {filled:.0f} s)")
            quick, full = [], []
            for run in range(runs):
                folder = Path(tmp) / f"backups-{run}"
                before_import = partial(backup_engine, db.engine, db.path, db.dek, reason="before_sync_import",
                                        folder=folder)
                _, wall, cpu = timed(before_import)
                full.append((wall, cpu))  # the day's first: full check
                _, wall, cpu = timed(before_import)
                quick.append((wall, cpu))
                shutil.rmtree(folder)
            print(line(f"  backup before import, quick check, {size:,}", quick))
            print(line(f"  backup before import, full check, {size:,}", full))
            db.close()


def timed(action):  # noqa: ANN001, ANN201 - tiny bench helper
    started, cpu = time.perf_counter(), time.process_time()
    result = action()
    return result, time.perf_counter() - started, time.process_time() - cpu


def fill(db, gigabytes: float, blob_mb: int) -> int:
    count = int(gigabytes * 1024 // blob_mb)
    for start in range(0, count, 20):
        with db.session_scope() as session:
            for number in range(start, min(count, start + 20)):
                data = os.urandom(blob_mb * MB)  # incompressible, like scanned PDFs
                add_attachment(session, "suggestion", None, f"回复函{number}.pdf", data)
    return count


def line(label: str, samples: list[tuple[float, float]]) -> str:
    walls, cpus = [w for w, _ in samples], [c for _, c in samples]
    return (f"{label:<44} wall min {min(walls):7.3f} s  median {statistics.median(walls):7.3f} s   "
            f"CPU min {min(cpus):7.3f} s  median {statistics.median(cpus):7.3f} s   (n={len(samples)})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--gigabytes", type=float, default=2.0)
    parser.add_argument("--blob-mb", type=int, default=5)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--records", type=int, nargs="*", help="database sizes (cases) to time backups at")
    args = parser.parse_args()
    if args.records:
        records_case(args.records, args.runs)
        return
    with tempfile.TemporaryDirectory(prefix="bench-blobs-") as tmp:
        root = Path(tmp)
        db = open_database(root / "fjld.db", secrets.token_bytes(32), user="bench")
        (count, fill_wall, fill_cpu) = timed(lambda: fill(db, args.gigabytes, args.blob_mb))
        store = blob_dir_for(db.path)
        total = sum(p.stat().st_size for p in store.iterdir())
        print(f"{count} attachments of {args.blob_mb} MB: {total / MB:,.0f} MB of blob files, database file "
              f"{db.path.stat().st_size / MB:.1f} MB; stored in {fill_wall:.1f} s wall, {fill_cpu:.1f} s CPU")

        cold, warm, daily, copies = [], [], [], []
        for run in range(args.runs):
            folder = root / f"backups-{run}"
            _, wall, cpu = timed(lambda folder=folder: backup_engine(db.engine, db.path, db.dek,
                                                                    reason="before_sync_import", folder=folder))
            cold.append((wall, cpu))  # an empty backup folder: every blob file is linked
            with db.session_scope() as session:
                add_attachment(session, "suggestion", None, f"新{run}.pdf", os.urandom(args.blob_mb * MB))
            _, wall, cpu = timed(lambda folder=folder: backup_engine(db.engine, db.path, db.dek,
                                                                    reason="before_sync_import", folder=folder))
            warm.append((wall, cpu))  # the usual case: one new attachment since the last backup
            _, wall, cpu = timed(lambda folder=folder: backup_engine(db.engine, db.path, db.dek,
                                                                    reason="manual", folder=folder))
            daily.append((wall, cpu))
            target = root / f"copy-{run}"
            _, wall, cpu = timed(lambda target=target: shutil.copytree(store, target))
            copies.append((wall, cpu))
            shutil.rmtree(target)
        print(line("backup before import, day's first (all linked)", cold) + "  full check")
        print(line("backup before import, next (1 new blob)", warm) + "  quick check")
        print(line("manual backup (nothing new)", daily) + "  full check")
        print(line("baseline: plain copy of the blob folder", copies))

        checks = []
        for _run in range(min(3, args.runs)):
            with db.read_scope() as session:
                (good, damaged), wall, cpu = timed(lambda session=session: check_all(
                    session, [blob_store(session).folder]))
            checks.append((wall, cpu))
        print(line(f"restore's hash check of all {len(good)} attachments", checks) + f"  damaged: {len(damaged)}")
        backup = backup_engine(db.engine, db.path, db.dek, reason="manual", folder=root / "backups-0")
        restored, wall, cpu = timed(lambda: restore_backup(db, backup))
        print(line("restore (verify, hash-check, safety backup, swap)", [(wall, cpu)]))
        restored.close()


if __name__ == "__main__":
    main()
