"""Look of our sheets (domain-notes §1.7): fonts by Excel name, thin borders, safe text cells, print setup.

Fonts are named, not embedded: Excel substitutes a missing 方正小标宋简体 with 宋体, so the title falls back on
machines without the 方正 fonts. The caller may pass another family (e.g. "华文中宋").
"""
from __future__ import annotations

import datetime as dt
import math
import unicodedata
from dataclasses import dataclass

from openpyxl.cell.cell import Cell
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet


@dataclass(frozen=True)
class SheetFonts:
    title: str = "方正小标宋简体"
    heading: str = "黑体"
    body: str = "仿宋"
    title_size: float = 20
    heading_size: float = 12
    body_size: float = 12


THIN = Side(style="thin", color="000000")
BOX = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
CENTRE = Alignment(horizontal="center", vertical="center", wrap_text=True)
LEFT = Alignment(horizontal="left", vertical="center", wrap_text=True)

# 红黄绿 by progress status; light Excel "bad/neutral/good" fills so black text stays readable in grey print.
STATUS_FILLS = {
    "滞后": "FFC7CE",
    "未启动": "FFEB9C",
    "推进中": "FFEB9C",
    "已完成": "C6EFCE",
    "已完成并长期坚持": "C6EFCE",
    "长期坚持": "C6EFCE",
}
# Worst first: a task's 进展情况 cell shows the worst status among its measures.
STATUS_SEVERITY = ("滞后", "未启动", "推进中", "长期坚持", "已完成并长期坚持", "已完成", "已调整或取消")
OVERDUE_FILL = "FFC7CE"
_FORMULA_STARTS = ("=", "+", "-", "@")


def fill(colour: str) -> PatternFill:
    return PatternFill(fill_type="solid", start_color=colour, end_color=colour)


def worst_status(statuses: list[str]) -> str:
    known = [status for status in statuses if status in STATUS_SEVERITY]
    return min(known, key=STATUS_SEVERITY.index) if known else ""


def put_text(sheet: Worksheet, row: int, column: int, text: str) -> Cell:
    """Write user text as a string cell whatever it starts with: openpyxl would turn "=…" into a formula,
    and "+ - @" starts are formula/DDE injection in Excel (sync-security A.3.9)."""
    cell = sheet.cell(row=row, column=column)
    cell.value = text
    if text.startswith(_FORMULA_STARTS) or cell.data_type != "s":
        cell.data_type = "s"
    return cell


def put_value(sheet: Worksheet, row: int, column: int, value: object) -> Cell:
    """Numbers and dates stay typed; everything else goes through put_text."""
    if isinstance(value, bool):
        return put_text(sheet, row, column, "是" if value else "否")
    if value is None:
        return put_text(sheet, row, column, "")
    if isinstance(value, (int, float, dt.date)):
        cell = sheet.cell(row=row, column=column, value=value)
        if isinstance(value, dt.date):
            cell.number_format = "yyyy-mm-dd"
        return cell
    return put_text(sheet, row, column, str(value))


def style_cell(cell: Cell, font: Font, alignment: Alignment = LEFT, bordered: bool = True) -> None:
    cell.font = font
    cell.alignment = alignment
    if bordered:
        cell.border = BOX


def display_width(text: str) -> int:
    """Excel column-width units a line needs: CJK and full-width characters count double."""
    return sum(2 if unicodedata.east_asian_width(char) in "WF" else 1 for char in text)


def line_count(text: str, width_chars: float, font_size: float) -> int:
    """Wrapped lines of `text` in a column `width_chars` wide (widths are in 11 pt '0' units)."""
    usable = max(1.0, (width_chars - 2) * 11 / font_size)  # a cell keeps ~1 char of padding each side
    return sum(max(1, math.ceil(display_width(part) / usable)) for part in text.split("\n"))


def row_height(texts_and_widths: list[tuple[str, float]], font_size: float, minimum: float = 20) -> float:
    """Row height in points that shows every wrapped line: Excel does not auto-fit rows on open."""
    lines = max((line_count(text, width, font_size) for text, width in texts_and_widths), default=1)
    return max(minimum, round(lines * font_size * 1.3 + 6, 1))


def set_widths(sheet: Worksheet, widths: list[float]) -> None:
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width


def print_setup(sheet: Worksheet, title_rows: str, paper_a3: bool = False) -> None:
    """A4 (or A3 for very wide ledgers) landscape, one page wide, header repeated, "— 1 —" page numbers,
    narrow margins, no gridlines."""
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A3 if paper_a3 else sheet.PAPERSIZE_A4
    sheet.page_setup.orientation = sheet.ORIENTATION_LANDSCAPE
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.print_title_rows = title_rows
    sheet.print_options.horizontalCentered = True
    sheet.print_options.gridLines = False
    sheet.page_margins.left = sheet.page_margins.right = 0.6
    sheet.page_margins.top = 0.7
    sheet.page_margins.bottom = 0.8
    sheet.page_margins.footer = 0.3
    sheet.oddFooter.center.text = "— &P —"
    sheet.oddFooter.center.font = "宋体"
    sheet.oddFooter.center.size = 14
    sheet.sheet_view.showGridLines = False
