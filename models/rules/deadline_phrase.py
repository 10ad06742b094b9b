"""完成时限 phrases of a task list ("5月底前完成并长期坚持", "每月28日前", "长期坚持") -> structured values.

The clerk's wording is always kept verbatim in `DeadlinePhrase.phrase`; parsing never raises, and a
phrase it cannot read comes back as kind UNKNOWN with no due date. Month and year words are read
against the year of the task list ("5月底前" in the 2022 list = 2022-05-31) unless the phrase names
its own year ("2022年10月底前", "次年3月底前").
"""
from __future__ import annotations

import calendar as month_calendar
import re
import unicodedata
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum


class PhraseKind(StrEnum):
    FIXED = "fixed"                             # 5月底前, 6月30日前, 上半年, 3月25日、6月25日前
    FIXED_THEN_ONGOING = "fixed_then_ongoing"   # 5月底前完成并长期坚持: due date, then kept up
    ONGOING = "ongoing"                         # 长期坚持, 持续推进, 常态化: never overdue
    RECURRING = "recurring"                     # 每月28日前, 每季度: a report due every period
    FIXED_THEN_RECURRING = "fixed_then_recurring"  # 6月底前完成，以后每季度报送: a date, then reports
    UNKNOWN = "unknown"


class Recurrence(StrEnum):
    LONG_TERM = "long_term"
    WEEKLY = "weekly"
    MONTHLY = "monthly"
    QUARTERLY = "quarterly"
    HALF_YEARLY = "half_yearly"
    YEARLY = "yearly"


@dataclass(frozen=True)
class DeadlinePhrase:
    phrase: str                         # verbatim, as the clerk wrote it
    kind: PhraseKind
    due_on: date | None                 # final due date of a FIXED / FIXED_THEN_ONGOING phrase
    recurrence: Recurrence | None
    checkpoints: tuple[date, ...] = ()  # every date the phrase names, or a recurrence's dates in the list year
    day_of_period: int | None = None    # 每月28日 -> 28; 每周五 -> 5; None = the period's last day
    month_of_period: int | None = None  # 每季度首月 -> 1 (Jan/Apr/Jul/Oct); None = the period's last month


_SMALL_NUMERALS = {"一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_NUMBER = r"\d{1,2}|[二三]?十[一二三四五六七八九]?|[一二三四五六七八九]"
_DATE_RE = re.compile(
    r"(?<!\d)(?:(?P<year>(?:19|20)\d{2})年|(?P<rel>次年|明年|翌年|当年|今年|本年))?"
    r"(?:"
    rf"(?P<month>{_NUMBER})月(?:(?P<day>{_NUMBER})[日号]|(?P<part>上旬|中旬|下旬|底|末|份|初|中|内)?)"
    r"|第?(?P<quarter>[一二三四1-4])季度(?:末|底)?"
    r"|(?P<year_part>上半年|下半年|年底|年末|年内|全年|年中|底|末|内)"
    r")")
_ONGOING_RE = re.compile(r"长期|持续|常态|经常性|常年|久久为功")
_RECURRING_RULES: tuple[tuple[re.Pattern[str], Recurrence], ...] = (
    (re.compile(r"每个?周|每星期|按周|逐周"), Recurrence.WEEKLY),
    (re.compile(r"每个?月|按月|逐月"), Recurrence.MONTHLY),
    (re.compile(r"每个?季|按季|逐季"), Recurrence.QUARTERLY),
    (re.compile(r"每半年|按半年"), Recurrence.HALF_YEARLY),
    (re.compile(r"每年|按年|逐年"), Recurrence.YEARLY),
)
_DAY_OF_MONTH_RE = re.compile(rf"(?P<day>{_NUMBER})[日号]")
_WEEKDAY_RE = re.compile(r"(?:周|星期)(?P<weekday>[一二三四五六日天1-7])")
_WEEKDAYS = {"一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "日": 7, "天": 7}
DEFAULT_WEEKDAY = 5  # a weekly report is due by Friday, the end of the working week
_PART_DAY = {"上旬": 10, "中旬": 20, "初": 10, "中": 15}  # other parts (底 末 份 下旬 内 none) = month end


def _number(text: str) -> int:
    if text.isdigit():
        return int(text)
    if "十" not in text:
        return _SMALL_NUMERALS[text]
    tens_text, _, units_text = text.partition("十")
    tens = _SMALL_NUMERALS[tens_text] if tens_text else 1
    return tens * 10 + (_SMALL_NUMERALS[units_text] if units_text else 0)


def _month_end(year: int, month: int) -> date:
    return date(year, month, month_calendar.monthrange(year, month)[1])


_NUMERIC_DATE_RE = re.compile(r"(?<!\d)((?:19|20)\d{2})[./\-](\d{1,2})(?:[./\-](\d{1,2}))?(?!\d)")


def _numeric_date_as_words(match: re.Match[str]) -> str:
    year, month, day = match.groups()
    return f"{year}年{int(month)}月{int(day)}日" if day else f"{year}年{int(month)}月"


def _normalise(phrase: str) -> str:
    """Full-width digits and punctuation to ASCII, no spaces, no closing punctuation; numeric dates
    (2022.12.31, 2022-06-30, 2022/6/30) spelled the way the rest of the parser reads them."""
    text = unicodedata.normalize("NFKC", phrase)
    text = re.sub(r"\s+", "", text).rstrip("。.;；,，")
    return _NUMERIC_DATE_RE.sub(_numeric_date_as_words, text)


def _match_date(match: re.Match[str], list_year: int) -> date | None:
    if match["year"]:
        year = int(match["year"])
    elif match["rel"] in ("次年", "明年", "翌年"):
        year = list_year + 1
    else:
        year = list_year
    try:
        if match["month"]:
            month = _number(match["month"])
            if match["day"]:
                return date(year, month, _number(match["day"]))
            part_day = _PART_DAY.get(match["part"] or "")
            return date(year, month, part_day) if part_day else _month_end(year, month)
        if match["quarter"]:
            return _month_end(year, _number(match["quarter"]) * 3)
    except ValueError:  # 2月30日, 13月: not a date, so not a deadline
        return None
    year_part = match["year_part"]
    if year_part in ("底", "末", "内") and not match["year"]:
        return None  # a bare 底 is "彻底", not "2022年底"
    return date(year, 6, 30) if year_part in ("上半年", "年中") else date(year, 12, 31)


def _dates_in(text: str, list_year: int) -> list[date]:
    found = (_match_date(match, list_year) for match in _DATE_RE.finditer(text))
    return sorted({day for day in found if day is not None})


_PERIOD_MONTHS = {Recurrence.QUARTERLY: 3, Recurrence.HALF_YEARLY: 6}
# "每季度首月10日前": the report falls in the period's first month, not its last.
_FIRST_MONTH_RE = re.compile(r"首月|第一个?月|初月|季初|半年初")


def occurrences_in_year(recurrence: Recurrence, year: int, day_of_period: int | None = None,
                        anchor: tuple[int, int] | None = None, month_of_period: int | None = None
                        ) -> list[date]:
    """Due dates of a recurring report in one year (weekly ones: see `next_due`). A day past the
    month's end is clamped to it (每月31日 in February = 28/29). A quarterly or half-yearly report falls in
    the period's last month unless `month_of_period` names another (1 = the first)."""
    if recurrence is Recurrence.YEARLY:
        month, day = anchor or (12, 31)
        return [date(year, month, min(day, _month_end(year, month).day))]
    if recurrence is Recurrence.MONTHLY:
        months: list[int] = list(range(1, 13))
    elif recurrence in _PERIOD_MONTHS:
        length = _PERIOD_MONTHS[recurrence]
        offset = (month_of_period or length) - 1
        months = [start + offset for start in range(1, 13, length)]
    else:
        months = []
    return [date(year, month, min(day_of_period or 31, _month_end(year, month).day)) for month in months]


def _parse_recurring(text: str, recurrence: Recurrence, list_year: int, phrase: str) -> DeadlinePhrase:
    day_of_period: int | None = None
    anchor: tuple[int, int] | None = None
    month_of_period = 1 if recurrence in _PERIOD_MONTHS and _FIRST_MONTH_RE.search(text) else None
    if recurrence is Recurrence.WEEKLY:
        weekday = _WEEKDAY_RE.search(text)
        if weekday is None:
            day_of_period = DEFAULT_WEEKDAY
        else:
            value = weekday["weekday"]
            day_of_period = int(value) if value.isdigit() else _WEEKDAYS[value]
    elif recurrence is Recurrence.YEARLY:
        named_dates = _dates_in(text, list_year)
        anchor = (named_dates[0].month, named_dates[0].day) if named_dates else None
    elif recurrence in (Recurrence.MONTHLY, Recurrence.QUARTERLY, Recurrence.HALF_YEARLY):
        day_match = _DAY_OF_MONTH_RE.search(text)
        if day_match and 1 <= _number(day_match["day"]) <= 31:
            day_of_period = _number(day_match["day"])
    checkpoints = tuple(occurrences_in_year(recurrence, list_year, day_of_period, anchor, month_of_period))
    return DeadlinePhrase(phrase, PhraseKind.RECURRING, None, recurrence, checkpoints, day_of_period,
                          month_of_period)


# "6月底前完成，以后每季度报送进展": what comes before 以后/此后/之后/然后 is a one-off date.
_THEN_RE = re.compile(r"[,，;；]?(?:以后|此后|之后|然后|其后|嗣后|后续|并)(?=[^,，;；]*(?:每|按[周月季年半]|逐[周月季年]))")


def _parse_fixed_then_recurring(text: str, list_year: int, phrase: str) -> DeadlinePhrase | None:
    then = _THEN_RE.search(text)
    if then is None:
        return None
    head, tail = text[:then.start()], text[then.end():]
    first_dates = _dates_in(head, list_year)
    if not first_dates:
        return None
    for pattern, recurrence in _RECURRING_RULES:
        if pattern.search(tail):
            recurring = _parse_recurring(tail, recurrence, list_year, phrase)
            after = tuple(day for day in recurring.checkpoints if day > first_dates[-1])
            return DeadlinePhrase(phrase, PhraseKind.FIXED_THEN_RECURRING, first_dates[-1], recurrence,
                                  (*first_dates, *after), recurring.day_of_period, recurring.month_of_period)
    return None


def parse_deadline_phrase(phrase: str | None, list_year: int) -> DeadlinePhrase:
    """Read one 完成时限 phrase of the task list of `list_year`. Never raises."""
    verbatim = phrase or ""
    text = _normalise(verbatim)
    if not text:
        return DeadlinePhrase(verbatim, PhraseKind.UNKNOWN, None, None)
    then_recurring = _parse_fixed_then_recurring(text, list_year, verbatim)
    if then_recurring is not None:
        return then_recurring
    for pattern, recurrence in _RECURRING_RULES:
        if pattern.search(text):
            return _parse_recurring(text, recurrence, list_year, verbatim)
    named_dates = _dates_in(text, list_year)
    ongoing = _ONGOING_RE.search(text) is not None
    if named_dates:
        kind = PhraseKind.FIXED_THEN_ONGOING if ongoing else PhraseKind.FIXED
        return DeadlinePhrase(verbatim, kind, named_dates[-1], Recurrence.LONG_TERM if ongoing else None,
                              tuple(named_dates))
    if ongoing:
        return DeadlinePhrase(verbatim, PhraseKind.ONGOING, None, Recurrence.LONG_TERM)
    return DeadlinePhrase(verbatim, PhraseKind.UNKNOWN, None, None)


def next_due(parsed: DeadlinePhrase, today: date) -> date | None:
    """The date the item is measured against on `today`: the first named date not yet past (the
    last one once all are past, so an overdue item stays overdue), the next report date of a
    recurring item, None for ongoing and unknown phrases."""
    if parsed.kind in (PhraseKind.FIXED, PhraseKind.FIXED_THEN_ONGOING):
        upcoming = [day for day in parsed.checkpoints if day >= today]
        return upcoming[0] if upcoming else parsed.due_on
    if parsed.kind is PhraseKind.FIXED_THEN_RECURRING and parsed.due_on and today <= parsed.due_on:
        return parsed.due_on
    if parsed.kind not in (PhraseKind.RECURRING, PhraseKind.FIXED_THEN_RECURRING) or parsed.recurrence is None:
        return None
    if parsed.recurrence is Recurrence.WEEKLY:
        weekday = parsed.day_of_period or DEFAULT_WEEKDAY
        return today + timedelta(days=(weekday - 1 - today.weekday()) % 7)
    anchor = None
    if parsed.recurrence is Recurrence.YEARLY and parsed.checkpoints:
        anchor = (parsed.checkpoints[0].month, parsed.checkpoints[0].day)
    for year in (today.year, today.year + 1):
        for day in occurrences_in_year(parsed.recurrence, year, parsed.day_of_period, anchor,
                                       parsed.month_of_period):
            if day >= today:
                return day
    return None
