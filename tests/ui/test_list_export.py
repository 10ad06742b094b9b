"""Every list can be exported to Excel and printed as it is shown: the current search, value filter and
sort, with the 院名 and the date above it (cases, suggestions, units, meetings and the 首页 due list)."""
from __future__ import annotations

import io

import openpyxl
import pytest
from PySide6.QtCore import Qt
from PySide6.QtPrintSupport import QPrintPreviewDialog

from models.services.office_settings import load_office_settings, save_office_settings
from reports.xlsx.list_table import ListTable, list_table_xlsx
from tests.conftest import DEMO_TODAY
from ui import files, list_print
from ui.row_model import pinyin_key

OFFICE = "灵璧县人民检察院"


@pytest.fixture(autouse=True)
def no_error_boxes(monkeypatch):
    """A failed export shows a message box; here it fails the test at once instead of blocking."""
    def fail(parent, exc) -> None:
        raise AssertionError(f"error shown: {exc!r}")
    monkeypatch.setattr(list_print.messages, "show_error", fail)


def _rename_office(ctx) -> None:
    with ctx.db.write_scope() as session:
        current = load_office_settings(session)
        save_office_settings(session, current.__class__(**{**current.__dict__, "office_name": OFFICE}))


def _sheet_rows(path) -> list[tuple[str, ...]]:
    sheet = openpyxl.load_workbook(io.BytesIO(path.read_bytes())).active
    return [tuple("" if v is None else str(v) for v in row) for row in sheet.iter_rows(values_only=True)]


def test_case_list_exports_the_filtered_and_sorted_rows_with_the_office_name(qtbot, window, tmp_path,
                                                                              monkeypatch):
    _rename_office(window.ctx)
    page = window.show_screen("case")
    total = page.model.matching_count()
    page.filters[2].setCurrentText("行政公益诉讼")                 # 类型
    page.table.sortByColumn(1, Qt.SortOrder.DescendingOrder)       # 案件名称, 拼音 order, descending
    shown = page.model.visible_texts()
    assert 1 < len(shown) < total
    target = tmp_path / "案件.xlsx"
    monkeypatch.setattr(files, "ask_save_path", lambda *a: target)
    page.export_button.click()
    qtbot.waitUntil(target.exists, timeout=20000)
    qtbot.wait(50)
    rows = _sheet_rows(target)
    assert rows[0][0] == f"{OFFICE}线索/案件一览表"
    assert "类型：行政公益诉讼" in rows[1][0] and f"共{len(shown)}条" in rows[1][0]
    assert "2026年11月23日" in rows[1][0]                        # the context's today (DEMO_TODAY)
    assert rows[2] == tuple(column.title for column in page.columns)
    body = rows[3:]
    assert body == [tuple(row) for row in shown]
    assert {row[2] for row in body} == {"行政公益诉讼"}
    titles = [row[1] for row in body]
    assert titles == sorted(titles, key=pinyin_key, reverse=True)


def test_search_narrows_the_export_of_units(qtbot, window, tmp_path, monkeypatch):
    page = window.show_screen("unit")
    page.search_edit.setText("水利")
    target = tmp_path / "单位.xlsx"
    monkeypatch.setattr(files, "ask_save_path", lambda *a: target)
    page.export_list()
    qtbot.waitUntil(target.exists, timeout=20000)
    qtbot.wait(50)
    rows = _sheet_rows(target)
    assert [row[0] for row in rows[3:]] == ["宿州市水利局"]
    assert "搜索“水利”" in rows[1][0]


def test_print_preview_shows_the_filtered_suggestions_with_office_and_date(qtbot, window, modal):
    _rename_office(window.ctx)
    page = window.show_screen("suggestion")
    page.search_edit.setText("水利")
    table = page.list_table()
    assert table.office == OFFICE and table.today == DEMO_TODAY
    assert len(table.rows) == page.model.matching_count() >= 1
    text = list_print.list_document(table).toPlainText()
    assert f"{OFFICE}检察建议一览表" in text and "2026年11月23日" in text
    for row in table.rows:
        assert row[0] in text and row[2] in text                   # 文号, 被建议单位
    assert "市场监督管理局" not in text                              # filtered out by the search
    seen: list[int] = []

    def look_and_close(dialog) -> None:
        assert isinstance(dialog, QPrintPreviewDialog)
        seen.append(dialog.document.pageCount())
        dialog.reject()

    modal.then(look_and_close)
    page.print_list()
    assert modal.seen == ["打印预览：检察建议"] and seen and seen[0] >= 1


def test_due_list_of_the_dashboard_exports_with_its_warning_colours(qtbot, window, tmp_path, monkeypatch):
    dashboard = window.show_screen("dashboard")
    target = tmp_path / "到期.xlsx"
    monkeypatch.setattr(files, "ask_save_path", lambda *a: target)
    list_print.export_model(dashboard, window.ctx, "逾期和临期事项", dashboard.due_model)
    qtbot.waitUntil(target.exists, timeout=20000)
    qtbot.wait(50)
    sheet = openpyxl.load_workbook(io.BytesIO(target.read_bytes())).active
    assert sheet["A1"].value == "宿州市人民检察院逾期和临期事项一览表"
    assert sheet.max_row - 3 == dashboard.due_model.matching_count() >= 1
    assert [sheet.cell(4 + n, 1).value for n in range(sheet.max_row - 3)] == \
        [row[0] for row in dashboard.due_model.visible_texts()]
    assert sheet["A4"].value in ("逾期", "临期")
    assert sheet["A4"].fill.fgColor.rgb.endswith(dashboard.due_model.visible_colors()[0].name()[1:].upper())
    assert sheet.page_setup.orientation == "landscape" and sheet.page_setup.fitToWidth == 1
    assert sheet.print_title_rows == "$3:$3"


def test_an_empty_list_says_so_instead_of_writing_a_file(qtbot, window, monkeypatch):
    page = window.show_screen("meeting")
    page.search_edit.setText("没有这样的会议")
    shown: list[str] = []
    monkeypatch.setattr(list_print.messages, "show_info", lambda parent, text: shown.append(text))
    monkeypatch.setattr(files, "ask_save_path", lambda *a: (_ for _ in ()).throw(AssertionError("asked")))
    page.export_list()
    page.print_list()
    assert shown == ["列表中没有记录可导出", "列表中没有记录可打印"]


def test_the_workbook_is_safe_and_printable_whatever_the_texts():
    table = ListTable(title="线索/案件", office="某县人民检察院", headers=("案号", "摘要"),
                      rows=[("=1+1", "@SUM(A1)"), ("宿检〔2026〕1号", "很长的说明" * 30)], today=DEMO_TODAY,
                      filter_text="筛选：类型：线索", fills={1: "F8C9C4"})
    book = openpyxl.load_workbook(io.BytesIO(list_table_xlsx(table)))
    sheet = book.active
    assert sheet.title == "线索、案件"                               # "/" is not allowed in a sheet name
    assert sheet["A4"].value == "=1+1" and sheet["A4"].data_type == "s"   # text, never a formula
    assert sheet["B4"].data_type == "s"
    assert sheet["A5"].fill.fgColor.rgb.endswith("F8C9C4") and not sheet["A4"].fill.fgColor.rgb.endswith("F8C9C4")
    assert sheet.column_dimensions["B"].width <= 48 and sheet.row_dimensions[5].height > 40   # wrapped, taller
    assert str(sheet.page_setup.paperSize) == sheet.PAPERSIZE_A4 and sheet.freeze_panes == "A4"
