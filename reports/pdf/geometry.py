"""GB/T 9704-2012 page geometry in PDF points (origin bottom-left, as reportlab draws).

A4, 天头 37 mm, 订口 28 mm, 版心 156 x 225 mm, 22 lines x 28 characters of 3号 (16 pt) text.
16 pt glyphs set solid do not fit 28 to a line (448 pt > 156 mm), so the character pitch is
compressed to 156 mm / 28 and the line pitch is 225 mm / 22: the Word/WPS "文档网格" result.
"""
from __future__ import annotations

MM = 72 / 25.4  # points per millimetre

PAGE_WIDTH = 210 * MM
PAGE_HEIGHT = 297 * MM

TOP_MARGIN = 37 * MM  # 天头
LEFT_MARGIN = 28 * MM  # 订口
BLOCK_WIDTH = 156 * MM  # 版心 width
BLOCK_HEIGHT = 225 * MM  # 版心 height

BLOCK_LEFT = LEFT_MARGIN
BLOCK_RIGHT = LEFT_MARGIN + BLOCK_WIDTH
BLOCK_TOP = PAGE_HEIGHT - TOP_MARGIN  # y of the 版心 top edge
BLOCK_BOTTOM = BLOCK_TOP - BLOCK_HEIGHT  # 35 mm above the page bottom

LINES_PER_PAGE = 22
CHARS_PER_LINE = 28
LINE_PITCH = BLOCK_HEIGHT / LINES_PER_PAGE  # 28.99 pt: one "行" band
BODY_SIZE = 16.0  # 3号
CELL = BLOCK_WIDTH / CHARS_PER_LINE  # 15.79 pt: one "字" of body text

TITLE_SIZE = 22.0  # 2号 (小标宋)
NOTE_SIZE = 14.0  # 4号: 版记, page numbers, table text

# The em box sits at the top of its band with the 7/8-character gap below (GB/T 9704 §3.2);
# CJK faces put the ideographic em box 0.88 em above and 0.12 em below the baseline.
EM_ASCENT = 0.88

PAGE_NUMBER_DASH_CENTRE = 28 * MM  # 一字线 7 mm below the 版心 (§7.5), from the page bottom
PAGE_NUMBER_SIZE = NOTE_SIZE

THICK_RULE = 0.35 * MM  # 版记 first and last rules
THIN_RULE = 0.25 * MM  # 版记 middle rules

RED = (1.0, 0.0, 0.0)  # 发文机关标志 and 版头 rule
RED_RULE = 1.5  # 版头 red rule: thickness not specified by the standard; 1.5 pt is common practice
ISSUER_MARK_SIZE = 36.0  # 发文机关标志: 小初 (the standard asks only for 醒目、美观、庄重)
ISSUER_MARK_TOP = 35 * MM  # its top edge below the 版心 top (§7.2.4)

SEAL_DIAMETER = 42 * MM  # area reserved for the 院印; the exact size is the office's


def band_top(band: int) -> float:
    """y of the top edge of grid band `band` (0-based) on any page."""
    return BLOCK_TOP - band * LINE_PITCH


def top_aligned_baseline(band: int, size: float) -> float:
    """Baseline putting a `size` em box at the top of the band (body text, titles)."""
    return band_top(band) - EM_ASCENT * size


def centred_baseline(top: float, height: float, size: float) -> float:
    """Baseline centring a `size` em box in a box of `height` whose top edge is `top` (table cells)."""
    return top - (height - size) / 2 - EM_ASCENT * size
