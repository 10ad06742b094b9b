"""Schedules of 完成时限 phrases: numeric dates, reports in a period's first month, a date then reports."""
from datetime import date

import pytest

from models.rules.deadline_phrase import PhraseKind, Recurrence, next_due, parse_deadline_phrase


@pytest.mark.parametrize("phrase", ["2022.12.31前", "2022-12-31", "2022/12/31", "2022年12月31日前", "２０２２．１２．３１前"])
def test_numeric_dates_parse(phrase):
    parsed = parse_deadline_phrase(phrase, 2022)
    assert (parsed.kind, parsed.due_on) == (PhraseKind.FIXED, date(2022, 12, 31))


@pytest.mark.parametrize("phrase, due", [("2022-06-30", date(2022, 6, 30)), ("2022/6/30", date(2022, 6, 30)),
                                         ("2023.3前完成", date(2023, 3, 31))])
def test_other_numeric_dates(phrase, due):
    assert parse_deadline_phrase(phrase, 2022).due_on == due


def test_a_list_number_is_not_a_date():
    assert parse_deadline_phrase("1.2项长期坚持", 2022).kind is PhraseKind.ONGOING


def test_first_month_of_each_quarter():
    parsed = parse_deadline_phrase("每季度首月10日前", 2022)
    assert parsed.kind is PhraseKind.RECURRING and parsed.recurrence is Recurrence.QUARTERLY
    assert parsed.checkpoints == (date(2022, 1, 10), date(2022, 4, 10), date(2022, 7, 10), date(2022, 10, 10))
    assert next_due(parsed, date(2022, 4, 11)) == date(2022, 7, 10)
    assert next_due(parsed, date(2022, 11, 1)) == date(2023, 1, 10)


def test_quarter_end_is_still_the_default():
    assert parse_deadline_phrase("每季度末报送", 2022).checkpoints == (
        date(2022, 3, 31), date(2022, 6, 30), date(2022, 9, 30), date(2022, 12, 31))


def test_half_year_first_month_with_a_day():
    assert parse_deadline_phrase("每半年首月15日前报送", 2022).checkpoints == (date(2022, 1, 15), date(2022, 7, 15))


@pytest.mark.parametrize("phrase", ["6月底前完成，以后每季度报送进展", "6月底前完成并每季度报送进展情况",
                                    "6月30日前完成,此后按季度报送"])
def test_a_date_then_a_recurrence(phrase):
    parsed = parse_deadline_phrase(phrase, 2022)
    assert parsed.kind is PhraseKind.FIXED_THEN_RECURRING, phrase
    assert parsed.due_on == date(2022, 6, 30) and parsed.recurrence is Recurrence.QUARTERLY
    assert parsed.checkpoints == (date(2022, 6, 30), date(2022, 9, 30), date(2022, 12, 31))
    assert next_due(parsed, date(2022, 5, 1)) == date(2022, 6, 30)
    assert next_due(parsed, date(2022, 7, 1)) == date(2022, 9, 30)


def test_a_date_and_long_term_is_not_a_recurrence():
    assert parse_deadline_phrase("5月底前完成并长期坚持", 2022).kind is PhraseKind.FIXED_THEN_ONGOING
