"""Line breaking (禁则) and exact characters of dates, numerals, 文号 and headings."""
from __future__ import annotations

import re
from datetime import date

from hypothesis import given
from hypothesis import strategies as st

from reports.pdf.content import Heading, Paragraph
from reports.pdf.linebreak import NO_LINE_END, NO_LINE_START, break_lines, can_break_before
from reports.pdf.wording import (
    addressee_pronoun,
    chinese_numeral,
    format_cn_date,
    heading_marker,
    join_copy_to,
    normalize_doc_no,
    parse_body_text,
)
from reports.statistics import rate_text, rate_with_basis

CELL = 15.79
HANZI = "本院在履行公益诉讼检察职责中发现有关单位未依法"
ALPHABET = HANZI + "，。、；：？！”）》〕“（《〔0123456789.%—…"


def widths(text: str) -> list[float]:
    return [CELL / 2 if c.isascii() else CELL for c in text]


@given(st.text(alphabet=ALPHABET, min_size=1, max_size=300))
def test_lines_keep_every_character_in_order_and_fit(text):
    lines = break_lines(text, widths(text), 26 * CELL, 28 * CELL)
    assert "".join(text[a:b] for a, b in lines) == text
    assert all(b > a for a, b in lines)
    for number, (a, b) in enumerate(lines):
        if b - a > 1:
            assert sum(widths(text[a:b])) <= (26 if number == 0 else 28) * CELL + 0.01


@given(st.lists(st.sampled_from(["本院", "发现", "问题", "，", "。", "“", "”", "（", "）", "《法》", "〔2024〕",
                                 "3号", "12.5", "80.0%", "——", "……"]), min_size=1, max_size=120))
def test_no_line_starts_with_closing_or_ends_with_opening_punctuation(pieces):
    text = "".join(pieces)
    lines = break_lines(text, widths(text), 28 * CELL, 28 * CELL)
    for a, _ in lines[1:]:
        assert text[a] not in NO_LINE_START
    for _, b in lines[:-1]:
        assert text[b - 1] not in NO_LINE_END
        assert can_break_before(text, b)


def test_numbers_and_paired_dashes_are_not_split():
    assert not can_break_before("约12.5吨", 3)
    assert not can_break_before("——", 1) and not can_break_before("……", 1)
    assert can_break_before("本院", 1)


def test_a_full_line_of_hanzi_holds_28_characters():
    text = HANZI * 3
    lines = break_lines(text, widths(text), 28 * CELL, 28 * CELL)
    assert [b - a for a, b in lines][:2] == [28, 28]


@given(st.dates(min_value=date(1900, 1, 1), max_value=date(2099, 12, 31)))
def test_dates_are_arabic_full_year_unpadded(day):
    text = format_cn_date(day)
    assert re.fullmatch(r"(19|20)\d{2}年([1-9]|1[0-2])月([1-9]|[12]\d|3[01])日", text)
    assert text == f"{day.year}年{day.month}月{day.day}日"


def test_chinese_numerals_and_heading_markers():
    assert [chinese_numeral(n) for n in (1, 10, 12, 20, 21, 99)] == ["一", "十", "十二", "二十", "二十一", "九十九"]
    assert [heading_marker(level, 3) for level in (1, 2, 3, 4)] == ["三、", "（三）", "3.", "（3）"]


def test_doc_no_brackets_become_hexagonal():
    for typed in ("宿检行公建[2024]3号", "宿检行公建【2024】3号", "宿检行公建［2024］3号", "宿检行公建(2024)3号",
                  "宿检行公建〔2024〕3号"):
        assert normalize_doc_no(typed) == "宿检行公建〔2024〕3号"


def test_body_text_becomes_headings_run_in_headings_and_paragraphs():
    blocks = parse_body_text("一、基本情况\n（一）加强巡查。对辖区水源地开展巡查。\n1.依法查处违法行为；\n正文。")
    assert blocks[0] == Heading(1, "一、基本情况")
    assert isinstance(blocks[1], Paragraph) and blocks[1].spans[0].heading_level == 2
    assert blocks[1].spans[0].text == "（一）加强巡查。"
    assert isinstance(blocks[2], Paragraph) and blocks[2].spans[0].heading_level == 0
    assert blocks[3].text == "正文。"


def test_pronouns_rates_and_copy_to():
    assert addressee_pronoun("宿州市生态环境局") == "你局"
    assert addressee_pronoun("宿州市人民政府") == "你府"
    assert addressee_pronoun("某某有限公司") == "你公司"
    assert addressee_pronoun("某街道") == "你单位"
    assert rate_text(2, 3) == "66.7%" and rate_text(0, 0) == "—"
    assert rate_with_basis(8, 10, "已回复", "到期应回复") == "80.0%（已回复8件/到期应回复10件）"
    assert join_copy_to(("甲局", "乙委。")) == "抄送：甲局，乙委。"
