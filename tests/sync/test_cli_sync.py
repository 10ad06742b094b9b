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

    def database(self, audit_unlock: bool = True):
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


def test_a_refused_package_at_the_real_cli_writes_nothing_but_its_refusal(tmp_path):
    """End to end through main.py: no backup, the same dump, no unlock row — one audit event."""
    import json

    from sqlalchemy import text

    from models.services.setup import unlock
    from tests.conftest import TEST_PASSWORD
    from tests.core.test_dump_cli import run_cli

    def cli(db, *argv, ok=True):
        done = run_cli("--db", str(db), *argv, data_dir=tmp_path / "data")
        assert (done.returncode == 0) == ok, done.stderr
        return done

    def events(db_path):
        db = unlock(db_path, password=TEST_PASSWORD, audit=False)
        try:
            with db.read_scope() as session:
                return session.execute(text("SELECT event, detail FROM audit_event ORDER BY seq")).all()
        finally:
            db.close()

    sender, receiver = tmp_path / "甲" / "fjld.db", tmp_path / "乙" / "fjld.db"
    for db in (sender, receiver):
        cli(db, "init", "--office", f"{db.parent.name}院")
    cards = {}
    for db in (sender, receiver):
        out = cli(db, "peer", "export-id", "-o", str(db.parent / "me.fjpeer")).stdout
        cards[db] = next(line.split("：", 1)[1] for line in out.splitlines() if line.startswith("指纹"))
    cli(sender, "peer", "add", str(receiver.parent / "me.fjpeer"), "--fingerprint", cards[receiver])
    cli(receiver, "peer", "add", str(sender.parent / "me.fjpeer"), "--fingerprint", cards[sender])
    package = tmp_path / "包.fjpkg"
    cli(sender, "sync", "export", "--to", "乙院", "-o", str(package))
    data = package.read_bytes()
    tampered = tmp_path / "坏包.fjpkg"
    tampered.write_bytes(data[:500] + bytes([data[500] ^ 1]) + data[501:])
    before = cli(receiver, "dump").stdout
    backups = receiver.parent / "backups"
    had = sorted(p.name for p in backups.iterdir()) if backups.exists() else []
    logged = events(receiver)
    refused = cli(receiver, "sync", "import", str(tampered), ok=False)
    assert refused.stderr.strip().startswith("错误：") and len(refused.stderr.strip().splitlines()) == 1
    after = events(receiver)
    assert after[:-1] == logged and after[-1][0] == "sync_import_refused"  # one event, no unlock row
    assert json.loads(after[-1][1])["code"] in ("bad_signature", "malformed")  # where the flipped byte lands
    assert (sorted(p.name for p in backups.iterdir()) if backups.exists() else []) == had
    assert cli(receiver, "dump").stdout == before
    for bad_path in (tmp_path / "没有这个包.fjpkg", tmp_path):
        missing = cli(receiver, "sync", "import", str(bad_path), ok=False)
        assert missing.stderr.strip() in (f"错误：找不到同步包文件：{bad_path}", f"错误：所选路径是文件夹，不是同步包文件：{bad_path}")
    assert "已导入第 1 号包" in cli(receiver, "sync", "import", str(package)).stdout
    assert [event for event, _ in events(receiver)][-2:] == ["unlock", "sync_import"]
