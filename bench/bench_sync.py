"""Sync benchmark (sync-security.md A-B1): export + import of N changed records and M MB of
attachments between two encrypted workstations, next to a plain SQLite copy of the same rows made
in the same run. Prints the figures; asserts nothing.

    python bench/bench_sync.py [--records 10000 50000] [--megabytes 200] [--attachment-records 10000] [--runs 3]

The rows-only cases (no attachments) are compared with a plain copy of the unit and op rows; the
attachment case separately: its copy adds the attachment rows and a byte copy of the sender's blob files
(attachments are files in fjld.blobs/ beside the database, models/blobstore.py; the `blob` table is empty
on a file database), each file fsynced like the store's own writes. Wall and CPU time both, min and median
of several runs (one sender, a fresh receiver per run). The import is timed twice: the session-level
import_package, and the service the 同步 screen and `sync import` run (screening, backup, apply).

The rows-only cases also print two more baselines, each measured in the same run:
- the encrypted copy: the same INSERT ... SELECT, all in SQLite's C code, into a fresh receiver (encrypted
  with its key, its schema with indexes; no search index). No import into the database this product keeps
  can write its rows for less;
- the write floor: the same unit, op and attestation rows and both search index tables written by the
  driver's executemany from prepared tuples into a fresh receiver, in one committed transaction: what any
  import into an encrypted, searchable database pays before checking or merging a single op.
The plain copy (unencrypted, no index, no search index) is the issue's yardstick and is below both.
The export gets its floor too: the op rows read as stored (SQLite joins each row's columns into one blob)
and written through the package writer (encrypted, hashed, signed, fsynced), without encoding a single op.
"""
from __future__ import annotations

import argparse
import os
import shutil
import sqlite3
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from models.attachment import Attachment, store_blob  # noqa: E402
from models.blobstore import blob_dir_for  # noqa: E402
from models.search_text import spaced  # noqa: E402
from models.services.sync import import_package_file  # noqa: E402
from models.sync.attest import MAX_ATTESTED_OPS  # noqa: E402
from models.sync.container import PackageWriter  # noqa: E402
from models.sync.records import encode_op_records  # noqa: E402
from models.unit import Unit  # noqa: E402
from tests.sync.package_helpers import routing_for  # noqa: E402
from tests.sync.workstations import Workstation  # noqa: E402

BLOB_MB = 2
COPIED_TABLES = ("unit", "attachment", "op", "sync_attestation")
ROW_TABLES = ("unit", "op", "sync_attestation")  # what a rows-only import writes: rows, op rows, attestations


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


def plain_copy(site: Workstation, target: Path, tables: tuple[str, ...], blobs: bool) -> tuple[float, float]:
    """The same rows into a plain SQLite file through the same engine (ATTACH + INSERT SELECT), and with
    `blobs` the sender's blob files byte for byte into blob_folder(target), each fsynced.
    Returns (wall, CPU) seconds."""
    started, cpu = time.perf_counter(), time.process_time()
    _copy_attached(site, target, "''", 'CREATE TABLE target."{table}" AS SELECT * FROM main."{table}"', tables)
    if blobs:
        folder = blob_folder(target)
        folder.mkdir()
        for source in sorted(blob_dir_for(site.db.path).iterdir()):
            with open(source, "rb") as src, open(folder / source.name, "wb") as out:
                shutil.copyfileobj(src, out, 1 << 20)
                out.flush()
                os.fsync(out.fileno())
    return time.perf_counter() - started, time.process_time() - cpu


def encrypted_copy(site: Workstation, receiver: Workstation) -> tuple[float, float]:
    """The plain copy's INSERT ... SELECT, into `receiver`'s own encrypted file and schema (closed first).
    Returns (wall, CPU) seconds."""
    path, key = receiver.db.path, receiver.db.dek.hex()
    receiver.close()
    started, cpu = time.perf_counter(), time.process_time()
    _copy_attached(site, path, f"\"x'{key}'\"", 'INSERT INTO target."{table}" SELECT * FROM main."{table}"',
                   ROW_TABLES)
    return time.perf_counter() - started, time.process_time() - cpu


def _copy_attached(site: Workstation, path: Path, key: str, statement: str, tables: tuple[str, ...]) -> None:
    """`statement` for each table, in one transaction of the sender's engine with `path` attached."""
    with site.db.engine.begin() as conn:
        conn.exec_driver_sql(f"ATTACH DATABASE '{path}' AS target KEY {key}")
        for table in tables:
            conn.exec_driver_sql(statement.format(table=table))
    with site.db.engine.connect() as conn:
        conn.exec_driver_sql("DETACH DATABASE target")


def export_floor(site: Workstation, receiver: Workstation, target: Path) -> tuple[float, float]:
    """The op rows as stored, one blob each, through the package writer to `receiver`. (wall, CPU) s."""
    columns = " || ".join(f'"{name}"' for name in ("op_id", "hlc", "site_id", "user", "entity", "row_id", "field",
                                                    "value", "pred", "sig"))
    card = receiver.identity.card("")
    raw = site.db.engine.raw_connection()
    try:
        cursor = raw.cursor()
        (count,) = cursor.execute("SELECT count(*) FROM op").fetchone()
        started, cpu = time.perf_counter(), time.process_time()
        cursor.execute(f"SELECT CAST({columns} AS BLOB) FROM op ORDER BY arrival")
        with PackageWriter(target, site.identity, card, routing_for(site.identity, card),
                           {"op_count": count, "blobs": []}) as writer:
            while rows := cursor.fetchmany(500):
                writer.write_op_records(encode_op_records([body for (body,) in rows]), len(rows))
            writer.close()
        return time.perf_counter() - started, time.process_time() - cpu
    finally:
        raw.close()


def floor_rows(site: Workstation) -> list[tuple[str, list[tuple]]]:
    """(INSERT statement, prepared tuples) of everything a rows-only import writes, read from the sender."""
    statements = []
    with site.db.engine.connect() as conn:
        for table in ROW_TABLES:
            result = conn.exec_driver_sql(f'SELECT * FROM "{table}"')
            names = ", ".join(f'"{name}"' for name in result.keys())
            marks = ", ".join("?" * len(result.keys()))
            statements.append((f'INSERT INTO "{table}" ({names}) VALUES ({marks})', [tuple(row) for row in result]))
        index = [tuple(row) for row in conn.exec_driver_sql("SELECT rowid, entity, row_id, body FROM search_index")]
    statements.append(("INSERT INTO search_index (rowid, entity, row_id, body) VALUES (?, ?, ?, ?)", index))
    statements.append(("INSERT INTO search_index_chars (rowid, body) VALUES (?, ?)",
                       [(rowid, spaced(body)) for rowid, _entity, _row_id, body in index]))
    return statements


def write_floor(statements: list[tuple[str, list[tuple]]], receiver: Workstation) -> tuple[float, float]:
    """The prepared rows into `receiver` by raw executemany, one transaction. Returns (wall, CPU) seconds."""
    raw = receiver.db.engine.raw_connection()
    try:
        cursor = raw.cursor()
        started, cpu = time.perf_counter(), time.process_time()
        cursor.execute("BEGIN IMMEDIATE")
        for statement, rows in statements:
            cursor.executemany(statement, rows)
        raw.commit()
        return time.perf_counter() - started, time.process_time() - cpu
    finally:
        raw.close()


def blob_folder(target: Path) -> Path:
    return target.with_name(target.stem + ".blobs")


def timed(action):  # noqa: ANN001, ANN201 - tiny bench helper
    started, cpu = time.perf_counter(), time.process_time()
    result = action()
    return result, time.perf_counter() - started, time.process_time() - cpu


def _figures(label: str, walls: list[float], cpus: list[float]) -> str:
    return (f"{label} wall min {min(walls):.2f} s, median {statistics.median(walls):.2f} s; "
            f"CPU min {min(cpus):.2f} s, median {statistics.median(cpus):.2f} s")


def run_case(root: Path, records: int, megabytes: int, runs: int) -> None:
    """`runs` exports + imports of the same rows from one sender, each to a fresh receiver, next to as
    many plain copies of what they carried, all in this run: the rows-only case copies the unit and op
    rows, the attachment case adds the attachment rows and the blob files."""
    sender = Workstation(root / "a", "a")
    started = time.perf_counter()
    fill(sender, records, megabytes)
    label = f"{records} records" + (f" + {megabytes} MB attachments" if megabytes else ", rows only")
    print(f"== {label} (setup {time.perf_counter() - started:.1f} s, {runs} runs)")
    tables = COPIED_TABLES if megabytes else ROW_TABLES
    times: dict[str, tuple[list[float], list[float]]] = {key: ([], []) for key in ("export", "import", "copy",
                                                                                   "encrypted", "floor", "service",
                                                                                   "export floor")}
    floor_statements = [] if megabytes else floor_rows(sender)
    for run in range(runs):
        receiver = Workstation(root / f"b{run}", f"b{run}")
        sender.pair(receiver)
        receiver.pair(sender)
        package, export_s, export_cpu = timed(lambda: sender.export_to(receiver))  # noqa: B023
        result, import_s, import_cpu = timed(lambda: receiver.import_file(package.path))  # noqa: B023
        assert result.new_ops == package.op_count, "the import did not apply every op"
        receiver.close()
        service_site = Workstation(root / f"s{run}", f"s{run}")  # what 同步 and `sync import` run
        sender.pair(service_site)
        service_site.pair(sender)
        served = sender.export_to(service_site)
        service_result, service_s, service_cpu = timed(
            lambda: import_package_file(service_site.db, served.path))  # noqa: B023
        assert service_result.new_ops == served.op_count, "the service did not apply every op"
        service_site.close()
        package.path.unlink()
        copy_path = root / f"plain{run}.sqlite"
        copy_s, copy_cpu = plain_copy(sender, copy_path, tables, blobs=bool(megabytes))
        measured = [("export", export_s, export_cpu), ("import", import_s, import_cpu), ("copy", copy_s, copy_cpu),
                    ("service", service_s, service_cpu)]
        if floor_statements:
            floor_site = Workstation(root / f"f{run}", f"f{run}")
            measured.append(("floor", *write_floor(floor_statements, floor_site)))
            floor_site.close()
            measured.append(("encrypted", *encrypted_copy(sender, Workstation(root / f"e{run}", f"e{run}"))))
            measured.append(("export floor", *export_floor(sender, floor_site, root / f"floor{run}.fjpkg")))
        for key, wall, cpu in measured:
            times[key][0].append(wall)
            times[key][1].append(cpu)
    with sqlite3.connect(copy_path) as plain:
        copied_rows = sum(plain.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0] for t in tables)
    copied_files = sorted(blob_folder(copy_path).iterdir()) if megabytes else []
    files_note = (f" + {len(copied_files)} blob files, {sum(f.stat().st_size for f in copied_files) / 1024**2:.1f} MiB"
                  if megabytes else "")
    print(f"package: {package.op_count} ops, {package.blob_count} blobs, {package.size / 1024**2:.1f} MiB on disk")
    print(_figures("export:", *times["export"]))
    print(_figures("import:", *times["import"]) + f"   ({result.new_ops} ops applied)")
    print(_figures("import as the program runs it (screening, the verified backup, the apply; "
                   "models/services/sync.py):", *times["service"]))
    print(_figures(f"plain SQLite copy of the same rows ({copied_rows} rows of {', '.join(tables)}, "
                   f"{copy_path.stat().st_size / 1024**2:.1f} MiB{files_note}):", *times["copy"]))
    for how, pick in (("min", min), ("median", statistics.median)):
        copy_wall, copy_cpu = pick(times["copy"][0]), pick(times["copy"][1])
        print(f"ratios to the plain copy ({how} of each): "
              f"export {pick(times['export'][0]) / copy_wall:.1f}x (CPU {pick(times['export'][1]) / copy_cpu:.1f}x), "
              f"import {pick(times['import'][0]) / copy_wall:.1f}x (CPU {pick(times['import'][1]) / copy_cpu:.1f}x)"
              "   [targets: export <= 2x, import <= 3x]")
    if not megabytes:
        print(_figures("export floor (the op rows as stored, one blob each, through the package writer: encrypted, "
                       "hashed, signed, fsynced; no op encoded):", *times["export floor"]))
        for how, pick in (("min", min), ("median", statistics.median)):
            print(f"the export floor to the plain copy ({how} of each): "
                  f"{pick(times['export floor'][0]) / pick(times['copy'][0]):.1f}x "
                  f"(CPU {pick(times['export floor'][1]) / pick(times['copy'][1]):.1f}x); the export to its floor: "
                  f"{pick(times['export'][0]) / pick(times['export floor'][0]):.1f}x")
        print(_figures("encrypted copy (the same INSERT ... SELECT into a fresh receiver's encrypted file, its schema "
                       "and indexes, no search index):", *times["encrypted"]))
        for how, pick in (("min", min), ("median", statistics.median)):
            print(f"the encrypted copy to the plain copy ({how} of each): "
                  f"{pick(times['encrypted'][0]) / pick(times['copy'][0]):.1f}x "
                  f"(CPU {pick(times['encrypted'][1]) / pick(times['copy'][1]):.1f}x)")
        print(_figures("write floor (the same rows + both search index tables by raw executemany into a fresh "
                       "receiver, one transaction):", *times["floor"]))
        for how, pick in (("min", min), ("median", statistics.median)):
            floor_wall, floor_cpu = pick(times["floor"][0]), pick(times["floor"][1])
            print(f"import to the write floor ({how} of each): {pick(times['import'][0]) / floor_wall:.1f}x "
                  f"(CPU {pick(times['import'][1]) / floor_cpu:.1f}x); the floor to the plain copy: "
                  f"{floor_wall / pick(times['copy'][0]):.1f}x (CPU {floor_cpu / pick(times['copy'][1]):.1f}x)")
        least_copy_cpu = min(times["copy"][1])
        signing_s, signing_cpu = signing_floor(package.op_count)
        print(f"for scale: {package.op_count} Ed25519 signatures of 600-byte messages alone take {signing_s:.2f} s "
              f"(CPU {signing_cpu:.2f} s), {signing_cpu / least_copy_cpu:.1f}x the plain copy's least CPU: what "
              "per-op signing (op format 1) cost before anything else")
        attest_s, attest_cpu = attestation_floor(package.op_count)
        print(f"attestation cost now (op format 2): {package.op_count} SHA-256 digests of 600-byte messages and "
              f"{-(-package.op_count // MAX_ATTESTED_OPS)} Ed25519 signatures take {attest_s:.3f} s "
              f"(CPU {attest_cpu:.3f} s), {attest_cpu / least_copy_cpu:.1f}x the plain copy's least CPU")
    sender.close()


def signing_floor(count: int) -> tuple[float, float]:
    """What the per-op signatures of an export cost by themselves (wall, CPU), on this machine, now."""
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    key, message = Ed25519PrivateKey.generate(), os.urandom(600)
    started, cpu = time.perf_counter(), time.process_time()
    for _ in range(count):
        key.sign(message)
    return time.perf_counter() - started, time.process_time() - cpu


def attestation_floor(count: int) -> tuple[float, float]:
    """What authenticating `count` ops costs in op format 2 (wall, CPU): one digest per op and one
    signature per attestation of MAX_ATTESTED_OPS ops (FORMAT.md, op signatures)."""
    import hashlib

    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    key, message = Ed25519PrivateKey.generate(), os.urandom(600)
    started, cpu = time.perf_counter(), time.process_time()
    digests = [hashlib.sha256(message).digest() for _ in range(count)]
    for start in range(0, count, MAX_ATTESTED_OPS):
        key.sign(b"".join(digests[start:start + MAX_ATTESTED_OPS]))
    return time.perf_counter() - started, time.process_time() - cpu


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--records", type=int, nargs="*", default=[10_000, 50_000],
                        help="rows-only cases (no attachments)")
    parser.add_argument("--megabytes", type=int, default=200, help="the attachment case (0: skip it)")
    parser.add_argument("--attachment-records", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=3, help="exports + imports per case (min and median shown)")
    args = parser.parse_args()
    for records in args.records:
        with tempfile.TemporaryDirectory() as folder:
            run_case(Path(folder), records, 0, args.runs)
    if args.megabytes:
        with tempfile.TemporaryDirectory() as folder:
            run_case(Path(folder), args.attachment_records, args.megabytes, args.runs)


if __name__ == "__main__":
    main()
