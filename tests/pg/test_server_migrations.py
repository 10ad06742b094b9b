"""Migrations on PostgreSQL: every revision runs from an empty database to head (the template of this
run is built that way, by the application's non-superuser login), and the result is exactly the schema
the models declare — but for the foreign keys, which are dropped on purpose (models/migrations/env.py:
a child row may arrive before its parent in a sync package, as SQLite allows)."""
from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from models.migrate import current_revision, head_revision
from models.schema import metadata


@pytest.mark.parametrize("backend", ["postgresql"], indirect=True)
def test_the_server_schema_is_the_models_schema_without_foreign_keys(new_db):
    assert current_revision(new_db.engine) == head_revision()
    with new_db.engine.connect() as conn:
        diffs = compare_metadata(MigrationContext.configure(conn), metadata)
        extensions = set(conn.exec_driver_sql("SELECT extname FROM pg_extension").scalars())
        superuser = conn.exec_driver_sql("SELECT rolsuper FROM pg_roles WHERE rolname = current_user").scalar()
    # search_index* are the search module's own tables (models/pg_search.py), not models.
    diffs = [d for d in diffs if not (isinstance(d, tuple) and d[0] in ("remove_table", "remove_index")
                                      and d[1].name.startswith("search_index"))]
    assert [d for d in diffs if not (isinstance(d, tuple) and d[0] == "add_fk")] == []
    assert "pg_trgm" in extensions and superuser is False
