"""`sync import --preview`: what a package would do, counted while it is read and authenticated as an
import reads it, in a read snapshot."""
from __future__ import annotations

from collections import Counter
from typing import TYPE_CHECKING

from sqlalchemy import select
from sqlalchemy.orm import Session

from models.merge import field_heads, ops_of_rows
from models.oplog import CREATE_FIELD, Op, OpRecord
from models.sync.container import OpenedPackage
from models.sync.verdicts import APPLY, Plan

if TYPE_CHECKING:
    from models.sync.exchange import ImportResult

_BATCH = 5000  # ops looked up at once


def dry_run(session: Session, package: OpenedPackage, plan: Plan, result: ImportResult) -> None:
    """Dry run without writing anything (with SQLCipher even a rolled-back savepoint rewrites pages):
    counts new ops per entity and predicts conflicts — an incoming field op that does not supersede
    every local head of its field."""
    incoming_ids: set[str] = set()
    per_entity: Counter[str] = Counter()
    edits: list[OpRecord] = []  # field ops only: creates cannot conflict
    batch: list[OpRecord] = []

    def count_batch() -> None:
        known = _known_op_ids(session, [op.op_id for op in batch])
        for op in batch:
            if op.op_id in known:
                result.duplicate_ops += 1
                continue
            result.new_ops += 1
            per_entity[op.entity] += 1
            if op.field != CREATE_FIELD:
                edits.append(op)
        batch.clear()

    for op, verdict in plan.classified(package):
        if verdict == APPLY:
            incoming_ids.add(op.op_id)
            batch.append(op)
            if len(batch) >= _BATCH:
                count_batch()
        else:
            result.quarantined_ops += 1
            result.held[verdict] = result.held.get(verdict, 0) + 1
    count_batch()
    local = _local_ops_of_rows(session, {(op.entity, op.row_id) for op in edits})
    predicted: set[tuple[str, str, str]] = set()
    for op in edits:
        local_heads = {head.op_id for head in field_heads(local.get((op.entity, op.row_id), []), op.field)}
        if local_heads - set(op.pred) - incoming_ids:
            predicted.add((op.entity, op.row_id, op.field))
    result.per_entity = dict(sorted(per_entity.items()))
    result.conflicts_after = result.conflicts_before + len(predicted)
    result.blobs = len(plan.manifest["blobs"])


def _local_ops_of_rows(session: Session, rows: set[tuple[str, str]]) -> dict[tuple[str, str], list[OpRecord]]:
    """The ops held here of these rows, a few hundred rows per query."""
    by_entity: dict[str, list[str]] = {}
    for entity, row_id in sorted(rows):
        by_entity.setdefault(entity, []).append(row_id)
    found: dict[tuple[str, str], list[OpRecord]] = {}
    for entity, row_ids in by_entity.items():
        for start in range(0, len(row_ids), 500):
            for op in ops_of_rows(session, entity, row_ids[start:start + 500]):
                found.setdefault((entity, op.row_id), []).append(op)
    return found


def _known_op_ids(session: Session, op_ids: list[str]) -> set[str]:
    known: set[str] = set()
    for start in range(0, len(op_ids), 500):
        known.update(session.scalars(select(Op.op_id).where(Op.op_id.in_(op_ids[start:start + 500]))))
    return known
