"""Common layouts other offices use, and files that must be refused with a message naming the place."""
from __future__ import annotations

import io
import zipfile

import pytest

from models.errors import DomainError
from reports.xlsx.tasklist_import import import_task_list
from tests.reports_xlsx.builders import rows_xlsx, seed_published_xlsx

TITLE = "2023年度“府检联动”重点工作任务清单"


def test_serial_column_lead_support_split_and_header_on_row_four():
    data = rows_xlsx([
        ["附件2"],
        [TITLE],
        [None],
        ["序号", "重点任务", "具体措施", "完成时限", "牵头单位", "配合单位", "备注"],
        ["一、重大改革推进方面"],
        [1, "推进数据共享", "①召开会商会。②出台办法。", "①8月底前 ②长期坚持", "①②市数据资源局", "①市检察院 ②市公安局", "新增"],
        [None],
        [2, "加强诚信体系建设", "完善信用平台。", "12月底前", "市发展改革委", None, None],
        ["注：本表由府检联动工作办公室负责解释。"],
    ], merges=("A2:G2", "A5:G5", "A9:G9"))
    imported = import_task_list(data)
    assert imported.header_row == 4 and imported.data.year == 2023
    tasks = imported.data.aspects[0].tasks
    assert [(t.number, t.text) for t in tasks] == [(1, "推进数据共享"), (2, "加强诚信体系建设")]
    assert [(m.text, m.deadline, m.units) for m in tasks[0].measures] == [
        ("召开会商会。", "8月底前", "市数据资源局牵头，市检察院配合"),
        ("出台办法。", "长期坚持", "市数据资源局牵头，市公安局配合")]
    assert tasks[1].measures[0].units == "市发展改革委"
    assert imported.notes == ("第6行 G列（备注，未导入）：新增", "第9行：注：本表由府检联动工作办公室负责解释。")


def test_one_row_per_measure_with_merged_task_and_deadline_cells():
    data = rows_xlsx([
        [TITLE],
        ["重点任务", "具体措施", "完成时限", "责任单位", "进展情况"],
        ["一、重大矛盾化解方面"],
        ["5.诉前化解行政争议矛盾。", "①推动数据联通。", "12月底前", "市检察院、市数据资源局", None],
        [None, "②推进调解衔接。", None, "市检察院、市司法局", "截至2023年3月31日：已召开座谈会"],
        [None, "③开展实质性化解。", "长期坚持", "市检察院", None],
        ["6.提升前端治理能力。", "联合开展调研。", "长期坚持", "市生态环境局", None],
    ], merges=("A1:E1", "A3:E3", "A4:A6", "C4:C5"))
    imported = import_task_list(data)
    assert imported.layout == "每条措施一行"
    first, second = imported.data.aspects[0].tasks
    assert [(m.text, m.deadline, m.units) for m in first.measures] == [
        ("推动数据联通。", "12月底前", "市检察院、市数据资源局"),
        ("推进调解衔接。", "12月底前", "市检察院、市司法局"),
        ("开展实质性化解。", "长期坚持", "市检察院")]
    assert first.measures[1].latest_progress == "已召开座谈会"
    assert first.measures[1].progress_on.isoformat() == "2023-03-31"
    assert (second.number, len(second.measures)) == (6, 1)


def test_two_row_header_with_unit_columns_split_under_one_heading():
    data = rows_xlsx([
        [TITLE],
        ["重点任务", "具体措施", "完成时限", "责任单位", None],
        [None, None, None, "牵头单位", "配合单位"],
        ["1.任务一", "措施。", "年底前", "市检察院", "市财政局"],
    ], merges=("A1:E1", "D2:E2", "A2:A3", "B2:B3", "C2:C3"))
    measure = import_task_list(data).data.aspects[0].tasks[0].measures[0]
    assert measure.units == "市检察院牵头，市财政局配合"


def test_list_without_year_in_title_needs_the_year_passed_in():
    data = rows_xlsx([["重点工作任务清单"], ["重点任务", "具体措施", "完成时限", "责任单位"], ["1.任务", "措施。", "年内", "市检察院"]])
    with pytest.raises(DomainError) as raised:
        import_task_list(data)
    assert raised.value.code == "tasklist_no_year"
    assert import_task_list(data, year=2024).data.year == 2024


def expect_error(data: bytes, code: str, *fragments: str) -> None:
    with pytest.raises(DomainError) as raised:
        import_task_list(data)
    assert raised.value.code == code, raised.value.message
    for fragment in fragments:
        assert fragment in raised.value.message


def test_wrong_header_names_row_and_column():
    expect_error(rows_xlsx([[TITLE], ["重点任务", "具体措施", "完成时限", "责任单位", "经费预算"],
                            ["1.任务", "措施。", "年内", "市检察院", "10万"]]),
                 "tasklist_unknown_header", "第2行 E列", "经费预算")
    expect_error(rows_xlsx([["姓名", "电话"], ["张三", "123"]]), "tasklist_no_header", "重点任务")
    expect_error(rows_xlsx([["重点任务", "具体措施", "责任单位"], ["1.任务", "措施。", "市检察院"]]),
                 "tasklist_header_missing", "完成时限")


def test_broken_groups_and_stray_rows_name_their_cell():
    expect_error(rows_xlsx([[TITLE], ["重点任务", "具体措施", "完成时限", "责任单位"],
                            ["1.任务", "①甲。②乙。③丙。", "①长期坚持 ③12月底前", "市检察院"]]),
                 "grouped_number_missing", "第3行 C列", "②")
    expect_error(rows_xlsx([[TITLE], ["重点任务", "具体措施", "完成时限", "责任单位"],
                            ["1.任务", "措施。", "年内", "市检察院"], ["这一行不知道是什么"]]),
                 "tasklist_unknown_row", "第4行")
    expect_error(rows_xlsx([[TITLE], ["重点任务", "具体措施", "完成时限", "责任单位"],
                            [None, "孤立的措施。", "年内", "市检察院"]]),
                 "tasklist_unplaced_row", "第3行 B列")


def test_broken_merges_are_refused():
    # a 完成时限 merge running from task 1 into task 2
    expect_error(rows_xlsx([[TITLE], ["重点任务", "具体措施", "完成时限", "责任单位"],
                            ["1.任务一", "措施。", "年内", "市检察院"], ["2.任务二", "措施。", None, "市公安局"]],
                           merges=("C3:C4",)),
                 "tasklist_merge_across_tasks", "第4行 C列")
    # a merge across 具体措施 and 完成时限 inside a task row
    expect_error(rows_xlsx([[TITLE], ["重点任务", "具体措施", "完成时限", "责任单位"],
                            ["1.任务一", "措施。", None, "市检察院"]], merges=("B3:C3",)),
                 "tasklist_bad_merge", "第3行 B列至C列")


def test_not_an_xlsx_and_zip_bomb_are_refused_before_parsing():
    expect_error("这不是表格".encode(), "xlsx_not_zip")
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "<workbook/>")
        archive.writestr("xl/worksheets/sheet1.xml", b"\0" * (20 * 1024 * 1024))
    expect_error(buffer.getvalue(), "xlsx_zip_bomb", "压缩")


def test_seed_with_a_task_moved_above_every_aspect_still_imports_into_an_untitled_aspect():
    data = rows_xlsx([[TITLE], ["重点任务", "具体措施", "完成时限", "责任单位"], ["1.任务", "措施。", "年内", "市检察院"]])
    aspects = import_task_list(data).data.aspects
    assert [(a.title, len(a.tasks)) for a in aspects] == [("", 1)]
    assert import_task_list(seed_published_xlsx()).notes == ()


def test_untitled_aspect_exports_without_a_heading_row():
    from io import BytesIO

    from openpyxl import load_workbook

    from reports.xlsx.tasklist_export import export_task_list
    data = rows_xlsx([[TITLE], ["重点任务", "具体措施", "完成时限", "责任单位"], ["1.任务", "措施。", "年内", "市检察院"]])
    sheet = load_workbook(BytesIO(export_task_list(import_task_list(data).data))).active
    assert sheet["A4"].value == "1.任务" and sheet.max_row == 4


@pytest.mark.parametrize("serial", ["①", "²", "１", str(10 ** 30)])
def test_circled_superscript_or_huge_serial_numbers_are_refused_with_their_cell(serial):
    data = rows_xlsx([[TITLE], ["序号", "重点任务", "具体措施", "完成时限", "责任单位"],
                      [serial, "推进数据共享", "召开会商会。", "8月底前", "市数据资源局"]])
    expect_error(data, "tasklist_bad_number", "第3行 A列")


def test_text_in_unlabeled_columns_is_kept_as_a_note():
    data = rows_xlsx([[TITLE], ["重点任务", "具体措施", "完成时限", "责任单位", None, None],
                      ["1.推进数据共享", "召开会商会。", "8月底前", "市数据资源局", "手写补充", None],
                      [None, None, None, None, None, "右侧备注"]])
    imported = import_task_list(data)
    assert imported.notes == ("第3行 E列（无表头，未导入）：手写补充", "第4行 F列（无表头，未导入）：右侧备注")


def test_a_hidden_task_list_sheet_is_named_and_read_only_when_asked():
    from openpyxl import load_workbook

    from tests.reports_xlsx.builders import workbook_bytes

    book = load_workbook(io.BytesIO(seed_published_xlsx()))
    book.active.title = "清单"
    book.active.sheet_state = "hidden"
    book.create_sheet("封面").append(["2022年度任务清单"])
    book.active = 1
    data = workbook_bytes(book)
    expect_error(data, "xlsx_sheet_hidden", "清单")
    assert import_task_list(data, sheet_name="清单").data.year == 2022
