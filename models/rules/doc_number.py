"""文号 (document numbers): the one place that formats and checks them.

GB/T 9704-2012 §7.2.5: 发文机关代字 + 年份 + 发文顺序号; the year is written in full and enclosed in
六角括号〔〕; the serial number has no leading zeros (不编虚位) and no "第". A 检察建议 number reads
院代字 + 检 + 部门/类型代字 + 建, e.g. 宿检行公建〔2024〕3号.
"""
from __future__ import annotations

import re

from models.errors import DomainError

YEAR_OPEN, YEAR_CLOSE = "〔", "〕"
# Brackets clerks type instead of 〔〕; all are wrong in a 文号 and all are fixable.
WRONG_BRACKETS: tuple[tuple[str, str], ...] = (
    ("【", "】"), ("[", "]"), ("［", "］"), ("（", "）"), ("(", ")"), ("﹝", "﹞"), ("〖", "〗"),
    ("{", "}"), ("｛", "｝"), ("<", ">"), ("《", "》"), ("〈", "〉"), ("「", "」"),
)
_OPENERS = "".join(opener for opener, _ in WRONG_BRACKETS)
_CLOSERS = "".join(closer for _, closer in WRONG_BRACKETS)
DOC_NUMBER_RE = re.compile(r"^(?P<prefix>.+?)〔(?P<year>(?:19|20)\d{2})〕(?P<serial>[1-9]\d*)号$")
SUGGESTION_NUMBER_RE = re.compile(r"^.+检.*建〔(19|20)\d{2}〕[1-9]\d*号$")
_WRONG_YEAR_RE = re.compile(rf"(?P<open>[{re.escape(_OPENERS)}])\s*(?P<year>\d{{2,4}})\s*(?P<close>[{re.escape(_CLOSERS)}])")
_RIGHT_YEAR_RE = re.compile(r"〔\s*(?P<year>\d+)\s*〕")


def format_doc_number(prefix: str, year: int, serial: int) -> str:
    """format_doc_number("宿检行公建", 2024, 3) -> "宿检行公建〔2024〕3号"."""
    prefix = prefix.strip()
    if not prefix:
        raise DomainError("doc_no_missing_prefix", "文号缺少机关代字（如“宿检行公建”）")
    if not 1900 <= year <= 2099:
        raise DomainError("doc_no_year_invalid", f"文号年份“{year}”无效，应为四位年份", year=year)
    if serial < 1:
        raise DomainError("doc_no_serial_invalid", f"文号序号应从1开始，不能为“{serial}”", serial=serial)
    return f"{prefix}{YEAR_OPEN}{year}{YEAR_CLOSE}{serial}号"


def check_doc_number(text: str) -> None:
    """Raise DomainError with a precise Chinese message when `text` is not a well-formed 文号."""
    value = text.strip() if text else ""
    if not value:
        raise DomainError("doc_no_empty", "文号不能为空")
    if re.search(r"\s", value):
        raise DomainError("doc_no_space", "文号中不应有空格", text=text)
    wrong = _WRONG_YEAR_RE.search(value)
    if wrong:
        used = wrong["open"] + wrong["close"]
        raise DomainError("doc_no_bracket", f"文号年份应使用六角括号〔〕，不应使用“{used}”", text=text,
                          suggestion=suggest_fix(value))
    year_match = _RIGHT_YEAR_RE.search(value)
    if year_match is None:
        raise DomainError("doc_no_missing_year", "文号缺少年份，应写作“机关代字〔2024〕3号”的形式", text=text)
    year = year_match["year"]
    if len(year) != 4:
        raise DomainError("doc_no_year_digits", f"文号年份应写全四位，如〔20{year[-2:]}〕，不应写作〔{year}〕",
                          text=text)
    if not re.fullmatch(r"(19|20)\d{2}", year):
        raise DomainError("doc_no_year_invalid", f"文号年份“{year}”无效", text=text)
    if not value[: year_match.start()].strip():
        raise DomainError("doc_no_missing_prefix", "文号缺少机关代字（如“宿检行公建”）", text=text)
    tail = value[year_match.end():]
    if not tail.endswith("号"):
        raise DomainError("doc_no_missing_hao", "文号应以“号”结尾，如“〔2024〕3号”", text=text)
    serial = tail[:-1]
    if serial.startswith("第"):
        raise DomainError("doc_no_di", f"文号序号前不加“第”字，应写作“{serial[1:]}号”而非“{serial}号”",
                          text=text)
    if not serial:
        raise DomainError("doc_no_missing_serial", "文号缺少序号", text=text)
    if not serial.isascii() or not serial.isdigit():
        raise DomainError("doc_no_serial_invalid", f"文号序号“{serial}”应为阿拉伯数字", text=text)
    if serial.startswith("0"):
        raise DomainError("doc_no_zero_padding",
                          f"文号序号不编虚位，应写作“{int(serial) or 1}号”而非“{serial}号”", text=text)
    if DOC_NUMBER_RE.fullmatch(value) is None:  # e.g. text between the bracket and the serial
        raise DomainError("doc_no_malformed", "文号格式应为“机关代字〔2024〕3号”", text=text)


def is_valid_doc_number(text: str) -> bool:
    try:
        check_doc_number(text)
    except DomainError:
        return False
    return True


def is_suggestion_doc_number(text: str) -> bool:
    """True for a 检察建议 number such as 宿检行公建〔2024〕3号 (…检…建〔YYYY〕N号)."""
    return SUGGESTION_NUMBER_RE.fullmatch(text.strip()) is not None


def suggest_fix(text: str) -> str | None:
    """The corrected 文号 for bracket, "第", zero-padding, missing-号 and spacing mistakes; None when
    the text is already right or cannot be repaired without guessing (a 2-digit year, no serial)."""
    value = re.sub(r"\s+", "", text or "")
    fixed = _WRONG_YEAR_RE.sub(lambda match: f"{YEAR_OPEN}{match['year']}{YEAR_CLOSE}", value)
    fixed = re.sub(r"(〔\d{4}〕第?\d+)$", r"\1号", fixed)
    fixed = re.sub(r"〕第(?=\d)", YEAR_CLOSE, fixed)
    fixed = re.sub(r"〕0+(?=[1-9]\d*号$)", YEAR_CLOSE, fixed)
    if fixed == text or not is_valid_doc_number(fixed):
        return None
    return fixed


def parse_doc_number(text: str) -> tuple[str, int, int]:
    """(prefix, year, serial) of a valid 文号; raises the same errors as `check_doc_number`."""
    check_doc_number(text)
    match = DOC_NUMBER_RE.fullmatch(text.strip())
    assert match is not None  # check_doc_number guarantees it
    return match["prefix"], int(match["year"]), int(match["serial"])
