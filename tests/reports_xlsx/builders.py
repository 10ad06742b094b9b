"""Workbooks built the way clerks build them, for the import tests (the seed as published, and variants)."""
from __future__ import annotations

from io import BytesIO

from openpyxl import Workbook

from tests.reports_xlsx.seed_table import read_seed_rows, read_seed_sheet_rows

SEED_HEADERS = ["重点任务", "具体措施", "完成时限", "责任单位", "进展情况"]


def workbook_bytes(workbook: Workbook) -> bytes:
    buffer = BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def seed_published_xlsx() -> bytes:
    """seeds/001 as the published sheet: 附件, merged title, header, merged 方面 rows, the page-break artefacts
    (blank rows, repeated 方面 headings) and each cell's text exactly as in the seed."""
    title, _ = read_seed_rows()
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["附件"])
    sheet.append([title])
    sheet.merge_cells("A2:E2")
    sheet.append(SEED_HEADERS)
    for cells in read_seed_sheet_rows():
        sheet.append(cells if len(cells) > 1 else [cells[0] or None])
        if len(cells) == 1 and cells[0]:
            sheet.merge_cells(start_row=sheet.max_row, start_column=1, end_row=sheet.max_row, end_column=5)
    return workbook_bytes(workbook)


def rows_xlsx(rows: list[list[object]], merges: tuple[str, ...] = ()) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    for merge in merges:
        sheet.merge_cells(merge)
    return workbook_bytes(workbook)
