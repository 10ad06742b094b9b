"""The sync CLI handlers, driven through the real argument parser against simulated workstations."""
from __future__ import annotations

import uuid
from contextlib import contextmanager

import pytest

from cli import build_parser
from models.errors import DomainError
from models.sync.identity import parse_peer_file
from models.unit import Unit
from tests.sync.workstations import Workstation


class FakeContext:
    def __init__(self, site: Workstation) -> None:
        self.site, self.lines = site, []

    @contextmanager
    def session_scope(self):
        with self.site.db.session_scope() as session:
            yield session

    def database(self):
        return self.site.db

    def out(self, text: str = "") -> None:
        self.lines.append(text)


def run(site: Workstation, *argv: str) -> list[str]:
    args = build_parser().parse_args(list(argv))
    ctx = FakeContext(site)
    assert args.handler(args, ctx) == 0
    return ctx.lines


def test_pair_exchange_and_resolve_through_the_cli(tmp_path):
    a, b = Workstation(tmp_path / "a", "a"), Workstation(tmp_path / "b", "b")
    for me, other in ((a, b), (b, a)):
        peer_file = tmp_path / f"{me.name}.peer"
        lines = run(me, "peer", "export-id", "-o", str(peer_file))
        fingerprint = parse_peer_file(peer_file.read_bytes()).fingerprint
        assert f"指纹：{fingerprint}" in lines
        with pytest.raises(DomainError):
            run(other, "peer", "add", str(peer_file), "--fingerprint", "00000 00000 00000 00000 00000 00000")
        run(other, "peer", "add", str(peer_file), "--fingerprint", fingerprint)
    with a.db.session_scope() as session:
        unit = Unit(name="司法局")
        session.add(unit)
        session.flush()
        unit_id = str(unit.id)
    run(a, "sync", "export", "--to", b.site_id[:8], "-o", str(tmp_path / "1.fjpkg"))
    assert "新增变更 1 条" in run(b, "sync", "import", str(tmp_path / "1.fjpkg"))[0]
    backups = list((b.db.path.parent / "backups").glob("*before_sync_import.db"))
    assert len(backups) == 1  # a verified backup precedes every applied import
    for site, name in ((a, "县司法局"), (b, "某县司法局")):
        with site.db.session_scope() as session:
            session.get(Unit, uuid.UUID(unit_id)).name = name
    run(b, "sync", "export", "--to", "a", "-o", str(tmp_path / "2.fjpkg"))
    assert "新增冲突 1 处" in run(a, "sync", "import", str(tmp_path / "2.fjpkg"))[0]
    listing = run(a, "sync", "conflicts")
    assert any("unit" in line and "name" in line for line in listing)
    run(a, "sync", "resolve", "unit", unit_id, "name", "--take", "theirs")
    assert run(a, "sync", "conflicts") == ["没有待处理的冲突"]
    with a.db.session_scope() as session:
        assert session.get(Unit, uuid.UUID(unit_id)).name == "某县司法局"
