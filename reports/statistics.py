"""The 检察建议/公益诉讼 statistics table shared by the quarterly 通报 (PDF) and the 季度统计 sheet
(xlsx): one row type, one set of columns, one way to write a rate — so both documents always show
the same numbers. The counts are defined (and computed) in models/services/statistics.py."""
from __future__ import annotations

import datetime as dt
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


@dataclass(frozen=True)
class UnitStatisticsRow:
    """One unit's line of the 分单位 table (考核): its 检察建议 as 被建议单位 and its task measures as
    责任单位 (definitions: models/services/statistics.py)."""

    unit: str
    received: int  # 收到建议: issued to the unit in the period
    replies_due: int  # 到期应回复 (denominator of 回复率)
    replied: int  # 已回复 (numerator of 回复率; denominator of 整改率)
    replied_on_time: int  # 按期回复: of 已回复, replied by the reply deadline
    rectified: int  # 已整改
    overdue: int  # 逾期未回复 at the period's end
    measures_due: int  # 到期措施: measures of the unit whose 完成时限 falls in the period
    measures_on_time: int  # 按期完成: done by the 完成时限

    @property
    def measures_late(self) -> int:
        """逾期措施 = 到期措施 − 按期完成 (done after the 完成时限, or not done at the period's end)."""
        return self.measures_due - self.measures_on_time


UNIT_COLUMNS = ("单位", "收到建议", "到期应回复", "已回复", "按期回复", "回复率", "整改率", "逾期未回复",
                "到期措施", "按期完成", "逾期措施")
UNIT_COLUMN_WEIGHTS = (2.3, 0.9, 1.0, 0.9, 0.9, 1.65, 1.65, 1.0, 0.9, 0.9, 0.9)


@dataclass(frozen=True)
class UnitStatistics:
    """The 分单位 table for one period (counted to `last`, which is never after the day it was made)."""

    first: dt.date
    last: dt.date
    rows: tuple[UnitStatisticsRow, ...]

    @property
    def period_text(self) -> str:
        return (f"{self.first.year}年{self.first.month}月{self.first.day}日至"
                f"{self.last.year}年{self.last.month}月{self.last.day}日")


def unit_cells(row: UnitStatisticsRow) -> tuple[str, ...]:
    """The row as the 通报 and the 台账 sheet print it, in UNIT_COLUMNS order."""
    return (row.unit, str(row.received), str(row.replies_due), str(row.replied), str(row.replied_on_time),
            rate_text(row.replied, row.replies_due), rate_text(row.rectified, row.replied), str(row.overdue),
            str(row.measures_due), str(row.measures_on_time), str(row.measures_late))


def unit_total_row(rows: Sequence[UnitStatisticsRow], label: str = "合计") -> UnitStatisticsRow:
    counts = [f.name for f in fields(UnitStatisticsRow)][1:]
    return UnitStatisticsRow(label, *(sum(getattr(r, name) for r in rows) for name in counts))


UNIT_FOOTNOTE = ("注：按被建议单位统计检察建议，按责任单位统计任务措施（单位以单位目录为准，含全称、简称、别名）。"
                 "回复率＝已回复÷到期应回复（回复期限届满于本期的建议，统计至期末）；按期回复为其中不晚于回复期限回复的件数；"
                 "整改率＝已整改÷已回复；逾期未回复：回复期限已过、至期末仍未回复且未结案的建议。"
                 "到期措施：完成时限在本期内的任务措施（按每个责任单位各计一次；周期性报送的各期报送和已调整或取消的措施不计）；"
                 "按期完成：该单位或整项措施不晚于完成时限报为已完成；逾期措施＝到期措施－按期完成。分母为零时记作“—”。")


@dataclass(frozen=True)
class TransferStatisticsRow:
    """One line of the 线索移送 table: a kind and direction of 移送 (or a quarter, or 合计), counted over a
    period to one as-of date (definitions: models/services/statistics.py, transfer_statistics)."""

    kind: str  # 线索移送 / 反向衔接 / 监督移送 / 立案监督, or a period's name, or 合计
    direction: str  # 行政机关→检察院 / 检察院→行政机关 ("" on period and 合计 lines)
    sent: int  # 移送: sent in the period
    received: int  # 接收: received in the period
    feedback_due: int  # 应反馈: 反馈期限 in the period and not after the as-of date (denominator of 反馈率)
    fed_back: int  # 已反馈: of 应反馈, answered by the as-of date
    on_time: int  # 按期反馈: of 已反馈, answered by the 反馈期限
    overdue: int  # 逾期未反馈: 反馈期限 passed by the as-of date, not answered by then (any period's 移送)


TRANSFER_COLUMNS = ("类型", "方向", "移送", "接收", "应反馈", "已反馈", "按期反馈", "反馈率", "逾期未反馈")
TRANSFER_COLUMN_WEIGHTS = (1.25, 2.3, 0.8, 0.8, 0.95, 0.95, 0.95, 1.1, 1.0)
TRANSFER_FOOTNOTE = ("注：移送、接收按移送日期、接收日期计入本期；应反馈指反馈期限（自接收之日起，未接收的自移送之日起，"
                     "按各类移送的反馈天数计算，遇节假日顺延）在本期内且不晚于统计日的移送；已反馈为其中至统计日已反馈的件数，"
                     "按期反馈为其中不晚于反馈期限反馈的件数；反馈率＝已反馈÷应反馈；逾期未反馈：反馈期限已过、至统计日仍未反馈的移送"
                     "（不论何时移送）。分母为零时记作“—”。")


def transfer_cells(row: TransferStatisticsRow) -> tuple[str, ...]:
    """The row as the 通报 and the 台账 sheet print it, in TRANSFER_COLUMNS order."""
    return (row.kind, row.direction, str(row.sent), str(row.received), str(row.feedback_due), str(row.fed_back),
            str(row.on_time), rate_text(row.fed_back, row.feedback_due), str(row.overdue))


def transfer_total_row(rows: Sequence[TransferStatisticsRow], label: str = "合计") -> TransferStatisticsRow:
    counts = [f.name for f in fields(TransferStatisticsRow)][2:]
    return TransferStatisticsRow(label, "", *(sum(getattr(r, name) for r in rows) for name in counts))


@dataclass(frozen=True)
class TransferYear:
    """What the 线索移送统计 sheet shows: one total line per quarter and the year, then the year by kind."""

    year: int
    quarters: tuple[TransferStatisticsRow, ...]
    by_kind: tuple[TransferStatisticsRow, ...]
