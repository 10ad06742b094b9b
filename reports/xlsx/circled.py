"""Circled-number cells of the 任务清单: "①…②…" measure texts and "①②长期坚持 ③5月底前…" grouped values.

Used by both export (join) and import (split), so the two can never disagree.

Whitespace rule (documented in reports/xlsx/README.md): whitespace next to a circled number carries
no meaning. "①②③④⑤⑥ 长期坚持" and "①②③④⑤⑥长期坚持" are the same cell; export writes groups without
a space after the numbers and puts each group on its own line. `normalise_cell` is the comparison
used to prove an import→export round trip reproduces the original text.
"""
from __future__ import annotations

import re

from models.errors import DomainError

CIRCLED = "①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮⑯⑰⑱⑲⑳㉑㉒㉓㉔㉕㉖㉗㉘㉙㉚"
MAX_MEASURES = len(CIRCLED)
GROUP_SEPARATOR = "\n"  # one group per line in the 完成时限/责任单位 cells
MEASURE_SEPARATOR = "\n"  # one measure per line in the 具体措施 cell

_CIRCLED_RUN = re.compile(f"[{CIRCLED}]+")
_SPACE_AROUND_CIRCLED = re.compile(rf"\s*([{CIRCLED}])\s*")
_SPACES = re.compile(r"\s+")
_SPACE_BEFORE_GROUP = re.compile(rf"\s+(?=[{CIRCLED}])")


def circled(number: int) -> str:
    """1 -> "①"."""
    if not 1 <= number <= MAX_MEASURES:
        raise DomainError("too_many_measures", f"一项任务最多支持{MAX_MEASURES}条措施，当前为第{number}条",
                          number=number)
    return CIRCLED[number - 1]


def has_circled(text: str) -> bool:
    return _CIRCLED_RUN.search(text) is not None


def normalise_cell(text: str) -> str:
    """Comparison form of a cell: no whitespace next to circled numbers, other whitespace runs -> one space."""
    without = _SPACE_AROUND_CIRCLED.sub(r"\1", text.strip())
    return _SPACES.sub(" ", without)


def _segments(text: str) -> list[tuple[list[int], str]]:
    """"①②A ③B" -> [([1, 2], "A"), ([3], "B")]; text before the first number gives ([], text)."""
    segments: list[tuple[list[int], str]] = []
    matches = list(_CIRCLED_RUN.finditer(text))
    if not matches:
        return [([], text.strip())]
    leading = text[: matches[0].start()].strip()
    if leading:
        segments.append(([], leading))
    for index, match in enumerate(matches):
        end = matches[index + 1].start() if index + 1 < len(matches) else len(text)
        numbers = [CIRCLED.index(char) + 1 for char in match.group()]
        segments.append((numbers, text[match.end():end].strip()))
    return segments


def split_measures(text: str) -> list[str]:
    """"①甲。②乙。" -> ["甲。", "乙。"]; a cell without circled numbers is one measure.

    The numbers must run ①, ②, ③… without gaps, otherwise the cell is ambiguous."""
    segments = _segments(text)
    if len(segments) == 1 and not segments[0][0]:
        return [segments[0][1]] if segments[0][1] else []
    if not segments[0][0]:
        raise DomainError("measure_text_before_number", "具体措施在①之前还有文字，无法判断属于哪条措施",
                          text=segments[0][1])
    measures: list[str] = []
    for numbers, body in segments:
        for offset, number in enumerate(numbers):
            expected = len(measures) + 1
            if number != expected:
                raise DomainError("measure_numbering", f"具体措施编号不连续：应为{circled(expected)}，实为{circled(number)}",
                                  expected=expected, found=number)
            # "①②甲" in a measure cell would mean two measures with one text; keep the text on the last one.
            measures.append(body if offset == len(numbers) - 1 else "")
    if any(not measure for measure in measures):
        raise DomainError("measure_empty", "具体措施中有编号后没有内容的措施")
    return measures


def split_grouped(text: str, count: int, allow_missing: bool = False) -> list[str]:
    """"①②长期坚持 ③5月底前" with count=3 -> ["长期坚持", "长期坚持", "5月底前"].

    A cell without circled numbers applies to every measure. Each measure must be named exactly once,
    unless `allow_missing` (进展情况 cells name only the measures that have progress; the rest get "")."""
    stripped = text.strip()
    if not has_circled(stripped):
        return [stripped] * count
    values: list[str | None] = [None] * count
    for numbers, body in _segments(stripped):
        if not numbers:
            raise DomainError("grouped_text_before_number", f"“{body}”前没有措施编号",
                              text=body)
        for number in numbers:
            if number > count:
                raise DomainError("grouped_number_out_of_range",
                                  f"编号{circled(number)}超出措施条数（共{count}条）", number=number, count=count)
            if values[number - 1] is not None:
                raise DomainError("grouped_number_repeated", f"编号{circled(number)}出现了两次", number=number)
            values[number - 1] = body
    missing = [index + 1 for index, value in enumerate(values) if value is None]
    if missing and not allow_missing:
        names = "".join(circled(number) for number in missing)
        raise DomainError("grouped_number_missing", f"缺少措施{names}的内容", missing=missing)
    return [value or "" for value in values]


def line_per_group(text: str) -> str:
    """"①②长期坚持 ③12月底前" -> "①②长期坚持\n③12月底前": a kept published grouping, laid out like ours."""
    return _SPACE_BEFORE_GROUP.sub(GROUP_SEPARATOR, text.strip())


def join_measures(texts: list[str]) -> str:
    """["甲。", "乙。"] -> "①甲。\n②乙。"; a single measure carries no number."""
    if len(texts) == 1:
        return texts[0]
    return MEASURE_SEPARATOR.join(circled(index + 1) + text for index, text in enumerate(texts))


def join_grouped(values: list[str]) -> str:
    """["长期坚持", "长期坚持", "5月底前"] -> "①②长期坚持\n③5月底前"; consecutive equal values share numbers.

    One measure, or all measures sharing one value across a single measure, carries no number."""
    if len(values) == 1:
        return values[0]
    groups: list[tuple[str, str]] = []
    for index, value in enumerate(values):
        if groups and groups[-1][1] == value:
            groups[-1] = (groups[-1][0] + circled(index + 1), value)
        else:
            groups.append((circled(index + 1), value))
    return GROUP_SEPARATOR.join(numbers + value for numbers, value in groups)
