"""单位 directory use cases."""
from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from models.errors import DomainError
from models.services.common import get_live, update_fields
from models.unit import UNIT_KINDS, Unit


@dataclass(frozen=True)
class UnitRow:
    id: uuid.UUID
    name: str
    short_name: str
    code: str
    kind: str
    liaison_name: str
    liaison_phone: str


def _validate(name: str, kind: str) -> None:
    if not name.strip():
        raise DomainError("unit_name_empty", "请填写单位全称")
    if kind not in UNIT_KINDS:
        raise DomainError("unit_kind", f"单位类型只能是：{'、'.join(UNIT_KINDS)}")


def add_unit(session: Session, name: str, *, kind: str = "行政机关", short_name: str = "", code: str = "",
             liaison_name: str = "", liaison_phone: str = "", parent_id: uuid.UUID | None = None) -> Unit:
    _validate(name, kind)
    unit = Unit(name=name.strip(), kind=kind, short_name=short_name.strip(), code=code.strip(),
                liaison_name=liaison_name.strip(), liaison_phone=liaison_phone.strip(), parent_id=parent_id)
    session.add(unit)
    session.flush()
    return unit


def edit_unit(session: Session, unit_id: uuid.UUID | str, **changes: object) -> Unit:
    unit = get_live(session, Unit, unit_id)
    update_fields(unit, changes)
    _validate(unit.name, unit.kind)
    session.flush()
    return unit


def list_units(session: Session) -> list[UnitRow]:
    units = session.scalars(select(Unit).where(Unit.deleted.is_(False)).order_by(Unit.kind, Unit.name))
    return [UnitRow(u.id, u.name, u.short_name, u.code, u.kind, u.liaison_name, u.liaison_phone) for u in units]


def find_unit_by_name(session: Session, name: str) -> Unit | None:
    name = name.strip()
    return session.scalars(select(Unit).where(Unit.deleted.is_(False),
                                              (Unit.name == name) | (Unit.short_name == name))).first()
