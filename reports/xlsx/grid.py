"""A worksheet as plain text cells plus its merged ranges, so the task-list reader never touches openpyxl."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet


def cell_text(value: object) -> str:
    """What a clerk sees in the cell: dates as 2022年5月31日, 3.0 as 3, text stripped of \r."""
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        value = value.date()
    if isinstance(value, dt.date):
        return f"{value.year}年{value.month}月{value.day}日"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).replace("\r\n", "\n").replace("\r", "\n").strip()


def column_name(column: int) -> str:
    return get_column_letter(column)


def where(row: int, column: int | None = None) -> str:
    """"第3行 D列" — how every import message names a place."""
    return f"第{row}行" if column is None else f"第{row}行 {column_name(column)}列"


@dataclass(frozen=True)
class Merge:
    first_row: int
    first_column: int
    last_row: int
    last_column: int

    @property
    def is_vertical(self) -> bool:
        return self.last_row > self.first_row

    @property
    def is_horizontal(self) -> bool:
        return self.last_column > self.first_column


class Grid:
    """1-based text cells; `merge_at` tells which merged range (if any) covers a cell."""

    def __init__(self, sheet: Worksheet) -> None:
        self.rows = sheet.max_row
        self.columns = sheet.max_column
        self._text: dict[tuple[int, int], str] = {}
        for row in sheet.iter_rows(min_row=1, max_row=self.rows, max_col=self.columns):
            for cell in row:
                text = cell_text(cell.value)
                if text and cell.row is not None and cell.column is not None:
                    self._text[(cell.row, cell.column)] = text
        self._merge_of: dict[tuple[int, int], Merge] = {}
        for merged in sheet.merged_cells.ranges:
            merge = Merge(merged.min_row, merged.min_col, merged.max_row, merged.max_col)
            for row_index in range(merge.first_row, merge.last_row + 1):
                for column_index in range(merge.first_column, merge.last_column + 1):
                    self._merge_of[(row_index, column_index)] = merge

    def text(self, row: int, column: int) -> str:
        return self._text.get((row, column), "")

    def merge_at(self, row: int, column: int) -> Merge | None:
        return self._merge_of.get((row, column))

    def shown_text(self, row: int, column: int) -> str:
        """The text displayed in a cell: a merged range shows its top-left cell's text everywhere."""
        merge = self.merge_at(row, column)
        if merge is None:
            return self.text(row, column)
        return self.text(merge.first_row, merge.first_column)

    def row_texts(self, row: int) -> list[tuple[int, str]]:
        return [(column, self.text(row, column)) for column in range(1, self.columns + 1)
                if self.text(row, column)]
