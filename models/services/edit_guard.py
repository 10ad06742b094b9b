"""No lost updates between two clerks editing one record at once (issue 16 item 3).

A form remembers, when it loads a record, the op-log heads of each field it shows (`edit_base`). Its
save passes that base back; `check_base` runs inside the write transaction (writes to one database are
serialized: SQLite IMMEDIATE, the server's advisory lock) and refuses with DomainError("edit_conflict")
when a field this save changes was changed by someone else after the load and now holds a value other
than the one being saved. Fields the other person changed but this save does not touch merge normally
(each save writes only its own field ops)."""
from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session, object_session

from models.base import SyncedMixin
from models.errors import DomainError
from models.labels import field_label
from models.oplog import ops_of_row
from models.registry import replicated_columns

EditBase = dict[str, tuple[str, ...]]   # field -> the op ids of its heads when the form loaded it
SOMEONE = "其他用户"


@dataclass(frozen=True)
class FieldConflict:
    """One field the save would overwrite: what this clerk typed, what is stored now and who stored it."""

    field: str
    label: str
    mine: Any
    theirs: Any
    by: tuple[str, ...]


def edit_base(session: Session, obj: SyncedMixin, fields: tuple[str, ...] | list[str] | None = None) -> EditBase:
    """The heads of `fields` (default: every replicated field) of `obj` as stored now."""
    from models.merge import field_heads  # merge reaches services only indirectly; keep the edge one-way

    ops = ops_of_row(session, obj.entity_name, str(obj.id))
    columns = replicated_columns(type(obj))
    names = columns if fields is None else [name for name in fields if name in columns]
    return {name: tuple(sorted(op.op_id for op in field_heads(ops, name))) for name in names}


def record_base(session: Session, cls: type[SyncedMixin], row_id: uuid.UUID | str,
                fields: tuple[str, ...] | list[str] | None = None) -> EditBase:
    from models.services.common import get_live

    return edit_base(session, get_live(session, cls, row_id), fields)


def _names(ops: list[Any]) -> tuple[str, ...]:
    return tuple(sorted({op.user or SOMEONE for op in ops}))


def check_base(session: Session | None, obj: SyncedMixin, changes: dict[str, object], base: EditBase) -> None:
    """Raise edit_conflict when a field in `changes` has heads other than `base`'s and its stored value
    differs from the new one. A field missing from `base` is not guarded (the form did not show it)."""
    from models.merge import field_heads

    session = session or object_session(obj)
    if session is None or obj.id is None:
        return
    ops = ops_of_row(session, obj.entity_name, str(obj.id))
    conflicts = []
    for name, value in changes.items():
        if name not in base:
            continue
        heads = field_heads(ops, name)
        newer = [op for op in heads if op.op_id not in set(base[name])]
        if not newer or getattr(obj, name) == value:
            continue
        conflicts.append(FieldConflict(name, field_label(obj.entity_name, name), value, getattr(obj, name),
                                       _names(newer)))
    if conflicts:
        parts = "；".join(f"「{c.label}」已被{'、'.join(c.by)}改为“{_text(c.theirs)}”（您填写的是“{_text(c.mine)}”）"
                         for c in conflicts)
        raise DomainError("edit_conflict", f"保存未完成，您打开后别人已修改了同一字段：{parts}。"
                                           f"您填写的内容仍保留在表单中，请核对后再保存",
                          conflicts=conflicts, field=conflicts[0].field)


def check_edit(session: Session, cls: type[SyncedMixin], row_id: uuid.UUID | str, changes: dict[str, object],
               base: EditBase | None) -> None:
    """The form's save path: check `changes` of record `row_id` against the base the form loaded."""
    if base is None:
        return
    from models.services.common import get_live

    check_base(session, get_live(session, cls, row_id), changes, base)


def _text(value: Any) -> str:
    if value is None or value == "":
        return "（空）"
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, (list, dict)):
        return json.dumps(value, ensure_ascii=False)
    return str(value)
