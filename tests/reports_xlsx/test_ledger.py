"""检察建议台账: every field, filters, overdue highlight, quarterly statistics."""
from __future__ import annotations

import datetime as dt
from io import BytesIO

from openpyxl import load_workbook

from reports.statistics import StatisticsRow
from reports.xlsx.data import LedgerRow
from reports.xlsx.ledger import (
    HEADERS,
    LATE_REPLY,
    OVERDUE,
    PENDING,
    REPLIED,
    LedgerFilter,
    export_ledger,
    reply_status,
)
from reports.xlsx.style import OVERDUE_FILL

TODAY = dt.date(2022, 9, 1)


def row(doc_no: str, issued: dt.date, due: dt.date, replied: dt.date | None = None, **fields) -> LedgerRow:
    return LedgerRow(doc_no=doc_no, kind=fields.pop("kind", "诉前检察建议"), addressee=fields.pop("addressee", "市生态环境局"),
                     issued_on=issued, served_on=issued, reply_due=due, replied_on=replied, **fields)


ROWS = [
    row("宿检行公建〔2022〕1号", dt.date(2022, 2, 10), dt.date(2022, 4, 10), dt.date(2022, 4, 1), domain="生态环境和资源保护",
        adoption="采纳", rectification="已整改", items=("依法查处", "建立长效机制")),
    row("宿检行公建〔2022〕2号", dt.date(2022, 5, 5), dt.date(2022, 7, 5), dt.date(2022, 7, 20), domain="食品药品安全",
        addressee="市市场监管局", adoption="部分采纳", rectification="整改中"),
    row("宿检行公建〔2022〕3号", dt.date(2022, 6, 1), dt.date(2022, 8, 1), domain="食品药品安全", addressee="市市场监管局"),
    row("宿检建〔2022〕4号", dt.date(2022, 8, 20), dt.date(2022, 10, 20), kind="社会治理检察建议", domain="安全生产",
        case_no="宿检行公立〔2022〕7号", case_title="某化工企业安全隐患案", litigation=False, copy_to="市应急管理局"),
    row("宿检行公建〔2021〕9号", dt.date(2021, 11, 1), dt.date(2022, 1, 1), dt.date(2021, 12, 1)),
]


def test_reply_status():
    assert [reply_status(r, TODAY) for r in ROWS] == [REPLIED, LATE_REPLY, OVERDUE, PENDING, REPLIED]


def test_ledger_has_every_field_and_highlights_overdue_rows():
    workbook = load_workbook(BytesIO(export_ledger(ROWS, TODAY, LedgerFilter(year=2022), office="宿州市人民检察院")))
    sheet = workbook["检察建议台账"]
    assert sheet["A1"].value == "宿州市人民检察院2022年检察建议台账"
    assert [c.value for c in sheet[3]] == list(HEADERS)
    for field in ("文号", "关联案件", "建议类型", "领域", "被建议单位", "建议内容", "制发日期", "送达方式", "送达日期", "回复期限",
                  "剩余天数", "回复情况", "回复日期", "回复文号", "采纳情况", "异议", "复核结论", "整改情况", "跟进监督/回头看",
                  "提起诉讼", "结案日期", "抄送"):
        assert field in HEADERS
    docs = [sheet.cell(r, 2).value for r in range(4, sheet.max_row + 1)]
    assert docs == ["宿检行公建〔2022〕1号", "宿检行公建〔2022〕2号", "宿检行公建〔2022〕3号", "宿检建〔2022〕4号"]
    column = {header: index for index, header in enumerate(HEADERS, start=1)}
    assert sheet.cell(4, column["建议内容"]).value == "1.依法查处\n2.建立长效机制"
    assert sheet.cell(6, column["回复情况"]).value == OVERDUE
    assert sheet.cell(6, column["剩余天数"]).value == -31
    assert sheet.cell(7, column["关联案件"]).value == "宿检行公立〔2022〕7号　某化工企业安全隐患案"
    assert sheet.cell(4, column["制发日期"]).value.date() == dt.date(2022, 2, 10)
    assert sheet.cell(6, 2).fill.fgColor.rgb.endswith(OVERDUE_FILL)  # 逾期未回复
    assert sheet.cell(5, 2).fill.fgColor.rgb.endswith(OVERDUE_FILL)  # 逾期回复
    assert sheet.cell(4, 2).fill.fill_type is None
    assert sheet.page_setup.orientation == "landscape" and sheet.print_title_rows == "$3:$3"
    assert int(sheet.page_setup.paperSize) == 8 and int(sheet.page_setup.fitToWidth) == 1  # A3


def test_filters_by_domain_unit_and_status():
    def docs(row_filter: LedgerFilter) -> list[str]:
        sheet = load_workbook(BytesIO(export_ledger(ROWS, TODAY, row_filter))).active
        return [sheet.cell(r, 2).value for r in range(4, sheet.max_row + 1)]

    assert docs(LedgerFilter(domain="食品药品安全")) == ["宿检行公建〔2022〕2号", "宿检行公建〔2022〕3号"]
    assert docs(LedgerFilter(unit="市场监管")) == ["宿检行公建〔2022〕2号", "宿检行公建〔2022〕3号"]
    assert docs(LedgerFilter(status=OVERDUE)) == ["宿检行公建〔2022〕3号"]
    assert len(docs(LedgerFilter())) == 5


def test_quarterly_statistics_sheet_shows_the_given_counts_with_the_same_rates_as_the_bulletin():
    lines = [StatisticsRow("第一季度", 3, 2, 1, 1, 1, 0, 0), StatisticsRow("第二季度", 2, 2, 2, 1, 0, 0, 1),
             StatisticsRow("第三季度", 0, 0, 1, 2, 1, 1, 0), StatisticsRow("第四季度", 0, 0, 0, 0, 0, 0, 0),
             StatisticsRow("全年", 5, 4, 4, 4, 2, 1, 1)]
    book = load_workbook(BytesIO(export_ledger(ROWS, TODAY, LedgerFilter(year=2022), statistics=lines)))
    sheet = book["季度统计"]
    assert [c.value for c in sheet[3]] == ["期间", "线索", "立案", "发出建议", "到期应回复", "已回复", "回复率", "已整改",
                                          "整改率", "去年同期建议"]
    assert [c.value for c in sheet[8]] == ["全年", 5, 4, 4, 4, 2, "50.0%", 1, "50.0%", 1]
    assert sheet["I7"].value == "—"  # nothing replied in Q4: no rate rather than 0%
    assert "回复率＝已回复÷到期应回复" in sheet["A10"].value
    assert "季度统计" not in load_workbook(BytesIO(export_ledger(ROWS, TODAY, LedgerFilter()))).sheetnames
