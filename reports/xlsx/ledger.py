"""检察建议台账 (domain-notes §2.4) with filters and overdue highlighting, plus the 季度统计 sheet (§2.6)."""
from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from io import BytesIO

from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.worksheet.pagebreak import Break
from openpyxl.worksheet.worksheet import Worksheet

from reports import statistics as stats_table
from reports.statistics import (
    SHEET_FOOTNOTE,
    TRANSFER_COLUMN_WEIGHTS,
    TRANSFER_COLUMNS,
    TRANSFER_FOOTNOTE,
    UNIT_COLUMN_WEIGHTS,
    UNIT_COLUMNS,
    UNIT_FOOTNOTE,
    StatisticsRow,
    TransferStatisticsRow,
    TransferYear,
    UnitStatistics,
    YearStatistics,
    sheet_cells,
    transfer_cells,
    unit_cells,
    unit_total_row,
)
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
# (header, width, value). The first PRINTED columns are the ones a 办公室 prints (the print area: A4
# landscape at >= 9 pt); the rest of §2.4's fields follow on screen only. Widths are Excel units at 10 pt.
COLUMNS: tuple[tuple[str, float, Getter], ...] = (
    ("文号", 15, lambda r, t: r.doc_no),
    ("办案部门", 8, lambda r, t: r.department),
    ("领域", 10, lambda r, t: r.domain),
    ("被建议单位", 14, lambda r, t: r.addressee),
    ("建议内容", 26, lambda r, t: _items(r)),
    ("制发日期", 10.5, lambda r, t: r.issued_on),
    ("送达日期", 10.5, lambda r, t: r.served_on),
    ("回复期限", 10.5, lambda r, t: r.reply_due),
    ("回复情况", 7, lambda r, t: reply_status(r, t)),
    ("回复日期", 10.5, lambda r, t: r.replied_on),
    ("采纳情况", 6, lambda r, t: r.adoption),
    ("整改情况", 6, lambda r, t: r.rectification),
    ("提起诉讼", 5, lambda r, t: r.litigation),
    ("关联案件", 22, lambda r, t: _case(r)),
    ("建议类型", 12, lambda r, t: r.kind),
    ("送达方式", 10, lambda r, t: r.service_method),
    ("紧急", 6, lambda r, t: r.urgent),
    ("剩余天数", 8, lambda r, t: remaining_days(r, t)),
    ("回复文号", 16, lambda r, t: r.reply_doc_no),
    ("回复内容", 30, lambda r, t: r.reply_content),
    ("异议", 16, lambda r, t: r.objection),
    ("复核结论", 16, lambda r, t: r.review_result),
    ("整改详情", 26, lambda r, t: r.rectification_detail),
    ("跟进监督/回头看", 20, lambda r, t: r.follow_up),
    ("下次回头看", 11, lambda r, t: r.follow_up_due),
    ("结案日期", 11, lambda r, t: r.closed_on),
    ("抄送", 16, lambda r, t: r.copy_to),
)
HEADERS = ("序号", *(header for header, _, _ in COLUMNS))
WIDTHS = (4.5, *(float(width) for _, width, _ in COLUMNS))
PRINTED = 14  # 序号 … 提起诉讼
BODY_SIZE = 10.0  # printed at >= 9 pt: the fit-to-width scale stays >= 0.9 (tests/reports_xlsx/test_ledger.py)
HEADING_SIZE = 10.0


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
    style_cell(put_text(sheet, 2, 1, subtitle), Font(name=fonts.body, size=BODY_SIZE), LEFT, bordered=False)
    sheet.merge_cells(start_row=2, start_column=1, end_row=2, end_column=width)


def _header_row(sheet: Worksheet, row: int, headers: tuple[str, ...], fonts: SheetFonts,
                widths: tuple[float, ...] = ()) -> None:
    for column, header in enumerate(headers, start=1):
        style_cell(put_text(sheet, row, column, header), Font(name=fonts.heading, size=HEADING_SIZE, bold=True), CENTRE)
    if widths:
        sheet.row_dimensions[row].height = row_height(list(zip(headers, widths)), HEADING_SIZE)


def write_ledger(sheet: Worksheet, rows: list[LedgerRow], today: dt.date, title: str, subtitle: str,
                 fonts: SheetFonts) -> None:
    _title_rows(sheet, title, subtitle, PRINTED, fonts)
    _header_row(sheet, 3, HEADERS, fonts, WIDTHS)
    set_widths(sheet, list(WIDTHS))
    body = Font(name=fonts.body, size=BODY_SIZE)
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
        sheet.row_dimensions[line].height = row_height(texts, BODY_SIZE)
    sheet.freeze_panes = "C4"
    last_row = max(3, 3 + len(rows))
    sheet.auto_filter.ref = f"A3:{sheet.cell(3, len(HEADERS)).column_letter}{last_row}"
    print_setup(sheet, "3:3")
    # 28 columns fit no A4 page legibly: the print area is the chosen column set (序号 … 提起诉讼)
    sheet.print_area = f"A1:{sheet.cell(3, PRINTED).column_letter}{last_row}"


def _statistics_block(sheet: Worksheet, first_row: int, caption: str, lines: tuple[StatisticsRow, ...],
                      first_header: str, fonts: SheetFonts, without_cases: bool = False) -> int:
    """A captioned table; returns the row after it. Per-unit tables have no 线索/立案 (cases have no addressee)."""
    width = len(stats_table.SHEET_COLUMNS)
    caption_cell = put_text(sheet, first_row, 1, caption)
    style_cell(caption_cell, Font(name=fonts.heading, size=HEADING_SIZE + 1, bold=True), LEFT, bordered=False)
    sheet.merge_cells(start_row=first_row, start_column=1, end_row=first_row, end_column=width)
    sheet.row_dimensions[first_row].height = 22
    _header_row(sheet, first_row + 1, (first_header, *stats_table.SHEET_COLUMNS[1:]), fonts, STATISTICS_WIDTHS)
    body = Font(name=fonts.body, size=BODY_SIZE)
    row = first_row + 2
    for stats in lines or (StatisticsRow("（无）", 0, 0, 0, 0, 0, 0, 0),):
        for column, value in enumerate(sheet_cells(stats), start=1):
            shown: object = int(value) if value.isdigit() else value
            if without_cases and column in (2, 3):
                shown = "—"
            style_cell(put_value(sheet, row, column, shown), body, LEFT if column == 1 else CENTRE)
        sheet.row_dimensions[row].height = row_height([(stats.domain, STATISTICS_WIDTHS[0])], BODY_SIZE)
        row += 1
    return row + 1


# Points of an A4 landscape page below the repeated title rows (595 pt less the margins and rows 1-2).
PAGE_HEIGHT = 430.0
DEFAULT_ROW_HEIGHT = 15.0


def _rows_height(sheet: Worksheet, first: int, end: int) -> float:
    return sum(sheet.row_dimensions[r].height or DEFAULT_ROW_HEIGHT for r in range(first, end))


STATISTICS_WIDTHS = (24.0, *([8.5] * (len(stats_table.SHEET_COLUMNS) - 1)))


def write_statistics(sheet: Worksheet, statistics: YearStatistics, today: dt.date, office: str,
                     fonts: SheetFonts) -> None:
    """The 季度统计 sheet: quarters and the year (same counts and rates as the quarterly 通报), then the
    year by 领域 and by 被建议单位, each with 逾期未回复 and 提起诉讼."""
    year = statistics.year
    width = len(stats_table.SHEET_COLUMNS)
    _title_rows(sheet, f"{office}{year}年检察建议季度统计", f"统计日期：{today.year}年{today.month}月{today.day}日",
                width, fonts)
    set_widths(sheet, list(STATISTICS_WIDTHS))
    blocks = (("一、按季度", statistics.quarters, "期间", False),
              (f"二、按领域（{year}年全年）", statistics.by_domain, "领域", False),
              (f"三、按被建议单位（{year}年全年）", statistics.by_unit, "被建议单位", True))
    row, used = 4, 0.0
    for caption, lines, first_header, without_cases in blocks:
        end = _statistics_block(sheet, row, caption, lines, first_header, fonts, without_cases)
        height = _rows_height(sheet, row, end)
        head = _rows_height(sheet, row, min(end, row + 5))  # caption, header and the first rows stay together
        if used and used + head > PAGE_HEIGHT:
            sheet.row_breaks.append(Break(id=row - 1))
            used = 0.0
        used = (used + height) % PAGE_HEIGHT if used + height > PAGE_HEIGHT else used + height
        row = end
    style_cell(put_text(sheet, row, 1, SHEET_FOOTNOTE), Font(name=fonts.body, size=BODY_SIZE), LEFT, bordered=False)
    sheet.merge_cells(start_row=row, start_column=1, end_row=row, end_column=width)
    sheet.row_dimensions[row].height = row_height([(SHEET_FOOTNOTE, sum(STATISTICS_WIDTHS))], BODY_SIZE)
    print_setup(sheet, "1:2")


UNIT_SHEET = "单位考核统计"
UNIT_WIDTHS = tuple(round(weight * 8.0, 1) for weight in UNIT_COLUMN_WEIGHTS)


def write_unit_statistics(sheet: Worksheet, statistics: UnitStatistics, today: dt.date, office: str,
                          fonts: SheetFonts) -> None:
    """The 单位考核统计 sheet: one line per 被建议单位 / 责任单位 and a 合计 line, the same table as the
    通报's 分单位情况, with the definitions of every figure under it."""
    width = len(UNIT_COLUMNS)
    # two title lines, broken where a reader expects it rather than wherever the merged cell ends
    _title_rows(sheet, f"{office}各单位检察建议回复和任务落实情况统计\n（{statistics.period_text}）",
                f"统计期间：{statistics.period_text}　统计日期：{today.year}年{today.month}月{today.day}日", width, fonts)
    sheet.row_dimensions[1].height = 56
    set_widths(sheet, list(UNIT_WIDTHS))
    _header_row(sheet, 3, UNIT_COLUMNS, fonts, UNIT_WIDTHS)
    body = Font(name=fonts.body, size=BODY_SIZE)
    lines = [*statistics.rows, unit_total_row(statistics.rows)] if statistics.rows else []
    row = 4
    for line in lines:
        for column, value in enumerate(unit_cells(line), start=1):
            shown: object = int(value) if value.isdigit() else value
            style_cell(put_value(sheet, row, column, shown), body, LEFT if column == 1 else CENTRE)
        sheet.row_dimensions[row].height = row_height([(line.unit, UNIT_WIDTHS[0])], BODY_SIZE)
        row += 1
    if not lines:
        style_cell(put_text(sheet, row, 1, "本期没有应统计的检察建议和任务措施"), body, LEFT, bordered=False)
        sheet.merge_cells(start_row=row, start_column=1, end_row=row, end_column=width)
        row += 1
    row += 1
    style_cell(put_text(sheet, row, 1, UNIT_FOOTNOTE), body, LEFT, bordered=False)
    sheet.merge_cells(start_row=row, start_column=1, end_row=row, end_column=width)
    sheet.row_dimensions[row].height = row_height([(UNIT_FOOTNOTE, sum(UNIT_WIDTHS))], BODY_SIZE)
    sheet.freeze_panes = "B4"
    print_setup(sheet, "3:3")


TRANSFER_SHEET = "线索移送统计"
TRANSFER_WIDTHS = tuple(round(weight * 8.0, 1) for weight in TRANSFER_COLUMN_WEIGHTS)


def write_transfer_statistics(sheet: Worksheet, statistics: TransferYear, today: dt.date, office: str,
                              fonts: SheetFonts) -> None:
    """The 线索移送统计 sheet: a line per quarter and the year, then the year by kind and direction — the
    same rows and definitions as the 通报's 线索移送情况 table."""
    width = len(TRANSFER_COLUMNS)
    _title_rows(sheet, f"{office}{statistics.year}年线索移送统计", f"统计日期：{today.year}年{today.month}月{today.day}日",
                width, fonts)
    set_widths(sheet, list(TRANSFER_WIDTHS))
    body = Font(name=fonts.body, size=BODY_SIZE)
    row = 3
    blocks: tuple[tuple[str, tuple[TransferStatisticsRow, ...], str], ...] = (
        ("一、按季度", statistics.quarters, "期间"),
        (f"二、按类型（{statistics.year}年全年）", statistics.by_kind, "类型"))
    for caption, lines, first_header in blocks:
        style_cell(put_text(sheet, row, 1, caption), Font(name=fonts.heading, size=HEADING_SIZE + 1, bold=True), LEFT,
                   bordered=False)
        sheet.merge_cells(start_row=row, start_column=1, end_row=row, end_column=width)
        sheet.row_dimensions[row].height = 22
        _header_row(sheet, row + 1, (first_header, *TRANSFER_COLUMNS[1:]), fonts, TRANSFER_WIDTHS)
        row += 2
        for line in lines or (TransferStatisticsRow("（无）", "", 0, 0, 0, 0, 0, 0),):
            for column, value in enumerate(transfer_cells(line), start=1):
                shown: object = int(value) if value.isdigit() else value
                style_cell(put_value(sheet, row, column, shown), body, LEFT if column <= 2 else CENTRE)
            row += 1
        row += 1
    style_cell(put_text(sheet, row, 1, TRANSFER_FOOTNOTE), body, LEFT, bordered=False)
    sheet.merge_cells(start_row=row, start_column=1, end_row=row, end_column=width)
    sheet.row_dimensions[row].height = row_height([(TRANSFER_FOOTNOTE, sum(TRANSFER_WIDTHS))], BODY_SIZE)
    print_setup(sheet, "1:2")


def export_ledger(rows: list[LedgerRow], today: dt.date, row_filter: LedgerFilter | None = None,
                  office: str = "", fonts: SheetFonts | None = None,
                  statistics: YearStatistics | None = None, unit_statistics: UnitStatistics | None = None,
                  transfer_statistics: TransferYear | None = None) -> bytes:
    """台账 sheet (filtered) and, when statistics are given (models.services.statistics.year_statistics;
    the service always passes them), the 季度统计 sheet for their year; with unit_statistics
    (models.services.unit_statistics) the 单位考核统计 sheet for their period; with transfer_statistics
    (models.services.statistics.transfer_year) the 线索移送统计 sheet for their year."""
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
    if statistics is not None:
        write_statistics(workbook.create_sheet("季度统计"), statistics, today, office, fonts)
    if unit_statistics is not None:
        write_unit_statistics(workbook.create_sheet(UNIT_SHEET), unit_statistics, today, office, fonts)
    if transfer_statistics is not None:
        write_transfer_statistics(workbook.create_sheet(TRANSFER_SHEET), transfer_statistics, today, office, fonts)
    buffer = BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
