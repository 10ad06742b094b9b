"""The op log: every change of a replicated record is a field operation with predecessor links
(sync-security.md §A.3.2). Services just use the ORM; a before_flush hook turns inserts into one
create op (all fields, field "*") and updates into one op per changed field whose `pred` is the
field's current heads. The op log is also the data audit trail: who changed what, when, from what."""
from __future__ import annotations

import json
from dataclasses import dataclass
from dataclasses import field as dc_field
from typing import Any

from sqlalchemy import BigInteger, Index, String, Text, event, insert, inspect, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from models.base import Base, SyncedMixin, new_id
from models.errors import DomainError
from models.fieldcodec import (
    FORBIDDEN_CONTROL,
    canonical_json,
    clean_text,
    encode_value,
    may_hold_control,
    to_plain,
    too_big,
)
from models.hlc import HybridClock
from models.labels import field_label
from models.registry import fill_defaults, replicated_columns, revival_fields

CREATE_FIELD = "*"  # a create op carries every field of the new row as one JSON object
# Called with every local op a flush is about to record; may raise DomainError to refuse the write
# (models/sync/policy.py: a government-side site may not edit outside its role).
LOCAL_WRITE_GUARDS: list[Any] = []


class Op(Base):
    __tablename__ = "op"

    op_id: Mapped[str] = mapped_column(String(80), primary_key=True)   # site:incarnation:seq
    hlc: Mapped[int] = mapped_column(BigInteger, index=True)
    site_id: Mapped[str] = mapped_column(String(40))
    user: Mapped[str] = mapped_column(String(100), default="")
    entity: Mapped[str] = mapped_column(String(40))
    row_id: Mapped[str] = mapped_column(String(36))
    field: Mapped[str] = mapped_column(String(60))
    value: Mapped[str] = mapped_column(Text)                            # canonical JSON
    pred: Mapped[str] = mapped_column(Text, default="[]")               # JSON list of op ids
    arrival: Mapped[int] = mapped_column(BigInteger, index=True)        # local order of arrival, not replicated
    # How the origin vouches for the op (models/sync/FORMAT.md "Op signatures"): {"att": id} naming the
    # origin's signed attestation (table sync_attestation) that lists this op's digest, or, for ops from
    # op format 1, the per-op Ed25519 signatures {profile name: base64}. "" for this site's own ops until
    # their first export attests them (written back here then).
    sig: Mapped[str] = mapped_column(Text, default="", server_default="")

    __table_args__ = (Index("ix_op_row_field", "entity", "row_id", "field"),)

    def pred_ids(self) -> list[str]:
        return json.loads(self.pred)


class LocalState(Base):
    """This workstation's sync identity and counters (one row). Never replicated."""

    __tablename__ = "local_state"

    id: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[str] = mapped_column(String(40))
    incarnation: Mapped[str] = mapped_column(String(20))   # renewed by every in-app restore
    site_label: Mapped[str] = mapped_column(String(200), default="")
    seq: Mapped[int] = mapped_column(BigInteger, default=0)
    hlc: Mapped[int] = mapped_column(BigInteger, default=0)
    arrival: Mapped[int] = mapped_column(BigInteger, default=0)


@dataclass(frozen=True)
class OpRecord:
    """An op as it travels between workstations."""

    op_id: str
    hlc: int
    site_id: str
    user: str
    entity: str
    row_id: str
    field: str
    value: str
    pred: tuple[str, ...] = ()
    # How the origin vouches for it (as Op.sig: {"att": id} or format-1 per-op signatures); not part of
    # the op's identity, so two records differing only here are the same op.
    sig: str = dc_field(default="", compare=False)

    @classmethod
    def of(cls, op: Op) -> OpRecord:
        return cls(op.op_id, op.hlc, op.site_id, op.user, op.entity, op.row_id, op.field, op.value,
                   tuple(op.pred_ids()), op.sig or "")

    def to_json(self) -> str:
        return canonical_json({"id": self.op_id, "hlc": self.hlc, "site": self.site_id, "user": self.user,
                               "entity": self.entity, "row": self.row_id, "field": self.field,
                               "value": self.value, "pred": list(self.pred), "sig": self.sig})

    @classmethod
    def from_json(cls, text: str) -> OpRecord:
        d = json.loads(text)
        return cls(d["id"], int(d["hlc"]), d["site"], d["user"], d["entity"], d["row"], d["field"],
                   d["value"], tuple(d["pred"]), d.get("sig", ""))

    @property
    def incarnation_and_seq(self) -> tuple[str, int]:
        """("", 0) for an op id not of the form site:incarnation:seq."""
        parts = self.op_id.split(":")
        if len(parts) != 3 or not parts[2].isdigit():
            return "", 0
        return parts[1], int(parts[2])


@dataclass
class WriterContext:
    """Who writes in a session: set by storage.Database on every session it opens."""

    clock: HybridClock
    user: str = ""


def local_state(session: Session) -> LocalState:
    state = session.get(LocalState, 1)
    if state is None:
        raise RuntimeError("database has no local sync identity (not initialised)")
    return state


def next_op_id(state: LocalState) -> str:
    state.seq += 1
    state.arrival += 1
    return f"{state.site_id}:{state.incarnation}:{state.seq}"


def ops_of_row(session: Session, entity: str, row_id: str) -> list[Op]:
    with session.no_autoflush:
        return list(session.scalars(select(Op).where(Op.entity == entity, Op.row_id == row_id)))


def _changed_fields(obj: SyncedMixin) -> dict[str, Any]:
    state = inspect(obj)
    changed = {}
    for key in replicated_columns(type(obj)):
        history = state.attrs[key].history
        if history.added and (not history.deleted or history.deleted[0] != history.added[0]):
            changed[key] = history.added[0]
    return changed


def _cleaned(obj: SyncedMixin, values: dict[str, Any]) -> dict[str, Any]:
    """`values` (and the object) with control characters cleaned out of their texts (fieldcodec.clean_text):
    a peer refuses a package holding one, and every later one while the op stays unacknowledged."""
    for key, value in values.items():
        if isinstance(value, str) and FORBIDDEN_CONTROL.search(value):
            values[key] = clean_text(value)
            setattr(obj, key, values[key])
    return values


def _refuse_too_big(entity: str, values: dict[str, Any]) -> None:
    """A value no peer would accept (fieldcodec.MAX_VALUE_BYTES) is refused when it is written, not found
    out at the next export: the clerk is told which field, and nothing is saved."""
    longest = max((key for key, value in values.items() if isinstance(value, str)),
                  key=lambda key: len(values[key]), default=None)
    what = f"“{field_label(entity, longest)}”" if longest else "这条记录"
    raise DomainError("value_too_big", f"{what}的内容超过 1 MB，无法保存，也无法同步。请删减，或把长文作为附件上传")


def emit_field_op(session: Session, state: LocalState, writer: WriterContext, obj: SyncedMixin,
                  field: str, value: Any, hlc: int, row_ops: list[Op] | None = None) -> Op:
    """One local write of one field, superseding every current head of that field."""
    from models.merge import field_heads  # merge imports this module

    row_id = str(obj.id)
    encoded = encode_value(value)
    if too_big(encoded):
        _refuse_too_big(obj.entity_name, {field: value})
    ops = row_ops if row_ops is not None else ops_of_row(session, obj.entity_name, row_id)
    heads = field_heads(ops, field)
    op = Op(op_id=next_op_id(state), hlc=hlc, site_id=state.site_id, user=writer.user,
            entity=obj.entity_name, row_id=row_id, field=field, value=encoded,
            pred=json.dumps(sorted(o.op_id for o in heads)), arrival=state.arrival)
    session.add(op)
    return op


@event.listens_for(Session, "before_flush")
def _record_ops(session: Session, _flush_context: object, _instances: object) -> None:
    from models.derived import derive  # derivations read rules and related rows

    new = [o for o in session.new if isinstance(o, SyncedMixin)]
    dirty = [o for o in session.dirty if isinstance(o, SyncedMixin) and session.is_modified(o)]
    if not new and not dirty:
        return
    for obj in new + dirty:
        derive(session, obj)
    if session.info.get("applying_remote"):
        return
    writer: WriterContext | None = session.info.get("writer")
    if writer is None:
        raise RuntimeError("replicated rows may only be written in a Database session")
    recorded: list[Op] = []
    with session.no_autoflush:
        state = local_state(session)
        # Create ops are written as plain rows, one executemany per flush (after the guards), not as ORM
        # objects: a bulk import creates tens of thousands of them and never edits one.
        create_rows: list[dict[str, Any]] = []
        for obj in new:
            fill_defaults(obj)
            if obj.id is None:
                obj.id = new_id()
            hlc = writer.clock.tick()
            # A new object holds every value it has in its __dict__ (an unset column is None).
            state_dict = obj.__dict__
            values = {key: to_plain(state_dict.get(key)) for key in replicated_columns(type(obj))}
            encoded = canonical_json(values)
            if may_hold_control(encoded):
                encoded = canonical_json(_cleaned(obj, values))
            if too_big(encoded):
                _refuse_too_big(obj.entity_name, values)
            create = OpRecord(next_op_id(state), hlc, state.site_id, writer.user, obj.entity_name, str(obj.id),
                              CREATE_FIELD, encoded)
            create_rows.append({"op_id": create.op_id, "hlc": hlc, "site_id": create.site_id, "user": create.user,
                                "entity": create.entity, "row_id": create.row_id, "field": CREATE_FIELD,
                                "value": create.value, "pred": "[]", "arrival": state.arrival, "sig": ""})
            recorded.append(create)  # type: ignore[arg-type]  # the guards read entity and field only
            obj.created_hlc = obj.updated_hlc = hlc
            obj.updated_site = state.site_id
        touched_conflicts: list[tuple[str, str]] = []
        revived: list[tuple[str, str]] = []
        for obj in dirty:
            changed = _cleaned(obj, _changed_fields(obj))
            if not changed:
                continue
            hlc = writer.clock.tick()
            earlier = ops_of_row(session, obj.entity_name, str(obj.id))
            new_ops = [emit_field_op(session, state, writer, obj, key, value, hlc, earlier)
                       for key, value in changed.items()]
            recorded.extend(new_ops)
            obj.updated_hlc = hlc
            obj.updated_site = state.site_id
            row = (obj.entity_name, str(obj.id))
            if obj.deleted and "deleted" not in changed:
                # An edit newer than the deletion brings the row back as a 删除-修改冲突, exactly as every
                # peer will compute it from the same ops.
                from models.merge import row_state

                obj.deleted = row_state(earlier + new_ops, replicated_columns(type(obj)),
                                        revival_fields(obj.entity_name)).deleted
                revived.append(row)
            else:
                touched_conflicts.append(row)
        state.hlc = writer.clock.last
        for guard in LOCAL_WRITE_GUARDS:
            guard(session, recorded)
        if create_rows:
            session.connection().execute(insert(Op.__table__), create_rows)
    session.info.setdefault("edited_rows", []).extend(touched_conflicts)
    session.info.setdefault("revived_rows", []).extend(revived)


@event.listens_for(Session, "after_flush_postexec")
def _refresh_conflicts(session: Session, _flush_context: object) -> None:
    """A local edit supersedes every head of its field, so it can only resolve conflicts — except an
    edit of a deleted row, which raises a delete-edit conflict."""
    from models.merge import refresh_row_conflicts

    for entity, row_id in session.info.pop("edited_rows", []):
        refresh_row_conflicts(session, entity, row_id, only_if_conflicted=True)
    for entity, row_id in session.info.pop("revived_rows", []):
        refresh_row_conflicts(session, entity, row_id, only_if_conflicted=False)


def tombstone(session: Session, obj: SyncedMixin) -> None:
    """Delete = a replicated write of `deleted`; the row stays so the deletion can travel to peers."""
    if obj not in session:
        session.add(obj)
    obj.deleted = True
