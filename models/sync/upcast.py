"""Ops written by older versions of the program, brought up to the current op format before they
are applied (sync-security.md §A.3.6 step 7), and quarantined ops released after an upgrade.

UPCASTERS maps an op format to the function that turns one of its ops into the next format (None:
the op has no meaning any more). Format 1 is the first, so the table is empty today; a release that
renames or re-encodes a field adds one entry here and bumps export.OP_FMT."""
from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import select
from sqlalchemy.orm import Session

from models.merge import apply_ops
from models.oplog import CREATE_FIELD, OpRecord
from models.registry import ENTITY_BY_NAME, replicated_columns
from models.sync.peers import QuarantinedOp

Upcaster = Callable[[OpRecord], OpRecord | None]
UPCASTERS: dict[int, Upcaster] = {}


def upcast(op: OpRecord, op_fmt: int, current: int) -> OpRecord | None:
    for fmt in range(op_fmt, current):
        step = UPCASTERS.get(fmt)
        if step is not None:
            upgraded = step(op)
            if upgraded is None:
                return None
            op = upgraded
    return op


def _known(op: OpRecord) -> bool:
    cls = ENTITY_BY_NAME.get(op.entity)
    return cls is not None and (op.field == CREATE_FIELD or op.field in replicated_columns(cls))


def release_quarantine(session: Session) -> int:
    """Apply the quarantined ops this version understands (after an upgrade); returns how many."""
    held = list(session.scalars(select(QuarantinedOp).where(QuarantinedOp.reason == "unknown_field")))
    ready = [(row, OpRecord.from_json(row.body)) for row in held]
    ready = [(row, op) for row, op in ready if _known(op)]
    if ready:
        apply_ops(session, [op for _, op in ready])
        for row, _ in ready:
            session.delete(row)
        session.flush()
    return len(ready)
