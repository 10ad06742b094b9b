"""Profiles: what each peer receives, and what each role may write (sync-security.md §A.3.8).

Export filters by the recipient's profile; import rejects ops the origin's role may not write.
A field absent from a package means "no information", never "set to null": a create op cut down by
a profile simply lacks those keys, and the merge treats missing keys as no head.
"""
from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, replace

from models.base import SyncedMixin
from models.oplog import CREATE_FIELD, OpRecord
from models.registry import SUGGESTION_STATUS_FIELDS, TRANSFER_SHARED_FIELDS

AllFields = None  # marker: every replicated field of the entity
FieldSet = frozenset[str] | None

SUGGESTION_REPLY_FIELDS = frozenset({  # written by the receiving unit / 联络办 (三书一函 split)
    "replied_on", "reply_doc_no", "reply_content", "adoption", "objection", "rectification",
    "rectification_detail"})
TRANSFER_FEEDBACK_FIELDS = frozenset({"received_on", "feedback_on", "feedback"})  # 接收 and 反馈


@dataclass(frozen=True)
class Profile:
    name: str
    label: str
    entities: Mapping[str, FieldSet] | None  # None: everything
    # entity -> (field, value) the current row must have to be shared, e.g. 送政府方
    row_predicates: Mapping[str, tuple[str, object]]

    @property
    def is_full(self) -> bool:
        return self.entities is None

    def fields_of(self, entity: str) -> FieldSet | bool:
        """AllFields (None) for every field, a set for some, False for an entity not shared."""
        if self.entities is None:
            return AllFields
        return self.entities.get(entity, False) if entity in self.entities else False


PROFILES: dict[str, Profile] = {
    "full": Profile("full", "全部数据", None, {}),
    "gov_view": Profile("gov_view", "政府方视图（任务清单、会议、检察建议办理状态，不含案件详情）", {
        "unit": AllFields, "task_list": AllFields, "task_aspect": AllFields, "task": AllFields,
        "measure": AllFields, "progress_entry": AllFields, "meeting": AllFields, "meeting_decision": AllFields,
        "suggestion": SUGGESTION_STATUS_FIELDS,
        # 线索移送 the government side is party to (marked 送政府方) and the whole 信息共享 register
        "transfer": TRANSFER_SHARED_FIELDS, "info_share": AllFields,
    }, {"suggestion": ("to_government", True), "transfer": ("to_government", True)}),
}

# What ops from a site of each role may change (import side). None = anything.
WRITABLE_BY_ROLE: dict[str, Mapping[str, FieldSet] | None] = {
    "procuratorate": None,
    "liaison": None,
    # the government side records its 接收 and 反馈 of a transfer and sends its own 信息共享 figures
    "government": {"progress_entry": AllFields, "suggestion": SUGGESTION_REPLY_FIELDS,
                   "transfer": TRANSFER_FEEDBACK_FIELDS, "info_share": AllFields},
    "other": {"progress_entry": AllFields},
}


def project_op(profile: Profile, op: OpRecord) -> OpRecord | None:
    """The op as this profile may see it: dropped, unchanged, or a create op cut to allowed fields."""
    allowed = profile.fields_of(op.entity)
    if allowed is AllFields:
        return op
    if allowed is False:
        return None
    assert isinstance(allowed, frozenset)
    if op.field != CREATE_FIELD:
        return op if op.field in allowed else None
    values = json.loads(op.value)
    kept = {name: value for name, value in values.items() if name in allowed}
    from models.fieldcodec import canonical_json

    return replace(op, value=canonical_json(kept))


def role_may_write(role: str, op: OpRecord) -> bool:
    writable = WRITABLE_BY_ROLE.get(role, {})
    if writable is None:
        return True
    if op.entity not in writable:
        return False
    fields = writable[op.entity]
    if fields is AllFields:
        return True
    if op.field == CREATE_FIELD:
        return False  # creating a record of a partly-writable entity is the owner's job
    return op.field in fields


def row_is_shared(profile: Profile, row: SyncedMixin | None, entity: str) -> bool:
    predicate = profile.row_predicates.get(entity)
    if predicate is None:
        return True
    if row is None:
        return False
    field_name, wanted = predicate
    return bool(getattr(row, field_name) == wanted)
