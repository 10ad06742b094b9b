"""The storage contract on PostgreSQL: a URL is never a path, read scopes are read-only snapshots,
writes to one office database are serialized (the clerk's thread gets db_busy at once instead of
waiting behind an import), and the audit log is append-only in the server too."""
from __future__ import annotations

import threading

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from models.backend import is_server_url, looks_like_url, parse_server_url
from models.errors import DomainError
from models.unit import Unit
from tests.lockholder import write_lock_held


@pytest.mark.parametrize("value, server", [
    ("postgresql://fjld@10.0.0.5:5432/fjld_suzhou", True), ("postgres://fjld:秘密@host/db", True),
    ("POSTGRESQL://a@b/c", True), ("mysql://a@b/c", False), ("C:\\FJLD\\fjld.db", False),
    ("postgresql:/fjld.db", False), ("./postgresql/fjld.db", False)])
def test_which_db_values_name_a_server(value, server):
    assert is_server_url(value) is server


def test_a_server_url_is_parsed_and_shown_without_its_password():
    address = parse_server_url("postgresql://fjld%40office:p%40ss@db.example:6543/宿州?sslmode=verify-full")
    assert (address.user, address.password, address.host, address.port, address.dbname) == (
        "fjld@office", "p@ss", "db.example", 6543, "宿州")
    assert dict(address.query) == {"sslmode": "verify-full"}
    assert "p@ss" not in address.display
    for bad in ("postgresql://host:5432/db", "postgresql://u@host:5432/", "mysql://u@h/d", "postgresql://u@h:x/d"):
        with pytest.raises(DomainError) as caught:
            parse_server_url(bad)
        assert caught.value.code == "bad_db_url"
    assert looks_like_url("mysql://a@b/c") and not looks_like_url("D:/数据/fjld.db")


def _server(new_db):
    assert new_db.server is not None
    return new_db


@pytest.mark.parametrize("backend", ["postgresql"], indirect=True)
def test_a_read_scope_refuses_writes_in_the_server_too(new_db):
    db = _server(new_db)
    with pytest.raises(DBAPIError):
        with db.read_scope() as session:
            session.execute(text("UPDATE setting SET value = 'x'"))


@pytest.mark.parametrize("backend", ["postgresql"], indirect=True)
def test_the_clerks_write_is_refused_at_once_while_a_worker_writes(new_db):
    db = _server(new_db)
    with write_lock_held(db, lambda session: session.add(Unit(name="导入中的单位"))):
        db.interactive_thread = threading.get_ident()
        try:
            with pytest.raises(DomainError) as caught:
                with db.write_scope() as session:
                    session.add(Unit(name="文员保存"))
            assert caught.value.code == "db_busy"
            with db.read_scope() as session:  # reading beside the worker never waits
                assert session.query(Unit).filter(Unit.name == "导入中的单位").count() == 0
        finally:
            db.interactive_thread = None
    with db.write_scope() as session:
        session.add(Unit(name="文员保存"))
    with db.read_scope() as session:
        assert {u.name for u in session.query(Unit)} >= {"导入中的单位", "文员保存"}


@pytest.mark.parametrize("backend", ["postgresql"], indirect=True)
def test_the_audit_log_cannot_be_truncated_on_the_server(new_db):
    db = _server(new_db)
    with pytest.raises(DBAPIError):
        with db.write_scope() as session:
            session.execute(text("TRUNCATE audit_event"))
