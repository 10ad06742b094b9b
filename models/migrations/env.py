from alembic import context
from sqlalchemy import text

from models.schema import metadata

# Foreign keys are declared for the ORM but never enforced (models/base.py: a child row may arrive
# before its parent in a sync package; the post-merge check lists orphans). SQLite leaves them
# unenforced by default; on PostgreSQL they are dropped after every upgrade, whatever revision made them.
DROP_FOREIGN_KEYS_PG = """
DO $$
DECLARE fk record;
BEGIN
    FOR fk IN SELECT conrelid::regclass AS tbl, conname FROM pg_constraint
              WHERE contype = 'f' AND connamespace = current_schema()::regnamespace LOOP
        EXECUTE format('ALTER TABLE %s DROP CONSTRAINT %I', fk.tbl, fk.conname);
    END LOOP;
END $$"""


def include_name(name, type_, parent_names):  # type: ignore[no-untyped-def]
    # The search index is created by hand in 0001 (models/search.py, models/pg_search.py); autogenerate
    # must leave it be.
    return not (type_ in ("table", "index") and name and name.startswith("search_index"))


connection = context.config.attributes["connection"]
context.configure(connection=connection, target_metadata=metadata, render_as_batch=True, include_name=include_name)
with context.begin_transaction():
    context.run_migrations()
    if connection.dialect.name == "postgresql":
        connection.execute(text(DROP_FOREIGN_KEYS_PG))
