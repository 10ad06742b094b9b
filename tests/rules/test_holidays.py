"""The bundled China working-day calendar and loading of office-supplied files."""
from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from models.errors import DomainError
from models.rules.holidays import HolidayCalendar


@pytest.fixture(scope="module")
def calendar() -> HolidayCalendar:
    return HolidayCalendar.load_default()


def test_default_calendar_covers_2019_to_2026(calendar: HolidayCalendar) -> None:
    for year in range(2019, 2027):
        assert calendar.covers(year)
        assert year in calendar.covered_years
    assert not calendar.covers(2099)


@pytest.mark.parametrize(("day", "name"), [
    (date(2024, 5, 1), "劳动节"), (date(2024, 5, 5), "劳动节"), (date(2024, 2, 10), "春节"),
    (date(2024, 2, 16), "春节"), (date(2023, 10, 6), "中秋节、国庆节"), (date(2019, 5, 3), "劳动节"),
    (date(2020, 2, 2), "春节"),  # the 2020 extension of 春节 (COVID) notice
    (date(2018, 12, 31), "元旦"),  # the 2019 notice starts in December 2018
    (date(2025, 1, 28), "春节"), (date(2026, 2, 23), "春节"), (date(2026, 10, 7), "国庆节"),
])
def test_statutory_days_off_are_not_working_days(calendar: HolidayCalendar, day: date, name: str) -> None:
    assert not calendar.is_working_day(day)
    assert calendar.holiday_name(day) == name


@pytest.mark.parametrize("day", [
    date(2024, 2, 4), date(2024, 2, 18), date(2024, 4, 28), date(2024, 5, 11), date(2024, 9, 14),
    date(2023, 10, 7), date(2023, 10, 8), date(2019, 5, 5), date(2018, 12, 29), date(2020, 1, 19),
    date(2025, 4, 27), date(2026, 1, 4), date(2026, 2, 28), date(2026, 9, 20),
])
def test_adjusted_weekends_are_working_days(calendar: HolidayCalendar, day: date) -> None:
    assert day.weekday() >= 5
    assert calendar.is_working_day(day)
    assert calendar.holiday_name(day) is None


def test_2020_spring_festival_extension_cancels_the_planned_saturday_shift(calendar: HolidayCalendar) -> None:
    # The original notice made 2020-02-01 a working Saturday; the extension to 2 Feb made it a day off.
    assert not calendar.is_working_day(date(2020, 2, 1))
    assert calendar.next_working_day(date(2020, 1, 24)) == date(2020, 2, 3)


def test_plain_weekdays_and_weekends(calendar: HolidayCalendar) -> None:
    assert calendar.is_working_day(date(2024, 3, 20))      # Wednesday
    assert not calendar.is_working_day(date(2024, 3, 23))  # Saturday


def test_next_working_day_returns_the_day_itself_when_working(calendar: HolidayCalendar) -> None:
    assert calendar.next_working_day(date(2024, 3, 20)) == date(2024, 3, 20)
    assert calendar.next_working_day(date(2024, 5, 5)) == date(2024, 5, 6)
    assert calendar.next_working_day(date(2024, 9, 29)) == date(2024, 9, 29)  # a working Sunday
    assert calendar.next_working_day(date(2024, 9, 30)) == date(2024, 9, 30)
    assert calendar.next_working_day(date(2024, 10, 1)) == date(2024, 10, 8)


def test_every_year_has_the_seven_festivals(calendar: HolidayCalendar) -> None:
    names_needed = {"元旦", "春节", "清明节", "劳动节", "端午节", "中秋节", "国庆节"}
    for year in calendar.covered_years:
        names = {part for block in calendar.blocks if block.year == year for part in block.name.split("、")}
        assert names == names_needed, year


def test_spring_festival_and_national_day_are_long_breaks(calendar: HolidayCalendar) -> None:
    for year in range(2019, 2027):
        for name in ("春节", "国庆节"):
            block = next(b for b in calendar.blocks if b.year == year and name in b.name)
            assert (block.last_day - block.first_day).days + 1 >= 7, (year, name)


def test_uncovered_year_falls_back_to_weekends(calendar: HolidayCalendar) -> None:
    assert not calendar.covers(2040)
    assert calendar.is_working_day(date(2040, 10, 1))       # a Monday; holidays of 2040 unknown
    assert not calendar.is_working_day(date(2040, 10, 6))   # Saturday
    assert calendar.next_working_day(date(2040, 10, 6)) == date(2040, 10, 8)


def test_weekends_only_calendar() -> None:
    calendar = HolidayCalendar.weekends_only()
    assert calendar.covered_years == ()
    assert calendar.is_working_day(date(2024, 5, 1))
    assert calendar.next_working_day(date(2024, 5, 4)) == date(2024, 5, 6)


def _write(tmp_path: Path, content: object) -> Path:
    path = tmp_path / "节假日.json"
    path.write_text(content if isinstance(content, str) else json.dumps(content, ensure_ascii=False),
                    encoding="utf-8")
    return path


def test_from_file_reads_an_office_update(tmp_path: Path) -> None:
    path = _write(tmp_path, {"format": "fjld-holidays/1", "years": {"2027": {"source": "测试", "holidays": [
        {"name": "元旦", "from": "2027-01-01", "work": []},
        {"name": "春节", "from": "2027-02-05", "to": "2027-02-11", "work": ["2027-02-13"]}]}}})
    calendar = HolidayCalendar.from_file(path)
    assert calendar.covered_years == (2027,)
    assert not calendar.is_working_day(date(2027, 2, 8))
    assert calendar.is_working_day(date(2027, 2, 13))
    assert calendar.blocks[1].source == "测试"


def test_from_file_accepts_a_bom(tmp_path: Path) -> None:
    path = tmp_path / "bom.json"
    path.write_bytes(b"\xef\xbb\xbf" + json.dumps({"years": {}}).encode())
    assert HolidayCalendar.from_file(path).covered_years == ()


@pytest.mark.parametrize(("content", "fragment"), [
    ("{not json", "不是有效的 JSON"),
    ({"holidays": []}, "缺少“years”"),
    ({"format": "other/9", "years": {}}, "不支持的格式版本"),
    ({"years": {"24": {"holidays": []}}}, "年份“24”应为四位数字"),
    ({"years": {"2024": {}}}, "2024年缺少“holidays”"),
    ({"years": {"2024": {"holidays": [{"from": "2024-01-01"}]}}}, "缺少节日名称"),
    ({"years": {"2024": {"holidays": [{"name": "春节", "from": "2024-02-30"}]}}}, "“2024-02-30”不是有效日期"),
    ({"years": {"2024": {"holidays": [{"name": "春节", "from": "2024-02-17", "to": "2024-02-10"}]}}},
     "结束日期早于开始日期"),
    ({"years": {"2024": {"holidays": [{"name": "春节", "from": "2024-02-10", "to": "2024-04-10"}]}}},
     "放假超过31天"),
    ({"years": {"2024": {"holidays": [{"name": "春节", "from": "2021-02-10"}]}}}, "不在2024年前后"),
    ({"years": {"2024": {"holidays": [{"name": "春节", "from": "2024-02-10", "work": ["2024-02-05"]}]}}},
     "2024-02-05 不是周六或周日"),
    ({"years": {"2024": {"holidays": [{"name": "春节", "from": "2024-02-10", "to": "2024-02-17",
                                       "work": ["2024-02-11"]}]}}}, "同时被列为放假日"),
])
def test_bad_calendar_file_gives_a_clear_domain_error(tmp_path: Path, content: object, fragment: str) -> None:
    path = _write(tmp_path, content)
    with pytest.raises(DomainError) as caught:
        HolidayCalendar.from_file(path)
    assert caught.value.code == "holiday_file_invalid"
    assert fragment in caught.value.message
    assert str(path) in caught.value.message


def test_missing_calendar_file_is_a_domain_error(tmp_path: Path) -> None:
    with pytest.raises(DomainError) as caught:
        HolidayCalendar.from_file(tmp_path / "没有.json")
    assert caught.value.code == "holiday_file_unreadable"
    assert "无法读取节假日文件" in caught.value.message


def test_load_default_reads_through_resources_dir(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    # A PyInstaller bundle keeps resources under sys._MEIPASS; the loader must follow resources_dir().
    import sys

    from models.rules import holidays

    bundle_resources = tmp_path / "resources" / "holidays"
    bundle_resources.mkdir(parents=True)
    (bundle_resources / "cn.json").write_text(json.dumps({"years": {"2031": {"holidays": []}}}), encoding="utf-8")
    monkeypatch.setattr(sys, "_MEIPASS", str(tmp_path), raising=False)
    holidays._load_default_cached.cache_clear()
    try:
        assert HolidayCalendar.load_default().covered_years == (2031,)
    finally:
        holidays._load_default_cached.cache_clear()


def test_every_listed_day_off_falls_in_its_notice_year_window(calendar: HolidayCalendar) -> None:
    for block in calendar.blocks:
        assert block.first_day <= block.last_day
        assert block.first_day >= date(block.year - 1, 12, 1)
        assert block.last_day <= date(block.year, 12, 31)


def test_combined_adds_a_new_year_and_replaces_a_corrected_one(tmp_path: Path, calendar: HolidayCalendar) -> None:
    office = HolidayCalendar.from_file(_write(tmp_path, {"years": {
        "2027": {"holidays": [{"name": "元旦", "from": "2027-01-01", "work": []}]},
        "2024": {"holidays": [{"name": "劳动节", "from": "2024-05-01", "to": "2024-05-03", "work": []}]}}}))
    merged = HolidayCalendar.combined(calendar, office)
    assert merged.covered_years == tuple(range(2016, 2028))
    assert not merged.is_working_day(date(2027, 1, 1))
    assert merged.is_working_day(date(2024, 5, 6))             # both calendars agree
    assert merged.holiday_name(date(2024, 2, 12)) is None      # 2024 replaced as a whole by the office file
    assert merged.holiday_name(date(2025, 1, 28)) == "春节"     # other years untouched
