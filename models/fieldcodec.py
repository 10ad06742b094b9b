"""Canonical JSON for field values in ops, packages and dumps: one encoding per Python type,
so every workstation writes byte-identical values for the same data."""
from __future__ import annotations

import datetime as dt
import json
import uuid
from typing import Any

from sqlalchemy import Column


def to_plain(value: Any) -> Any:
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, dt.datetime):
        return value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def canonical_json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=to_plain)


def encode_value(value: Any) -> str:
    return canonical_json(to_plain(value))


def decode_value(column: Column[Any], text: str) -> Any:
    """Back from canonical JSON to the Python type the column expects."""
    return from_plain(column, json.loads(text))


def from_plain(column: Column[Any], plain: Any) -> Any:
    """From a decoded JSON value to the Python type the column expects."""
    if plain is None:
        return None
    python_type = column.type.python_type
    if python_type is uuid.UUID:
        return uuid.UUID(plain)
    if python_type is dt.datetime:
        return dt.datetime.fromisoformat(plain)
    if python_type is dt.date:
        return dt.date.fromisoformat(plain)
    if python_type is bool:
        return bool(plain)
    if python_type is int:
        return int(plain)
    return plain
