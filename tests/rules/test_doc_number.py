"""文号 formatting, validation and repair."""
from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from models.errors import DomainError
from models.rules.doc_number import (
    check_doc_number,
    format_doc_number,
    is_suggestion_doc_number,
    is_valid_doc_number,
    parse_doc_number,
    suggest_fix,
)

PREFIXES = st.sampled_from(["宿检行公建", "高检建", "宿检刑建", "济历下检民建", "宿政秘", "皖检一部建"])


def test_format() -> None:
    assert format_doc_number("宿检行公建", 2024, 3) == "宿检行公建〔2024〕3号"
    assert format_doc_number(" 高检建 ", 2018, 1) == "高检建〔2018〕1号"


@pytest.mark.parametrize(("args", "code"), [
    (("", 2024, 3), "doc_no_missing_prefix"),
    (("宿检行公建", 24, 3), "doc_no_year_invalid"),
    (("宿检行公建", 2024, 0), "doc_no_serial_invalid"),
])
def test_format_rejects_bad_parts(args: tuple[str, int, int], code: str) -> None:
    with pytest.raises(DomainError) as caught:
        format_doc_number(*args)
    assert caught.value.code == code


@pytest.mark.parametrize("text", ["宿检行公建〔2024〕3号", "高检建〔2018〕1号", "宿政秘〔2022〕31号", "宿检刑建〔2025〕120号"])
def test_valid_numbers_pass(text: str) -> None:
    check_doc_number(text)
    assert is_valid_doc_number(text)


@pytest.mark.parametrize(("text", "code", "message", "fix"), [
    ("宿检行公建【2024】3号", "doc_no_bracket", "文号年份应使用六角括号〔〕，不应使用“【】”", "宿检行公建〔2024〕3号"),
    ("宿检行公建[2024]3号", "doc_no_bracket", "文号年份应使用六角括号〔〕，不应使用“[]”", "宿检行公建〔2024〕3号"),
    ("宿检行公建［2024］3号", "doc_no_bracket", "文号年份应使用六角括号〔〕，不应使用“［］”", "宿检行公建〔2024〕3号"),
    ("宿检行公建（2024）3号", "doc_no_bracket", "文号年份应使用六角括号〔〕，不应使用“（）”", "宿检行公建〔2024〕3号"),
    ("宿检行公建(2024)3号", "doc_no_bracket", "文号年份应使用六角括号〔〕，不应使用“()”", "宿检行公建〔2024〕3号"),
    ("宿检行公建﹝2024﹞3号", "doc_no_bracket", "文号年份应使用六角括号〔〕", "宿检行公建〔2024〕3号"),
    ("宿检行公建〔24〕3号", "doc_no_year_digits", "文号年份应写全四位，如〔2024〕", None),
    ("宿检行公建〔2024〕第3号", "doc_no_di", "文号序号前不加“第”字，应写作“3号”而非“第3号”", "宿检行公建〔2024〕3号"),
    ("宿检行公建〔2024〕003号", "doc_no_zero_padding", "文号序号不编虚位，应写作“3号”而非“003号”", "宿检行公建〔2024〕3号"),
    ("宿检行公建〔2024〕3", "doc_no_missing_hao", "文号应以“号”结尾", "宿检行公建〔2024〕3号"),
    ("宿检行公建〔2024〕号", "doc_no_missing_serial", "文号缺少序号", None),
    ("宿检行公建〔2024〕三号", "doc_no_serial_invalid", "应为阿拉伯数字", None),
    ("〔2024〕3号", "doc_no_missing_prefix", "文号缺少机关代字", None),
    ("宿检行公建3号", "doc_no_missing_year", "文号缺少年份", None),
    ("宿检行公建〔1824〕3号", "doc_no_year_invalid", "文号年份“1824”无效", None),
    ("宿检行公建 〔2024〕3号", "doc_no_space", "文号中不应有空格", "宿检行公建〔2024〕3号"),
    ("", "doc_no_empty", "文号不能为空", None),
])
def test_mistakes_get_precise_messages_and_fixes(text: str, code: str, message: str, fix: str | None) -> None:
    with pytest.raises(DomainError) as caught:
        check_doc_number(text)
    assert caught.value.code == code
    assert message in caught.value.message
    assert suggest_fix(text) == fix
    assert not is_valid_doc_number(text)


def test_combined_mistakes_are_all_fixed() -> None:
    assert suggest_fix("宿检行公建[2024]第003号") == "宿检行公建〔2024〕3号"


def test_bracket_error_carries_the_suggestion() -> None:
    with pytest.raises(DomainError) as caught:
        check_doc_number("宿检行公建【2024】3号")
    assert caught.value.fields["suggestion"] == "宿检行公建〔2024〕3号"


def test_suggest_fix_returns_none_for_a_correct_number() -> None:
    assert suggest_fix("宿检行公建〔2024〕3号") is None


@pytest.mark.parametrize(("text", "expected"), [
    ("宿检行公建〔2024〕3号", True),
    ("高检建〔2018〕1号", True),
    ("宿检一部建〔2024〕12号", True),
    ("宿政秘〔2022〕31号", False),           # a government number, not a 建议
    ("宿检行公建[2024]3号", False),
    ("宿检行公建〔2024〕03号", False),
    ("宿法建〔2024〕3号", False),            # 司法建议 of a court
])
def test_is_suggestion_doc_number(text: str, expected: bool) -> None:
    assert is_suggestion_doc_number(text) is expected


def test_parse() -> None:
    assert parse_doc_number("宿检行公建〔2024〕3号") == ("宿检行公建", 2024, 3)
    with pytest.raises(DomainError):
        parse_doc_number("宿检行公建(2024)3号")


@given(prefix=PREFIXES, year=st.integers(min_value=1900, max_value=2099), serial=st.integers(min_value=1, max_value=99999))
def test_format_check_parse_round_trip(prefix: str, year: int, serial: int) -> None:
    text = format_doc_number(prefix, year, serial)
    check_doc_number(text)
    assert parse_doc_number(text) == (prefix, year, serial)
    assert is_suggestion_doc_number(text) is ("检" in prefix and prefix.endswith("建"))


@given(prefix=PREFIXES, year=st.integers(min_value=1900, max_value=2099), serial=st.integers(min_value=1, max_value=999),
       brackets=st.sampled_from(["【】", "[]", "［］", "（）", "()", "﹝﹞"]),
       di=st.booleans(), zeros=st.integers(min_value=0, max_value=2))
def test_suggest_fix_repairs_every_bracket_di_and_padding_mistake(
        prefix: str, year: int, serial: int, brackets: str, di: bool, zeros: int) -> None:
    broken = f"{prefix}{brackets[0]}{year}{brackets[1]}{'第' if di else ''}{'0' * zeros}{serial}号"
    assert suggest_fix(broken) == format_doc_number(prefix, year, serial)
