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


def test_an_older_database_is_backed_up_then_migrated(user_data_dir):
    import secrets

    from alembic import command

    from models.migrate import alembic_config
    from models.storage import make_engine, open_database

    path, dek = user_data_dir / "旧版.db", secrets.token_bytes(32)
    path.parent.mkdir(parents=True)
    engine = make_engine(path, dek)
    config = alembic_config()
    with engine.begin() as conn:
        config.attributes["connection"] = conn
        command.upgrade(config, "0001")
        # a task row written by the first version must survive the migrations that add task columns
        conn.exec_driver_sql(
            "INSERT INTO task (id, aspect_id, number, text, created_hlc, updated_hlc, updated_site, deleted) "
            "VALUES ('0192000000007000800000000000000a', '0192000000007000800000000000000b', 1, '旧任务', 1, 1, 's', 0)")
    engine.dispose()
    db = open_database(path, dek)
    assert current_revision(db.engine) == head_revision()
    with db.session_scope() as session:
        from models.tasklist import Task
        task = session.query(Task).one()
        assert (task.text, task.units_cell) == ("旧任务", "")
    db.close()
    backups = list((user_data_dir / "backups").glob("旧版-*-migration.db"))
    assert len(backups) == 1
    old = make_engine(backups[0], dek)
    assert current_revision(old) == "0001"
    old.dispose()
