"""The 单位考核统计 sheet of the 台账 export: 院名 and period in its title, one line per unit with the
hand-counted figures of tests/core/test_unit_statistics.py, a 合计 line and the definitions under it;
the CLI's --from/--to choose the period."""
from __future__ import annotations

import datetime as dt

import pytest
from openpyxl import load_workbook

from models.errors import DomainError
from models.services.ledger import write_ledger_file
from reports.statistics import UNIT_COLUMNS, UNIT_FOOTNOTE
from reports.xlsx.ledger import UNIT_SHEET, LedgerFilter
from tests.core.test_unit_statistics import build_fixture
from tests.reports_xlsx.test_tasklist_services import run_cli

TODAY = dt.date(2024, 7, 15)


def _table(sheet) -> list[list[object]]:
    return [[sheet.cell(r, c).value for c in range(1, len(UNIT_COLUMNS) + 1)] for r in range(3, 9)]


def test_sheet_for_a_chosen_period(new_db, tmp_path):
    build_fixture(new_db)
    target = tmp_path / "台账.xlsx"
    write_ledger_file(new_db, target, LedgerFilter(year=2024), TODAY, (dt.date(2024, 4, 1), dt.date(2024, 6, 30)))
    workbook = load_workbook(target)
    assert workbook.sheetnames == ["检察建议台账", "季度统计", UNIT_SHEET, "线索移送统计"]
    sheet = workbook[UNIT_SHEET]
    assert sheet["A1"].value == "宿州市人民检察院各单位检察建议回复和任务落实情况统计\n（2024年4月1日至2024年6月30日）"
    assert sheet["A2"].value.startswith("统计期间：2024年4月1日至2024年6月30日")
    assert _table(sheet) == [
        list(UNIT_COLUMNS),
        ["市环境局", 1, 2, 2, 1, "100.0%", "50.0%", 0, 2, 2, 0],
        ["市市场监管局", 2, 1, 0, 0, "0.0%", "—", 1, 2, 2, 0],
        ["市住建局", 0, 0, 0, 0, "—", "—", 0, 3, 1, 2],
        ["某某村民委员会", 1, 0, 0, 0, "—", "—", 0, 0, 0, 0],
        ["合计", 4, 3, 2, 1, "66.7%", "50.0%", 1, 7, 5, 2],
    ]
    assert sheet["A10"].value == UNIT_FOOTNOTE
    assert "回复率＝已回复÷到期应回复" in UNIT_FOOTNOTE and "逾期措施＝到期措施－按期完成" in UNIT_FOOTNOTE
    assert sheet.print_title_rows == "$3:$3"


def test_default_period_is_the_year_to_today(new_db, tmp_path):
    build_fixture(new_db)
    target = tmp_path / "台账.xlsx"
    write_ledger_file(new_db, target, LedgerFilter(year=2024), dt.date(2024, 5, 31))
    sheet = load_workbook(target)[UNIT_SHEET]
    assert sheet["A1"].value.endswith("（2024年1月1日至2024年5月31日）")
    rows = {sheet.cell(r, 1).value: [sheet.cell(r, c).value for c in range(2, 12)] for r in range(4, 9)}
    # to 5月31日: 建议1 (due 4月1日) replied on time; 建议5 (due 3月11日) replied 4月15日 (late);
    # 措施三 (due 5月31日): 市市场监管局 on time, 市住建局 done 5月25日 (its reopening comes later)
    assert rows["市环境局"] == [2, 1, 1, 1, "100.0%", "100.0%", 0, 1, 1, 0]
    assert rows["市住建局"] == [1, 1, 1, 0, "100.0%", "0.0%", 0, 2, 2, 0]


def test_period_ending_before_it_starts_is_refused(new_db, tmp_path):
    with pytest.raises(DomainError) as error:
        write_ledger_file(new_db, tmp_path / "x.xlsx", LedgerFilter(), TODAY, (dt.date(2024, 6, 30), dt.date(2024, 4, 1)))
    assert error.value.code == "period_invalid"
    assert not (tmp_path / "x.xlsx").exists()


def test_cli_period_options(tmp_path):
    data_dir = tmp_path / "数据"
    db = str(data_dir / "库.db")
    assert run_cli("--db", db, "init", "--office", "某县人民检察院", "--code", "某检", data_dir=data_dir).returncode == 0
    out = tmp_path / "台账.xlsx"
    done = run_cli("--db", db, "ledger", "export", "--out", str(out), "--from", "2025-01-01", "--to", "2025-03-31",
                   "--today", "2025-05-01", data_dir=data_dir)
    assert done.returncode == 0, done.stderr
    sheet = load_workbook(out)[UNIT_SHEET]
    assert sheet["A1"].value == "某县人民检察院各单位检察建议回复和任务落实情况统计\n（2025年1月1日至2025年3月31日）"
    assert sheet["A4"].value == "本期没有应统计的检察建议和任务措施"
    refused = run_cli("--db", db, "ledger", "export", "--out", str(out), "--from", "2025-04-01", "--to", "2025-03-31",
                      data_dir=data_dir)
    assert refused.returncode == 1 and "错误：统计期间的结束日期早于开始日期" in refused.stderr
    assert "Traceback" not in refused.stderr
