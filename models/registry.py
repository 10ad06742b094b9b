"""The replicated entities and their fields: the schema every workstation agrees on.
Its fingerprint goes into sync packages so a peer can tell whether it can interpret our ops."""
from __future__ import annotations

import hashlib
from functools import cache

from sqlalchemy import Column, inspect

from models.attachment import Attachment
from models.base import BOOKKEEPING_COLUMNS, SyncedMixin
from models.campaign import Campaign, CampaignLink, CampaignPhase
from models.case import Case
from models.info_share import InfoShare
from models.meeting import Meeting, MeetingDecision
from models.suggestion import Suggestion, SuggestionItem
from models.tasklist import Measure, ProgressEntry, Task, TaskAspect, TaskList
from models.transfer import Transfer
from models.unit import Unit

REPLICATED: tuple[type[SyncedMixin], ...] = (
    Unit, Case, Suggestion, SuggestionItem, Meeting, MeetingDecision,
    TaskList, TaskAspect, Task, Measure, ProgressEntry, Attachment,
    Transfer, Campaign, CampaignPhase, CampaignLink, InfoShare,
)
ENTITY_BY_NAME: dict[str, type[SyncedMixin]] = {cls.entity_name: cls for cls in REPLICATED}
# Rows only ever inserted (never edited): merging them is a union, no conflicts possible.
APPEND_ONLY = frozenset({"progress_entry", "attachment"})

# The 检察建议 fields the government side holds (文号, 制发, 被建议单位, 回复期限 inputs incl. the period
# the 建议书 set, 回复, 整改):
# the gov_view sync profile shares these and nothing else of a suggestion.
SUGGESTION_STATUS_FIELDS = frozenset({
    "doc_no", "kind", "addressee_unit_id", "addressee_name", "issued_on", "served_on", "urgent", "reply_period_days",
    "replied_on", "reply_doc_no", "reply_content", "adoption", "rectification", "rectification_detail",
    "closed_on", "to_government", "objection", "deleted"})

# The 线索移送 fields the government side holds: all but the link to the procuratorate's case file.
TRANSFER_SHARED_FIELDS = frozenset({
    "kind", "direction", "doc_no", "title", "from_unit", "to_unit", "sent_on", "received_on", "feedback_days",
    "feedback_on", "feedback", "summary", "to_government", "deleted"})
_PARTLY_SHARED = {"suggestion": SUGGESTION_STATUS_FIELDS, "transfer": TRANSFER_SHARED_FIELDS}


def revival_fields(entity: str) -> frozenset[str] | None:
    """Fields whose edit, newer than a deletion, brings the row back (None: any field).
    Only fields every workstation holds may decide it, or a government-view copy would compute a
    different `deleted` than the 检察院's full copy from the same history."""
    return _PARTLY_SHARED.get(entity)


@cache
def replicated_columns(cls: type[SyncedMixin]) -> dict[str, Column]:
    """field name -> Column, in table order; excludes bookkeeping and locally derived columns."""
    columns = inspect(cls).columns
    return {c.key: c for c in columns
            if c.key not in BOOKKEEPING_COLUMNS and not c.info.get("derived")}


def schema_fingerprint() -> str:
    text = ";".join(f"{cls.entity_name}:{','.join(replicated_columns(cls))}" for cls in REPLICATED)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


@cache
def scalar_defaults(cls: type[SyncedMixin]) -> tuple[tuple[str, object], ...]:
    """(field, default) of every replicated column with a scalar default, computed once per entity."""
    return tuple((key, column.default.arg) for key, column in replicated_columns(cls).items()
                 if column.default is not None and column.default.is_scalar)


def fill_defaults(obj: SyncedMixin) -> None:
    """Column defaults apply only at INSERT; validation and the create op need the values now."""
    if inspect(obj).has_identity:  # a stored row: its values may be expired, read them through the ORM
        for key, default in scalar_defaults(type(obj)):
            if getattr(obj, key) is None:
                setattr(obj, key, default)
        return
    values = obj.__dict__  # a new object: the values set so far (reading an unset column via the ORM is slow)
    for key, default in scalar_defaults(type(obj)):
        if values.get(key) is None:
            setattr(obj, key, default)
