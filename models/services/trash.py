"""删除 and 恢复 of any record. A deletion is a replicated tombstone (the row stays, so the deletion can
travel to peers and be undone); the 回收站 lists what was deleted, newest first."""
from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from models.errors import DomainError
from models.hlc import wall_ms_of
from models.oplog import tombstone
from models.registry import ENTITY_BY_NAME, REPLICATED
from models.search import display_title
from models.services.common import LABELS, as_uuid, get_live

# Child rows that go with their parent when it is deleted from the GUI, so nothing is left dangling.
CHILDREN = {"suggestion": (("suggestion_item", "suggestion_id"),),
            "meeting": (("meeting_decision", "meeting_id"),),
            "campaign": (("campaign_phase", "campaign_id"), ("campaign_link", "campaign_id"))}


@dataclass(frozen=True)
class DeletedRecord:
    entity: str
    kind: str        # 案件, 检察建议 …
    row_id: uuid.UUID
    title: str
    deleted_at_ms: int
    by_site: str


def delete_record(session: Session, entity: str, row_id: uuid.UUID | str) -> None:
    cls = ENTITY_BY_NAME.get(entity)
    if cls is None:
        raise DomainError("bad_entity", f"无法删除这类记录：{entity}")
    obj = get_live(session, cls, row_id)
    tombstone(session, obj)
    for child_entity, parent_field in CHILDREN.get(entity, ()):
        child_cls = ENTITY_BY_NAME[child_entity]
        for child in session.scalars(select(child_cls).where(getattr(child_cls, parent_field) == obj.id,
                                                             child_cls.deleted.is_(False))):
            tombstone(session, child)
    session.flush()


def restore_record(session: Session, entity: str, row_id: uuid.UUID | str) -> None:
    cls = ENTITY_BY_NAME[entity]
    obj = session.get(cls, as_uuid(row_id))
    if obj is None or not obj.deleted:
        raise DomainError("not_deleted", "该记录不在回收站中")
    obj.deleted = False
    for child_entity, parent_field in CHILDREN.get(entity, ()):
        child_cls = ENTITY_BY_NAME[child_entity]
        for child in session.scalars(select(child_cls).where(getattr(child_cls, parent_field) == obj.id,
                                                             child_cls.deleted.is_(True))):
            child.deleted = False
    session.flush()


def deleted_records(session: Session) -> list[DeletedRecord]:
    found = []
    for cls in REPLICATED:
        if cls.entity_name in {child for pairs in CHILDREN.values() for child, _ in pairs}:
            continue  # shown through their parent
        for obj in session.scalars(select(cls).where(cls.deleted.is_(True))):
            found.append(DeletedRecord(cls.entity_name, LABELS.get(cls.entity_name, cls.entity_name), obj.id,
                                       display_title(obj), wall_ms_of(obj.updated_hlc), obj.updated_site))
    return sorted(found, key=lambda r: r.deleted_at_ms, reverse=True)
