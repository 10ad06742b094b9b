"""Full-text search over cases, suggestions, tasks, units and meetings.

The one module with SQLite-only SQL: an FTS5 table with the trigram tokenizer finds Chinese
substrings of 3+ characters through the index; 1–2 character queries fall back to LIKE over the same
table. (On a shared PostgreSQL server this module becomes pg_trgm; nothing else changes.)
The index is kept current by an after_flush hook, for local edits and merged rows alike."""
from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy import Connection, event, select, text
from sqlalchemy.orm import Session

from models.base import SyncedMixin
from models.case import Case
from models.meeting import Meeting
from models.registry import ENTITY_BY_NAME
from models.suggestion import Suggestion
from models.tasklist import Measure, Task
from models.unit import Unit

SEARCHABLE: dict[type[SyncedMixin], tuple[str, ...]] = {
    Case: ("case_no", "title", "summary", "related_units", "handler", "domain"),
    Suggestion: ("doc_no", "addressee_name", "origin", "facts", "reply_content", "rectification_detail"),
    Task: ("text",),
    Measure: ("text", "units_text", "deadline_phrase"),
    Unit: ("name", "short_name", "liaison_name"),
    Meeting: ("title", "topics", "minutes"),
}
CREATE_INDEX_SQL = ("CREATE VIRTUAL TABLE IF NOT EXISTS search_index USING fts5("
                    "entity UNINDEXED, row_id UNINDEXED, body, tokenize='trigram')")


@dataclass(frozen=True)
class SearchHit:
    entity: str
    row_id: uuid.UUID
    title: str


def create_index(conn: Connection) -> None:
    conn.execute(text(CREATE_INDEX_SQL))


def _fts_rowid(row_id: uuid.UUID) -> int:
    """FTS rows are addressed by an integer rowid (indexed) derived from the record's random UUID bits;
    deleting by the UNINDEXED row_id column would scan the whole index on every edit."""
    return row_id.int & ((1 << 63) - 1)


def _body(obj: SyncedMixin) -> str:
    return "\n".join(str(getattr(obj, name) or "") for name in SEARCHABLE[type(obj)])


def _reindex(conn: Connection, objs: list[SyncedMixin]) -> None:
    if not objs:
        return
    conn.execute(text("DELETE FROM search_index WHERE rowid = :rowid"),
                 [{"rowid": _fts_rowid(o.id)} for o in objs])
    live = [{"rowid": _fts_rowid(o.id), "entity": o.entity_name, "row_id": str(o.id), "body": _body(o)}
            for o in objs if not o.deleted]
    if live:
        conn.execute(text("INSERT INTO search_index (rowid, entity, row_id, body) "
                          "VALUES (:rowid, :entity, :row_id, :body)"), live)


@event.listens_for(Session, "after_flush")
def _index_changes(session: Session, _flush_context: object) -> None:
    changed = [o for o in (*session.new, *session.dirty) if type(o) in SEARCHABLE]
    if changed:
        _reindex(session.connection(), changed)


def rebuild_index(session: Session) -> int:
    conn = session.connection()
    conn.execute(text("DELETE FROM search_index"))
    count = 0
    for cls in SEARCHABLE:
        rows = list(session.query(cls).filter(cls.deleted.is_(False)))
        _reindex(conn, rows)
        count += len(rows)
    return count


def display_title(obj: SyncedMixin) -> str:
    if isinstance(obj, Case):
        return f"{obj.case_no} {obj.title}".strip()
    if isinstance(obj, Suggestion):
        return f"{obj.doc_no} {obj.addressee_name}".strip()
    if isinstance(obj, Task):
        return f"{obj.number}.{obj.text}"
    if isinstance(obj, Measure):
        return obj.text
    if isinstance(obj, Unit):
        return obj.name
    if isinstance(obj, Meeting):
        return obj.title
    return str(obj.id)


def search(session: Session, query: str, limit: int = 50) -> list[SearchHit]:
    query = query.strip()
    if not query:
        return []
    conn = session.connection()
    # No ORDER BY rank: ranking every match of a common word costs ~10x the lookup at 100k records,
    # and clerks read the hits sorted by kind and title anyway.
    if len(query) >= 3:
        rows = conn.execute(text("SELECT entity, row_id FROM search_index WHERE search_index MATCH :q "
                                 "LIMIT :limit"),
                            {"q": '"' + query.replace('"', '""') + '"', "limit": limit})
    else:
        escaped = query.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        rows = conn.execute(text("SELECT entity, row_id FROM search_index WHERE body LIKE :q ESCAPE '\\' "
                                 "LIMIT :limit"), {"q": f"%{escaped}%", "limit": limit})
    ids_by_entity: dict[str, list[uuid.UUID]] = {}
    for entity, row_id in rows.all():
        ids_by_entity.setdefault(entity, []).append(uuid.UUID(row_id))
    hits = []
    for entity, ids in sorted(ids_by_entity.items()):
        cls = ENTITY_BY_NAME[entity]
        hits.extend(SearchHit(entity, obj.id, display_title(obj))
                    for obj in session.scalars(select(cls).where(cls.id.in_(ids))))
    return sorted(hits, key=lambda h: (h.entity, h.title))
