from alembic import context

from models.schema import metadata


def include_name(name, type_, parent_names):  # type: ignore[no-untyped-def]
    # The FTS5 search index is created by hand in 0001 (models/search.py); autogenerate must leave it be.
    return not (type_ == "table" and name and name.startswith("search_index"))


connection = context.config.attributes["connection"]
context.configure(connection=connection, target_metadata=metadata, render_as_batch=True, include_name=include_name)
with context.begin_transaction():
    context.run_migrations()
