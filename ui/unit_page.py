"""单位 directory screen."""
from __future__ import annotations

import uuid
from typing import Any

from models.services.common import get_live
from models.services.units import add_unit, edit_unit, list_units
from models.unit import UNIT_KINDS, Unit
from ui.form import FieldSpec
from ui.i18n import tr
from ui.row_model import Column
from ui.table_page import Rows, Session, TablePage

FIELDS = ("name", "short_name", "aliases", "code", "kind", "liaison_name", "liaison_phone", "note")


class UnitPage(TablePage):
    title = tr("单位")
    entity = "unit"
    columns = (Column(tr("单位全称"), pinyin=True), Column(tr("简称"), pinyin=True), Column(tr("代字")),
               Column(tr("类型"), filterable=True), Column(tr("联络员"), pinyin=True), Column(tr("联系电话")))
    specs = (FieldSpec("name", tr("单位全称")), FieldSpec("short_name", tr("简称")),
             FieldSpec("aliases", tr("别名"), placeholder=tr("其他叫法，用顿号分隔，如：市市场监督管理局")),
             FieldSpec("code", tr("代字")),
             FieldSpec("kind", tr("类型"), "choice", UNIT_KINDS), FieldSpec("liaison_name", tr("联络员")),
             FieldSpec("liaison_phone", tr("联系电话")), FieldSpec("note", tr("备注"), "multiline"))
    error_fields = {"unit_name_empty": "name", "unit_kind": "kind"}
    record_class = Unit   # saves refuse to overwrite another desk's newer edit (edit_conflict)

    def load_rows(self, session: Session) -> Rows:
        return [(u.id, (u.name, u.short_name, u.code, u.kind, u.liaison_name, u.liaison_phone))
                for u in list_units(session)]

    def load_record(self, session: Session, row_id: uuid.UUID) -> dict[str, object]:
        unit = get_live(session, Unit, row_id)
        return {name: getattr(unit, name) for name in FIELDS}

    def default_values(self) -> dict[str, object]:
        return {**{name: "" for name in FIELDS}, "kind": UNIT_KINDS[0]}

    def create_record(self, session: Session, values: dict[str, Any]) -> uuid.UUID:
        note = values.pop("note", "")
        unit = add_unit(session, str(values.pop("name", "")), **values)
        if note:
            edit_unit(session, unit.id, note=note)
        return unit.id

    def update_record(self, session: Session, row_id: uuid.UUID, changes: dict[str, Any]) -> None:
        edit_unit(session, row_id, base=self.edit_base(row_id), **changes)
