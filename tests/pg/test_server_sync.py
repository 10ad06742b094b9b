"""Item 5 of issue 16: an office on a PostgreSQL server syncs with other offices by packages exactly
as a workstation does — one site however many desks work on it; packages, acks, conflicts and
attachments behave as between two files."""
from __future__ import annotations

import uuid

import pytest

from models.attachment import Attachment, store_blob
from models.conflicts import list_conflicts, resolve_conflict
from models.pg import open_server
from models.sync.identity import export_peer_file
from models.sync.peers import ensure_identity
from models.unit import Unit
from tests.pg.server import create_database, drop_database, tcp_url, unique_name
from tests.sync.workstations import Workstation, add_unit


class ServerOffice(Workstation):
    """The Workstation of tests/sync, its database on the test cluster; `desk()` opens another
    client of the same office database (a second clerk's PC)."""

    def __init__(self, pg_server, folder, name: str) -> None:  # noqa: D107
        admin_url, template = pg_server
        folder.mkdir(parents=True, exist_ok=True)
        self.name, self.folder, self.packages = name, folder, 0
        self.admin_url, self.dbname = admin_url, unique_name("sync")
        create_database(admin_url, self.dbname, template)
        self.url = tcp_url(admin_url, self.dbname)
        self.db = open_server(self.url, user="测试员")
        with self.db.session_scope() as session:
            self.identity = ensure_identity(session, f"{name}单位", name, "procuratorate")
        self.peer_file = export_peer_file(self.identity, "0.1.0")
        self.desks = []

    def desk(self):
        db = open_server(self.url, user="内勤")
        self.desks.append(db)
        return db

    def reopen(self) -> None:
        self.db.close()
        self.db = open_server(self.url, user="测试员")

    def close(self) -> None:
        for db in self.desks:
            db.close()
        self.db.close()
        drop_database(self.admin_url, self.dbname)


@pytest.fixture
def office_and_desk(pg_server, tmp_path):
    server = ServerOffice(pg_server, tmp_path / "server", "s")
    desk = Workstation(tmp_path / "a", "a")
    server.pair(desk)
    desk.pair(server)
    yield server, desk
    server.close()
    desk.close()


def test_changes_made_at_any_desk_of_the_server_travel_as_one_site(office_and_desk):
    server, a = office_and_desk
    second_desk = server.desk()
    add_unit(server.db, "某县司法局")
    add_unit(second_desk, "某县民政局")     # another clerk, same office database, same site
    package = server.export_to(a)
    assert package.op_count == 2
    assert a.import_file(package.path).new_ops == 2
    add_unit(a.db, "某县水利局")
    assert server.import_file(a.export_to(server).path).new_ops == 1
    assert server.dump() == a.dump()
    again = server.export_to(a)               # a acknowledged both: nothing of it is resent
    assert again.op_count == 0 or a.import_file(again.path).new_ops == 0


def test_concurrent_edits_become_a_conflict_on_the_server_and_resolution_spreads(office_and_desk):
    server, a = office_and_desk
    unit_id = add_unit(a.db, "司法局")
    server.import_file(a.export_to(server).path)
    for db, name in ((a.db, "县司法局"), (server.desk(), "某县司法局")):
        with db.session_scope() as session:
            session.get(Unit, uuid.UUID(unit_id)).name = name
    server.import_file(a.export_to(server).path)
    with server.db.session_scope() as session:
        conflicts = list_conflicts(session)
        assert [(x.entity, x.field) for x in conflicts] == [("unit", "name")]
        assert {h["value"] for h in conflicts[0].heads} == {"县司法局", "某县司法局"}
        resolve_conflict(session, "unit", unit_id, "name", "某县司法局")
    a.import_file(server.export_to(a).path)
    assert server.dump() == a.dump() and a.dump()["conflicts"] == []


def test_attachments_travel_by_hash_to_and_from_the_server(office_and_desk):
    server, a = office_and_desk
    content = "回复函扫描件".encode() * 50_000
    with a.db.session_scope() as session:
        sha = store_blob(session, content)
        session.add(Attachment(owner_entity="suggestion", filename="回复函.pdf", size=len(content), sha256=sha))
    assert server.import_file(a.export_to(server).path).blobs == 1
    assert server.dump() == a.dump() and server.dump()["blobs"] == [sha]


def test_the_server_database_reopened_keeps_its_site_and_sequence(office_and_desk):
    server, a = office_and_desk
    add_unit(server.db, "甲")
    a.import_file(server.export_to(a).path)
    server.reopen()
    add_unit(server.db, "乙")
    assert a.import_file(server.export_to(a).path).new_ops == 1
    assert server.dump() == a.dump()
