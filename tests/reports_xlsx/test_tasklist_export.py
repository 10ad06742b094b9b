"""The exported list read back with openpyxl: layout, fonts, borders, print setup, safe text."""
from __future__ import annotations

import datetime as dt
from io import BytesIO

from openpyxl import load_workbook

from reports.xlsx.data import AspectData, MeasureData, TaskData, TaskListData
from reports.xlsx.style import STATUS_FILLS
from reports.xlsx.tasklist_export import ExportOptions, export_task_list
from reports.xlsx.tasklist_import import import_task_list
from tests.reports_xlsx.builders import seed_published_xlsx


def seed_sheet(options: ExportOptions | None = None):
    data = import_task_list(seed_published_xlsx()).data
    return load_workbook(BytesIO(export_task_list(data, options))).active


def test_title_header_and_aspect_rows_are_laid_out_as_published():
    sheet = seed_sheet()
    assert sheet["A1"].value == "附件" and sheet["A1"].font.name == "黑体"
    merged = {str(cell_range) for cell_range in sheet.merged_cells.ranges}
    assert "A2:E2" in merged and "A4:E4" in merged
    assert sheet["A2"].font.name == "方正小标宋简体" and sheet["A2"].font.sz == 20
    assert sheet["A2"].alignment.horizontal == "center"
    assert [cell.value for cell in sheet[3]] == ["重点任务", "具体措施", "完成时限", "责任单位", "进展情况"]
    assert all(cell.font.name == "黑体" for cell in sheet[3])
    assert sheet["A4"].value == "一、重大改革推进方面"
    aspect_rows = [row[0].value for row in sheet.iter_rows(min_row=4) if row[1].value is None]
    assert aspect_rows == ["一、重大改革推进方面", "二、重大矛盾化解方面", "三、重大项目建设方面",
                           "四、重大风险防控方面", "五、重大利益保护方面"]
    assert all(f"A{row}:E{row}" in merged for row in range(4, sheet.max_row + 1) if sheet.cell(row, 2).value is None)


def test_task_rows_hold_numbered_measures_one_per_line():
    sheet = seed_sheet()
    assert sheet["A5"].value.startswith("1.依法妥善处理好")
    measures = sheet["B5"].value.split("\n")
    assert len(measures) == 5 and measures[0].startswith("①按照") and measures[4].startswith("⑤开展")
    assert sheet["C5"].value == "①②长期坚持\n③5月底前完成并长期坚持\n④10月底前\n⑤长期坚持"
    single = next(row for row in sheet.iter_rows(min_row=4) if (row[0].value or "").startswith("4."))
    assert single[1].value.startswith("研究制定") and single[2].value == "12月底前"


def test_body_font_borders_wrapping_and_row_heights():
    sheet = seed_sheet()
    cell = sheet["B5"]
    assert cell.font.name == "仿宋" and 11 <= cell.font.sz <= 12
    assert cell.alignment.wrap_text and cell.alignment.vertical == "center"
    for side in (cell.border.left, cell.border.right, cell.border.top, cell.border.bottom):
        assert side.style == "thin"
    assert sheet["C5"].alignment.horizontal == "center"
    assert sheet.row_dimensions[5].height > sheet.row_dimensions[8].height > 20  # 5 long measures vs 1
    assert sheet.column_dimensions["B"].width > sheet.column_dimensions["A"].width > sheet.column_dimensions["C"].width


def test_print_setup_is_a4_landscape_one_page_wide_with_repeated_header_and_page_numbers():
    sheet = seed_sheet()
    assert sheet.page_setup.orientation == "landscape"
    assert int(sheet.page_setup.paperSize) == 9
    assert sheet.sheet_properties.pageSetUpPr.fitToPage
    assert int(sheet.page_setup.fitToWidth) == 1 and int(sheet.page_setup.fitToHeight) == 0
    assert sheet.print_title_rows == "$3:$3"
    assert "&P" in sheet.oddFooter.center.text
    assert sheet.freeze_panes == "A4"


def test_without_attachment_label_title_is_row_one():
    sheet = seed_sheet(ExportOptions(attachment_label=None))
    assert sheet["A1"].value.startswith("2022年度") and sheet.print_title_rows == "$2:$2"


def progress_list(text: str = "已出台实施意见") -> TaskListData:
    measures = (
        MeasureData("甲措施", "长期坚持", "市检察院", latest_progress=text, progress_on=dt.date(2022, 6, 30),
                    status="推进中"),
        MeasureData("乙措施", "12月底前", "市公安局", status="滞后"),
        MeasureData("丙措施", "12月底前", "市公安局", latest_progress="已完成", status="已完成"),
    )
    return TaskListData(2022, "2022年度“府检联动”重点工作任务清单",
                        (AspectData("重大改革推进方面", (TaskData(1, "任务", measures),)),))


def test_progress_cell_shows_latest_dated_progress_per_measure_and_status_fill():
    sheet = load_workbook(BytesIO(export_task_list(progress_list(), ExportOptions(status_fill=True)))).active
    assert sheet["E5"].value == "①截至2022年6月30日：已出台实施意见\n③已完成"
    assert sheet["E5"].fill.fgColor.rgb.endswith(STATUS_FILLS["滞后"])  # worst of the three
    assert sheet["D5"].value == "①市检察院\n②③市公安局"
    plain = load_workbook(BytesIO(export_task_list(progress_list()))).active
    assert plain["E5"].fill.fill_type is None


def test_progress_round_trips_through_import():
    data = import_task_list(export_task_list(progress_list())).data
    measures = data.aspects[0].tasks[0].measures
    assert [(m.latest_progress, m.progress_on) for m in measures] == [
        ("已出台实施意见", dt.date(2022, 6, 30)), ("", None), ("已完成", None)]


def test_text_that_looks_like_a_formula_stays_text():
    sheet = load_workbook(BytesIO(export_task_list(progress_list("=HYPERLINK(\"http://x\")")))).active
    assert sheet["E5"].data_type == "s"
    single = TaskListData(2022, "2022年度清单", (AspectData("方面", (TaskData(1, "任务", (
        MeasureData("=1+1", "+12月底前", "@市检察院"),)),)),))
    sheet = load_workbook(BytesIO(export_task_list(single))).active
    assert [(sheet[ref].value, sheet[ref].data_type) for ref in ("B5", "C5", "D5")] == [
        ("=1+1", "s"), ("+12月底前", "s"), ("@市检察院", "s")]
