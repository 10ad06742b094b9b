"""Three-colour warning levels."""
from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from models.errors import DomainError
from models.rules.warning import DEFAULT_NEAR_DAYS, WarningLevel, warning_level

TODAY = date(2024, 6, 1)


def test_default_near_days() -> None:
    assert DEFAULT_NEAR_DAYS == 7


@pytest.mark.parametrize(("due", "done", "expected"), [
    (TODAY - timedelta(days=1), False, WarningLevel.RED),
    (TODAY, False, WarningLevel.YELLOW),                      # due today is not overdue yet
    (TODAY + timedelta(days=7), False, WarningLevel.YELLOW),
    (TODAY + timedelta(days=8), False, WarningLevel.GREEN),
    (TODAY - timedelta(days=30), True, WarningLevel.GREEN),   # done late is still done
    (None, False, WarningLevel.GREY),                         # 长期坚持
    (None, True, WarningLevel.GREEN),
])
def test_levels(due: date | None, done: bool, expected: WarningLevel) -> None:
    assert warning_level(due, TODAY, done=done) is expected


def test_near_days_is_a_setting() -> None:
    due = TODAY + timedelta(days=10)
    assert warning_level(due, TODAY, done=False) is WarningLevel.GREEN
    assert warning_level(due, TODAY, done=False, near_days=10) is WarningLevel.YELLOW
    assert warning_level(TODAY, TODAY, done=False, near_days=0) is WarningLevel.YELLOW


def test_negative_near_days_is_refused() -> None:
    with pytest.raises(DomainError) as caught:
        warning_level(TODAY, TODAY, done=False, near_days=-1)
    assert caught.value.code == "near_days_invalid"


def test_labels_and_order() -> None:
    assert [level.label for level in WarningLevel] == ["逾期", "临期", "正常", "无期限"]
    assert sorted(WarningLevel, key=lambda level: level.urgency) == [
        WarningLevel.RED, WarningLevel.YELLOW, WarningLevel.GREEN, WarningLevel.GREY]
    assert WarningLevel.RED == "red"


@given(due=st.dates(min_value=date(1900, 1, 1), max_value=date(2100, 12, 31)), offset=st.integers(min_value=-400, max_value=400), near=st.integers(min_value=0, max_value=60))
def test_red_exactly_when_past_due_and_not_done(due: date, offset: int, near: int) -> None:
    today = due + timedelta(days=offset)
    level = warning_level(due, today, done=False, near_days=near)
    assert (level is WarningLevel.RED) == (today > due)
    assert (level is WarningLevel.YELLOW) == (0 <= (due - today).days <= near)
    assert warning_level(due, today, done=True, near_days=near) is WarningLevel.GREEN
