"""Merging ops into rows. Heads and winners are pure functions of the set of ops, so every
workstation computes the same rows from the same ops whatever order they arrived in.

- heads of a field = ops of that field (and create ops carrying it) not named in the `pred` of
  another op of that field;
- shown value = the head with the greatest (hlc, site_id); two heads with different values = a conflict
  kept for a person (never silently dropped);
- a deletion wins over edits only when newer: an edit newer than the winning delete brings the row
  back and is flagged as a 删除-修改冲突."""
from __future__ import annotations

import json
import uuid
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from operator import itemgetter
from typing import Any, Protocol

from sqlalchemy import Column, Connection, String, Text, bindparam, delete, insert, select, update
from sqlalchemy.orm import Mapped, Session, mapped_column

from models.base import Base
from models.bulk import among, insert_rows
from models.fieldcodec import canonical_json, from_plain
from models.oplog import (
    CREATE_FIELD,
    LocalState,
    Op,
    OpRecord,
    WriterContext,
    local_state,
)
from models.registry import ENTITY_BY_NAME, REPLICATED, replicated_columns, revival_fields
from models.search import SEARCHABLE, IndexEntry, index_entry, write_index

DELETED = "deleted"


class OpLike(Protocol):
    op_id: str
    hlc: int
    site_id: str
    user: str
    field: str
    value: str

    def pred_ids(self) -> Sequence[str]: ...


class FieldConflict(Base):
    """Materialised list of fields with more than one distinct head (what the 冲突处理 page shows)."""

    __tablename__ = "field_conflict"

    entity: Mapped[str] = mapped_column(String(40), primary_key=True)
    row_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    field: Mapped[str] = mapped_column(String(60), primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))          # "value" or "delete_edit"
    heads: Mapped[str] = mapped_column(Text)               # canonical JSON list of Head dicts


@dataclass(frozen=True)
class Head:
    op_id: str
    hlc: int
    site_id: str
    user: str
    value: Any  # plain JSON value


@dataclass
class RowState:
    values: dict[str, Any] = field(default_factory=dict)
    conflicts: dict[str, tuple[str, list[Head]]] = field(default_factory=dict)
    deleted: bool = False
    created_hlc: int = 0
    updated_hlc: int = 0
    updated_site: str = ""


@dataclass
class ApplyStats:
    new_ops: int = 0
    duplicate_ops: int = 0
    rows: set[tuple[str, str]] = field(default_factory=set)
    unknown_ops: list[OpRecord] = field(default_factory=list)


def _pred(op: OpLike) -> Sequence[str]:
    return op.pred_ids() if hasattr(op, "pred_ids") else op.pred  # type: ignore[attr-defined]


def head_value(op: OpLike, name: str, parsed: dict[str, Any] | None = None) -> tuple[bool, Any]:
    """(present, value) of field `name` in op; a create op filtered by a profile may lack it.
    `parsed` caches decoded op values by op id (row_state decodes each op once)."""
    if parsed is None:
        plain = json.loads(op.value)
    elif op.op_id in parsed:
        plain = parsed[op.op_id]
    else:
        plain = parsed[op.op_id] = json.loads(op.value)
    if op.field == CREATE_FIELD:
        return (name in plain, plain.get(name))
    return (op.field == name, plain)


def field_heads(ops: Iterable[OpLike], name: str, parsed: dict[str, Any] | None = None) -> list[OpLike]:
    ops = list(ops)
    candidates = [o for o in ops if (o.field == name or o.field == CREATE_FIELD) and head_value(o, name, parsed)[0]]
    superseded = {p for o in ops if o.field == name for p in _pred(o)}
    return [o for o in candidates if o.op_id not in superseded]


def _order(op: OpLike) -> tuple[int, str, str]:
    # The op id last: one edit of several fields gives each op the same hlc and site, and which of them a
    # 删除-修改 conflict names must not depend on the order the ops arrived in.
    return (op.hlc, op.site_id, op.op_id)


def row_state(ops: Sequence[OpLike], fields: Iterable[str], revivers: frozenset[str] | None = None) -> RowState:
    """Values, conflicts and tombstone of one row from its ops. `revivers`: the fields whose newer
    edit undoes a deletion (registry.revival_fields; None = any field)."""
    state = RowState()
    if not ops:
        return state
    if len(ops) == 1 and ops[0].field == CREATE_FIELD:
        return _created_only(ops[0], fields)
    parsed: dict[str, Any] = {}
    newest = max(ops, key=_order)
    state.created_hlc = min(o.hlc for o in ops)
    state.updated_hlc, state.updated_site = newest.hlc, newest.site_id
    for name in fields:
        heads = field_heads(ops, name, parsed)
        if not heads:
            continue
        ordered = sorted(heads, key=_order, reverse=True)
        state.values[name] = head_value(ordered[0], name, parsed)[1]
        if len(heads) > 1 and len({canonical_json(head_value(h, name, parsed)[1]) for h in heads}) > 1:
            state.conflicts[name] = ("value", [_head(h, name, parsed) for h in ordered])
    if state.values.get(DELETED):
        delete_heads = sorted(field_heads(ops, DELETED, parsed), key=_order, reverse=True)
        delete_op = delete_heads[0]
        deleted_at = (delete_op.hlc, delete_op.site_id)  # an edit made in the same write is not newer
        newer_edits = [o for o in ops if o.field not in (DELETED, CREATE_FIELD) and (o.hlc, o.site_id) > deleted_at
                       and (revivers is None or o.field in revivers)]
        if newer_edits:
            state.values[DELETED] = False
            edit = max(newer_edits, key=_order)
            state.conflicts[DELETED] = ("delete_edit", [_head(delete_op, DELETED, parsed),
                                                        _head(edit, edit.field, parsed)])
    state.deleted = bool(state.values.get(DELETED))
    return state


def _created_only(create: OpLike, fields: Iterable[str]) -> RowState:
    """The common case of a merge (a row never edited since it was created): its create op is the only
    head of every field it carries, so there is nothing to compare."""
    carried = json.loads(create.value)
    if isinstance(carried, dict) and isinstance(fields, dict) and carried.keys() <= fields.keys():
        values = carried  # every field it carries is one of the row's (the usual case): nothing to leave out
    else:
        values = {name: carried[name] for name in fields if name in carried}
    return RowState(values=values, deleted=bool(values.get(DELETED)), created_hlc=create.hlc,
                    updated_hlc=create.hlc, updated_site=create.site_id)


def _head(op: OpLike, name: str, parsed: dict[str, Any] | None = None) -> Head:
    return Head(op.op_id, op.hlc, op.site_id, op.user, head_value(op, name, parsed)[1])


def _conflict_rows(entity: str, row_id: str, state: RowState) -> list[dict[str, str]]:
    return [{"entity": entity, "row_id": row_id, "field": name, "kind": kind,
             "heads": canonical_json([h.__dict__ for h in heads])}
            for name, (kind, heads) in state.conflicts.items()]


def _replace_conflicts(session: Session, entity: str, row_ids: list[str], rows: list[dict[str, str]]) -> None:
    """Core statements, not ORM objects: conflict rows are a cache that is rewritten, never edited."""
    conn = session.connection()
    conflict = FieldConflict.__table__.c
    conn.execute(delete(FieldConflict.__table__).where(conflict.entity == entity, among(conn, conflict.row_id, row_ids)))
    if rows:
        conn.execute(insert(FieldConflict.__table__), rows)


def refresh_row_conflicts(session: Session, entity: str, row_id: str, *, only_if_conflicted: bool) -> None:
    if only_if_conflicted and session.scalar(select(FieldConflict.field).where(
            FieldConflict.entity == entity, FieldConflict.row_id == row_id).limit(1)) is None:
        return
    cls = ENTITY_BY_NAME[entity]
    with session.no_autoflush:
        ops = list(session.scalars(select(Op).where(Op.entity == entity, Op.row_id == row_id)))
    state = row_state(ops, replicated_columns(cls), revival_fields(entity))
    _replace_conflicts(session, entity, [row_id], _conflict_rows(entity, row_id, state))


MATERIALIZE_CHUNK = 1000
_OP_COLUMNS = (Op.op_id, Op.hlc, Op.site_id, Op.user, Op.entity, Op.row_id, Op.field, Op.value, Op.pred, Op.sig)
_OP_KEYS = ("op_id", "hlc", "site_id", "user", "entity", "row_id", "field", "value", "pred", "arrival", "sig")


def ops_of_rows(session: Session, entity: str, row_ids: Sequence[str]) -> list[OpRecord]:
    """Every op of these rows as plain records (row tuples, no ORM object per op)."""
    return [OpRecord(op_id, hlc, site_id, user, entity_name, row_id, field_name, value,
                     () if pred == "[]" else tuple(json.loads(pred)), sig or "")
            for op_id, hlc, site_id, user, entity_name, row_id, field_name, value, pred, sig in session.execute(
                select(*_OP_COLUMNS).where(Op.entity == entity, among(session.connection(), Op.__table__.c.row_id,
                                                                      row_ids)))]


@dataclass(frozen=True)
class _TablePlan:
    """What writing one entity's rows needs, read from the model's metadata once: the replicated columns,
    the value of every column a new row leaves unset (its scalar default, else NULL), the derived columns
    and the indexed ones."""

    cls: type
    columns: dict[str, Column]
    typed: frozenset[str]            # fields whose JSON value becomes another Python type (from_plain); not text
    new_row: dict[str, Any]
    derived: tuple[str, ...]
    indexed: frozenset[str] | None   # fields whose change rewrites the row's index entry; None: not indexed
    keys: tuple[str, ...]            # every column of the table, in table order
    values_of: Callable[[dict[str, Any]], tuple[Any, ...]]  # a row dict -> its values in `keys` order


@cache
def _plan(cls: type) -> _TablePlan:
    table_columns = cls.__table__.c  # type: ignore[attr-defined]
    new_row = {c.key: c.default.arg if c.default is not None and c.default.is_scalar else None
               for c in table_columns if c.key != "id"}
    searchable = SEARCHABLE.get(cls)
    columns = replicated_columns(cls)
    keys = tuple(table_columns.keys())
    return _TablePlan(cls, columns, frozenset(key for key, c in columns.items() if c.type.python_type is not str),
                      new_row,
                      tuple(c.key for c in table_columns if c.info.get("derived")),
                      None if searchable is None else frozenset((*searchable, DELETED)),
                      keys, itemgetter(*keys))


def _derive(session: Session, plan: _TablePlan, row: dict[str, Any]) -> None:
    """The derived columns of a row (reply deadline, measure due date) from its values, by the same code as a
    local edit (models/derived.py), through a transient object that never joins the session."""
    if not plan.derived:
        return
    from models.derived import derive  # derivations read rules and related rows

    obj = plan.cls(**{key: row[key] for key in plan.columns})
    derive(session, obj)
    for key in plan.derived:
        row[key] = getattr(obj, key)


def materialize_rows(session: Session, rows: Iterable[tuple[str, str]],
                     all_ops: Mapping[tuple[str, str], list[OpRecord]] | None = None) -> None:
    """Recompute rows from their ops and write the winners, a chunk at a time, without an ORM object per row:
    one query for the ops, one for the current rows, one executemany for the new rows (models/bulk.py: as raw
    SQL on a file) and one per set of changed columns and the conflict cache rewritten per chunk; the search
    index written once.
    Entities go in registry order, so a row's derived values see the rows it depends on (a measure its task
    list's year) when both arrive together. ORM objects of the rewritten rows held by the session are
    expired, so they read the merged values. `all_ops`: every op of some of the rows, known to the caller
    (apply_ops: rows with no op stored before its batch), so they are not read back."""
    by_entity: dict[str, list[str]] = {}
    for entity, row_id in sorted(set(rows)):
        by_entity.setdefault(entity, []).append(row_id)
    conn = session.connection()
    fresh_entries: list[IndexEntry] = []
    changed_entries: list[IndexEntry] = []
    with session.no_autoflush:
        for cls in REPLICATED:
            row_ids = by_entity.get(cls.entity_name)
            if row_ids:
                _materialize_entity(session, conn, _plan(cls), row_ids, all_ops or {}, fresh_entries,
                                    changed_entries)
    # Once per call, not per chunk: the index takes its rows in one ordered run.
    write_index(conn, fresh_entries, fresh=True)
    write_index(conn, changed_entries)


def _materialize_entity(session: Session, conn: Connection, plan: _TablePlan, row_ids: list[str],
                        all_ops: Mapping[tuple[str, str], list[OpRecord]], fresh_entries: list[IndexEntry],
                        changed_entries: list[IndexEntry]) -> None:
    entity, table = plan.cls.entity_name, plan.cls.__table__  # type: ignore[attr-defined]
    revivers = revival_fields(entity)
    touched: set[uuid.UUID] = set()
    for start in range(0, len(row_ids), MATERIALIZE_CHUNK):
        chunk = row_ids[start:start + MATERIALIZE_CHUNK]
        ops_by_row = {row_id: all_ops[(entity, row_id)] for row_id in chunk if (entity, row_id) in all_ops}
        stored = [row_id for row_id in chunk if row_id not in ops_by_row]
        for op in ops_of_rows(session, entity, stored) if stored else ():
            ops_by_row.setdefault(op.row_id, []).append(op)
        ids = [uuid.UUID(row_id) for row_id in chunk]
        current = {row.id: row._asdict() for row in conn.execute(select(table).where(among(conn, table.c.id, ids)))}
        new_rows: list[dict[str, Any]] = []
        updates: dict[tuple[str, ...], list[dict[str, Any]]] = {}
        conflict_rows: list[dict[str, str]] = []
        for row_id, row_uuid in zip(chunk, ids):
            state = row_state(ops_by_row.get(row_id, ()), plan.columns, revivers)
            old = current.get(row_uuid)
            row = {**(plan.new_row if old is None else old), **state.values}
            for name in plan.typed.intersection(state.values):
                row[name] = from_plain(plan.columns[name], row[name])
            row["deleted"], row["created_hlc"] = state.deleted, state.created_hlc
            row["updated_hlc"], row["updated_site"] = state.updated_hlc, state.updated_site
            if plan.derived:
                _derive(session, plan, row)
            if state.conflicts:
                conflict_rows.extend(_conflict_rows(entity, row_id, state))
            if old is None:
                row["id"] = row_uuid
                new_rows.append(row)
                if plan.indexed is not None:
                    fresh_entries.append(index_entry(plan.cls, row_uuid, row))
                continue
            changed = {key: value for key, value in row.items() if old[key] != value}
            if not changed:
                continue
            touched.add(row_uuid)
            updates.setdefault(tuple(sorted(changed)), []).append({"_row_id": row_uuid, **changed})
            if plan.indexed is not None and not plan.indexed.isdisjoint(changed):
                changed_entries.append(index_entry(plan.cls, row_uuid, row))
        insert_rows(conn, table, plan.keys, [plan.values_of(row) for row in new_rows])
        for params in updates.values():
            conn.execute(update(table).where(table.c.id == bindparam("_row_id")), params)
        _replace_conflicts(session, entity, chunk, conflict_rows)
    _expire(session, plan.cls, touched)


def _expire(session: Session, cls: type, row_ids: set[uuid.UUID]) -> None:
    """ORM objects of rows rewritten behind the session's back read their new values on next access."""
    if not row_ids:
        return
    for key, obj in list(session.identity_map.items()):
        if key[0] is cls and key[1][0] in row_ids:
            session.expire(obj)


def apply_ops(session: Session, records: Iterable[OpRecord]) -> ApplyStats:
    """Merge remote ops: idempotent (known op ids are skipped), order-independent."""
    stats = ApplyStats()
    fresh: dict[str, OpRecord] = {}
    for record in records:
        cls = ENTITY_BY_NAME.get(record.entity)
        if cls is None or (record.field != CREATE_FIELD and record.field not in replicated_columns(cls)):
            stats.unknown_ops.append(record)
        else:
            fresh.setdefault(record.op_id, record)
    if fresh:
        conn = session.connection()
        for known in conn.execute(select(Op.op_id).where(among(conn, Op.__table__.c.op_id, fresh))).scalars().all():
            del fresh[known]
            stats.duplicate_ops += 1
    if not fresh:
        return stats
    state: LocalState = local_state(session)
    writer: WriterContext = session.info["writer"]
    op_rows = []
    arrival = state.arrival
    for record in fresh.values():
        arrival += 1
        op_rows.append((record.op_id, record.hlc, record.site_id, record.user, record.entity, record.row_id,
                        record.field, record.value, json.dumps(list(record.pred)) if record.pred else "[]",
                        arrival, record.sig))
        stats.rows.add((record.entity, record.row_id))
    writer.clock.observe(max(record.hlc for record in fresh.values()))
    stored = _rows_with_stored_ops(session.connection(), stats.rows)
    all_ops: dict[tuple[str, str], list[OpRecord]] = {}
    for record in fresh.values():
        if (record.entity, record.row_id) not in stored:
            all_ops.setdefault((record.entity, record.row_id), []).append(record)
    state.arrival = arrival
    state.hlc = writer.clock.last
    stats.new_ops = len(fresh)
    session.info["applying_remote"] = True
    try:
        session.flush()
        # One executemany (no ORM bulk path); op rows are never edited as objects.
        insert_rows(session.connection(), Op.__table__, _OP_KEYS, op_rows)
        del op_rows  # not held through the merge: a batch's objects, not two copies of it
        materialize_rows(session, stats.rows, all_ops)
        session.flush()
    finally:
        session.info["applying_remote"] = False
    return stats


def _rows_with_stored_ops(conn: Connection, rows: set[tuple[str, str]]) -> set[tuple[str, str]]:
    """Which of these rows have ops in the log (read through the index on (entity, row_id, field))."""
    by_entity: dict[str, list[str]] = {}
    for entity, row_id in rows:
        by_entity.setdefault(entity, []).append(row_id)
    op = Op.__table__.c
    found: set[tuple[str, str]] = set()
    for entity, row_ids in by_entity.items():
        query = select(op.row_id).where(op.entity == entity, among(conn, op.row_id, row_ids))
        found.update((entity, row_id) for row_id in conn.execute(query.distinct()).scalars())
    return found
