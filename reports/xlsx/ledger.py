"""检察建议台账 (domain-notes §2.4) with filters and overdue highlighting, plus the 季度统计 sheet (§2.6)."""
from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from io import BytesIO

from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.worksheet.worksheet import Worksheet

from reports import statistics as stats_table
from reports.statistics import FOOTNOTE, StatisticsRow, row_cells
from reports.xlsx.data import LedgerRow
from reports.xlsx.style import (
    CENTRE,
    LEFT,
    OVERDUE_FILL,
    SheetFonts,
    fill,
    print_setup,
    put_text,
    put_value,
    row_height,
    set_widths,
    style_cell,
)

PENDING, REPLIED, LATE_REPLY, OVERDUE = "未回复", "已回复", "逾期回复", "逾期未回复"
REPLY_STATUSES = (PENDING, REPLIED, LATE_REPLY, OVERDUE)


def reply_status(row: LedgerRow, today: dt.date) -> str:
    if row.replied_on is not None:
        return LATE_REPLY if row.reply_due is not None and row.replied_on > row.reply_due else REPLIED
    if row.reply_due is not None and today > row.reply_due:
        return OVERDUE
    return PENDING


def remaining_days(row: LedgerRow, today: dt.date) -> int | None:
    if row.replied_on is not None or row.reply_due is None:
        return None
    return (row.reply_due - today).days


def _case(row: LedgerRow) -> str:
    return "　".join(part for part in (row.case_no, row.case_title) if part)


def _items(row: LedgerRow) -> str:
    return "\n".join(f"{index}.{text}" for index, text in enumerate(row.items, start=1))


Getter = Callable[[LedgerRow, dt.date], object]
# (header, width, value) in the order of §2.4: 标识, 类型, 领域, 被建议单位, 制发, 期限, 回复, 异议, 整改, 跟进, 结果.
COLUMNS: tuple[tuple[str, float, Getter], ...] = (
    ("文号", 20, lambda r, t: r.doc_no),
    ("关联案件", 22, lambda r, t: _case(r)),
    ("建议类型", 12, lambda r, t: r.kind),
    ("办案部门", 10, lambda r, t: r.department),
    ("领域", 12, lambda r, t: r.domain),
    ("被建议单位", 18, lambda r, t: r.addressee),
    ("建议内容", 36, lambda r, t: _items(r)),
    ("制发日期", 11, lambda r, t: r.issued_on),
    ("送达方式", 10, lambda r, t: r.service_method),
    ("送达日期", 11, lambda r, t: r.served_on),
    ("紧急", 6, lambda r, t: r.urgent),
    ("回复期限", 11, lambda r, t: r.reply_due),
    ("剩余天数", 8, lambda r, t: remaining_days(r, t)),
    ("回复情况", 10, lambda r, t: reply_status(r, t)),
    ("回复日期", 11, lambda r, t: r.replied_on),
    ("回复文号", 16, lambda r, t: r.reply_doc_no),
    ("回复内容", 30, lambda r, t: r.reply_content),
    ("采纳情况", 9, lambda r, t: r.adoption),
    ("异议", 16, lambda r, t: r.objection),
    ("复核结论", 16, lambda r, t: r.review_result),
    ("整改情况", 9, lambda r, t: r.rectification),
    ("整改详情", 26, lambda r, t: r.rectification_detail),
    ("跟进监督/回头看", 20, lambda r, t: r.follow_up),
    ("下次回头看", 11, lambda r, t: r.follow_up_due),
    ("提起诉讼", 8, lambda r, t: r.litigation),
    ("结案日期", 11, lambda r, t: r.closed_on),
    ("抄送", 16, lambda r, t: r.copy_to),
)
HEADERS = ("序号", *(header for header, _, _ in COLUMNS))
WIDTHS = (6.0, *(float(width) for _, width, _ in COLUMNS))


@dataclass(frozen=True)
class LedgerFilter:
    year: int | None = None  # by 制发日期
    domain: str | None = None
    unit: str | None = None  # 被建议单位 contains this text
    status: str | None = None  # one of REPLY_STATUSES

    def accepts(self, row: LedgerRow, today: dt.date) -> bool:
        return ((self.year is None or (row.issued_on is not None and row.issued_on.year == self.year))
                and (self.domain is None or row.domain == self.domain)
                and (self.unit is None or self.unit in row.addressee)
                and (self.status is None or reply_status(row, today) == self.status))

    def describe(self) -> str:
        parts = [f"{self.year}年" if self.year else "", f"领域：{self.domain}" if self.domain else "",
                 f"单位：{self.unit}" if self.unit else "", f"回复情况：{self.status}" if self.status else ""]
        return "　".join(part for part in parts if part)


def _title_rows(sheet: Worksheet, title: str, subtitle: str, width: int, fonts: SheetFonts) -> None:
    style_cell(put_text(sheet, 1, 1, title), Font(name=fonts.title, size=18), CENTRE, bordered=False)
    sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=width)
    sheet.row_dimensions[1].height = 36
    style_cell(put_text(sheet, 2, 1, subtitle), Font(name=fonts.body, size=fonts.body_size), LEFT, bordered=False)
    sheet.merge_cells(start_row=2, start_column=1, end_row=2, end_column=width)


def _header_row(sheet: Worksheet, row: int, headers: tuple[str, ...], fonts: SheetFonts) -> None:
    for column, header in enumerate(headers, start=1):
        style_cell(put_text(sheet, row, column, header), Font(name=fonts.heading, size=fonts.heading_size), CENTRE)


def write_ledger(sheet: Worksheet, rows: list[LedgerRow], today: dt.date, title: str, subtitle: str,
                 fonts: SheetFonts) -> None:
    _title_rows(sheet, title, subtitle, len(HEADERS), fonts)
    _header_row(sheet, 3, HEADERS, fonts)
    set_widths(sheet, list(WIDTHS))
    body = Font(name=fonts.body, size=10)
    for index, row in enumerate(rows, start=1):
        line = 3 + index
        values: list[object] = [index, *(getter(row, today) for _, _, getter in COLUMNS)]
        overdue = reply_status(row, today) in (OVERDUE, LATE_REPLY)
        for column, value in enumerate(values, start=1):
            cell = put_value(sheet, line, column, value)
            style_cell(cell, body, LEFT if isinstance(value, str) and len(value) > 8 else CENTRE)
            if overdue:
                cell.fill = fill(OVERDUE_FILL)
        texts = [(value if isinstance(value, str) else "", width) for value, width in zip(values, WIDTHS)]
        sheet.row_dimensions[line].height = row_height(texts, 10)
    sheet.freeze_panes = "C4"
    sheet.auto_filter.ref = f"A3:{sheet.cell(3, len(HEADERS)).column_letter}{max(3, 3 + len(rows))}"
    print_setup(sheet, "3:3", paper_a3=True)  # 27 columns: on A4 the fit-to-width text would be unreadable


def write_statistics(sheet: Worksheet, lines: list[StatisticsRow], year: int, today: dt.date,
                     fonts: SheetFonts) -> None:
    """The 季度统计 sheet: the same columns, counts and rates as the quarterly 通报."""
    headers = ("期间", *stats_table.COLUMNS[1:])
    _title_rows(sheet, f"{year}年检察建议季度统计", f"统计日期：{today.year}年{today.month}月{today.day}日",
                len(headers), fonts)
    _header_row(sheet, 3, headers, fonts)
    set_widths(sheet, [12.0, *([11.0] * (len(headers) - 1))])
    body = Font(name=fonts.body, size=fonts.body_size)
    for line, stats in enumerate(lines, start=4):
        for column, value in enumerate(row_cells(stats), start=1):
            style_cell(put_value(sheet, line, column, int(value) if value.isdigit() else value), body, CENTRE)
    note_row = 4 + len(lines) + 1
    style_cell(put_text(sheet, note_row, 1, FOOTNOTE), Font(name=fonts.body, size=10), LEFT, bordered=False)
    sheet.merge_cells(start_row=note_row, start_column=1, end_row=note_row, end_column=len(headers))
    sheet.row_dimensions[note_row].height = 32
    print_setup(sheet, "3:3")


def export_ledger(rows: list[LedgerRow], today: dt.date, row_filter: LedgerFilter | None = None,
                  office: str = "", fonts: SheetFonts | None = None,
                  statistics: list[StatisticsRow] | None = None) -> bytes:
    """台账 sheet (filtered) and, when a year is chosen and its statistics are given (computed by
    models.services.statistics.year_by_quarter), the 季度统计 sheet for that year."""
    fonts = fonts or SheetFonts()
    row_filter = row_filter or LedgerFilter()
    chosen = sorted((row for row in rows if row_filter.accepts(row, today)),
                    key=lambda row: (row.issued_on or dt.date.min, row.doc_no))
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = "检察建议台账"
    year = row_filter.year
    title = f"{office}{year or ''}{'年' if year else ''}检察建议台账"
    subtitle = "　".join(part for part in (row_filter.describe(), f"共{len(chosen)}件",
                                          f"截至{today.year}年{today.month}月{today.day}日") if part)
    write_ledger(sheet, chosen, today, title, subtitle, fonts)
    if year is not None and statistics:
        write_statistics(workbook.create_sheet("季度统计"), statistics, year, today, fonts)
    buffer = BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
