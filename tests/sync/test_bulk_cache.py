"""A sync import runs with the smaller bulk page cache (storage.bulk_write_cache) and gives the usual one
back afterwards, also when the package is refused half-way; the memory figure itself is a benchmark
(bench/bench_rss.py), not a test."""
from __future__ import annotations

import pytest

import models.sync.exchange as exchange
from models.storage import BULK_PAGE_CACHE_KIB, PAGE_CACHE_KIB
from models.sync.errors import PackageError
from tests.sync.workstations import add_unit, unit_names


def _cache_kib(session) -> int:
    return -int(session.connection().exec_driver_sql("PRAGMA cache_size").scalar())


def _watch_apply(monkeypatch, seen: list[int], fail: bool = False) -> None:
    real = exchange.apply_ops

    def watching(session, records):
        seen.append(_cache_kib(session))
        if fail:
            raise PackageError("malformed")
        return real(session, records)

    monkeypatch.setattr(exchange, "apply_ops", watching)


def test_import_applies_with_the_bulk_cache_and_restores_it(pair, monkeypatch):
    a, b = pair
    for number in range(3):
        add_unit(a.db, f"单位{number}")
    package = a.export_to(b)
    seen: list[int] = []
    _watch_apply(monkeypatch, seen)
    with b.db.session_scope() as session:
        exchange.import_package(session, package.path)
        assert _cache_kib(session) == PAGE_CACHE_KIB
    assert seen and set(seen) == {BULK_PAGE_CACHE_KIB}
    assert BULK_PAGE_CACHE_KIB < PAGE_CACHE_KIB
    assert unit_names(b) == {"单位0", "单位1", "单位2"}


def test_a_refused_import_also_restores_the_cache(pair, monkeypatch):
    a, b = pair
    add_unit(a.db, "单位")
    package = a.export_to(b)
    seen: list[int] = []
    _watch_apply(monkeypatch, seen, fail=True)
    with pytest.raises(PackageError), b.db.session_scope() as session:
        try:
            exchange.import_package(session, package.path)
        finally:
            assert _cache_kib(session) == PAGE_CACHE_KIB
    assert seen == [BULK_PAGE_CACHE_KIB]
    assert unit_names(b) == set()
