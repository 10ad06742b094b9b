"""Test databases on the private cluster (tests/pg/cluster.py): the application's login role (not a
superuser: it owns its databases and has CREATEROLE, as README asks an administrator to set up), one
migrated template database per run, and a cheap copy of it per test (CREATE DATABASE … TEMPLATE …),
named per xdist worker so two workers never collide."""
from __future__ import annotations

import itertools
import os

import psycopg
from psycopg import sql

ADMIN_URL_ENV = "FJLD_TEST_PG_ADMIN_URL"   # superuser URL of the cluster the tests may use
APP_ROLE = "fjld_app"
APP_PASSWORD = "Fjld-app-2026"
TEMPLATE = "fjld_template"
_counter = itertools.count(1)


def admin_connect(admin_url: str) -> psycopg.Connection:
    return psycopg.connect(admin_url, autocommit=True)


def ensure_app_role(admin_url: str) -> None:
    """Tolerates a role that already exists (a second run, or the other worker, on the same cluster)."""
    with admin_connect(admin_url) as conn:
        if conn.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", (APP_ROLE,)).fetchone() is None:
            try:
                conn.execute(sql.SQL("CREATE ROLE {} LOGIN NOSUPERUSER CREATEROLE PASSWORD {}").format(
                    sql.Identifier(APP_ROLE), sql.Literal(APP_PASSWORD)))
            except (psycopg.errors.DuplicateObject, psycopg.errors.UniqueViolation):
                pass  # the other worker made it just now


def tcp_url(admin_url: str, dbname: str, user: str = APP_ROLE, password: str | None = APP_PASSWORD) -> str:
    """A password login over TCP, as a desk connects to the office server."""
    port = psycopg.conninfo.conninfo_to_dict(admin_url).get("port", "5432")
    secret = f":{password}" if password is not None else ""
    return f"postgresql://{user}{secret}@127.0.0.1:{port}/{dbname}"


def create_database(admin_url: str, name: str, template: str | None = None) -> None:
    with admin_connect(admin_url) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
        if template:
            conn.execute(sql.SQL("CREATE DATABASE {} TEMPLATE {} OWNER {} STRATEGY FILE_COPY").format(
                sql.Identifier(name), sql.Identifier(template), sql.Identifier(APP_ROLE)))
        else:
            conn.execute(sql.SQL("CREATE DATABASE {} OWNER {}").format(sql.Identifier(name), sql.Identifier(APP_ROLE)))


def drop_database(admin_url: str, name: str) -> None:
    with admin_connect(admin_url) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


def build_template(admin_url: str) -> str:
    """The migrated, empty schema every test database is copied from (no site identity in it: each
    copy makes its own at first open, so two test databases are two sync sites). One per worker."""
    from models.pg import upgrade_server

    ensure_app_role(admin_url)
    name = f"{TEMPLATE}_{os.environ.get('PYTEST_XDIST_WORKER', 'main')}"
    create_database(admin_url, name)
    upgrade_server(tcp_url(admin_url, name))
    return name


def unique_name(prefix: str = "t") -> str:
    worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
    return f"fjld_{prefix}_{worker}_{os.getpid()}_{next(_counter)}"
