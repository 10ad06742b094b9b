"""The reply period of a 检察建议: the one place this rule lives.

Arithmetic (民法典 第二百零一至二百零三条, 民事诉讼法 第八十五条): the day of service is not counted;
a month period ends on the same day-number of the due month, or on that month's last day when the
day does not exist; a period whose last day is a statutory holiday or rest day ends on the first
working day after it.
"""
from __future__ import annotations

import calendar as month_calendar
from datetime import date, timedelta

from models.errors import DomainError
from models.rules.holidays import HolidayCalendar

# 两高《关于检察公益诉讼案件适用法律若干问题的解释》第二十一条: the 行政机关 replies in writing within
# two months of receiving the 检察建议书, within fifteen days where the harm keeps growing (urgent).
# 《人民检察院检察建议工作规定》uses the same two months for other 建议 "除另有规定外".
REPLY_MONTHS = 2
URGENT_REPLY_DAYS = 15

_DIGITS = "零一二三四五六七八九"


def add_months(start: date, months: int) -> date:
    """Same day-number `months` later, clamped to the month's last day (2023-12-31 + 2 -> 2024-02-29)."""
    month_index = start.year * 12 + (start.month - 1) + months
    year, month = divmod(month_index, 12)
    month += 1
    last_day = month_calendar.monthrange(year, month)[1]
    return date(year, month, min(start.day, last_day))


def _check_positive(value: int | None, code: str, label: str) -> None:
    if value is not None and (isinstance(value, bool) or not isinstance(value, int) or value <= 0):
        raise DomainError(code, f"{label}应为正整数", value=value)


def _resolve_period(urgent: bool, custom_days: int | None, custom_months: int | None) -> tuple[int, bool]:
    """(amount, counted_in_months) of the period that applies."""
    _check_positive(custom_days, "reply_days_invalid", "回复期限天数")
    _check_positive(custom_months, "reply_months_invalid", "回复期限月数")
    if custom_days is not None and custom_months is not None:
        raise DomainError("reply_period_ambiguous", "回复期限只能按天或按月中的一种填写")
    if custom_days is not None:
        return custom_days, False
    if custom_months is not None:
        return custom_months, True
    return (URGENT_REPLY_DAYS, False) if urgent else (REPLY_MONTHS, True)


def plain_reply_end(served_on: date, urgent: bool = False, *, custom_days: int | None = None,
                    custom_months: int | None = None) -> date:
    """The last day of the period before moving off holidays (what the text of the 建议书 says)."""
    amount, in_months = _resolve_period(urgent, custom_days, custom_months)
    return add_months(served_on, amount) if in_months else served_on + timedelta(days=amount)


def reply_due(served_on: date, urgent: bool = False, *, custom_days: int | None = None,
              custom_months: int | None = None, calendar: HolidayCalendar) -> date:
    """Last day on which the reply is on time. `custom_days`/`custom_months` is a period the 建议书
    set itself ("可以根据实际情况确定相应的回复期限") and wins over `urgent`."""
    plain_end = plain_reply_end(served_on, urgent, custom_days=custom_days, custom_months=custom_months)
    return calendar.next_working_day(plain_end)


def days_left(due: date, today: date) -> int:
    """Days until `due` (0 on the due day itself, negative once overdue)."""
    return (due - today).days


def chinese_count(number: int) -> str:
    """1..999 in Chinese numerals as written in documents: 15 -> 十五, 30 -> 三十, 105 -> 一百零五."""
    if not 1 <= number <= 999:
        raise DomainError("number_out_of_range", "期限数值应在1至999之间", value=number)
    hundreds, rest = divmod(number, 100)
    tens, units = divmod(rest, 10)
    text = f"{_DIGITS[hundreds]}百" if hundreds else ""
    if tens:
        text += ("" if tens == 1 and not hundreds else _DIGITS[tens]) + "十"
    elif hundreds and units:
        text += "零"
    if units:
        text += _DIGITS[units]
    return text


def reply_period_text(urgent: bool = False, *, custom_days: int | None = None,
                      custom_months: int | None = None) -> str:
    """The period as the 建议书 words it: "两个月", "十五日", "一个月"…"""
    amount, in_months = _resolve_period(urgent, custom_days, custom_months)
    if not in_months:
        return f"{chinese_count(amount)}日"
    return f"{'两' if amount == 2 else chinese_count(amount)}个月"
