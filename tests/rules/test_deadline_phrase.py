"""完成时限 phrases -> structured deadlines."""
from __future__ import annotations

import re
from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from models.rules.deadline_phrase import (
    DeadlinePhrase,
    PhraseKind,
    Recurrence,
    next_due,
    occurrences_in_year,
    parse_deadline_phrase,
)

# The 完成时限 cells of seed 001 (宿州 2022 任务清单, 宿政秘〔2022〕31号), copied verbatim.
SEED_001_CELLS = [
    "①②长期坚持 ③5月底前完成并长期坚持 ④10月底前 ⑤长期坚持",
    "①8月底前 ②4月底前 ③长期坚持",
    "①长期坚持 ②③12月底前 ④长期坚持 ⑤12月底前 ⑥长期坚持",
    "12月底前",
    "①②③12月底前 ④长期坚持",
    "①②12月底前 ③④长期坚持",
    "①长期坚持 ②12月底前",
    "长期坚持",
    "①12月底前完成并长期坚持 ②③④长期坚持",
    "12月底前完成并长期坚持",
    "①②③④⑤⑥ 长期坚持",
    "①②长期坚持 ③12月底前",
    "①②③长期坚持",
    "①长期坚持 ②12月底前",
]
SEED_LIST_YEAR = 2022


def seed_phrases() -> list[str]:
    """Every distinct phrase of the cells above (the text after each run of circled numerals)."""
    phrases: set[str] = set()
    for cell in SEED_001_CELLS:
        parts = re.split(r"[①②③④⑤⑥⑦⑧⑨⑩]+", cell)
        phrases.update(part.strip() for part in parts if part.strip())
    return sorted(phrases)


def test_seed_phrase_extraction_finds_all_seven() -> None:
    assert seed_phrases() == sorted([
        "长期坚持", "5月底前完成并长期坚持", "10月底前", "8月底前", "4月底前", "12月底前", "12月底前完成并长期坚持"])


EXPECTED_SEED = {
    "长期坚持": (PhraseKind.ONGOING, None, Recurrence.LONG_TERM),
    "5月底前完成并长期坚持": (PhraseKind.FIXED_THEN_ONGOING, date(2022, 5, 31), Recurrence.LONG_TERM),
    "12月底前完成并长期坚持": (PhraseKind.FIXED_THEN_ONGOING, date(2022, 12, 31), Recurrence.LONG_TERM),
    "10月底前": (PhraseKind.FIXED, date(2022, 10, 31), None),
    "8月底前": (PhraseKind.FIXED, date(2022, 8, 31), None),
    "4月底前": (PhraseKind.FIXED, date(2022, 4, 30), None),
    "12月底前": (PhraseKind.FIXED, date(2022, 12, 31), None),
}


@pytest.mark.parametrize("phrase", seed_phrases())
def test_every_seed_phrase_is_understood(phrase: str) -> None:
    parsed = parse_deadline_phrase(phrase, SEED_LIST_YEAR)
    assert parsed.phrase == phrase
    assert (parsed.kind, parsed.due_on, parsed.recurrence) == EXPECTED_SEED[phrase]


@pytest.mark.parametrize(("phrase", "kind", "due", "recurrence"), [
    ("年底前", PhraseKind.FIXED, date(2024, 12, 31), None),
    ("年内", PhraseKind.FIXED, date(2024, 12, 31), None),
    ("上半年", PhraseKind.FIXED, date(2024, 6, 30), None),
    ("下半年", PhraseKind.FIXED, date(2024, 12, 31), None),
    ("2022年10月底前", PhraseKind.FIXED, date(2022, 10, 31), None),   # its own year wins over the list year
    ("2022年底前", PhraseKind.FIXED, date(2022, 12, 31), None),
    ("6月30日前", PhraseKind.FIXED, date(2024, 6, 30), None),
    ("3月25日前", PhraseKind.FIXED, date(2024, 3, 25), None),
    ("2月底前", PhraseKind.FIXED, date(2024, 2, 29), None),
    ("次年3月底前", PhraseKind.FIXED, date(2025, 3, 31), None),
    ("十二月底前", PhraseKind.FIXED, date(2024, 12, 31), None),
    ("６月３０日前", PhraseKind.FIXED, date(2024, 6, 30), None),          # full-width digits
    (" 5月底前。", PhraseKind.FIXED, date(2024, 5, 31), None),
    ("6月中旬", PhraseKind.FIXED, date(2024, 6, 20), None),
    ("第三季度末", PhraseKind.FIXED, date(2024, 9, 30), None),
    ("5月底前完成，长期坚持", PhraseKind.FIXED_THEN_ONGOING, date(2024, 5, 31), Recurrence.LONG_TERM),
    ("长期坚持", PhraseKind.ONGOING, None, Recurrence.LONG_TERM),
    ("持续推进", PhraseKind.ONGOING, None, Recurrence.LONG_TERM),
    ("常态化", PhraseKind.ONGOING, None, Recurrence.LONG_TERM),
    ("常态化开展", PhraseKind.ONGOING, None, Recurrence.LONG_TERM),
    ("每月28日前", PhraseKind.RECURRING, None, Recurrence.MONTHLY),
    ("每季度", PhraseKind.RECURRING, None, Recurrence.QUARTERLY),
    ("每季度末", PhraseKind.RECURRING, None, Recurrence.QUARTERLY),
    ("每半年", PhraseKind.RECURRING, None, Recurrence.HALF_YEARLY),
    ("每年3月底前", PhraseKind.RECURRING, None, Recurrence.YEARLY),
    ("每周五前", PhraseKind.RECURRING, None, Recurrence.WEEKLY),
])
def test_phrases(phrase: str, kind: PhraseKind, due: date | None, recurrence: Recurrence | None) -> None:
    parsed = parse_deadline_phrase(phrase, 2024)
    assert (parsed.kind, parsed.due_on, parsed.recurrence) == (kind, due, recurrence)
    assert parsed.phrase == phrase


@pytest.mark.parametrize("phrase", ["", "   ", "尽快", "视情况而定", "一年四季", "彻底整改", "2月30日前", "13月底前"])
def test_unknown_phrases_keep_the_wording_and_have_no_date(phrase: str) -> None:
    parsed = parse_deadline_phrase(phrase, 2024)
    assert parsed.kind is PhraseKind.UNKNOWN
    assert parsed.due_on is None
    assert parsed.phrase == phrase


def test_none_phrase_is_unknown() -> None:
    assert parse_deadline_phrase(None, 2024) == DeadlinePhrase("", PhraseKind.UNKNOWN, None, None)


def test_several_named_dates_are_checkpoints_and_the_last_is_due() -> None:
    parsed = parse_deadline_phrase("3月25日、6月25日、9月25日前", 2024)
    assert parsed.kind is PhraseKind.FIXED
    assert parsed.checkpoints == (date(2024, 3, 25), date(2024, 6, 25), date(2024, 9, 25))
    assert parsed.due_on == date(2024, 9, 25)
    assert next_due(parsed, date(2024, 4, 1)) == date(2024, 6, 25)
    assert next_due(parsed, date(2024, 10, 1)) == date(2024, 9, 25)  # all past: stays overdue


def test_monthly_report_day_and_next_due() -> None:
    parsed = parse_deadline_phrase("每月28日前", 2024)
    assert parsed.day_of_period == 28
    assert len(parsed.checkpoints) == 12 and parsed.checkpoints[1] == date(2024, 2, 28)
    assert next_due(parsed, date(2024, 7, 10)) == date(2024, 7, 28)
    assert next_due(parsed, date(2024, 7, 29)) == date(2024, 8, 28)
    assert next_due(parsed, date(2024, 12, 29)) == date(2025, 1, 28)


def test_quarterly_report_dates() -> None:
    quarter_end = parse_deadline_phrase("每季度末", 2024)
    assert quarter_end.checkpoints == (date(2024, 3, 31), date(2024, 6, 30), date(2024, 9, 30), date(2024, 12, 31))
    assert next_due(quarter_end, date(2024, 7, 1)) == date(2024, 9, 30)
    henan = parse_deadline_phrase("每季度末月25日前", 2024)
    assert henan.checkpoints == (date(2024, 3, 25), date(2024, 6, 25), date(2024, 9, 25), date(2024, 12, 25))


def test_yearly_and_weekly_next_due() -> None:
    yearly = parse_deadline_phrase("每年3月底前", 2024)
    assert next_due(yearly, date(2024, 5, 1)) == date(2025, 3, 31)
    weekly = parse_deadline_phrase("每周五前", 2024)
    assert next_due(weekly, date(2024, 7, 7)) == date(2024, 7, 12)   # Sunday -> Friday
    assert next_due(weekly, date(2024, 7, 12)) == date(2024, 7, 12)  # the Friday itself


def test_ongoing_and_unknown_have_no_next_due() -> None:
    assert next_due(parse_deadline_phrase("长期坚持", 2024), date(2024, 5, 1)) is None
    assert next_due(parse_deadline_phrase("尽快", 2024), date(2024, 5, 1)) is None


def test_monthly_day_past_month_end_is_clamped() -> None:
    assert occurrences_in_year(Recurrence.MONTHLY, 2023, 31)[1] == date(2023, 2, 28)


@given(st.text(max_size=40), st.integers(min_value=1990, max_value=2090))
def test_parser_never_raises_and_keeps_the_wording(phrase: str, year: int) -> None:
    parsed = parse_deadline_phrase(phrase, year)
    assert parsed.phrase == phrase
    if parsed.kind in (PhraseKind.FIXED, PhraseKind.FIXED_THEN_ONGOING):
        assert parsed.due_on is not None and parsed.due_on == max(parsed.checkpoints)
    else:
        assert parsed.due_on is None


@given(month=st.integers(min_value=1, max_value=12), year=st.integers(min_value=2000, max_value=2090))
def test_month_end_phrases(month: int, year: int) -> None:
    parsed = parse_deadline_phrase(f"{month}月底前", year)
    assert parsed.due_on is not None
    assert (parsed.due_on.year, parsed.due_on.month) == (year, month)
    assert parsed.due_on.toordinal() + 1 == date(year + month // 12, month % 12 + 1, 1).toordinal()  # last day
