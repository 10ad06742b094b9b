"""The 检察建议/公益诉讼 statistics table shared by the quarterly 通报 (PDF) and the 季度统计 sheet
(xlsx): one row type, one set of columns, one way to write a rate — so both documents always show
the same numbers. The counts are defined (and computed) in models/services/statistics.py."""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, fields


@dataclass(frozen=True)
class StatisticsRow:
    """One line of the table: a 领域, a quarter, or a 合计 line."""

    domain: str
    clues: int  # 线索
    cases_filed: int  # 立案
    suggestions_issued: int  # 发出检察建议
    replies_due: int  # 回复期限已届满的建议 (denominator of 回复率)
    replied: int  # 已书面回复
    rectified: int  # 已整改到位 (numerator of 整改率; denominator: replied)
    issued_last_year: int  # 去年同期发出建议
    overdue: int = 0  # 逾期未回复 at the period's end (the 季度统计 sheet; the 通报 lists them instead)
    litigation: int = 0  # 提起诉讼: suggestions issued in the period that ended in a lawsuit


COLUMNS = ("领域", "线索", "立案", "发出建议", "到期应回复", "已回复", "回复率", "已整改", "整改率", "去年同期建议")
# The 季度统计 sheet of the 台账 adds the two counts a 办公室 is asked for most.
SHEET_COLUMNS = (*COLUMNS, "逾期未回复", "提起诉讼")


def rate_text(numerator: int, denominator: int) -> str:
    """80.0% with one decimal; "—" when nothing is in the denominator."""
    if denominator <= 0:
        return "—"
    return f"{numerator * 100 / denominator:.1f}%"


def rate_with_basis(numerator: int, denominator: int, numerator_label: str, denominator_label: str) -> str:
    """Rate with its denominator written out: 80.0%（已回复8件/到期应回复10件）."""
    return (f"{rate_text(numerator, denominator)}（{numerator_label}{numerator}件/"
            f"{denominator_label}{denominator}件）")


def total_row(rows: Sequence[StatisticsRow], label: str = "合计") -> StatisticsRow:
    counts = [f.name for f in fields(StatisticsRow)][1:]
    return StatisticsRow(label, *(sum(getattr(r, name) for r in rows) for name in counts))


def row_cells(row: StatisticsRow) -> tuple[str, ...]:
    """The row as the table prints it, in COLUMNS order."""
    return (row.domain, str(row.clues), str(row.cases_filed), str(row.suggestions_issued), str(row.replies_due),
            str(row.replied), rate_text(row.replied, row.replies_due), str(row.rectified),
            rate_text(row.rectified, row.replied), str(row.issued_last_year))


def sheet_cells(row: StatisticsRow) -> tuple[str, ...]:
    """The row as the 季度统计 sheet prints it, in SHEET_COLUMNS order."""
    return (*row_cells(row), str(row.overdue), str(row.litigation))


@dataclass(frozen=True)
class YearStatistics:
    """What the 季度统计 sheet shows: one line per quarter and the year, then the year by 领域 and by 被建议单位."""

    year: int
    quarters: tuple[StatisticsRow, ...]
    by_domain: tuple[StatisticsRow, ...]
    by_unit: tuple[StatisticsRow, ...]


FOOTNOTE = ("注：回复率＝已回复÷到期应回复（回复期限届满于本期的建议，统计至期末）；"
            "整改率＝已整改÷已回复；线索、立案按受理、立案日期计入本期；领域以所涉案件为准。")
SHEET_FOOTNOTE = (FOOTNOTE + "逾期未回复：回复期限已过、至期末（或今天）仍未回复且未结案的建议；"
                  "提起诉讼：本期发出的建议中已提起诉讼的件数。按被建议单位统计时不计线索、立案。")
