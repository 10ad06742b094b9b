"""单位 directory use cases (services take a Session), and the one matcher from the names lists use to the
directory's units (UnitDirectory: by 全称, 简称 and 别名; 各成员单位 expanded to the member units)."""
from __future__ import annotations

import re
import uuid
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from models.errors import DomainError
from models.services.common import get_live, update_fields
from models.services.edit_guard import EditBase
from models.unit import UNIT_KINDS, Unit
from reports.xlsx.units import is_all_members, is_vague, unit_names

# The members of the 府检联动 joint meeting: the government's departments and the procuratorate. Courts and
# others are in the directory for 检察建议 and contacts but are not reached by "各成员单位".
MEMBER_KINDS = frozenset({"行政机关", "检察院"})
_ALIAS_SEPARATORS = re.compile(r"[、，,；;\n]+")


@dataclass(frozen=True)
class UnitRow:
    id: uuid.UUID
    name: str
    short_name: str
    code: str
    kind: str
    liaison_name: str
    liaison_phone: str
    aliases: str = ""


def _validate(name: str, kind: str) -> None:
    if not name.strip():
        raise DomainError("unit_name_empty", "请填写单位全称")
    if kind not in UNIT_KINDS:
        raise DomainError("unit_kind", f"单位类型只能是：{'、'.join(UNIT_KINDS)}")


def split_aliases(text: str) -> list[str]:
    return [alias.strip() for alias in _ALIAS_SEPARATORS.split(text) if alias.strip()]


def add_unit(session: Session, name: str, *, kind: str = "行政机关", short_name: str = "", code: str = "",
             liaison_name: str = "", liaison_phone: str = "", parent_id: uuid.UUID | None = None,
             aliases: str = "") -> Unit:
    _validate(name, kind)
    unit = Unit(name=name.strip(), kind=kind, short_name=short_name.strip(), code=code.strip(),
                liaison_name=liaison_name.strip(), liaison_phone=liaison_phone.strip(), parent_id=parent_id,
                aliases="、".join(split_aliases(aliases)))
    session.add(unit)
    session.flush()
    return unit


def edit_unit(session: Session, unit_id: uuid.UUID | str, *, base: EditBase | None = None,
              **changes: object) -> Unit:
    """`base`: the field heads the form loaded (edit_guard); someone else's newer edit is not overwritten."""
    unit = get_live(session, Unit, unit_id)
    if "aliases" in changes:
        changes = {**changes, "aliases": "、".join(split_aliases(str(changes["aliases"] or "")))}
    update_fields(unit, changes, base)
    _validate(unit.name, unit.kind)
    session.flush()
    return unit


def list_units(session: Session) -> list[UnitRow]:
    units = session.scalars(select(Unit).where(Unit.deleted.is_(False)).order_by(Unit.kind, Unit.name))
    return [UnitRow(u.id, u.name, u.short_name, u.code, u.kind, u.liaison_name, u.liaison_phone, u.aliases)
            for u in units]


def find_unit_by_name(session: Session, name: str) -> Unit | None:
    """The live unit going by this 全称, 简称 or 别名 (None if no unit does)."""
    ref = UnitDirectory.load(session).match(name)
    return session.get(Unit, ref.id) if ref else None


@dataclass(frozen=True)
class UnitRef:
    id: uuid.UUID
    name: str  # 全称: the name sheets and progress entries carry
    short_name: str
    kind: str
    aliases: tuple[str, ...] = ()

    @property
    def names(self) -> frozenset[str]:
        return frozenset(n for n in (self.name, self.short_name, *self.aliases) if n)

    @property
    def member(self) -> bool:
        return self.kind in MEMBER_KINDS


@dataclass(frozen=True)
class UnitsFound:
    """What a 责任单位 text (or a list of names) resolves to in the directory."""

    units: tuple[UnitRef, ...]  # in order, 牵头 first, each once
    flagged: tuple[str, ...] = ()  # "相关行政执法机关：泛指，…" / "市某某局：单位目录中没有该单位"


@dataclass
class UnitDirectory:
    """The live units, matched by exact 全称, 简称 or 别名 (after removing whitespace)."""

    units: list[UnitRef]
    _by_name: dict[str, UnitRef] = field(default_factory=dict)

    def __post_init__(self) -> None:
        # 全称 wins over 简称 and 别名 when two units claim the same text
        for rank in (0, 1, 2):
            for unit in self.units:
                names = (unit.name,) if rank == 0 else (unit.short_name,) if rank == 1 else unit.aliases
                for name in names:
                    if name:
                        self._by_name.setdefault(_key(name), unit)

    @classmethod
    def load(cls, session: Session) -> UnitDirectory:
        units = session.scalars(select(Unit).where(Unit.deleted.is_(False)).order_by(Unit.created_hlc))
        return cls([UnitRef(u.id, u.name, u.short_name, u.kind, tuple(split_aliases(u.aliases))) for u in units])

    def match(self, name: str) -> UnitRef | None:
        return self._by_name.get(_key(name))

    def by_id(self, unit_id: uuid.UUID | None) -> UnitRef | None:
        return next((u for u in self.units if u.id == unit_id), None) if unit_id else None

    def members(self) -> list[UnitRef]:
        return [u for u in self.units if u.member]

    def resolve(self, names: list[str]) -> UnitsFound:
        found: list[UnitRef] = []
        flagged: list[str] = []
        for name in names:
            if is_all_members(name):
                matched = self.members()
                if not matched:
                    flagged.append(f"{name}：单位目录中没有成员单位（行政机关、检察院），无法展开")
            elif is_vague(name):
                matched = []
                flagged.append(f"{name}：泛指，不是具体单位，未生成填报表，请指定单位")
            else:
                unit = self.match(name)
                matched = [unit] if unit else []
                if unit is None:
                    flagged.append(f"{name}：单位目录中没有该单位（可在“单位”中添加或填写别名）")
            found += [u for u in matched if u not in found]
        return UnitsFound(tuple(found), tuple(flagged))

    def responsible(self, units_text: str) -> UnitsFound:
        """The 责任单位 of a measure, 牵头 first."""
        return self.resolve(unit_names(units_text))


def _key(name: str) -> str:
    return re.sub(r"\s+", "", name)
