"""Text as the search index holds it (models/search.py): folded (traditional characters to simplified,
one character at a time from OpenCC's table, ASCII lower-cased) and, for the 1–2 character index,
spaced out one token per character with each separator kept as a gap."""
from __future__ import annotations

import functools
import re
import unicodedata

# Stands for a character unicode61 would drop as a separator, so "检，察" is not taken for "检察".
_GAP = "\ue000"


@functools.cache
def _fold_table() -> dict[int, str]:
    """Traditional -> simplified, one character at a time (OpenCC t2s applied to each CJK character)."""
    import opencc

    converter = opencc.OpenCC("t2s")
    table: dict[int, str] = {}
    for first, last in ((0x3400, 0x4DBF), (0x4E00, 0x9FFF), (0xF900, 0xFAFF)):
        chars = "".join(chr(code) for code in range(first, last + 1))
        # Converting the block line by line keeps OpenCC's phrase rules out: each line is one character.
        converted = converter.convert("\n".join(chars)).split("\n")
        for source, target in zip(chars, converted):
            if len(target) == 1 and target != source:
                table[ord(source)] = target
    table.update({code: chr(code + 32) for code in range(ord("A"), ord("Z") + 1)})
    return table


@functools.cache
def _foldable() -> re.Pattern[str]:
    """Any character fold changes: most texts have none, and finding that out costs far less than
    translating them character by character."""
    return re.compile("[" + "".join(re.escape(chr(code)) for code in sorted(_fold_table())) + "]")


def fold(value: str) -> str:
    """The form in which both texts and queries are compared."""
    return value.translate(_fold_table()) if _foldable().search(value) else value


def is_token_char(char: str) -> bool:
    # unicode61's separators: punctuation, symbols, spaces and controls (private use is a token).
    return unicodedata.category(char)[0] not in "PSZC" or unicodedata.category(char) == "Co"


class _SpacingTable(dict[int, str]):
    """str.translate table: a separator becomes _GAP, a token character stays; filled as characters are met,
    so each character's class is looked up once per process."""

    def __missing__(self, code: int) -> str:
        char = chr(code)
        self[code] = char if is_token_char(char) else _GAP
        return self[code]


_SPACING = _SpacingTable()
_BEYOND_BMP = re.compile("[\U00010000-\U0010ffff]")


@functools.cache
def _bmp_separators() -> re.Pattern[str]:
    """The separators among the first 65536 characters as one character class: a regex finds them several
    times faster than str.translate looks up every character. Rarer characters go through _SPACING."""
    runs: list[list[int]] = []  # [first, last] of consecutive separator codes
    for code in range(0x10000):
        if is_token_char(chr(code)):
            continue
        if runs and runs[-1][1] == code - 1:
            runs[-1][1] = code
        else:
            runs.append([code, code])
    return re.compile("[" + "".join(f"{re.escape(chr(first))}-{re.escape(chr(last))}" for first, last in runs) + "]")


def spaced(folded: str) -> str:
    gapped = _bmp_separators().sub(_GAP, folded)
    if _BEYOND_BMP.search(gapped):
        gapped = gapped.translate(_SPACING)
    return " ".join(gapped)
