"""冲突处理 (the 同步 screen's conflict view and `sync conflicts` / `sync resolve`): the conflicts the
merge kept, with the record's title and whether this workstation may pick a side, and keeping one side's
value (or a typed one) by an ordinary edit that supersedes every head."""
from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from models.conflicts import ConflictInfo, list_conflicts, resolve_conflict
from models.errors import DomainError
from models.registry import ENTITY_BY_NAME
from models.sync.peers import my_identity
from models.sync.policy import writable_fields

__all__ = ["ConflictInfo", "ConflictRow", "conflicts", "conflict_rows", "choose_conflict", "choose_side",
           "resolve_value"]


def conflicts(session: Session) -> list[ConflictInfo]:
    return list_conflicts(session)


@dataclass(frozen=True)
class ConflictRow:
    conflict: ConflictInfo
    title: str  # the record, as people know it
    choosable: bool  # this workstation's role may write the field (a government site may not pick a 文号)


def conflict_rows(session: Session) -> list[ConflictRow]:
    from models.search import display_title

    rows = []
    for conflict in list_conflicts(session):
        obj = session.get(ENTITY_BY_NAME[conflict.entity], uuid.UUID(conflict.row_id))
        field = "deleted" if conflict.kind == "delete_edit" else conflict.field
        allowed = writable_fields(session, conflict.entity)
        rows.append(ConflictRow(conflict, display_title(obj) if obj is not None else conflict.row_id,
                                allowed is None or field in allowed))
    return rows


def choose_conflict(session: Session, conflict: ConflictInfo, column: int) -> None:
    """Keep the value of head `column`. For a 删除-修改 conflict the heads are [the deletion, the newer
    edit]: column 0 keeps the record deleted, column 1 keeps it (the edit stands)."""
    if not 0 <= column < len(conflict.heads):
        raise DomainError("no_such_side", "该冲突中没有这一方的值")
    name, value = conflict.field, conflict.heads[column]["value"]
    if conflict.kind == "delete_edit":
        name, value = "deleted", column == 0
    resolve_value(session, conflict.entity, conflict.row_id, name, value)


def choose_side(session: Session, entity: str, row_id: str, field: str, mine: bool) -> None:
    """`sync resolve --take mine|theirs`: this site's head or the newest other one."""
    me = my_identity(session).site_id
    match = _find_conflict(session, entity, row_id, field)
    columns = [n for n, head in enumerate(match.heads) if (head["site_id"] == me) == mine]
    if not columns:
        raise DomainError("no_such_side", "该冲突中没有这一方的值")
    choose_conflict(session, match, columns[0])


def resolve_value(session: Session, entity: str, row_id: str, field: str, value: Any) -> None:
    if entity not in ENTITY_BY_NAME:
        raise DomainError("conflict_not_found", "找不到该冲突（可能已被处理）")
    try:
        uuid.UUID(row_id)
        resolve_conflict(session, entity, row_id, field, value)
    except (KeyError, ValueError):
        raise DomainError("conflict_not_found", "找不到该冲突（可能已被处理）") from None


def _find_conflict(session: Session, entity: str, row_id: str, field: str) -> ConflictInfo:
    for conflict in list_conflicts(session):
        if (conflict.entity, conflict.row_id, conflict.field) == (entity, row_id, field):
            return conflict
    raise DomainError("conflict_not_found", "找不到该冲突（可能已被处理）")
