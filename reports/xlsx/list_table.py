"""Any on-screen list as a workbook (导出Excel of 案件, 检察建议, 单位, 联席会议, 首页 due items): a title row
with the 院名 and the list name, a line with the filter and the date, the header row, then the rows in
the order shown. Printed A4 landscape, fit to one page wide, header repeated, page numbers.

Plain rows in, bytes out: the caller passes the texts exactly as the screen shows them."""
from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from io import BytesIO

from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from reports.xlsx.style import (
    CENTRE,
    LEFT,
    SheetFonts,
    display_width,
    fill,
    print_setup,
    put_text,
    row_height,
    set_widths,
    style_cell,
)

BODY_SIZE = 11             # readable on paper after fit-to-width of up to ~10 columns
MIN_WIDTH, MAX_WIDTH = 6.0, 48.0
HEADER_ROW = 3
LIST_FONTS = SheetFonts(heading="黑体", body="宋体")   # 宋体 reads better than 仿宋 in dense tables


@dataclass(frozen=True)
class ListTable:
    title: str                         # the list's name, e.g. "检察建议"
    office: str                        # 院名
    headers: Sequence[str]
    rows: Sequence[Sequence[str]]
    today: dt.date
    filter_text: str = ""              # what the clerk filtered by, shown under the title
    fills: dict[int, str] = field(default_factory=dict)   # row index -> RGB fill (红黄绿 rows)


def plain_name(text: str, limit: int = 31) -> str:
    """A sheet or file name from a list name: 线索/案件 → 线索、案件 (Excel and Windows refuse / \\ : * ? [ ] < > |)."""
    name = re.sub(r'[/\\:*?\[\]<>|"]', "、", text).strip() or "列表"
    return name[:limit]


def heading(table: ListTable) -> str:
    """灵璧县人民检察院检察建议一览表: the office, the list, and 一览表 unless the name says 表 or 清单 already."""
    suffix = "" if table.title.endswith(("表", "清单")) else "一览表"
    return f"{table.office}{table.title}{suffix}"


def date_text(day: dt.date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def column_widths(headers: Sequence[str], rows: Sequence[Sequence[str]]) -> list[float]:
    """Wide enough for the longest line of each column (header included), within MIN..MAX."""
    widths = []
    for column, header in enumerate(headers):
        longest = max((display_width(line) for row in rows for line in str(row[column]).split("\n")),
                      default=0)
        widths.append(min(MAX_WIDTH, max(MIN_WIDTH, display_width(header) + 4, longest * BODY_SIZE / 11 + 3)))
    return widths


def list_table_xlsx(table: ListTable, fonts: SheetFonts | None = None) -> bytes:
    fonts = fonts or LIST_FONTS
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = plain_name(table.title)
    width = max(1, len(table.headers))
    last = get_column_letter(width)
    style_cell(put_text(sheet, 1, 1, heading(table)), Font(name=fonts.title, size=18), CENTRE,
               bordered=False)
    sheet.merge_cells(f"A1:{last}1")
    sheet.row_dimensions[1].height = 34
    subtitle = "　".join(part for part in (table.filter_text, f"共{len(table.rows)}条",
                                          f"导出日期：{date_text(table.today)}") if part)
    style_cell(put_text(sheet, 2, 1, subtitle), Font(name=fonts.body, size=BODY_SIZE), LEFT, bordered=False)
    sheet.merge_cells(f"A2:{last}2")
    sheet.row_dimensions[2].height = 22
    header_font = Font(name=fonts.heading, size=BODY_SIZE + 1, bold=True)
    for column, header in enumerate(table.headers, start=1):
        style_cell(put_text(sheet, HEADER_ROW, column, header), header_font, CENTRE)
    sheet.row_dimensions[HEADER_ROW].height = 24
    widths = column_widths(table.headers, table.rows)
    set_widths(sheet, widths)
    body = Font(name=fonts.body, size=BODY_SIZE)
    for index, row in enumerate(table.rows):
        line = HEADER_ROW + 1 + index
        colour = table.fills.get(index)
        for column, text in enumerate(row, start=1):
            cell = put_text(sheet, line, column, str(text))
            style_cell(cell, body, LEFT if display_width(str(text)) > 12 else CENTRE)
            if colour:
                cell.fill = fill(colour)
        sheet.row_dimensions[line].height = row_height(list(zip((str(t) for t in row), widths)), BODY_SIZE)
    sheet.freeze_panes = f"A{HEADER_ROW + 1}"
    sheet.auto_filter.ref = f"A{HEADER_ROW}:{last}{HEADER_ROW + max(1, len(table.rows))}"
    print_setup(sheet, f"{HEADER_ROW}:{HEADER_ROW}")
    buffer = BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
