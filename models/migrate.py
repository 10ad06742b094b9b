"""Schema migrations with alembic. A database file is migrated in-process at open, after a verified
backup. A database on a PostgreSQL server is migrated only by the administrator command
(models/pg.py upgrade_server, `db upgrade` / `init`), never silently by each client."""
from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"


def alembic_config() -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    return config


def head_revision() -> str:
    return ScriptDirectory.from_config(alembic_config()).get_current_head() or ""


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def migrate(engine: Engine, db_path: Path, dek: bytes | None) -> None:
    """The database file's open: a verified backup when there is anything to migrate, then the schema."""
    if current_revision(engine) not in (None, head_revision()):
        from models.backup import backup_engine

        backup_engine(engine, db_path, dek, reason="migration")
    upgrade_schema(engine)


def upgrade_schema(engine: Engine) -> None:
    """Alembic to head (nothing when current), then the search index if its layout is older."""
    if current_revision(engine) != head_revision():
        config = alembic_config()
        with engine.begin() as conn:
            config.attributes["connection"] = conn
            command.upgrade(config, "head")
    from sqlalchemy.orm import Session

    from models.search import index_is_current, rebuild_index

    # The search index is derived data: an older layout is rebuilt here, after the schema is current.
    with engine.execution_options(fjld_read_only=True).connect() as conn:
        current = index_is_current(conn)
    if not current:
        with engine.begin() as conn:
            rebuild_index(Session(bind=conn))
