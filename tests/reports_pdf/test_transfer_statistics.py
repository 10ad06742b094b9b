"""线索移送 figures (issue 14 §2): counted once (models.services.statistics.transfer_statistics: 移送/接收
by date in SQL, the 反馈 clock with holidays) and shown alike in the 通报's 线索移送情况 table and the 台账's
线索移送统计 sheet. Figures hand-counted from the fixture below."""
from __future__ import annotations

import datetime as dt

from openpyxl import load_workbook

from models.services.documents import quarterly_report
from models.services.ledger import write_ledger_file
from models.services.statistics import transfer_statistics, transfer_year
from models.services.transfers import add_transfer
from models.services.trash import delete_record
from models.transfer import TO_ADMINISTRATION, TO_PROCURATORATE
from reports.statistics import TRANSFER_COLUMNS, TRANSFER_FOOTNOTE, transfer_cells, transfer_total_row
from reports.xlsx.ledger import TRANSFER_SHEET, LedgerFilter

TODAY = dt.date(2024, 7, 15)
Q2 = (dt.date(2024, 4, 1), dt.date(2024, 6, 30))
D = dt.date


def build(db) -> None:
    with db.write_scope() as s:
        # 接收 4月2日 + 7日 = 4月9日; answered 4月8日: on time
        add_transfer(s, "非法占用耕地线索", kind="线索移送", direction=TO_PROCURATORATE, sent_on=D(2024, 4, 1),
                     received_on=D(2024, 4, 2), feedback_on=D(2024, 4, 8), from_unit="县自然资源局", to_unit="县检察院")
        # not received: from 移送 4月26日 + 7日 = 5月3日, in the 劳动节 holiday -> 5月6日; answered that day: on time
        add_transfer(s, "违规排污线索", kind="线索移送", direction=TO_PROCURATORATE, sent_on=D(2024, 4, 26),
                     feedback_on=D(2024, 5, 6))
        # 反向衔接 接收 6月21日 -> 6月28日, never answered: overdue at 6月30日
        add_transfer(s, "不起诉后行政处罚", kind="反向衔接", direction=TO_ADMINISTRATION, sent_on=D(2024, 6, 20),
                     received_on=D(2024, 6, 21))
        # sent in Q1, 接收 3月29日 -> 4月5日 (清明) -> 4月7日 (a working Sunday); answered 4月10日: late, due in Q2
        add_transfer(s, "涉嫌犯罪案件监督移送", kind="监督移送", direction=TO_PROCURATORATE, sent_on=D(2024, 3, 28),
                     received_on=D(2024, 3, 29), feedback_on=D(2024, 4, 10))
        # Q3, and a deleted one: neither counts in Q2
        add_transfer(s, "七月线索", kind="线索移送", direction=TO_PROCURATORATE, sent_on=D(2024, 7, 2))
        gone = add_transfer(s, "误录", kind="线索移送", direction=TO_PROCURATORATE, sent_on=D(2024, 4, 3))
        gone_id = gone.id
    with db.write_scope() as s:
        delete_record(s, "transfer", gone_id)


EXPECTED_Q2 = [
    ("线索移送", "行政机关→检察院", "2", "1", "2", "2", "2", "100.0%", "0"),
    ("反向衔接", "检察院→行政机关", "1", "1", "1", "0", "0", "0.0%", "1"),
    ("监督移送", "行政机关→检察院", "0", "0", "1", "1", "0", "100.0%", "0"),
]
EXPECTED_Q2_TOTAL = ("合计", "", "3", "2", "4", "3", "2", "75.0%", "1")


def test_quarter_figures_by_kind_and_direction(new_db):
    build(new_db)
    with new_db.read_scope() as s:
        rows = transfer_statistics(s, *Q2, TODAY)
    assert [transfer_cells(r) for r in rows] == EXPECTED_Q2
    assert transfer_cells(transfer_total_row(rows)) == EXPECTED_Q2_TOTAL


def test_counted_to_the_day_of_making_when_the_quarter_is_not_over(new_db):
    build(new_db)
    with new_db.read_scope() as s:
        rows = transfer_statistics(s, *Q2, D(2024, 5, 5))
    # to 5月5日: both 线索移送 sent; only the first is due (the second's 反馈期限 is 5月6日); no 反向衔接 yet
    assert [transfer_cells(r) for r in rows] == [
        ("线索移送", "行政机关→检察院", "2", "1", "1", "1", "1", "100.0%", "0"),
        ("监督移送", "行政机关→检察院", "0", "0", "1", "1", "0", "100.0%", "0"),
    ]


def test_the_bulletin_has_a_transfer_section_with_the_same_rows(new_db):
    build(new_db)
    with new_db.read_scope() as s:
        report = quarterly_report(s, 2024, 2, TODAY)
    section = report.sections[-1]
    assert section.before[0].text == "五、线索移送情况"
    assert "共移送线索和案件3件，接收2件" in section.before[1].text
    assert "反馈率75.0%（已反馈3件/应反馈4件）" in section.before[1].text
    assert "逾期未反馈1件" in section.before[1].text
    assert section.table is not None and section.table.header == (TRANSFER_COLUMNS,)
    assert list(section.table.rows) == [*EXPECTED_Q2, EXPECTED_Q2_TOTAL]
    assert section.after[0].text.endswith("各项数据统计至2024年6月30日。")


def test_the_ledger_sheet_shows_the_quarters_and_the_year_by_kind(new_db, tmp_path):
    build(new_db)
    target = tmp_path / "台账.xlsx"
    write_ledger_file(new_db, target, LedgerFilter(year=2024), TODAY)
    sheet = load_workbook(target)[TRANSFER_SHEET]
    assert sheet["A1"].value.endswith("2024年线索移送统计")
    cells = [[sheet.cell(r, c).value for c in range(1, len(TRANSFER_COLUMNS) + 1)] for r in range(1, sheet.max_row + 1)]
    header_rows = [n for n, row in enumerate(cells) if row[1:] == list(TRANSFER_COLUMNS[1:])]
    assert len(header_rows) == 2
    quarters = cells[header_rows[0] + 1: header_rows[0] + 6]
    assert [q[0] for q in quarters] == ["第一季度", "第二季度", "第三季度", "第四季度", "全年"]
    # the 通报's 合计 line is the sheet's 第二季度 line: one definition, two documents
    assert [str(v) if v is not None else "" for v in quarters[1][1:]] == list(EXPECTED_Q2_TOTAL[1:])
    # Q1: the 监督移送 sent and received in March (due in April). Q3, counted to 7月15日: the 七月线索 sent,
    # due 7月9日 (from 移送, never received) and unanswered; 逾期未反馈 counts it and the 反向衔接 of June
    assert quarters[0][2:5] == [1, 1, 0] and quarters[2][2:5] == [1, 0, 1] and quarters[2][8] == 2
    assert quarters[4][2:4] == [5, 3]
    with new_db.read_scope() as s:
        year = transfer_year(s, 2024, TODAY)
    by_kind = cells[header_rows[1] + 1: header_rows[1] + 1 + len(year.by_kind)]
    assert [tuple("" if v is None else str(v) for v in row) for row in by_kind] == [transfer_cells(r) for r in year.by_kind]
    assert cells[-1][0] == TRANSFER_FOOTNOTE
