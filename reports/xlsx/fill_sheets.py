"""Per-unit 进展情况填报表 (sync-security A.3.9): one xlsx per 责任单位 with only its measures.

Visible columns A–F are locked (sheet protection is a UI guard only); 本期进展情况/完成状态/填报人 are
editable. Hidden columns hold the measure id (J), the id of the progress entry the row was exported from
(K, to spot a stale sheet) and an HMAC-SHA256 (L) over the sheet identity, both ids and the locked texts, so
an edited locked cell or a row pasted from another sheet is detected on return. A hidden "_meta" sheet carries the sheet identity and its own HMAC.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
from dataclasses import dataclass
from io import BytesIO

from openpyxl import Workbook
from openpyxl.styles import Font, Protection
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from reports.xlsx.cells import progress_line, task_heading
from reports.xlsx.circled import circled
from reports.xlsx.data import STATUS_CHOICES, MeasureData, TaskData, TaskListData
from reports.xlsx.style import (
    CENTRE,
    LEFT,
    SheetFonts,
    print_setup,
    put_text,
    row_height,
    set_widths,
    style_cell,
)
from reports.xlsx.units import concerns

HEADERS = ("序号", "重点任务", "具体措施", "完成时限", "责任单位", "上次进展", "本期进展情况", "完成状态", "填报人",
           "行标识", "基准进展", "校验码")
WIDTHS = (7.0, 20.0, 44.0, 12.0, 18.0, 26.0, 40.0, 12.0, 10.0, 38.0, 38.0, 66.0)
LOCKED_COLUMNS = 6  # A–F
WRITING_ROOM = 54.0  # points: three lines of 12 pt; a set height does not grow by itself as a clerk types
PROGRESS_COLUMN, STATUS_COLUMN, REPORTER_COLUMN, ID_COLUMN, BASE_COLUMN, MAC_COLUMN = 7, 8, 9, 10, 11, 12
HEADER_ROW = 3
SHEET_TITLE = "进展填报"
META_SHEET = "_meta"
FORMAT_VERSION = "1"


@dataclass(frozen=True)
class FillSheetRequest:
    unit: str  # printed as 填报单位
    aliases: frozenset[str]  # every name the unit goes by in 责任单位 texts
    period: str  # e.g. "2022Q2"
    as_of: dt.date  # 截至日期
    export_id: str  # unique per export run; returned sheets name it
    member: bool = True  # a member of the joint meeting: also gets the 各成员单位 measures


def mac(key: bytes, fields: list[str]) -> str:
    message = json.dumps(fields, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    return hmac.new(key, message, hashlib.sha256).hexdigest()


def row_mac(key: bytes, identity: list[str], measure_id: str, base_progress_id: str, locked: list[str]) -> str:
    return mac(key, ["row", *identity, measure_id, base_progress_id, *locked])


def identity_fields(export_id: str, unit: str, period: str, as_of: str, year: str) -> list[str]:
    return [FORMAT_VERSION, export_id, unit, period, as_of, year]


def locked_texts(task: TaskData, index: int, measure: MeasureData) -> list[str]:
    serial = f"{task.number}{circled(index + 1)}" if len(task.measures) > 1 else str(task.number)
    last = progress_line(measure.progress_on, measure.latest_progress) if measure.latest_progress else ""
    return [serial, task_heading(task.number, task.text), measure.text, measure.deadline, measure.units, last]


def unit_rows(data: TaskListData, aliases: frozenset[str], member: bool = True) -> list[tuple[TaskData, int, MeasureData]]:
    return [(task, index, measure) for aspect in data.aspects for task in aspect.tasks
            for index, measure in enumerate(task.measures) if concerns(measure.units, aliases, member)]


def _write_meta(workbook: Workbook, key: bytes, identity: list[str]) -> None:
    meta = workbook.create_sheet(META_SHEET)
    for row, (name, value) in enumerate(zip(("format", "export_id", "unit", "period", "as_of", "year"), identity),
                                        start=1):
        put_text(meta, row, 1, name)
        put_text(meta, row, 2, value)
    put_text(meta, len(identity) + 1, 1, "mac")
    put_text(meta, len(identity) + 1, 2, mac(key, ["meta", *identity]))
    meta.sheet_state = "veryHidden"  # not listed under 取消隐藏 in Excel
    meta.protection.sheet = True


def _write_rows(sheet: Worksheet, data: TaskListData, request: FillSheetRequest, key: bytes,
                identity: list[str], fonts: SheetFonts) -> int:
    body = Font(name=fonts.body, size=fonts.body_size)
    editable = Protection(locked=False)
    row = HEADER_ROW
    for task, index, measure in unit_rows(data, request.aliases, request.member):
        row += 1
        texts = locked_texts(task, index, measure)
        for column, text in enumerate(texts, start=1):
            style_cell(put_text(sheet, row, column, text), body, CENTRE if column in (1, 4) else LEFT)
        put_text(sheet, row, STATUS_COLUMN, measure.status)
        for column in (PROGRESS_COLUMN, STATUS_COLUMN, REPORTER_COLUMN):
            cell = sheet.cell(row=row, column=column)
            style_cell(cell, body, LEFT if column == PROGRESS_COLUMN else CENTRE)
            cell.protection = editable
        put_text(sheet, row, ID_COLUMN, measure.id)
        put_text(sheet, row, BASE_COLUMN, measure.progress_id)
        put_text(sheet, row, MAC_COLUMN, row_mac(key, identity, measure.id, measure.progress_id, texts))
        # rows grow to fit the longest locked text, and leave room to write at least three lines of 进展
        sheet.row_dimensions[row].height = row_height(list(zip(texts, WIDTHS)), fonts.body_size,
                                                      minimum=WRITING_ROOM)
    return row


def export_fill_sheet(data: TaskListData, request: FillSheetRequest, key: bytes,
                      fonts: SheetFonts | None = None) -> bytes:
    fonts = fonts or SheetFonts()
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = SHEET_TITLE
    identity = identity_fields(request.export_id, request.unit, request.period, request.as_of.isoformat(),
                               str(data.year))
    set_widths(sheet, list(WIDTHS))
    visible = REPORTER_COLUMN
    title = put_text(sheet, 1, 1, f"{data.title}进展情况填报表")
    style_cell(title, Font(name=fonts.title, size=18), CENTRE, bordered=False)
    sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=visible)
    sheet.row_dimensions[1].height = 36
    as_of = request.as_of
    line = f"填报单位：{request.unit}　　填报期次：{request.period}　　截至：{as_of.year}年{as_of.month}月{as_of.day}日"
    style_cell(put_text(sheet, 2, 1, line), Font(name=fonts.body, size=fonts.body_size), LEFT, bordered=False)
    sheet.merge_cells(start_row=2, start_column=1, end_row=2, end_column=visible)
    heading = Font(name=fonts.heading, size=fonts.heading_size)
    for column, header in enumerate(HEADERS, start=1):
        style_cell(put_text(sheet, HEADER_ROW, column, header), heading, CENTRE)
    last_row = _write_rows(sheet, data, request, key, identity, fonts)
    for column in ("J", "K", "L"):
        sheet.column_dimensions[column].hidden = True
    statuses = DataValidation(type="list", formula1='"' + ",".join(STATUS_CHOICES) + '"', allow_blank=True,
                              showErrorMessage=True, errorTitle="完成状态", error="请从下拉列表中选择完成状态")
    sheet.add_data_validation(statuses)
    if last_row > HEADER_ROW:
        statuses.add(f"H{HEADER_ROW + 1}:H{last_row}")
    sheet.protection.sheet = True
    sheet.protection.formatRows = False  # clerks may heighten rows for long progress texts
    sheet.freeze_panes = sheet.cell(row=HEADER_ROW + 1, column=1)
    print_setup(sheet, f"{HEADER_ROW}:{HEADER_ROW}")
    sheet.print_area = f"A1:I{max(last_row, HEADER_ROW)}"
    _write_meta(workbook, key, identity)
    buffer = BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def export_fill_sheets(requests: list[tuple[FillSheetRequest, TaskListData]], key: bytes) -> dict[str, bytes]:
    """unit -> xlsx bytes, only for units that have at least one measure. Each request comes with the list
    as that unit sees it (its own last progress and status per measure)."""
    return {request.unit: export_fill_sheet(data, request, key) for request, data in requests
            if unit_rows(data, request.aliases, request.member)}
