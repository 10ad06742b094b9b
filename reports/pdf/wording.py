"""Exact characters of dates, numerals, 文号 and headings (documents-spec §5), and the parser
that turns a clerk's free text into paragraphs and the four heading levels."""
from __future__ import annotations

import re
from datetime import date

from reports.pdf.content import Block, Heading, Paragraph, Span

_DIGITS = "零一二三四五六七八九"


def format_cn_date(day: date) -> str:
    """成文日期: Arabic numerals, full year, no zero padding (GB/T 9704 §7.3.5.4)."""
    return f"{day.year}年{day.month}月{day.day}日"


def chinese_numeral(number: int) -> str:
    """1 -> 一, 10 -> 十, 12 -> 十二, 20 -> 二十, 99 -> 九十九 (heading and item markers)."""
    if not 1 <= number <= 99:
        raise ValueError(f"heading numbers run from 1 to 99, got {number}")
    tens, units = divmod(number, 10)
    if tens == 0:
        return _DIGITS[units]
    return ("" if tens == 1 else _DIGITS[tens]) + "十" + (_DIGITS[units] if units else "")


def heading_marker(level: int, number: int) -> str:
    """一、 / （一） / 1. / （1） for levels 1-4 (GB/T 9704 §7.3.3)."""
    if level == 1:
        return f"{chinese_numeral(number)}、"
    if level == 2:
        return f"（{chinese_numeral(number)}）"
    if level == 3:
        return f"{number}."
    if level == 4:
        return f"（{number}）"
    raise ValueError(f"heading levels run from 1 to 4, got {level}")


_YEAR_IN_BRACKETS = re.compile(r"[\[【［(（〔]\s*((?:19|20)\d{2})\s*[\]】］)）〕]")


def normalize_doc_no(doc_no: str) -> str:
    """Put the year of a 文号 in 六角括号 〔〕 whatever bracket the clerk typed (§7.2.5)."""
    return _YEAR_IN_BRACKETS.sub(r"〔\1〕", doc_no.strip())


_PRONOUN_SUFFIXES = (("委员会", "你委"), ("政府", "你府"), ("公司", "你公司"), ("中心", "你中心"),
                     ("局", "你局"), ("委", "你委"), ("办", "你办"), ("院", "你院"), ("厅", "你厅"),
                     ("所", "你所"), ("站", "你站"), ("队", "你队"), ("处", "你处"))


def addressee_pronoun(addressee: str) -> str:
    """How the letter addresses the unit: 县市场监督管理局 -> 你局, 县人民政府 -> 你府, else 你单位."""
    name = addressee.strip().rstrip("：:")
    for suffix, pronoun in _PRONOUN_SUFFIXES:
        if name.endswith(suffix):
            return pronoun
    return "你单位"


_CN_NUM = "一二三四五六七八九十"
_HEADING_PATTERNS = (
    (1, re.compile(rf"^[{_CN_NUM}]+、")),
    (2, re.compile(rf"^（[{_CN_NUM}]+）")),
    (3, re.compile(r"^\d+[.．](?!\d)")),
    (4, re.compile(r"^（\d+）")),
)
_SENTENCE_END = "。；！？：;"


def parse_body_text(text: str) -> tuple[Block, ...]:
    """One block per non-empty line. A line starting with a heading marker is

    - a heading on its own line when it has no sentence punctuation ("一、基本情况");
    - a run-in heading when a short phrase ending in 。 is followed by more text
      ("（一）加强巡查。对辖区……") — the phrase takes the heading face, the rest body text;
    - otherwise a numbered sentence in body text ("1.依法查处……；").
    """
    blocks: list[Block] = []
    for raw_line in text.splitlines():
        line = raw_line.strip().replace("\u3000", "")
        if not line:
            continue
        level = next((lvl for lvl, pattern in _HEADING_PATTERNS if pattern.match(line)), 0)
        if level and not any(ch in _SENTENCE_END for ch in line):
            blocks.append(Heading(level, line))
            continue
        if level:
            stop = line.find("。")
            if 0 < stop < len(line) - 1 and not any(ch in _SENTENCE_END for ch in line[:stop]):
                blocks.append(Paragraph((Span(line[: stop + 1], level), Span(line[stop + 1:]))))
                continue
        blocks.append(Paragraph((Span(line),)))
    return tuple(blocks)


def join_copy_to(units: tuple[str, ...]) -> str:
    """抄送：甲，乙，丙。 (§7.4.2: names separated by "，", ending with "。")."""
    return "抄送：" + "，".join(u.strip().rstrip("。，") for u in units if u.strip()) + "。"
