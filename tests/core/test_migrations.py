from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from models.migrate import current_revision, head_revision
from models.schema import metadata


def test_a_new_database_is_at_the_head_revision(new_db):
    assert current_revision(new_db.engine) == head_revision() != ""


def test_migrations_build_exactly_the_schema_the_models_declare(new_db):
    """Models and migration scripts must never drift apart: a model change needs a new revision."""
    with new_db.engine.connect() as conn:
        diffs = compare_metadata(MigrationContext.configure(conn), metadata)
    # The FTS5 index and its shadow tables are created by the migration on purpose (no model).
    diffs = [d for d in diffs if not (d[0] == "remove_table" and d[1].name.startswith("search_index"))]
    assert diffs == []


def test_reopening_does_not_migrate_or_back_up_again(new_db, user_data_dir):
    from models.storage import open_database
    new_db.close()
    open_database(new_db.path, new_db.dek).close()
    assert not (user_data_dir / "backups").exists()
