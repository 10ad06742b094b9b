"""Sync benchmark (sync-security.md A-B1): export + import of N changed records and M MB of
attachments between two encrypted workstations, next to a plain SQLite copy of the same rows made
in the same run. Prints the figures; asserts nothing.

    python bench/bench_sync.py [--records 10000] [--megabytes 200]
"""
from __future__ import annotations

import argparse
import os
import sqlite3
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from models.attachment import Attachment, store_blob  # noqa: E402
from models.unit import Unit  # noqa: E402
from tests.sync.workstations import Workstation  # noqa: E402

BLOB_MB = 2
COPIED_TABLES = ("unit", "attachment", "op", "blob")


def fill(site: Workstation, records: int, megabytes: int) -> None:
    with site.db.session_scope() as session:
        for number in range(records):
            session.add(Unit(name=f"测试单位{number}", note="联络员电话、地址等说明文字" * 4))
            if number % 2000 == 1999:
                session.flush()
    with site.db.session_scope() as session:
        for number in range(megabytes // BLOB_MB):
            data = os.urandom(BLOB_MB * 1024 * 1024)  # incompressible, like scanned PDFs
            sha = store_blob(session, data)
            session.add(Attachment(owner_entity="suggestion", filename=f"回复函{number}.pdf", size=len(data),
                                   sha256=sha))
            session.flush()


def plain_copy(site: Workstation, target: Path) -> float:
    """The same rows into a plain SQLite file through the same engine (ATTACH + INSERT SELECT)."""
    started = time.perf_counter()
    with site.db.engine.begin() as conn:
        conn.exec_driver_sql(f"ATTACH DATABASE '{target}' AS plain KEY ''")
        for table in COPIED_TABLES:
            conn.exec_driver_sql(f'CREATE TABLE plain."{table}" AS SELECT * FROM main."{table}"')
    with site.db.engine.connect() as conn:
        conn.exec_driver_sql("DETACH DATABASE plain")
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--records", type=int, default=10_000)
    parser.add_argument("--megabytes", type=int, default=200)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        sender, receiver = Workstation(root / "a", "a"), Workstation(root / "b", "b")
        sender.pair(receiver)
        receiver.pair(sender)
        started = time.perf_counter()
        fill(sender, args.records, args.megabytes)
        print(f"setup: {args.records} records + {args.megabytes} MB attachments in "
              f"{time.perf_counter() - started:.1f} s")
        started = time.perf_counter()
        package = sender.export_to(receiver)
        export_s = time.perf_counter() - started
        started = time.perf_counter()
        result = receiver.import_file(package.path)
        import_s = time.perf_counter() - started
        copy_path = root / "plain.sqlite"
        copy_s = plain_copy(sender, copy_path)
        with sqlite3.connect(copy_path) as plain:
            copied_rows = sum(plain.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0] for t in COPIED_TABLES)
        print(f"package: {package.op_count} ops, {package.blob_count} blobs, "
              f"{package.size / 1024**2:.1f} MiB on disk")
        print(f"export: {export_s:.2f} s   import: {import_s:.2f} s   export+import: {export_s + import_s:.2f} s "
              f"({result.new_ops} ops applied)")
        print(f"plain SQLite copy of the same rows ({copied_rows} rows): {copy_s:.2f} s, "
              f"{copy_path.stat().st_size / 1024**2:.1f} MiB")
        print(f"ratio (export+import) / plain copy: {(export_s + import_s) / copy_s:.1f}x")
        sender.close()
        receiver.close()


if __name__ == "__main__":
    main()
