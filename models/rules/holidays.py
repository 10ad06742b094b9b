"""China's official working-day calendar: 法定节假日 (days off) and 调休 weekend working days.

The data comes from the yearly 国务院办公厅《关于××年部分节假日安排的通知》 and is bundled as
`resources/holidays/cn.json`. An office can load an updated file every November with `from_file`.

JSON format (UTF-8)::

    {
      "format": "fjld-holidays/1",
      "years": {
        "2024": {
          "source": "https://www.gov.cn/zhengce/content/202310/content_6911527.htm",
          "holidays": [
            {"name": "春节", "from": "2024-02-10", "to": "2024-02-17",
             "work": ["2024-02-04", "2024-02-18"]},
            {"name": "元旦", "from": "2024-01-01", "work": []}
          ]
        }
      }
    }

- a key of "years" is the year of the notice; "from".."to" (inclusive; "to" may be left out for one
  day) are the days off, which may start in the previous December (2019 元旦 began 2018-12-30);
- "work" lists the weekend days that become working days (调休上班); each must be a Saturday or Sunday;
- "source" is free text (notice number or address) shown to the user.

A year the file does not cover falls back to "Monday-Friday work, weekends off"; `covers(year)` says
which case applies so the UI can warn that holidays of that year are not known yet.
"""
from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache
from pathlib import Path

from models.errors import DomainError
from models.platform import resources_dir

FORMAT_TAG = "fjld-holidays/1"
DEFAULT_FILE = Path("holidays") / "cn.json"
MAX_BLOCK_DAYS = 31  # no real holiday block is longer; a longer one is a typo in the file
SATURDAY = 5


@dataclass(frozen=True)
class HolidayBlock:
    """One holiday of one notice, e.g. 春节 2024-02-10..2024-02-17 with two 调休 working days."""

    year: int
    name: str
    first_day: date
    last_day: date
    working_days: tuple[date, ...]
    source: str

    def days_off(self) -> list[date]:
        return [self.first_day + timedelta(days=n) for n in range((self.last_day - self.first_day).days + 1)]


def _is_weekend(day: date) -> bool:
    return day.weekday() >= SATURDAY


class HolidayCalendar:
    """Immutable: answers whether a day is a working day. Build with `load_default`, `from_file`
    or `weekends_only`."""

    def __init__(self, blocks: Iterable[HolidayBlock], covered_years: Iterable[int]) -> None:
        self._blocks = tuple(sorted(blocks, key=lambda block: block.first_day))
        self._covered_years = frozenset(covered_years)
        self._holiday_names: dict[date, str] = {}
        self._working_weekends: set[date] = set()
        for block in self._blocks:
            for day in block.days_off():
                self._holiday_names[day] = block.name
            self._working_weekends.update(block.working_days)

    # ---- construction -------------------------------------------------------------------------
    @classmethod
    def weekends_only(cls) -> HolidayCalendar:
        return cls((), ())

    @classmethod
    def load_default(cls) -> HolidayCalendar:
        """The calendar shipped with the program (cached: it never changes while running)."""
        return _load_default_cached()

    @classmethod
    def from_file(cls, path: Path | str) -> HolidayCalendar:
        path = Path(path)
        try:
            text = path.read_text(encoding="utf-8-sig")  # Notepad on Windows may add a BOM
        except (OSError, UnicodeDecodeError) as exc:
            raise DomainError("holiday_file_unreadable", f"无法读取节假日文件：{path}（{exc}）",
                              path=str(path)) from exc
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise DomainError("holiday_file_invalid",
                              f"节假日文件格式错误：{path}：第{exc.lineno}行第{exc.colno}列不是有效的 JSON",
                              path=str(path)) from exc
        return cls.from_dict(data, origin=str(path))

    @classmethod
    def from_dict(cls, data: object, *, origin: str = "节假日数据") -> HolidayCalendar:
        blocks, years = _parse_calendar(data, origin)
        return cls(blocks, years)

    @classmethod
    def combined(cls, *calendars: HolidayCalendar) -> HolidayCalendar:
        """One calendar from several, later ones winning per notice year: the bundled calendar plus an
        office file that only adds next year's notice."""
        blocks_by_year: dict[int, list[HolidayBlock]] = {}
        for calendar in calendars:
            own_years = {block.year for block in calendar.blocks} | set(calendar.covered_years)
            for year in own_years:
                blocks_by_year[year] = [block for block in calendar.blocks if block.year == year]
        return cls([block for blocks in blocks_by_year.values() for block in blocks], blocks_by_year)

    # ---- questions ----------------------------------------------------------------------------
    @property
    def covered_years(self) -> tuple[int, ...]:
        return tuple(sorted(self._covered_years))

    @property
    def blocks(self) -> tuple[HolidayBlock, ...]:
        return self._blocks

    def covers(self, year: int) -> bool:
        """True when the official arrangement of `year` is known; else only weekends count."""
        return year in self._covered_years

    def holiday_name(self, day: date) -> str | None:
        """"春节" etc. when `day` is a statutory day off, else None."""
        return self._holiday_names.get(day)

    def is_working_day(self, day: date) -> bool:
        if day in self._holiday_names:
            return False
        if day in self._working_weekends:
            return True
        return not _is_weekend(day)

    def next_working_day(self, day: date) -> date:
        """`day` itself when it is a working day, else the first working day after it."""
        while not self.is_working_day(day):
            day += timedelta(days=1)
        return day


@lru_cache(maxsize=1)
def _load_default_cached() -> HolidayCalendar:
    return HolidayCalendar.from_file(resources_dir() / DEFAULT_FILE)


# ---- validation of the JSON ---------------------------------------------------------------------
def _invalid(origin: str, detail: str) -> DomainError:
    return DomainError("holiday_file_invalid", f"节假日文件格式错误：{origin}：{detail}",
                       path=origin, detail=detail)


def _parse_day(value: object, where: str, origin: str) -> date:
    if not isinstance(value, str):
        raise _invalid(origin, f"{where}应为“YYYY-MM-DD”格式的日期")
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise _invalid(origin, f"{where}“{value}”不是有效日期（应为 YYYY-MM-DD）") from None


def _parse_calendar(data: object, origin: str) -> tuple[list[HolidayBlock], list[int]]:
    if not isinstance(data, Mapping) or not isinstance(data.get("years"), Mapping):
        raise _invalid(origin, "缺少“years”部分")
    if data.get("format", FORMAT_TAG) != FORMAT_TAG:
        raise _invalid(origin, f"不支持的格式版本“{data.get('format')}”（应为 {FORMAT_TAG}）")
    blocks: list[HolidayBlock] = []
    years: list[int] = []
    for year_key, year_data in data["years"].items():
        if not (isinstance(year_key, str) and year_key.isdigit() and len(year_key) == 4):
            raise _invalid(origin, f"年份“{year_key}”应为四位数字")
        year = int(year_key)
        if not isinstance(year_data, Mapping) or not isinstance(year_data.get("holidays"), list):
            raise _invalid(origin, f"{year}年缺少“holidays”列表")
        source = str(year_data.get("source", ""))
        for index, entry in enumerate(year_data["holidays"], start=1):
            blocks.append(_parse_block(entry, year, f"{year}年第{index}项", source, origin))
        years.append(year)
    _check_no_clash(blocks, origin)
    return blocks, years


def _parse_block(entry: object, year: int, where: str, source: str, origin: str) -> HolidayBlock:
    if not isinstance(entry, Mapping):
        raise _invalid(origin, f"{where}应为对象")
    name = entry.get("name")
    if not isinstance(name, str) or not name.strip():
        raise _invalid(origin, f"{where}缺少节日名称“name”")
    where = f"{where}（{name}）"
    first_day = _parse_day(entry.get("from"), f"{where}的开始日期", origin)
    last_day = _parse_day(entry.get("to", entry.get("from")), f"{where}的结束日期", origin)
    if last_day < first_day:
        raise _invalid(origin, f"{where}结束日期早于开始日期")
    if (last_day - first_day).days >= MAX_BLOCK_DAYS:
        raise _invalid(origin, f"{where}放假超过{MAX_BLOCK_DAYS}天，请检查日期")
    if first_day.year not in (year - 1, year) or last_day.year not in (year, year + 1):
        raise _invalid(origin, f"{where}的日期不在{year}年前后")
    work_values = entry.get("work", [])
    if not isinstance(work_values, list):
        raise _invalid(origin, f"{where}的“work”应为日期列表")
    working_days = tuple(_parse_day(value, f"{where}的调休上班日", origin) for value in work_values)
    for day in working_days:
        if not _is_weekend(day):
            raise _invalid(origin, f"{where}的调休上班日 {day.isoformat()} 不是周六或周日")
    return HolidayBlock(year, name.strip(), first_day, last_day, working_days, source)


def _check_no_clash(blocks: list[HolidayBlock], origin: str) -> None:
    off_days = {day: block.name for block in blocks for day in block.days_off()}
    for block in blocks:
        for day in block.working_days:
            if day in off_days:
                raise _invalid(origin, f"{day.isoformat()} 同时被列为放假日（{off_days[day]}）和调休上班日")
