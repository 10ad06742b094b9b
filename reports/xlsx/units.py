"""Which 责任单位 a measure names, for the per-unit 填报表.

Rule: split units_text on 、，,；; and whitespace, then strip the role words 牵头/配合 (also in brackets:
"（牵头）"). "市检察院牵头，市公安局配合" -> ["市检察院", "市公安局"]. A measure for "各成员单位" (or 各有关单位/
各相关单位) concerns every unit. Matching is by exact name; the caller passes every name a unit goes by
(全称 and 简称) because lists write "市住建局" and "市住房城乡建设局" for the same office.
"""
from __future__ import annotations

import re

ALL_MEMBERS = frozenset({"各成员单位", "各有关单位", "各相关单位", "联席会议各成员单位", "各责任单位"})
_SEPARATORS = re.compile(r"[、，,；;\s]+")
_ROLE_WORDS = re.compile(r"[（(]?(?:牵头|配合)[）)]?")


def unit_names(units_text: str) -> list[str]:
    names: list[str] = []
    for part in _SEPARATORS.split(units_text):
        name = _ROLE_WORDS.sub("", part).strip()
        if name and name not in names:
            names.append(name)
    return names


def concerns(units_text: str, aliases: frozenset[str]) -> bool:
    names = unit_names(units_text)
    return any(name in aliases or name in ALL_MEMBERS for name in names)


def all_named_units(units_texts: list[str]) -> list[str]:
    """Every specific unit named in a list, in first-seen order (generic "各成员单位" left out)."""
    seen: list[str] = []
    for text in units_texts:
        for name in unit_names(text):
            if name not in ALL_MEMBERS and name not in seen:
                seen.append(name)
    return seen
