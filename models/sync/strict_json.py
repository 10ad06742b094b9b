"""JSON for untrusted package content: one canonical way to write it, a strict way to read it.

Limits follow sync-security.md §B.3.11: valid UTF-8, no duplicate keys, no NaN/Infinity, nesting
≤ 32, no control characters except tab and newline (carriage return is also let through: Windows
text boxes and pasted Word text carry "\r\n", and refusing it would block a peer's sync forever).
"""
from __future__ import annotations

import json
import re
from typing import Any

from models.fieldcodec import FORBIDDEN_CONTROL  # one rule with the writer's clean_text

MAX_DEPTH = 32
# Raw control characters are already invalid JSON, so a forbidden character can only come from an
# escape (\b \f \uXXXX) or a raw DEL; text without those and with few brackets needs no walk.
_NEEDS_WALK = re.compile(r"\\[bfu]|\x7f")


class StrictJsonError(ValueError):
    """Input is not acceptable JSON; callers turn this into their own Chinese message."""


def canonical_json(value: Any) -> bytes:
    """Sorted keys, no spaces, UTF-8: equal values give equal bytes, so hashes and signatures agree."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False,
                      allow_nan=False).encode("utf-8")


def parse_strict_json(data: bytes, max_depth: int = MAX_DEPTH) -> Any:
    try:
        text = data.decode("utf-8", errors="strict")
    except UnicodeDecodeError:
        raise StrictJsonError("not UTF-8") from None
    return parse_strict_text(text, max_depth)


def parse_strict_text(text: str, max_depth: int = MAX_DEPTH) -> Any:
    """parse_strict_json of decoded text. A lone surrogate written raw inside `text` is not looked for:
    the caller encodes the text as UTF-8 before or after (models/sync/opcodec.py), which refuses it."""
    try:
        value = _STRICT.decode(text)
    except (ValueError, RecursionError) as exc:
        raise StrictJsonError(str(exc)) from None
    if _NEEDS_WALK.search(text) or text.count("{") + text.count("[") > max_depth:
        _check(value, max_depth)
    return value


def _no_duplicate_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result = dict(pairs)
    if len(result) != len(pairs):
        seen: set[str] = set()
        duplicate = next(key for key, _item in pairs if key in seen or seen.add(key))  # type: ignore[func-returns-value]
        raise StrictJsonError(f"duplicate key {duplicate!r}")
    return result


def _no_constants(name: str) -> Any:
    raise StrictJsonError(f"{name} is not allowed")


# One decoder for every parse (json.loads with hooks would build a new one per call).
_STRICT = json.JSONDecoder(object_pairs_hook=_no_duplicate_keys, parse_constant=_no_constants)


def _check(value: Any, depth_left: int) -> None:
    if isinstance(value, str):
        if FORBIDDEN_CONTROL.search(value) or _has_lone_surrogate(value):
            raise StrictJsonError("control character or lone surrogate in string")
        return
    if isinstance(value, (dict, list)):
        if depth_left <= 0:
            raise StrictJsonError("nested too deeply")
        items = list(value.items()) if isinstance(value, dict) else [(None, item) for item in value]
        for key, item in items:
            if key is not None:
                _check(key, depth_left - 1)
            _check(item, depth_left - 1)


def _has_lone_surrogate(text: str) -> bool:
    # "\ud800" escapes decode to lone surrogates that cannot be stored as UTF-8 later.
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False
