"""Small helpers shared by the service modules."""
from __future__ import annotations

import uuid
from typing import TypeVar

from sqlalchemy.orm import Session

from models.base import SyncedMixin
from models.errors import DomainError
from models.labels import ENTITY_LABELS
from models.registry import replicated_columns
from models.services.history import FieldChange, change_history, field_history  # noqa: F401 (their old home)

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


def update_fields(obj: SyncedMixin, changes: dict[str, object], base: dict[str, tuple[str, ...]] | None = None) -> None:
    """Set `changes` on `obj`. `base`: the field heads a form loaded (edit_guard.edit_base); a field
    someone else changed since then is refused with edit_conflict instead of silently overwritten."""
    allowed = replicated_columns(type(obj))
    for key in changes:
        if key not in allowed or key == "deleted":
            raise DomainError("bad_field", f"不能修改的字段：{key}")
    if base is not None:
        from models.services.edit_guard import check_base

        check_base(None, obj, changes, base)
    for key, value in changes.items():
        setattr(obj, key, value)


def next_sort_key(existing: list[str]) -> str:
    """Sort keys are zero-padded strings, so appending never renumbers siblings."""
    numbers = [int(k) for k in existing if k.isdigit()]
    return f"{(max(numbers) + 1 if numbers else 1) * 10:06d}"
