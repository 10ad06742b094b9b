"""Power loss during a blob write (issue 15): the writing process is killed with SIGKILL at several
moments while it stores large attachments, and while a sync import streams them in. Afterwards the
database opens, every attachment row has its bytes (hash-checked), every committed attachment is there,
and what the kill left behind is at most unreferenced files that garbage collection removes."""
from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time

from models.attachment import Attachment
from models.blobstore import PART, blob_dir_for, blob_store, collect_garbage
from models.services.attachments import add_attachment
from models.storage import open_database
from tests.core.test_dump_cli import ROOT
from tests.sync.workstations import Workstation

MB = 1024 * 1024


def _child(*argv: str) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "tests.scale.kill9_child", *argv], cwd=ROOT,
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)


def _run_to_end(*argv: str) -> float:
    started = time.perf_counter()
    process = _child(*argv)
    out, _ = process.communicate(timeout=300)
    assert process.returncode == 0 and "committed" in out
    return time.perf_counter() - started


def _kill_during_a_blob_write(folder, delay: float, *argv: str) -> int:
    """Kills the child `delay` seconds after its first blob write began (a .part file appeared);
    returns how many commits it had reported."""
    process = _child(*argv)
    deadline = time.monotonic() + 120
    while not (folder.is_dir() and any(folder.glob(f"*{PART}"))):
        assert process.poll() is None and time.monotonic() < deadline, "no blob write seen"
        time.sleep(0.001)
    time.sleep(delay)
    process.send_signal(signal.SIGKILL)
    out, _ = process.communicate(timeout=60)
    return out.count("committed")


def _check(path, dek) -> tuple[int, int]:
    """Opens the database; every row's bytes are there and hash-checked. Returns (rows, leftover .part)."""
    db = open_database(path, dek, user="测试员")
    try:
        with db.read_scope() as session:
            store = blob_store(session)
            hashes = [sha for (sha,) in session.query(Attachment.sha256)]
            for sha in hashes:
                store.read(sha)  # raises on a missing, half or foreign file
        parts = len(list(blob_dir_for(path).glob(f"*{PART}")))
        with db.session_scope() as session:
            collect_garbage(session, min_age_s=0)
            referenced = {store_name(session, sha) for sha in hashes}
        folder = blob_dir_for(path)
        assert ({p.name for p in folder.iterdir()} if folder.exists() else set()) == referenced
        return len(hashes), parts
    finally:
        db.close()


def store_name(session, sha):
    return blob_store(session).path_of(sha).name


def test_sigkill_while_attachments_are_written(tmp_path):
    site = Workstation(tmp_path / "站", "站")
    path, dek = site.path, site.dek
    site.close()
    pristine = tmp_path / "原样"
    shutil.copytree(path.parent, pristine)
    args = ("attach", str(path), dek.hex(), "6", str(12 * MB))
    _run_to_end(*args)
    assert _check(path, dek)[0] == 6
    torn = 0
    for delay in (0, 0.03, 0.3):
        shutil.rmtree(path.parent)
        shutil.copytree(pristine, path.parent)
        committed = _kill_during_a_blob_write(blob_dir_for(path), delay, *args)
        rows, parts = _check(path, dek)
        torn += parts
        assert committed <= rows <= committed + 1, delay  # every reported commit is durable
        with open_database(path, dek, user="测试员").session_scope() as session:  # and writing goes on
            add_attachment(session, "suggestion", None, "之后.pdf", b"after the crash")
        assert _check(path, dek)[0] == rows + 1
    assert torn  # at least one kill landed inside a blob write (its half file was never read as a blob)


def test_sigkill_during_a_sync_import_carrying_attachments(tmp_path):
    a, b = Workstation(tmp_path / "a", "a"), Workstation(tmp_path / "b", "b")
    a.pair(b)
    b.pair(a)
    with a.db.session_scope() as session:
        for i in range(4):
            add_attachment(session, "suggestion", None, f"件{i}.pdf", os.urandom(12 * MB))
    package = a.export_to(b).path
    a.close()
    path, dek = b.path, b.dek
    b.close()
    pristine = tmp_path / "b-原样"
    shutil.copytree(path.parent, pristine)
    args = ("import", str(path), dek.hex(), str(package))
    _run_to_end(*args)
    assert _check(path, dek)[0] == 4
    torn = 0
    for delay in (0, 0.1, 0.4):
        shutil.rmtree(path.parent)
        shutil.copytree(pristine, path.parent)
        committed = _kill_during_a_blob_write(blob_dir_for(path), delay, *args)
        rows, parts = _check(path, dek)
        torn += parts
        assert rows in (0, 4) and (rows == 4) >= bool(committed), delay  # all or nothing
        _run_to_end(*args)  # the interrupted import simply runs again
        assert _check(path, dek)[0] == 4
    assert torn
