"""The sync import service reads a package once (issue 15: the read-only preview pass cost a quarter of
every import) and still keeps nothing of a package its ops refuse: no data, no backup, one audit event,
and no older backup pushed out of the day's cap by the copy taken before it."""
from __future__ import annotations

import datetime as dt
from pathlib import Path
from types import SimpleNamespace

import pytest
from sqlalchemy import text

from models import backup
from models.backup import backup_engine, list_backups
from models.errors import Cancelled
from models.services import sync as service
from models.sync import exchange, verdicts
from models.sync.errors import PackageError
from tests.sync.package_helpers import read_package, repack
from tests.sync.workstations import Workstation, add_unit, unit_names


def _events(site: Workstation) -> list[str]:
    with site.db.read_scope() as session:
        return list(session.execute(text("SELECT event FROM audit_event ORDER BY seq")).scalars())


def _backups(site: Workstation) -> list[str]:
    folder = site.db.backup_folder()
    return sorted(path.name for path in folder.iterdir()) if folder.exists() else []


def _refused_by_its_ops(a: Workstation, b: Workstation) -> Path:
    """A package `a` really signed, whose last op is not an op: refused only once its ops are read."""
    add_unit(a.db, "县水利局")
    add_unit(a.db, "县林业局")
    package = a.export_to(b).path
    _header, _manifest, attestations, ops = read_package(package, a, b)
    return repack(package, a, b, attestations, ops + [b"\x02\x00{}not an op"])


def test_a_package_is_decrypted_once_and_applied_after_its_backup(pair, monkeypatch):
    a, b = pair
    add_unit(a.db, "县水利局")
    package = a.export_to(b).path
    reads = []
    real = verdicts.iter_records
    monkeypatch.setattr(verdicts, "iter_records", lambda *args: reads.append(args) or real(*args))
    result = service.import_package_file(b.db, package)
    assert (result.status, result.new_ops, len(reads)) == ("applied", 1, 1)
    assert unit_names(b) == {"县水利局"}
    assert [name for name in _backups(b) if name.endswith("before_sync_import.db")]
    again = service.import_package_file(b.db, package)  # a duplicate is told from its header alone
    assert (again.status, len(reads)) == ("duplicate", 1)


def test_a_package_refused_by_its_ops_leaves_no_backup_and_one_event(pair):
    a, b = pair
    bad = _refused_by_its_ops(a, b)
    before, events, backups = b.dump(), _events(b), _backups(b)
    with pytest.raises(PackageError) as refused:
        service.import_package_file(b.db, bad, record_unlock=True)
    assert refused.value.code == "malformed"
    assert b.dump() == before and unit_names(b) == set()
    assert _backups(b) == backups
    assert _events(b) == events + ["sync_import_refused"]  # the unlock row went with the rollback


class _Noon(dt.datetime):
    """The backups' clock at midday: a day's cap must not meet midnight in the middle of the test."""

    @classmethod
    def now(cls, tz=None):
        return cls(2026, 12, 3, 12, 0, 0)


def test_a_refused_import_pushes_no_backup_out_of_the_days_cap(pair, monkeypatch):
    a, b = pair
    monkeypatch.setattr(backup, "dt", SimpleNamespace(datetime=_Noon, date=dt.date, timedelta=dt.timedelta))
    bad = _refused_by_its_ops(a, b)
    folder, now = b.db.backup_folder(), _Noon.now()
    for minute in range(14):  # more than a day keeps: the rotation has already dropped some
        backup_engine(b.db.engine, b.db.path, b.db.dek, reason="manual", folder=folder,
                      now=now - dt.timedelta(minutes=30 - minute))
    kept = [backup.path.name for backup in list_backups(folder, b.db.path.stem)]
    with pytest.raises(PackageError):
        service.import_package_file(b.db, bad)
    assert [backup.path.name for backup in list_backups(folder, b.db.path.stem)] == kept
    good = a.export_to(b).path  # a package that applies: its backup is kept and the rotation runs
    assert service.import_package_file(b.db, good).new_ops == 2
    after = [backup.path.name for backup in list_backups(folder, b.db.path.stem)]
    assert len(after) == len(kept) and after[-1].endswith("before_sync_import.db")


def test_the_import_tells_its_progress_and_a_cancel_undoes_it_without_a_trace(pair, monkeypatch):
    a, b = pair
    for name in ("县水利局", "县林业局", "县财政局"):
        add_unit(a.db, name)
    package = a.export_to(b).path
    monkeypatch.setattr(exchange, "_APPLY_BATCH", 1)  # a batch per op: the cancel falls between them
    before, events, backups = b.dump(), _events(b), _backups(b)
    told: list[tuple[int, int]] = []
    with pytest.raises(Cancelled):
        service.import_package_file(b.db, package, progress=lambda done, total: told.append((done, total)),
                                    is_cancelled=lambda: len(told) >= 2)
    assert told == [(1, 3), (2, 3)]
    assert b.dump() == before and _backups(b) == backups and _events(b) == events  # no refusal either
    told.clear()
    result = service.import_package_file(b.db, package, progress=lambda done, total: told.append((done, total)),
                                         is_cancelled=lambda: False)
    assert result.new_ops == 3 and told[-1] == (3, 3) and unit_names(b) == {"县水利局", "县林业局", "县财政局"}
