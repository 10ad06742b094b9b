"""检察建议台账: every field, the printed column set on A4, filters, overdue highlight, 季度统计."""
from __future__ import annotations

import datetime as dt
from io import BytesIO

from openpyxl import load_workbook

from reports.statistics import SHEET_COLUMNS, StatisticsRow, YearStatistics
from reports.xlsx.data import LedgerRow
from reports.xlsx.ledger import (
    BODY_SIZE,
    HEADERS,
    LATE_REPLY,
    OVERDUE,
    PENDING,
    PRINTED,
    REPLIED,
    WIDTHS,
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
        adoption="采纳", rectification="已整改", items=("依法查处", "建立长效机制"), department="第五检察部"),
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
    for field in ("文号", "关联案件", "建议类型", "办案部门", "领域", "被建议单位", "建议内容", "制发日期", "送达方式", "送达日期",
                  "回复期限", "剩余天数", "回复情况", "回复日期", "回复文号", "采纳情况", "异议", "复核结论", "整改情况",
                  "跟进监督/回头看", "提起诉讼", "结案日期", "抄送"):
        assert field in HEADERS
    docs = [sheet.cell(r, 2).value for r in range(4, sheet.max_row + 1)]
    assert docs == ["宿检行公建〔2022〕1号", "宿检行公建〔2022〕2号", "宿检行公建〔2022〕3号", "宿检建〔2022〕4号"]
    column = {header: index for index, header in enumerate(HEADERS, start=1)}
    assert sheet.cell(4, column["建议内容"]).value == "1.依法查处\n2.建立长效机制"
    assert sheet.cell(4, column["办案部门"]).value == "第五检察部"
    assert sheet.cell(6, column["回复情况"]).value == OVERDUE
    assert sheet.cell(6, column["剩余天数"]).value == -31
    assert sheet.cell(7, column["关联案件"]).value == "宿检行公立〔2022〕7号　某化工企业安全隐患案"
    assert sheet.cell(4, column["制发日期"]).value.date() == dt.date(2022, 2, 10)
    assert sheet.cell(6, 2).fill.fgColor.rgb.endswith(OVERDUE_FILL)  # 逾期未回复
    assert sheet.cell(5, 2).fill.fgColor.rgb.endswith(OVERDUE_FILL)  # 逾期回复
    assert sheet.cell(4, 2).fill.fill_type is None


def test_the_ledger_prints_a_chosen_column_set_legibly_on_a4_landscape():
    sheet = load_workbook(BytesIO(export_ledger(ROWS, TODAY, LedgerFilter(year=2022))))["检察建议台账"]
    assert sheet.page_setup.orientation == "landscape" and int(sheet.page_setup.paperSize) == 9  # A4
    assert int(sheet.page_setup.fitToWidth) == 1 and sheet.print_title_rows == "$3:$3"
    printed = HEADERS[:PRINTED]
    assert printed[-1] == "提起诉讼" and {"文号", "办案部门", "被建议单位", "回复期限", "回复情况", "整改情况"} <= set(printed)
    assert sheet.print_area == f"'检察建议台账'!$A$1:${sheet.cell(3, PRINTED).column_letter}${sheet.max_row}"
    # Excel column units at 11 pt: ~5.25 pt a unit plus ~4 pt padding. The printable width of A4 landscape with
    # 0.6 in margins is 755 pt; the print must not be shrunk below 90 % so that 10 pt text stays >= 9 pt.
    needed = sum(5.25 * width + 3.75 for width in WIDTHS[:PRINTED])
    assert 755 / needed >= 0.9
    fonts = {sheet.cell(r, c).font.sz for r in range(2, sheet.max_row + 1) for c in range(1, PRINTED + 1)}
    assert min(fonts) >= 9 and BODY_SIZE >= 9


def test_filters_by_domain_unit_and_status():
    def docs(row_filter: LedgerFilter) -> list[str]:
        sheet = load_workbook(BytesIO(export_ledger(ROWS, TODAY, row_filter))).active
        return [sheet.cell(r, 2).value for r in range(4, sheet.max_row + 1)]

    assert docs(LedgerFilter(domain="食品药品安全")) == ["宿检行公建〔2022〕2号", "宿检行公建〔2022〕3号"]
    assert docs(LedgerFilter(unit="市场监管")) == ["宿检行公建〔2022〕2号", "宿检行公建〔2022〕3号"]
    assert docs(LedgerFilter(status=OVERDUE)) == ["宿检行公建〔2022〕3号"]
    assert len(docs(LedgerFilter())) == 5


def test_statistics_sheet_by_quarter_domain_and_unit_with_overdue_and_litigation():
    quarters = (StatisticsRow("第一季度", 3, 2, 1, 1, 1, 0, 0), StatisticsRow("第二季度", 2, 2, 2, 1, 0, 0, 1, 1, 0),
                StatisticsRow("第三季度", 0, 0, 1, 2, 1, 1, 0, 1, 1), StatisticsRow("第四季度", 0, 0, 0, 0, 0, 0, 0),
                StatisticsRow("全年", 5, 4, 4, 4, 2, 1, 1, 1, 1))
    by_domain = (StatisticsRow("生态环境和资源保护", 5, 4, 4, 4, 2, 1, 1, 1, 1),)
    by_unit = (StatisticsRow("市市场监管局", 0, 0, 3, 3, 1, 0, 0, 1, 1), StatisticsRow("市生态环境局", 0, 0, 1, 1, 1, 1, 1))
    stats = YearStatistics(2022, quarters, by_domain, by_unit)
    book = load_workbook(BytesIO(export_ledger(ROWS, TODAY, LedgerFilter(), office="宿州市人民检察院", statistics=stats)))
    sheet = book["季度统计"]
    assert sheet["A1"].value == "宿州市人民检察院2022年检察建议季度统计"
    values = [[cell.value for cell in line] for line in sheet.iter_rows()]
    assert ["期间", *SHEET_COLUMNS[1:]] in values and SHEET_COLUMNS[-2:] == ("逾期未回复", "提起诉讼")
    assert ["全年", 5, 4, 4, 4, 2, "50.0%", 1, "50.0%", 1, 1, 1] in values
    assert ["第四季度", 0, 0, 0, 0, 0, "—", 0, "—", 0, 0, 0] in values  # nothing replied: no rate rather than 0%
    assert ["生态环境和资源保护", 5, 4, 4, 4, 2, "50.0%", 1, "50.0%", 1, 1, 1] in values
    assert ["市市场监管局", "—", "—", 3, 3, 1, "33.3%", 0, "0.0%", 0, 1, 1] in values  # no 线索/立案 per unit
    captions = [line[0] for line in values if line[0] and str(line[0])[:2] in ("一、", "二、", "三、")]
    assert captions == ["一、按季度", "二、按领域（2022年全年）", "三、按被建议单位（2022年全年）"]
    assert any(line[0] and "回复率＝已回复÷到期应回复" in str(line[0]) for line in values)
    assert sheet.page_setup.orientation == "landscape" and int(sheet.page_setup.paperSize) == 9
    assert "季度统计" not in load_workbook(BytesIO(export_ledger(ROWS, TODAY, LedgerFilter()))).sheetnames


def test_exported_ledger_from_the_database_always_has_this_years_statistics(new_db, tmp_path):
    from sqlalchemy import select

    from models.services.ledger import write_ledger_file
    from models.services.records_import import import_records_file
    from models.suggestion import Suggestion
    from tests.reports_xlsx.records_fixtures import ledger_xlsx

    import_records_file(new_db, ledger_xlsx(), "ledger")
    today = dt.date(2023, 9, 30)
    with new_db.session_scope() as session:
        suggestions = list(session.scalars(select(Suggestion)))
        suggestions[0].litigation = True
        overdue = sum(1 for s in suggestions if s.replied_on is None and s.reply_due < today)
        by_unit: dict[str, int] = {}
        for s in suggestions:
            by_unit[s.addressee_name] = by_unit.get(s.addressee_name, 0) + 1
    target = tmp_path / "台账.xlsx"
    write_ledger_file(new_db, target, LedgerFilter(), today)  # no year chosen: this year's statistics
    book = load_workbook(target)
    assert book.sheetnames == ["检察建议台账", "季度统计", "单位考核统计", "线索移送统计"]
    ledger = book["检察建议台账"]
    column = {header: index for index, header in enumerate(HEADERS, start=1)}
    departments = {ledger.cell(r, column["办案部门"]).value for r in range(4, ledger.max_row + 1)}
    assert departments == {"第五检察部", "第四检察部"}
    sheet = book["季度统计"]
    assert sheet["A1"].value == "宿州市人民检察院2023年检察建议季度统计"
    values = [[cell.value for cell in line] for line in sheet.iter_rows()]
    whole_year = next(line for line in values if line[0] == "全年")
    assert (whole_year[3], whole_year[10], whole_year[11]) == (25, overdue, 1)
    units = {line[0]: line[3] for line in values if line[0] in by_unit}
    assert units == by_unit
    assert overdue > 0


def test_a_long_unit_table_starts_on_a_new_page_with_its_caption_and_header():
    quarters = tuple(StatisticsRow(name, 0, 0, 1, 1, 1, 1, 0) for name in ("第一季度", "第二季度", "第三季度", "第四季度", "全年"))
    by_domain = tuple(StatisticsRow(f"领域{n}", 1, 1, 1, 1, 1, 1, 0) for n in range(9))
    by_unit = tuple(StatisticsRow(f"××县第{n}局", 0, 0, 1, 1, 1, 1, 0) for n in range(30))
    sheet = load_workbook(BytesIO(export_ledger(ROWS, TODAY, statistics=YearStatistics(2022, quarters, by_domain,
                                                                                       by_unit))))["季度统计"]
    breaks = [brk.id for brk in sheet.row_breaks.brk]
    assert breaks and str(sheet.cell(breaks[0] + 1, 1).value).startswith("三、按被建议单位")
