"""control characters an older version let into ops and records cleaned, so they no longer block sync

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-03

Until the version before this one, a control character typed or pasted into a field (Word's manual line
break \\v, invisible characters from Excel or OCR) went into the op log as it was. Every receiver refuses a
package holding one (models/sync/opcodec.py), and every later package repeats the unacknowledged op, so
sync with every peer stopped for good. Writes are cleaned since (fieldcodec.clean_text, models/oplog.py);
this repairs what an older version left, by the same rule, in the migration's one transaction, after the
verified migration backup (models/migrate.py):

- this site's own ops: every string of the value and the author are cleaned, the value is rewritten as the
  op log writes it (canonical JSON) and `sig` is cleared, so the next export attests the op afresh. No peer
  holds the old bytes: each refused them. An old attestation stays as it is and still vouches for the other
  ops of its batch (a receiver checks that an op's digest is in the list, never that every digest is used).
- other sites' ops are left as their origin signed them. No receiver ever accepted one holding such a
  character (the check is as old as sync), so one can only be in a file put together by other means; an
  altered copy would fail authentication at every receiver and fork from the copy its origin repairs with
  this same rule. An export leaves such an op out and says so (models/sync/export.py).
- the text columns of every replicated record (what the merged ops say) are cleaned, with their search
  entries; the conflicts of rows whose ops changed are computed again (two heads may now agree).

Only rows that can hold such a character reach Python: SQL picks them (op values: the JSON escapes
canonical JSON writes for them; text columns: GLOB on SQLite, a regular expression on PostgreSQL)."""
import json
import logging
import uuid
from typing import Any

import sqlalchemy as sa
from alembic import op
from sqlalchemy.orm import Session

from models.fieldcodec import FORBIDDEN_CONTROL, canonical_json, clean_text

revision = '0019'
down_revision = '0018'
branch_labels = None
depends_on = None

_OP = sa.table("op", sa.column("op_id", sa.String), sa.column("site_id", sa.String), sa.column("user", sa.String),
               sa.column("entity", sa.String), sa.column("row_id", sa.String), sa.column("value", sa.Text),
               sa.column("sig", sa.Text))
_LOCAL_STATE = sa.table("local_state", sa.column("id", sa.Integer), sa.column("site_id", sa.String))
# How canonical JSON writes a forbidden character (the substrings fieldcodec.may_hold_control looks for):
# an escape \u000X or \u001X, \b, \f, or DEL as it is.
_JSON_HINTS = ("\\u000", "\\u001", "\\b", "\\f", "\x7f")
# The forbidden characters but NUL as one bracket class (GLOB and PostgreSQL regular expressions alike): GLOB
# ends its pattern at NUL (looked for apart) and PostgreSQL text cannot hold it.
_CLASS = "[" + "".join(char for char in map(chr, range(1, 0x80)) if FORBIDDEN_CONTROL.match(char)) + "]"
_CHUNK = 500
log = logging.getLogger("models.migrations")


def upgrade() -> None:
    conn = op.get_bind()
    site_id = conn.execute(sa.select(_LOCAL_STATE.c.site_id).where(_LOCAL_STATE.c.id == 1)).scalar()
    rows_of_changed_ops = _clean_own_ops(conn, site_id) if site_id else set()
    records = _clean_records(conn)
    _recompute_conflicts(conn, rows_of_changed_ops)
    if rows_of_changed_ops or records:
        log.warning("control characters cleaned: ops of %d records, %d records", len(rows_of_changed_ops), records)


def downgrade() -> None:
    pass  # the cleaned text is what the op log writes today; the migration backup holds the old


def _cleaned_plain(plain: Any) -> Any:
    """A decoded JSON value with every string in it cleaned (object keys are field names, left alone)."""
    if isinstance(plain, str):
        return clean_text(plain)
    if isinstance(plain, list):
        return [_cleaned_plain(item) for item in plain]
    if isinstance(plain, dict):
        return {key: _cleaned_plain(item) for key, item in plain.items()}
    return plain


def _clean_own_ops(conn: sa.Connection, site_id: str) -> set[tuple[str, str]]:
    """This site's ops holding a forbidden character, cleaned and left to be attested afresh; their rows."""
    c = _OP.c
    may_hold = sa.or_(*(c.value.contains(hint, autoescape=True) for hint in _JSON_HINTS))
    candidates = conn.execute(sa.select(c.op_id, c.entity, c.row_id, c.value).where(c.site_id == site_id, may_hold))
    changed: list[dict[str, str]] = []
    rows: set[tuple[str, str]] = set()
    for op_id, entity, row_id, value in candidates.all():
        try:
            plain = json.loads(value)
        except ValueError:
            continue  # not the op log's writing: left as it is, and out of every package (export.py)
        cleaned = _cleaned_plain(plain)
        if cleaned != plain:
            changed.append({"key": op_id, "new_value": canonical_json(cleaned)})
            rows.add((entity, row_id))
    if changed:
        conn.execute(sa.update(_OP).where(c.op_id == sa.bindparam("key")).values(
            value=sa.bindparam("new_value"), sig=""), changed)
    # Authors are few (one per account or workstation name): each is looked at once, not each op.
    for user in conn.execute(sa.select(c.user).where(c.site_id == site_id).distinct()).scalars().all():
        if user and FORBIDDEN_CONTROL.search(user):
            by_user = sa.and_(c.site_id == site_id, c.user == user)
            rows.update((entity, row_id) for entity, row_id in conn.execute(
                sa.select(c.entity, c.row_id).where(by_user).distinct()))
            conn.execute(sa.update(_OP).where(by_user).values(user=clean_text(user), sig=""))
    return rows


def _holds_control(conn: sa.Connection, column: sa.ColumnElement[Any]) -> sa.ColumnElement[bool]:
    if conn.dialect.name == "postgresql":
        return column.op("~")(_CLASS)
    return sa.or_(column.op("GLOB")(f"*{_CLASS}*"), sa.func.instr(column, sa.func.char(0)) > 0)


def _clean_records(conn: sa.Connection) -> int:
    """The text columns of every replicated record, cleaned; the search entries of those that changed.
    Returns how many records changed."""
    from models.registry import REPLICATED, replicated_columns
    from models.search import SEARCHABLE, index_entry, index_is_current, write_index

    inspector = sa.inspect(conn)
    index_current = index_is_current(conn)
    count = 0
    for cls in REPLICATED:
        table = cls.__table__
        present = {column["name"] for column in inspector.get_columns(table.name)}
        # Only the columns this revision's schema has: a later one may add more.
        names = [name for name, column in replicated_columns(cls).items()
                 if column.name in present and column.type.python_type is str]
        if not names:
            continue
        query = sa.select(table.c.id, *(table.c[name] for name in names)).where(
            sa.or_(*(_holds_control(conn, table.c[name]) for name in names)))
        updates: dict[tuple[str, ...], list[dict[str, Any]]] = {}
        for row_id, *values in conn.execute(query).all():
            cleaned = {name: clean_text(value) for name, value in zip(names, values)
                       if isinstance(value, str) and FORBIDDEN_CONTROL.search(value)}
            if cleaned:
                updates.setdefault(tuple(sorted(cleaned)), []).append({"_row_id": row_id, **cleaned})
        for params in updates.values():
            conn.execute(sa.update(table).where(table.c.id == sa.bindparam("_row_id")), params)
            count += len(params)
        # An index of an older layout is rebuilt after the migrations (models/migrate.py upgrade_schema).
        if cls in SEARCHABLE and index_current:
            ids = [params["_row_id"] for group in updates.values() for params in group]
            write_index(conn, [index_entry(cls, row_id, values) for row_id, values in _indexed(conn, cls, ids)])
    return count


def _indexed(conn: sa.Connection, cls: Any, ids: list[uuid.UUID]) -> list[tuple[uuid.UUID, dict[str, Any]]]:
    from models.search import SEARCHABLE

    table = cls.__table__
    names = (*SEARCHABLE[cls], "deleted")
    found = []
    for start in range(0, len(ids), _CHUNK):
        query = sa.select(table.c.id, *(table.c[name] for name in names)).where(
            table.c.id.in_(ids[start:start + _CHUNK]))
        found.extend((row_id, dict(zip(names, values))) for row_id, *values in conn.execute(query).all())
    return found


def _recompute_conflicts(conn: sa.Connection, rows: set[tuple[str, str]]) -> None:
    """The conflicts of rows whose ops changed, from their ops (their heads show the values and authors)."""
    if not rows:
        return
    from models.merge import refresh_row_conflicts
    from models.registry import ENTITY_BY_NAME

    session = Session(bind=conn)
    try:
        for entity, row_id in sorted(rows):
            if entity in ENTITY_BY_NAME:
                refresh_row_conflicts(session, entity, row_id, only_if_conflicted=True)
        session.flush()
    finally:
        session.close()
