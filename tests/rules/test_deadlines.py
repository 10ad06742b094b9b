"""The reply period of a 检察建议: month arithmetic, urgent and custom periods, holidays."""
from __future__ import annotations

import calendar as month_calendar
from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from models.errors import DomainError
from models.rules.deadlines import (
    REPLY_MONTHS,
    URGENT_REPLY_DAYS,
    add_months,
    chinese_count,
    days_left,
    plain_reply_end,
    reply_due,
    reply_period_text,
)
from models.rules.holidays import HolidayCalendar

CALENDAR = HolidayCalendar.load_default()
COVERED = st.dates(min_value=date(2019, 1, 1), max_value=date(2026, 10, 1))
ANY_DAY = st.dates(min_value=date(1990, 1, 1), max_value=date(2090, 12, 31))


def test_rule_constants() -> None:
    assert REPLY_MONTHS == 2
    assert URGENT_REPLY_DAYS == 15


@pytest.mark.parametrize(("start", "months", "expected"), [
    (date(2023, 12, 31), 2, date(2024, 2, 29)),   # clamped to the leap-year February
    (date(2022, 12, 31), 2, date(2023, 2, 28)),
    (date(2024, 3, 5), 2, date(2024, 5, 5)),
    (date(2024, 8, 31), 1, date(2024, 9, 30)),
    (date(2024, 11, 15), 2, date(2025, 1, 15)),   # over the year end
    (date(2024, 1, 31), 0, date(2024, 1, 31)),
    (date(2024, 3, 31), -1, date(2024, 2, 29)),
])
def test_add_months(start: date, months: int, expected: date) -> None:
    assert add_months(start, months) == expected


def test_two_months_landing_in_labour_day_moves_to_the_next_working_day() -> None:
    served = date(2024, 3, 5)
    assert plain_reply_end(served) == date(2024, 5, 5)
    assert reply_due(served, calendar=CALENDAR) == date(2024, 5, 6)


def test_urgent_period_is_fifteen_days_not_counting_the_day_of_service() -> None:
    assert reply_due(date(2024, 3, 5), urgent=True, calendar=CALENDAR) == date(2024, 3, 20)


def test_month_end_service() -> None:
    assert reply_due(date(2023, 12, 31), calendar=CALENDAR) == date(2024, 2, 29)  # a Thursday


def test_due_on_a_weekend_moves_to_monday() -> None:
    # 2024-04-13 + 2 months = 2024-06-13 (Thu); 2024-04-15 + 2 months = 2024-06-15 (Sat) -> Mon 06-17
    assert reply_due(date(2024, 4, 15), calendar=CALENDAR) == date(2024, 6, 17)


def test_due_on_an_adjusted_working_sunday_stays() -> None:
    # 2024-07-29 + 2 months = 2024-09-29, a Sunday that is a working day (国庆 调休)
    assert reply_due(date(2024, 7, 29), calendar=CALENDAR) == date(2024, 9, 29)


def test_national_day_block() -> None:
    # 2023-08-01 + 2 months = 2023-10-01, inside 中秋国庆 9/29-10/6; 10/7 is a working Saturday
    assert reply_due(date(2023, 8, 1), calendar=CALENDAR) == date(2023, 10, 7)


def test_custom_periods_win_over_urgent() -> None:
    # 2024-03-05 + 30 days = 04-04 and + 1 month = 04-05, both in 清明 4/4-4/6; Sunday 4/7 is a working day
    assert reply_due(date(2024, 3, 5), urgent=True, custom_days=30, calendar=CALENDAR) == date(2024, 4, 7)
    assert reply_due(date(2024, 3, 5), custom_months=1, calendar=CALENDAR) == date(2024, 4, 7)


@pytest.mark.parametrize(("kwargs", "code"), [
    ({"custom_days": 0}, "reply_days_invalid"),
    ({"custom_days": -3}, "reply_days_invalid"),
    ({"custom_months": 0}, "reply_months_invalid"),
    ({"custom_days": 10, "custom_months": 1}, "reply_period_ambiguous"),
])
def test_bad_custom_periods(kwargs: dict[str, int], code: str) -> None:
    with pytest.raises(DomainError) as caught:
        reply_due(date(2024, 3, 5), calendar=CALENDAR, **kwargs)
    assert caught.value.code == code


def test_weekends_only_calendar_ignores_holidays() -> None:
    assert reply_due(date(2024, 3, 5), calendar=HolidayCalendar.weekends_only()) == date(2024, 5, 6)  # 5/5 Sunday
    assert reply_due(date(2024, 2, 29), calendar=HolidayCalendar.weekends_only()) == date(2024, 4, 29)


def test_days_left() -> None:
    assert days_left(date(2024, 5, 6), date(2024, 5, 6)) == 0
    assert days_left(date(2024, 5, 6), date(2024, 5, 1)) == 5
    assert days_left(date(2024, 5, 6), date(2024, 5, 8)) == -2


@pytest.mark.parametrize(("number", "text"), [
    (1, "一"), (2, "二"), (10, "十"), (11, "十一"), (15, "十五"), (20, "二十"), (30, "三十"), (99, "九十九"),
    (100, "一百"), (105, "一百零五"), (110, "一百一十"), (999, "九百九十九"),
])
def test_chinese_count(number: int, text: str) -> None:
    assert chinese_count(number) == text


def test_chinese_count_out_of_range() -> None:
    with pytest.raises(DomainError):
        chinese_count(0)


def test_reply_period_text() -> None:
    assert reply_period_text() == "两个月"
    assert reply_period_text(urgent=True) == "十五日"
    assert reply_period_text(custom_months=1) == "一个月"
    assert reply_period_text(custom_months=3) == "三个月"
    assert reply_period_text(urgent=True, custom_days=30) == "三十日"


# ---- properties ---------------------------------------------------------------------------------
@given(served=ANY_DAY, urgent=st.booleans())
def test_reply_due_is_after_service_and_a_working_day(served: date, urgent: bool) -> None:
    due = reply_due(served, urgent, calendar=CALENDAR)
    assert due > served
    assert CALENDAR.is_working_day(due)


@given(served=COVERED, urgent=st.booleans())
def test_reply_due_is_never_more_than_ten_days_after_the_plain_date(served: date, urgent: bool) -> None:
    # The longest break on record is 春节 2020 (extended to ten days); a plain date inside it moves at most 10.
    plain = plain_reply_end(served, urgent)
    due = reply_due(served, urgent, calendar=CALENDAR)
    assert 0 <= (due - plain).days <= 10
    assert all(not CALENDAR.is_working_day(plain + timedelta(days=n)) for n in range((due - plain).days))


@given(start=ANY_DAY, months=st.integers(min_value=-36, max_value=36))
def test_add_months_keeps_the_day_or_clamps_to_month_end(start: date, months: int) -> None:
    result = add_months(start, months)
    assert (result.year * 12 + result.month) - (start.year * 12 + start.month) == months
    last_day = month_calendar.monthrange(result.year, result.month)[1]
    assert result.day == min(start.day, last_day)


@given(first=ANY_DAY, gap=st.integers(min_value=0, max_value=400), urgent=st.booleans())
def test_reply_due_is_monotone_in_the_service_date(first: date, gap: int, urgent: bool) -> None:
    later = first + timedelta(days=gap)
    assert reply_due(first, urgent, calendar=CALENDAR) <= reply_due(later, urgent, calendar=CALENDAR)


@given(served=ANY_DAY, days=st.integers(min_value=1, max_value=365))
def test_custom_days_count_from_the_day_after_service(served: date, days: int) -> None:
    assert plain_reply_end(served, custom_days=days) == served + timedelta(days=days)
    assert reply_due(served, custom_days=days, calendar=CALENDAR) >= served + timedelta(days=days)
