"""Which 责任单位 a measure names, for the per-unit 填报表 and the per-unit progress.

Rule: split units_text on 、，,；; and whitespace, then strip the role words 牵头/配合 (also in brackets:
"（牵头）"). "市检察院牵头，市公安局配合" -> ["市检察院", "市公安局"]; a name marked 牵头 comes first.
Three kinds of name:
- a specific unit ("市司法局"), matched by the caller against the unit directory (全称, 简称, 别名);
- a phrase for every member of the joint meeting (各成员单位, 各有关单位, 各相关单位, 联席会议各成员单位,
  各责任单位): expanded by the caller to the directory's member units;
- a vague phrase that names no one ("相关行政执法机关", "有关部门", "各县区政府"): starts with 相关/有关/各;
  it is flagged for a person, never given a sheet of its own.
"""
from __future__ import annotations

import re

ALL_MEMBERS = frozenset({"各成员单位", "各有关单位", "各相关单位", "联席会议各成员单位", "各责任单位"})
_SEPARATORS = re.compile(r"[、，,；;\s]+")
_ROLE_WORDS = re.compile(r"[（(]?(?:牵头|配合)[）)]?")
_LEAD = re.compile(r"[（(]?牵头[）)]?")
_VAGUE_PREFIXES = ("相关", "有关", "各")


def unit_names(units_text: str) -> list[str]:
    """The names in order, 牵头 units first (a stable move: the rest keep their order)."""
    leads: list[str] = []
    names: list[str] = []
    for part in _SEPARATORS.split(units_text):
        name = _ROLE_WORDS.sub("", part).strip()
        if name and name not in names and name not in leads:
            (leads if _LEAD.search(part) else names).append(name)
    return leads + names


def is_all_members(name: str) -> bool:
    return name in ALL_MEMBERS


def is_vague(name: str) -> bool:
    """A phrase that names no particular unit (and is not the all-members phrase)."""
    return not is_all_members(name) and name.startswith(_VAGUE_PREFIXES)


def concerns(units_text: str, aliases: frozenset[str], member: bool = True) -> bool:
    """Whether a measure is one unit's: named by one of its names, or (for a member unit) 各成员单位."""
    names = unit_names(units_text)
    return any(name in aliases or (member and is_all_members(name)) for name in names)


def all_named_units(units_texts: list[str]) -> list[str]:
    """Every name in a list, in first-seen order (the all-members phrases left out)."""
    seen: list[str] = []
    for text in units_texts:
        for name in unit_names(text):
            if not is_all_members(name) and name not in seen:
                seen.append(name)
    return seen
