"""修改记录 of one record, read from the op log: who changed which field, when, on which workstation,
from what to what. Takes a read Session (read_scope is enough)."""
from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from models.base import SyncedMixin
from models.errors import DomainError
from models.oplog import CREATE_FIELD, LocalState, Op
from models.registry import ENTITY_BY_NAME

LOCAL_SITE_LABEL = "本机"


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


def site_labels(session: Session) -> dict[str, str]:
    """site id -> what a clerk calls that workstation: the paired peer's unit and workstation, 本机."""
    from models.sync.peers import Peer

    labels = {peer.site_id: f"{peer.unit} {peer.workstation}".strip() for peer in session.scalars(select(Peer))}
    labels.update({state.site_id: LOCAL_SITE_LABEL for state in session.scalars(select(LocalState))})
    return labels


@dataclass(frozen=True)
class RecordHistory:
    entity: str
    row_id: uuid.UUID
    changes: list[FieldChange]        # oldest first
    site_labels: dict[str, str]


def record_history(session: Session, entity: str, row_id: uuid.UUID) -> RecordHistory:
    """The whole 修改记录 of one record (deleted records too: the 回收站 shows theirs)."""
    cls = ENTITY_BY_NAME.get(entity)
    if cls is None:
        raise DomainError("bad_entity", f"没有这类记录：{entity}")
    obj = session.get(cls, row_id)
    if obj is None:
        raise DomainError("not_found", "找不到该记录")
    return RecordHistory(entity, row_id, change_history(session, obj), site_labels(session))
