"""Chinese line breaking with 禁则 (GB/T 15834 punctuation rules as applied by Word/WPS).

A line may not start with closing punctuation nor end with opening punctuation; 破折号 —— and
省略号 …… stay in one piece; runs of Latin letters and digits (2024, 12.5, 80.0%) are not split.
When the greedy break is illegal the last characters move down to the next line (the line is
then justified), never past the right edge of the 版心.
"""
from __future__ import annotations

from collections.abc import Sequence

NO_LINE_START = frozenset("，。、；：？！”’）》〕】」』〉｝］…—·％‰℃,.;:?!)]}>%")
NO_LINE_END = frozenset("“‘（《〔【「『〈｛［([{<")
UNSPLITTABLE_PAIRS = frozenset("—…")
_WORD_CHARS = frozenset("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz.%")

# Widths are sums of floats: allow what rounding adds so that exactly 28 cells still fit.
_FIT_EPSILON = 0.01


def can_break_before(text: str, index: int) -> bool:
    """True if a line may end after text[index - 1] and the next begin with text[index]."""
    before, after = text[index - 1], text[index]
    if after in NO_LINE_START or before in NO_LINE_END:
        return False
    if before == after and before in UNSPLITTABLE_PAIRS:
        return False
    return not (before in _WORD_CHARS and after in _WORD_CHARS)


def break_lines(text: str, advances: Sequence[float], first_width: float, width: float) -> list[tuple[int, int]]:
    """Split `text` into lines no wider than `first_width` (first line) or `width` (the others).

    `advances[i]` is the space character i takes (glyph advance plus character spacing).
    Returns (start, end) index pairs covering the text in order.
    """
    lines: list[tuple[int, int]] = []
    start = 0
    count = len(text)
    available = first_width
    while start < count:
        end = start
        used = 0.0
        while end < count and used + advances[end] <= available + _FIT_EPSILON:
            used += advances[end]
            end += 1
        if end == count:
            lines.append((start, end))
            break
        if end == start:  # a single character wider than the line: place it alone
            end = start + 1
        cut = end
        while cut > start + 1 and not can_break_before(text, cut):
            cut -= 1
        if cut == start + 1 and not can_break_before(text, cut):
            cut = end  # nothing legal in this line (e.g. a very long number): break where it fills
        lines.append((start, cut))
        start = cut
        available = width
    return lines
