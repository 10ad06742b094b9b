"""The conflicts the merge keeps for a person (field_conflict, models/merge.py): listed for the 冲突处理
page, and resolved by an ordinary edit that supersedes every head."""
from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from models.merge import FieldConflict, materialize_rows
from models.oplog import LOCAL_WRITE_GUARDS, WriterContext, emit_field_op, local_state
from models.registry import ENTITY_BY_NAME, replicated_columns


@dataclass(frozen=True)
class ConflictInfo:
    entity: str
    row_id: str
    field: str
    kind: str
    heads: list[dict[str, Any]]


def list_conflicts(session: Session) -> list[ConflictInfo]:
    rows = session.scalars(select(FieldConflict).order_by(FieldConflict.entity, FieldConflict.row_id,
                                                          FieldConflict.field))
    return [ConflictInfo(c.entity, c.row_id, c.field, c.kind, json.loads(c.heads)) for c in rows]


def resolve_conflict(session: Session, entity: str, row_id: str, name: str, value: Any) -> None:
    """An ordinary edit that supersedes every head, so it clears the conflict on every workstation."""
    cls = ENTITY_BY_NAME[entity]
    obj = session.get(cls, uuid.UUID(row_id))
    if obj is None or name not in replicated_columns(cls):
        raise KeyError((entity, row_id, name))
    writer: WriterContext = session.info["writer"]
    state = local_state(session)
    hlc = writer.clock.tick()
    op = emit_field_op(session, state, writer, obj, name, value, hlc)
    for guard in LOCAL_WRITE_GUARDS:
        guard(session, [op])
    state.hlc = writer.clock.last
    session.info["applying_remote"] = True
    try:
        session.flush()
        materialize_rows(session, [(entity, row_id)])
        session.flush()
    finally:
        session.info["applying_remote"] = False
