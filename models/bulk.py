"""Statements over many rows at once, for the writers that bypass the ORM (models/merge.py applying a sync
package, models/search.py's index). On a database file they reach the driver as hand-written SQL would: one
INSERT, the rows as tuples, each column's type conversion looked up once per call (not SQLAlchemy's
per-row parameter processing), and a list of ids as one JSON parameter read by json_each (one query and
one cached statement, not one bound parameter per id). On a PostgreSQL server the same calls go through
Core's executemany and `= ANY(array)`. Either way a column's value is stored exactly as Core stores it."""
from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import ARRAY, Column, ColumnElement, Connection, Table, any_, bindparam, func, insert, select
from sqlalchemy.sql import literal_column


def insert_rows(conn: Connection, table: Table, keys: Sequence[str], rows: list[tuple[Any, ...]]) -> None:
    """Insert `rows`, each a tuple of Python values of the columns `keys` (in that order), in one executemany;
    columns left out get NULL or their server default, never a Python-side default."""
    if not rows:
        return
    if conn.dialect.name != "sqlite":
        conn.execute(insert(table), [dict(zip(keys, row)) for row in rows])
        return
    columns = [table.c[key] for key in keys]
    converters = [(n, _bind_processor(conn, column)) for n, column in enumerate(columns)]
    converters = [(n, convert) for n, convert in converters if convert is not None]
    if converters:
        values = list(zip(*rows))
        for n, convert in converters:
            values[n] = tuple(map(convert, values[n]))
        rows = list(zip(*values))
    quote = conn.dialect.identifier_preparer.quote
    conn.exec_driver_sql(f"INSERT INTO {quote(table.name)} ({', '.join(quote(c.name) for c in columns)}) "
                         f"VALUES ({', '.join('?' * len(columns))})", rows)


def among(conn: Connection, column: Column[Any], values: Iterable[Any]) -> ColumnElement[bool]:
    """`column IN values` with the values as one bound parameter, however many they are."""
    values = list(values)
    if conn.dialect.name == "sqlite":
        convert = _bind_processor(conn, column)
        listed = json.dumps(values if convert is None else [convert(value) for value in values])
        return column.in_(select(literal_column("value")).select_from(func.json_each(bindparam(None, listed))))
    return column == any_(bindparam(None, values, type_=ARRAY(column.type)))


def _bind_processor(conn: Connection, column: Column[Any]) -> Any:
    return column.type.dialect_impl(conn.dialect).bind_processor(conn.dialect)
