"""Text formats of the published list's cells other than the circled groups: "一、…方面", "1.…", and the
dated 进展情况 line "截至2022年6月30日：…". Export formats them, import parses them back."""
from __future__ import annotations

import datetime as dt
import re

_DIGITS = "零一二三四五六七八九"
_ASPECT_PREFIX = re.compile(r"^\s*[一二三四五六七八九十百]+\s*[、.．]\s*")
_TASK_PREFIX = re.compile(r"^\s*(\d+)\s*[.．、]\s*")
_PROGRESS_DATE = re.compile(r"^\s*截至\s*(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日\s*[：:]\s*")


def chinese_number(number: int) -> str:
    """1 -> 一, 10 -> 十, 14 -> 十四, 20 -> 二十 (enough for 方面 counts)."""
    if number < 10:
        return _DIGITS[number]
    tens, ones = divmod(number, 10)
    return ("" if tens == 1 else _DIGITS[tens]) + "十" + (_DIGITS[ones] if ones else "")


def aspect_heading(index: int, title: str) -> str:
    return f"{chinese_number(index)}、{title}"


def strip_aspect_prefix(text: str) -> str:
    return _ASPECT_PREFIX.sub("", text.strip(), count=1)


def is_aspect_heading(text: str) -> bool:
    stripped = text.strip()
    return bool(_ASPECT_PREFIX.match(stripped)) or stripped.endswith("方面")


def task_heading(number: int, text: str) -> str:
    return f"{number}.{text}"


def split_task_heading(text: str) -> tuple[int | None, str]:
    """"1.依法…" -> (1, "依法…"); no number -> (None, text)."""
    stripped = text.strip()
    match = _TASK_PREFIX.match(stripped)
    if match is None:
        return None, stripped
    return int(match.group(1)), stripped[match.end():]


def progress_line(reported_on: dt.date | None, text: str) -> str:
    if reported_on is None:
        return text
    return f"截至{reported_on.year}年{reported_on.month}月{reported_on.day}日：{text}"


def parse_progress_line(line: str) -> tuple[dt.date | None, str]:
    match = _PROGRESS_DATE.match(line)
    if match is None:
        return None, line.strip()
    try:
        reported_on = dt.date(int(match.group(1)), int(match.group(2)), int(match.group(3)))
    except ValueError:
        return None, line.strip()
    return reported_on, line[match.end():].strip()
