"""Small helpers shared by the service modules."""
from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from typing import Any, TypeVar

from sqlalchemy import select
from sqlalchemy.orm import Session

from models.base import SyncedMixin
from models.errors import DomainError
from models.labels import ENTITY_LABELS
from models.oplog import CREATE_FIELD, Op
from models.registry import replicated_columns

T = TypeVar("T", bound=SyncedMixin)

LABELS = ENTITY_LABELS  # the entity names live with the field labels (models/labels.py)


def as_uuid(value: uuid.UUID | str) -> uuid.UUID:
    if isinstance(value, uuid.UUID):
        return value
    try:
        return uuid.UUID(str(value).strip())
    except ValueError:
        raise DomainError("bad_id", f"编号格式不对：{value}") from None


def get_live(session: Session, cls: type[T], row_id: uuid.UUID | str) -> T:
    obj = session.get(cls, as_uuid(row_id))
    if obj is None or obj.deleted:
        raise DomainError("not_found", f"找不到该{LABELS.get(cls.entity_name, '记录')}：{row_id}")
    return obj


def update_fields(obj: SyncedMixin, changes: dict[str, object]) -> None:
    allowed = replicated_columns(type(obj))
    for key, value in changes.items():
        if key not in allowed or key == "deleted":
            raise DomainError("bad_field", f"不能修改的字段：{key}")
        setattr(obj, key, value)


def next_sort_key(existing: list[str]) -> str:
    """Sort keys are zero-padded strings, so appending never renumbers siblings."""
    numbers = [int(k) for k in existing if k.isdigit()]
    return f"{(max(numbers) + 1 if numbers else 1) * 10:06d}"


def field_history(session: Session, obj: SyncedMixin) -> list[Op]:
    """All ops of one record in the order they were made: the record's audit trail."""
    return list(session.scalars(select(Op).where(Op.entity == obj.entity_name, Op.row_id == str(obj.id))
                                .order_by(Op.hlc, Op.site_id)))


@dataclass(frozen=True)
class FieldChange:
    """One line of a record's 修改记录: who changed which field, when, from what to what."""

    hlc: int
    site_id: str
    user: str
    field: str
    before: Any   # the superseded value (a list when the edit resolved a conflict); None for a new record
    after: Any


def change_history(session: Session, obj: SyncedMixin) -> list[FieldChange]:
    from models.merge import head_value  # merge imports services only indirectly; keep the edge one-way

    ops = field_history(session, obj)
    by_id = {op.op_id: op for op in ops}
    changes = []
    for op in ops:
        if op.field == CREATE_FIELD:
            changes.extend(FieldChange(op.hlc, op.site_id, op.user, name, None, value)
                           for name, value in sorted(json.loads(op.value).items()))
            continue
        before = [head_value(by_id[p], op.field)[1] for p in op.pred_ids() if p in by_id]
        changes.append(FieldChange(op.hlc, op.site_id, op.user, op.field,
                                   before[0] if len(before) == 1 else (before or None), json.loads(op.value)))
    return changes
