"""Canonical JSON for field values in ops, packages and dumps: one encoding per Python type,
so every workstation writes byte-identical values for the same data."""
from __future__ import annotations

import datetime as dt
import json
import re
import uuid
from typing import Any

from sqlalchemy import Column

# Text a sync package may not carry (sync-security.md §B.3.11; models/sync/strict_json.py): the C0 control
# characters but tab, newline and carriage return, and DEL. A peer refuses a package holding one.
FORBIDDEN_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
# How canonical_json writes those characters (\uXXXX, \b, \f, DEL as it is): one search per record.
_FORBIDDEN_IN_JSON = re.compile(r"\\u00[01][0-9a-f]|\\[bf]|\x7f")
_PAGE_BREAKS = str.maketrans({"\x0b": "\n", "\x0c": "\n"})
# The most a package carries of one op's value (sync-security.md §B.3.11): a peer refuses a bigger one.
MAX_VALUE_BYTES = 1024 * 1024


def clean_text(value: str) -> str:
    """Text as a record holds it: Word's manual line and page breaks (\\v, \\f, pasted from Word or WPS)
    become line breaks, other control characters (invisible, pasted from Excel or a scanner's OCR) go."""
    return FORBIDDEN_CONTROL.sub("", value.translate(_PAGE_BREAKS))


def may_hold_control(encoded: str) -> bool:
    """Whether canonical JSON text may hold a control character clean_text removes (never a false no)."""
    return _FORBIDDEN_IN_JSON.search(encoded) is not None


def too_big(encoded: str) -> bool:
    """Whether an op value (canonical JSON) is over MAX_VALUE_BYTES in UTF-8; short ones are not encoded."""
    return len(encoded) * 4 > MAX_VALUE_BYTES and len(encoded.encode("utf-8", "surrogatepass")) > MAX_VALUE_BYTES


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
