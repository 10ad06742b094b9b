"""撤销上次修改 from the op log, not from snapshots kept by a screen (Anki's collection.undo() shape).

Every local save of a record is one flush: its field ops share one hybrid-clock tick, and each names
the field's previous heads as predecessors, so the values it replaced are in the log. Undo writes them
back as an ordinary, synced edit (peers see a newer edit, not a rewrite of history); undoing a
deletion restores the record. Undo twice redoes. Takes a write Session."""
from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from models.errors import DomainError
from models.fieldcodec import from_plain
from models.merge import field_heads, head_value
from models.oplog import CREATE_FIELD, Op, local_state
from models.registry import ENTITY_BY_NAME, replicated_columns
from models.services.common import LABELS, as_uuid, update_fields
from models.services.trash import delete_record, restore_record


@dataclass(frozen=True)
class LastEdit:
    """The newest edit made on this workstation to one record (what 撤销 would revert)."""

    entity: str
    row_id: uuid.UUID
    hlc: int
    fields: tuple[str, ...]          # "deleted" alone for a 删除 or 恢复
    previous: dict[str, Any]         # field -> the value the edit replaced (plain JSON values)

    @property
    def describes(self) -> str:
        kind = LABELS.get(self.entity, "记录")
        if self.fields == ("deleted",):
            return f"恢复被删除的{kind}" if self.previous["deleted"] is False else f"重新删除{kind}"
        return f"撤销对{kind}的修改"


def _mine(session: Session) -> tuple[str, str | None]:
    """Whose edits 撤销 reverts: this site's, by the person writing in this session. On a server every desk
    writes as the one office site, and on a shared PC several accounts do: one person's Ctrl+Z must never
    revert another's edit. (A read session carries no writer: any person of this site.)"""
    writer = session.info.get("writer")
    return local_state(session).site_id, (writer.user if writer is not None else None)


def _row_ops(session: Session, entity: str, row_id: uuid.UUID) -> list[Op]:
    return list(session.scalars(select(Op).where(Op.entity == entity, Op.row_id == str(row_id))))


def last_edit(session: Session, entity: str, row_id: uuid.UUID | str) -> LastEdit | None:
    """The record's newest edit by this person here, or None when it has none (a new record, or only
    peers' or colleagues' edits).
    Raises DomainError when that edit can no longer be undone (changed since, or it settled a conflict)."""
    if entity not in ENTITY_BY_NAME:
        raise DomainError("bad_entity", f"没有这类记录：{entity}")
    row_id = as_uuid(row_id)
    ops = _row_ops(session, entity, row_id)
    site, user = _mine(session)
    mine = [op for op in ops if op.site_id == site and op.field != CREATE_FIELD and user in (None, op.user)]
    if not mine:
        return None
    newest = max(op.hlc for op in mine)
    group = sorted((op for op in mine if op.hlc == newest), key=lambda op: op.field)
    by_id = {op.op_id: op for op in ops}
    previous: dict[str, Any] = {}
    for op in group:
        if field_heads(ops, op.field) != [op]:
            raise DomainError("undo_superseded", "该记录在上次修改之后又有改动（可能来自同步），不能撤销，请直接修改")
        before = [head_value(by_id[p], op.field) for p in op.pred_ids() if p in by_id]
        if len(before) != 1 or not before[0][0]:
            raise DomainError("undo_conflict", "上次修改处理了一处冲突，不能撤销，请直接修改")
        previous[op.field] = before[0][1]
    return LastEdit(entity, row_id, newest, tuple(previous), previous)


def undo_last_edit(session: Session, entity: str, row_id: uuid.UUID | str) -> LastEdit:
    """Writes back what the record's newest local edit replaced; returns what was undone."""
    edit = last_edit(session, entity, row_id)
    if edit is None:
        raise DomainError("nothing_to_undo", "没有可以撤销的修改")
    cls = ENTITY_BY_NAME[entity]
    if edit.fields == ("deleted",):
        if edit.previous["deleted"]:
            delete_record(session, entity, edit.row_id)
        else:
            restore_record(session, entity, edit.row_id)
        return edit
    obj = session.get(cls, edit.row_id)
    if obj is None or obj.deleted:
        raise DomainError("not_found", f"该{LABELS.get(entity, '记录')}已删除，不能撤销修改")
    columns = replicated_columns(cls)
    values = {name: from_plain(columns[name], plain) for name, plain in edit.previous.items() if name != "deleted"}
    update_fields(obj, values)
    session.flush()
    return edit


def last_local_edit(session: Session, entity: str | None = None) -> LastEdit | None:
    """The newest edit made on this workstation to any record (of kind `entity`): Ctrl+Z with no
    record selected, e.g. right after a 删除."""
    site, user = _mine(session)
    query = select(Op.entity, Op.row_id).where(Op.site_id == site, Op.field != CREATE_FIELD)
    if user is not None:
        query = query.where(Op.user == user)
    if entity is not None:
        query = query.where(Op.entity == entity)
    newest = session.execute(query.order_by(Op.hlc.desc()).limit(1)).first()
    if newest is None:
        return None
    return last_edit(session, newest.entity, newest.row_id)
