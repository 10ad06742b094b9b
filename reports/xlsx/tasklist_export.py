"""重点工作任务清单 -> xlsx in the published layout (seeds/001; domain-notes §1.7):

    附件                                           (optional label)
    2022年度“府检联动”重点工作任务清单                (merged title)
    重点任务 | 具体措施 | 完成时限 | 责任单位 | 进展情况   (黑体 header, repeated on every printed page)
    一、重大改革推进方面                              (merged full width)
    1.依法妥善… | ①…\n②… | ①②长期坚持\n③… | ①市司法局\n… | ①截至…：…
"""
from __future__ import annotations

from dataclasses import dataclass, field
from io import BytesIO

from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.worksheet.worksheet import Worksheet

from models.errors import DomainError
from reports.xlsx.cells import aspect_heading, progress_line, task_heading
from reports.xlsx.circled import circled, join_grouped, join_measures, line_per_group, split_grouped
from reports.xlsx.data import MeasureData, TaskData, TaskListData
from reports.xlsx.style import (
    BOX,
    CENTRE,
    LEFT,
    STATUS_FILLS,
    SheetFonts,
    fill,
    print_setup,
    put_text,
    row_height,
    set_widths,
    style_cell,
    worst_status,
)

HEADERS = ("重点任务", "具体措施", "完成时限", "责任单位", "进展情况")
WIDTHS = (24.0, 60.0, 14.0, 22.0, 40.0)
SHEET_TITLE = "重点工作任务清单"


@dataclass(frozen=True)
class ExportOptions:
    attachment_label: str | None = "附件"  # None leaves the row out
    status_fill: bool = False  # 红黄绿 fill of the 进展情况 cell by the worst measure status
    fonts: SheetFonts = field(default_factory=SheetFonts)


def grouped_cell(published: str | None, values: list[str]) -> str:
    """The published grouping while it still says the same thing, else the canonical grouping."""
    if published is not None:
        try:
            if split_grouped(published, len(values)) == values:
                return line_per_group(published)
        except DomainError:
            pass
    return join_grouped(values)


def progress_cell(task: TaskData) -> str:
    """Per measure (①②… when the task has several): each unit's newest text on its own line, 牵头 first,
    as "市检察院：截至2022年6月30日：…"; the number only on the measure's first line."""
    numbered = len(task.measures) > 1
    lines = []
    for index, measure in enumerate(task.measures):
        for line_number, line in enumerate(measure_progress_lines(measure)):
            lines.append((circled(index + 1) if numbered and line_number == 0 else "") + line)
    return "\n".join(lines)


def measure_progress_lines(measure: MeasureData) -> list[str]:
    if not measure.unit_progress:
        return [progress_line(measure.progress_on, measure.latest_progress)] if measure.latest_progress else []
    return [(f"{unit.unit}：" if unit.unit else "") + progress_line(unit.reported_on, unit.text)
            for unit in measure.unit_progress if unit.text]


def task_row_texts(task: TaskData) -> tuple[str, str, str, str, str]:
    return (task_heading(task.number, task.text),
            join_measures([measure.text for measure in task.measures]),
            grouped_cell(task.deadlines_cell, [measure.deadline for measure in task.measures]),
            grouped_cell(task.units_cell, [measure.units for measure in task.measures]),
            progress_cell(task))


def write_task_list(sheet: Worksheet, data: TaskListData, options: ExportOptions) -> int:
    """Fill `sheet`; returns the header row number."""
    fonts = options.fonts
    body_font = Font(name=fonts.body, size=fonts.body_size)
    heading_font = Font(name=fonts.heading, size=fonts.heading_size)
    width = len(HEADERS)
    set_widths(sheet, list(WIDTHS))
    row = 1
    if options.attachment_label:
        label = put_text(sheet, row, 1, options.attachment_label)
        style_cell(label, Font(name=fonts.heading, size=16), LEFT, bordered=False)
        sheet.row_dimensions[row].height = 24
        row += 1
    title = put_text(sheet, row, 1, data.title)
    style_cell(title, Font(name=fonts.title, size=fonts.title_size), CENTRE, bordered=False)
    sheet.merge_cells(start_row=row, start_column=1, end_row=row, end_column=width)
    sheet.row_dimensions[row].height = 44
    row += 1
    header_row = row
    for column, header in enumerate(HEADERS, start=1):
        style_cell(put_text(sheet, row, column, header), heading_font, CENTRE)
    sheet.row_dimensions[row].height = 26
    aspect_number = 0
    for aspect in data.aspects:
        if aspect.title:  # a list without 方面 (imported from a plain sheet) has one untitled aspect
            aspect_number += 1
            row = write_aspect_row(sheet, row + 1, aspect_heading(aspect_number, aspect.title), heading_font)
        for task in aspect.tasks:
            row += 1
            texts = task_row_texts(task)
            for column, text in enumerate(texts, start=1):
                alignment = CENTRE if HEADERS[column - 1] == "完成时限" else LEFT
                style_cell(put_text(sheet, row, column, text), body_font, alignment)
            status = worst_status([measure.status for measure in task.measures])
            if options.status_fill and status in STATUS_FILLS:
                sheet.cell(row=row, column=width).fill = fill(STATUS_FILLS[status])
            sheet.row_dimensions[row].height = row_height(list(zip(texts, WIDTHS)), fonts.body_size)
    sheet.freeze_panes = sheet.cell(row=header_row + 1, column=1)
    print_setup(sheet, f"{header_row}:{header_row}")
    return header_row


def write_aspect_row(sheet: Worksheet, row: int, text: str, font: Font) -> int:
    style_cell(put_text(sheet, row, 1, text), font, LEFT)
    for column in range(2, len(HEADERS) + 1):
        sheet.cell(row=row, column=column).border = BOX  # merged cells draw their outline from every member
    sheet.merge_cells(start_row=row, start_column=1, end_row=row, end_column=len(HEADERS))
    sheet.row_dimensions[row].height = 24
    return row


def export_task_list(data: TaskListData, options: ExportOptions | None = None) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = SHEET_TITLE
    write_task_list(sheet, data, options or ExportOptions())
    buffer = BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
