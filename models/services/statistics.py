"""The statistics offices report (domain-notes §2.6), defined once for the quarterly 通报 (PDF) and
the 季度统计 sheet (xlsx):

- 线索: cases received (受理) in the period; 立案: cases filed in the period; by the case's 领域.
- 发出建议: suggestions issued in the period; 领域 = the suggestion's own, else that of the linked
  case, else 其他 (models.derived.suggestion_domain).
- 到期应回复: suggestions whose reply deadline falls in the period; 已回复: those of them replied by
  the period's end; 已整改: those replied and marked 已整改. So 回复率 = 已回复 / 到期应回复 and
  整改率 = 已整改 / 已回复, numerators always inside their denominators.
- 去年同期: suggestions issued in the same period one year earlier.
- 逾期未回复: deadline passed by the period's end (or today, if earlier) with no reply by then.
- 提起诉讼: suggestions issued in the period marked 提起诉讼.
- By 被建议单位 (the 季度统计 sheet): the same suggestion counts per addressee; 线索/立案 stay 0 there.

Per unit for 考核 (models/services/unit_statistics.py; the 分单位 table of the 通报 and the 单位考核统计
sheet of the 台账), over the same period and with the same 到期应回复/已回复/已整改/逾期未回复 as above:
- A suggestion belongs to its 被建议单位: the directory unit it is linked to, else the unit whose 全称,
  简称 or 别名 is its addressee name (models.services.units.UnitDirectory), else that name as written.
- 收到建议: suggestions issued to the unit in the period. 按期回复: of 已回复, those replied on or
  before the reply deadline (so 按期回复 <= 已回复 <= 到期应回复).
- 到期措施: task measures whose 完成时限 (Measure.due_on) falls in the period, once per 责任单位 found in
  the directory (models.services.tasks.responsible_keys: 各成员单位 expands, vague or unknown names are
  not counted); the periodic reports of a recurring duty and measures 已调整或取消 at the period's end are not counted.
- 按期完成: the unit is done on or before the 完成时限 and stays done to the period's end. A unit is done
  on a day when, counting the 进展 entries reported up to that day, its own newest status or the
  measure's derived status (models.services.tasks.derive_status) is a done status. 逾期措施 = 到期措施 −
  按期完成 (done late, or not done at the period's end).

线索移送 (the 线索移送情况 table of the 通报 and the 线索移送统计 sheet of the 台账), per kind and direction,
for the period [first, last] counted to as_of = min(last, today):
- 移送 / 接收: transfers whose 移送日期 / 接收日期 falls in the period (counted in SQL).
- 应反馈: transfers whose 反馈期限 (models.services.transfers.feedback_due: from 接收, else 移送, by the
  transfer's own days, off rest days and holidays) falls in the period, not after as_of; 已反馈: of those,
  answered (反馈日期) by as_of; 按期反馈: of those, answered by the 反馈期限. 反馈率 = 已反馈 / 应反馈.
- 逾期未反馈: 反馈期限 before as_of and no 反馈 by as_of, whenever the transfer was sent."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from models.case import DEFAULT_DOMAINS, Case
from models.derived import default_calendar, suggestion_domain
from models.errors import DomainError
from models.rules.holidays import HolidayCalendar
from models.services.transfers import feedback_due
from models.suggestion import Suggestion
from models.transfer import TO_ADMINISTRATION, TO_PROCURATORATE, TRANSFER_DIRECTIONS, TRANSFER_KINDS, Transfer
from reports.pdf.builders import OverdueSuggestion
from reports.statistics import (
    StatisticsRow,
    TransferStatisticsRow,
    TransferYear,
    YearStatistics,
    total_row,
    transfer_total_row,
)

OTHER_DOMAIN = "其他"
NO_UNIT = "（未填写单位）"
BY_DOMAIN, BY_UNIT = "domain", "unit"
QUARTER_NAMES = ("第一季度", "第二季度", "第三季度", "第四季度")


def quarter_span(year: int, quarter: int) -> tuple[dt.date, dt.date]:
    if quarter not in (1, 2, 3, 4):
        raise DomainError("quarter_invalid", "季度只能是1至4", quarter=quarter)
    first = dt.date(year, 3 * quarter - 2, 1)
    next_first = dt.date(year + 1, 1, 1) if quarter == 4 else dt.date(year, 3 * quarter + 1, 1)
    return first, next_first - dt.timedelta(days=1)


def _within(day: dt.date | None, first: dt.date, last: dt.date) -> bool:
    return day is not None and first <= day <= last


def _year_earlier(day: dt.date) -> dt.date:
    return day.replace(year=day.year - 1, day=min(day.day, 28)) if day.month == 2 else day.replace(year=day.year - 1)


def is_overdue_at(s: Suggestion, as_of: dt.date) -> bool:
    """逾期未回复 at `as_of` (see the module docstring)."""
    return (s.reply_due is not None and s.reply_due < as_of and not s.closed_on
            and (s.replied_on is None or s.replied_on > as_of))


def period_statistics(session: Session, first: dt.date, last: dt.date, today: dt.date, by: str = BY_DOMAIN
                      ) -> tuple[list[StatisticsRow], list[OverdueSuggestion]]:
    """Rows by 领域 (or by 被建议单位) for the period [first, last], and the suggestions overdue at its end."""
    last_year_first, last_year_last = _year_earlier(first), _year_earlier(last)
    cases = list(session.scalars(select(Case).where(Case.deleted.is_(False))))
    suggestions = list(session.scalars(select(Suggestion).where(Suggestion.deleted.is_(False))))
    domain_of_case = {c.id: (c.domain or OTHER_DOMAIN) for c in cases}
    counts: dict[str, list[int]] = {}
    as_of = min(last, today)

    def bump(group: str, column: int) -> None:
        counts.setdefault(group, [0] * 9)[column] += 1

    if by == BY_DOMAIN:
        for case in cases:
            if _within(case.received_on, first, last):
                bump(domain_of_case[case.id], 0)
            if _within(case.filed_on, first, last):
                bump(domain_of_case[case.id], 1)
    for s in suggestions:
        if by == BY_DOMAIN:
            group = suggestion_domain(s.domain, domain_of_case.get(s.case_id) if s.case_id else None)
        else:
            group = s.addressee_name.strip() or NO_UNIT
        if _within(s.issued_on, first, last):
            bump(group, 2)
            if s.litigation:
                bump(group, 8)
        if _within(s.reply_due, first, last):
            bump(group, 3)
            if s.replied_on is not None and s.replied_on <= last:
                bump(group, 4)
                if s.rectification == "已整改":
                    bump(group, 5)
        if _within(s.issued_on, last_year_first, last_year_last):
            bump(group, 6)
        if is_overdue_at(s, as_of):
            bump(group, 7)
    if by == BY_DOMAIN:
        order = {d: n for n, d in enumerate(DEFAULT_DOMAINS)}
        groups = sorted(counts, key=lambda d: (d == OTHER_DOMAIN, order.get(d, len(order)), d))
    else:  # busiest addressees first, so a long list still starts with what matters
        groups = sorted(counts, key=lambda u: (u == NO_UNIT, -counts[u][2], u))
    rows = [StatisticsRow(g, *counts[g]) for g in groups]
    overdue = [OverdueSuggestion(s.addressee_name, s.doc_no, s.reply_due, (as_of - s.reply_due).days)
               for s in suggestions if is_overdue_at(s, as_of) and s.reply_due is not None]
    overdue.sort(key=lambda o: (o.reply_due, o.doc_no))
    return rows, overdue


def quarterly_statistics(session: Session, year: int, quarter: int, today: dt.date
                         ) -> tuple[list[StatisticsRow], list[OverdueSuggestion]]:
    return period_statistics(session, *quarter_span(year, quarter), today)


def year_by_quarter(session: Session, year: int, today: dt.date) -> list[StatisticsRow]:
    """One total line per quarter and one for the whole year (the 季度统计 sheet)."""
    lines = [total_row(quarterly_statistics(session, year, q, today)[0], QUARTER_NAMES[q - 1]) for q in range(1, 5)]
    whole_year, _ = period_statistics(session, dt.date(year, 1, 1), dt.date(year, 12, 31), today)
    return [*lines, total_row(whole_year, "全年")]


def year_statistics(session: Session, year: int, today: dt.date) -> YearStatistics:
    """The 季度统计 sheet: quarters and the year, then the year by 领域 and by 被建议单位."""
    first, last = dt.date(year, 1, 1), dt.date(year, 12, 31)
    by_domain, _ = period_statistics(session, first, last, today)
    by_unit, _ = period_statistics(session, first, last, today, by=BY_UNIT)
    return YearStatistics(year, tuple(year_by_quarter(session, year, today)), tuple(by_domain), tuple(by_unit))


DIRECTION_SHORT = {TO_PROCURATORATE: "行政机关→检察院", TO_ADMINISTRATION: "检察院→行政机关"}


def transfer_statistics(session: Session, first: dt.date, last: dt.date, today: dt.date,
                        calendar: HolidayCalendar | None = None) -> list[TransferStatisticsRow]:
    """线索移送 rows per kind and direction for [first, last], counted to min(last, today) (module docstring)."""
    calendar = calendar or default_calendar()
    as_of = min(last, today)
    live = Transfer.deleted.is_(False)
    counts: dict[tuple[str, str], list[int]] = {}

    def add(key: tuple[str, str], column: int, n: int = 1) -> None:
        counts.setdefault(key, [0] * 6)[column] += n

    for column, day in ((0, Transfer.sent_on), (1, Transfer.received_on)):
        query = (select(Transfer.kind, Transfer.direction, func.count()).where(live, day >= first, day <= as_of)
                 .group_by(Transfer.kind, Transfer.direction))
        for kind, direction, n in session.execute(query):
            add((kind, direction), column, n)
    started = func.coalesce(Transfer.received_on, Transfer.sent_on)
    for transfer in session.scalars(select(Transfer).where(live, started <= as_of)):
        due = feedback_due(transfer, calendar)
        if due is None:
            continue
        key = (transfer.kind, transfer.direction)
        answered = transfer.feedback_on is not None and transfer.feedback_on <= as_of
        if first <= due <= as_of:
            add(key, 2)
            if answered:
                add(key, 3)
                if transfer.feedback_on is not None and transfer.feedback_on <= due:
                    add(key, 4)
        if due < as_of and not answered:
            add(key, 5)
    kinds = {k: n for n, k in enumerate(TRANSFER_KINDS)}
    directions = {d: n for n, d in enumerate(TRANSFER_DIRECTIONS)}
    keys = sorted(counts, key=lambda k: (kinds.get(k[0], len(kinds)), directions.get(k[1], len(directions)), k))
    return [TransferStatisticsRow(kind, DIRECTION_SHORT.get(direction, direction), *counts[(kind, direction)])
            for kind, direction in keys]


def transfer_year(session: Session, year: int, today: dt.date, calendar: HolidayCalendar | None = None
                  ) -> TransferYear:
    """The 线索移送统计 sheet: a total line per quarter and the year, then the year by kind and direction."""
    calendar = calendar or default_calendar()
    quarters = [transfer_total_row(transfer_statistics(session, *quarter_span(year, q), today, calendar),
                                   QUARTER_NAMES[q - 1]) for q in range(1, 5)]
    whole = transfer_statistics(session, dt.date(year, 1, 1), dt.date(year, 12, 31), today, calendar)
    return TransferYear(year, (*quarters, transfer_total_row(whole, "全年")), tuple(whole))
