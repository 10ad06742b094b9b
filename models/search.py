"""Full-text search over every text a clerk types: cases, suggestions and their 建议内容 items, tasks,
measures and their 进展 entries, units, meetings, their 议定事项 and 纪要, and attachment names.

One search interface, two implementations: on a database file (`Fts5Index`, below) two FTS5 tables
hold the same folded text; on a PostgreSQL server one table with a pg_trgm GIN index does
(models/pg_search.py), with the same results. The FTS5 tables:
- `search_index` (trigram tokenizer) answers queries of 3+ characters;
- `search_index_chars` (unicode61 over the text spaced out one character per token) answers 1–2
  character queries as a one- or two-token phrase through its index, not a table scan.
Every text is folded before indexing and every query before matching: traditional characters become
simplified (one character at a time, from OpenCC's table, so a substring folds the same wherever it
stands) and ASCII is lower-cased, so 檢察建議 finds 检察建议. Results come grouped by the kind of text
matched, each group with its full count, so nothing is capped without saying so.
The index is kept current by an after_flush hook for rows written through the ORM (local edits, `load`)
and by write_index for rows the merge writes with Core statements (models/merge.py); its layout
version lives in PRAGMA user_version (PostgreSQL: search_index_meta) and an older layout is rebuilt
at open or by the server's `db upgrade` (models/migrate.py)."""
from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from operator import itemgetter
from typing import Any

from sqlalchemy import BigInteger, Connection, String, column, event, select, table, text
from sqlalchemy.orm import Session

from models.attachment import Attachment
from models.base import SyncedMixin
from models.bulk import among
from models.campaign import Campaign
from models.case import Case
from models.errors import DomainError
from models.info_share import InfoShare
from models.meeting import Meeting, MeetingDecision
from models.permissions import unsearchable_kinds
from models.registry import ENTITY_BY_NAME
from models.search_text import fold, is_token_char, spaced
from models.suggestion import Suggestion, SuggestionItem
from models.tasklist import Measure, ProgressEntry, Task
from models.transfer import Transfer
from models.unit import Unit

# Fields indexed per entity, in the order they are joined into the body.
SEARCHABLE: dict[type[SyncedMixin], tuple[str, ...]] = {
    Case: ("case_no", "title", "summary", "related_units", "handler", "domain"),
    Suggestion: ("doc_no", "addressee_name", "origin", "facts", "legal_basis", "reply_requirement",
                 "reply_doc_no", "reply_content", "objection", "review_result", "rectification_detail",
                 "follow_up", "copy_to"),
    SuggestionItem: ("text",),
    Task: ("text",),
    Measure: ("text", "units_text", "deadline_phrase"),
    ProgressEntry: ("text", "reporter"),
    Unit: ("name", "short_name", "liaison_name", "note"),
    Meeting: ("title", "attendees", "topics", "minutes"),
    MeetingDecision: ("text",),
    Attachment: ("filename",),
    Transfer: ("doc_no", "title", "from_unit", "to_unit", "summary", "feedback"),
    Campaign: ("name", "lead_units", "member_units", "content", "summary"),
    InfoShare: ("category", "provider", "period", "schedule", "content", "note"),
}
# Bump when SEARCHABLE (its order numbers the kinds) or the folding changes: databases with an older
# index rebuild it at open.
INDEX_VERSION = 4
CREATE_INDEX_SQL = ("CREATE VIRTUAL TABLE IF NOT EXISTS search_index USING fts5("
                    "entity UNINDEXED, row_id UNINDEXED, body, tokenize='trigram')")
# Contentless: only its index is ever read (rowids), so the spaced-out text is not stored twice.
CREATE_CHARS_SQL = ("CREATE VIRTUAL TABLE IF NOT EXISTS search_index_chars USING fts5("
                    "body, content='', contentless_delete=1, tokenize='unicode61 remove_diacritics 0')")
# The kind of a text rides in the top bits of its FTS rowid, so counting matches per kind and paging
# through one kind read only the index, never the stored rows.
KIND_BITS = 59
KIND_CODE = {cls.entity_name: code for code, cls in enumerate(SEARCHABLE, start=1)}
KIND_BY_CODE = {code: name for name, code in KIND_CODE.items()}



@dataclass(frozen=True)
class SearchHit:
    entity: str          # the record to open: a 建议内容 item opens its suggestion
    row_id: uuid.UUID
    title: str
    matched: str = ""    # the kind of text that matched (the group), e.g. "suggestion_item"


@dataclass(frozen=True)
class SearchGroup:
    matched: str                 # entity name of the matched text
    total: int                   # every match of this kind, however many are shown
    hits: tuple[SearchHit, ...]  # the first page, sorted by title


class Fts5Index:
    """The SQLite implementation: the two FTS5 tables above. Its PostgreSQL counterpart, with the same
    methods and the same results, is models/pg_search.py."""
    name = "sqlite"

    def create(self, conn: Connection) -> None:
        conn.execute(text(CREATE_INDEX_SQL))
        conn.execute(text(CREATE_CHARS_SQL))

    def clear(self, conn: Connection) -> None:
        conn.execute(text("DELETE FROM search_index"))
        conn.execute(text("DELETE FROM search_index_chars"))

    def delete(self, conn: Connection, rowids: list[int]) -> None:
        keys = [(rowid,) for rowid in rowids]
        conn.exec_driver_sql("DELETE FROM search_index WHERE rowid = ?", keys)
        conn.exec_driver_sql("DELETE FROM search_index_chars WHERE rowid = ?", keys)

    def insert(self, conn: Connection, rows: list[IndexRow]) -> None:
        # Plain values, no type to convert: straight to the driver (qmark), no per-row statement processing.
        conn.exec_driver_sql("INSERT INTO search_index (rowid, entity, row_id, body) VALUES (?, ?, ?, ?)", rows)
        conn.exec_driver_sql("INSERT INTO search_index_chars (rowid, body) VALUES (?, ?)",
                             [(rowid, spaced(body)) for rowid, _entity, _row_id, body in rows])

    def matching(self, query: str) -> tuple[str, dict[str, object]]:
        """SQL selecting the rowids of the texts holding the folded query, through an index whenever the
        query allows it; `:lo`/`:hi` bound the rowids (one kind, or all)."""
        quoted = query.replace('"', '""')
        if len(query) >= 3:
            return ("SELECT rowid FROM search_index WHERE search_index MATCH :q AND rowid BETWEEN :lo AND :hi",
                    {"q": f'"{quoted}"'})
        if all(is_token_char(char) for char in query):
            return ("SELECT rowid FROM search_index_chars WHERE search_index_chars MATCH :q "
                    "AND rowid BETWEEN :lo AND :hi", {"q": '"' + " ".join(query) + '"'})
        # A one- or two-character query with punctuation (e.g. "〔2"): rare enough to scan for.
        escaped = query.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        return ("SELECT rowid FROM search_index WHERE body LIKE :q ESCAPE '\\' AND rowid BETWEEN :lo AND :hi",
                {"q": f"%{escaped}%"})

    def page(self, matching_sql: str) -> str:
        # FTS5 returns matches in rowid order, so pages follow each other without a sort.
        return f"SELECT row_id FROM search_index WHERE rowid IN ({matching_sql} LIMIT :limit OFFSET :offset)"

    def version(self, conn: Connection) -> int:
        return int(conn.exec_driver_sql("PRAGMA user_version").scalar() or 0)

    def set_version(self, conn: Connection, version: int) -> None:
        conn.exec_driver_sql(f"PRAGMA user_version = {int(version)}")


def _index_for(conn: Connection) -> Fts5Index:
    if conn.dialect.name == "postgresql":
        from models.pg_search import TrigramIndex

        return TrigramIndex()  # type: ignore[return-value]
    return Fts5Index()


def create_index(conn: Connection) -> None:
    _index_for(conn).create(conn)


def _rowid_of(entity: str, row_id: uuid.UUID) -> int:
    """FTS rows are addressed by an integer rowid: the kind's code in the top bits, then 59 random bits of
    the record's UUIDv7 (deleting by the UNINDEXED row_id column would scan the whole index per edit)."""
    return (KIND_CODE[entity] << KIND_BITS) | (row_id.int & ((1 << KIND_BITS) - 1))


def _kind_range(matched: str) -> tuple[int, int]:
    code = KIND_CODE[matched]
    return code << KIND_BITS, ((code + 1) << KIND_BITS) - 1


def body_of(cls: type[SyncedMixin], values: Mapping[str, Any]) -> str:
    """The indexed text of a record from its field values (Python values, as the ORM holds them)."""
    return fold("\n".join([str(values.get(name) or "") for name in SEARCHABLE[cls]]))


# What the index holds of one record: (entity, id, indexed text), text None for a deleted record.
IndexEntry = tuple[str, uuid.UUID, str | None]
# One row of the index as written: (rowid, entity, id as text, indexed text).
IndexRow = tuple[int, str, str, str]


def index_entry(cls: type[SyncedMixin], row_id: uuid.UUID, values: Mapping[str, Any]) -> IndexEntry:
    """The index entry of a record from its field values (incl. `deleted`)."""
    return cls.entity_name, row_id, None if values.get("deleted") else body_of(cls, values)


_INDEX_TABLE = table("search_index", column("rowid", BigInteger), column("row_id", String))


def _refuse_shared_rowids(conn: Connection, rows: list[tuple[int, str, str, str | None]]) -> None:
    """A rowid holds 59 bits of the record's id: two ids of one kind that agree in those bits (never for
    ids this program makes; possible in a damaged or forged dump or package) would overwrite each other's
    index rows. Such a write is refused, so its transaction rolls back with one line."""
    wanted: dict[int, str] = {}
    for rowid, _entity, row_id, _body in rows:
        if wanted.setdefault(rowid, row_id) != row_id:
            _collision(row_id)
    index = _INDEX_TABLE.c
    for rowid, row_id in conn.execute(select(index.rowid, index.row_id).where(among(conn, index.rowid, wanted))):
        if row_id != wanted[rowid]:
            _collision(wanted[rowid])


def _collision(row_id: str) -> None:
    raise DomainError("id_collision", f"记录编号 {row_id} 与已有记录的检索编号冲突（文件可能已损坏或被改动），未作任何改动")


def write_index(conn: Connection, entries: Iterable[IndexEntry], *, fresh: bool = False) -> None:
    """Index these records' texts as they are now. `fresh`: records new to this database, which have no
    index rows yet, so nothing is deleted first (one executemany of inserts)."""
    # In rowid order: FTS5 writes its pending terms out as a new segment whenever a rowid goes down.
    rows = sorted(((_rowid_of(entity, row_id), entity, str(row_id), body) for entity, row_id, body in entries),
                  key=itemgetter(0))
    if not rows:
        return
    _refuse_shared_rowids(conn, rows)
    index = _index_for(conn)
    if not fresh:
        index.delete(conn, [row[0] for row in rows])
    live = [row for row in rows if row[3] is not None]
    if live:
        index.insert(conn, live)  # type: ignore[arg-type]  # bodies of deleted records left out above


def _reindex(conn: Connection, objs: Iterable[SyncedMixin], *, fresh: bool = False) -> None:
    write_index(conn, [index_entry(type(o), o.id, {name: getattr(o, name) for name in (*SEARCHABLE[type(o)], "deleted")})
                       for o in objs], fresh=fresh)


def unindex_rows(conn: Connection, entity: str, row_ids: Iterable[uuid.UUID]) -> None:
    """Remove the index rows of records deleted outright (not tombstoned), e.g. a withdrawn 检察建议 leaving
    a government copy: a record created later under the same id is indexed as new."""
    if entity not in KIND_CODE:
        return
    rowids = [_rowid_of(entity, row_id) for row_id in row_ids]
    if rowids:
        _index_for(conn).delete(conn, rowids)


@event.listens_for(Session, "after_flush")
def _index_changes(session: Session, _flush_context: object) -> None:
    # session.new still lists the rows just inserted: they have no index rows yet, so nothing to delete.
    created = [o for o in session.new if type(o) in SEARCHABLE]
    changed = [o for o in session.dirty if type(o) in SEARCHABLE]
    if created:
        _reindex(session.connection(), created, fresh=True)
    if changed:
        _reindex(session.connection(), changed)


def rebuild_index(session: Session) -> int:
    conn = session.connection()
    index = _index_for(conn)
    index.create(conn)
    index.clear(conn)
    count = 0
    for cls in SEARCHABLE:
        rows = list(session.scalars(select(cls).where(cls.deleted.is_(False))))
        _reindex(conn, rows, fresh=True)
        count += len(rows)
    index.set_version(conn, INDEX_VERSION)
    return count


def index_is_current(conn: Connection) -> bool:
    """False for an index of an older layout (after an upgrade), which open rebuilds."""
    return _index_for(conn).version(conn) >= INDEX_VERSION


def display_title(obj: SyncedMixin) -> str:
    if isinstance(obj, Case):
        return f"{obj.case_no} {obj.title}".strip()
    if isinstance(obj, Suggestion):
        return f"{obj.doc_no} {obj.addressee_name}".strip()
    if isinstance(obj, Task):
        return f"{obj.number}.{obj.text}"
    if isinstance(obj, Unit):
        return obj.name
    if isinstance(obj, Meeting):
        return obj.title
    if isinstance(obj, Attachment):
        return obj.filename
    if isinstance(obj, Transfer):
        return f"{obj.kind} {obj.doc_no} {obj.title}".replace("  ", " ").strip()
    if isinstance(obj, Campaign):
        return obj.name
    if isinstance(obj, InfoShare):
        return f"{obj.category} {obj.provider} {obj.period}".strip()
    if isinstance(obj, Measure | SuggestionItem | MeetingDecision | ProgressEntry):
        return obj.text
    return str(obj.id)


def _target(obj: SyncedMixin) -> tuple[str, uuid.UUID]:
    """The record a hit opens: a child text opens the record it belongs to."""
    if isinstance(obj, SuggestionItem):
        return "suggestion", obj.suggestion_id
    if isinstance(obj, MeetingDecision):
        return "meeting", obj.meeting_id
    if isinstance(obj, ProgressEntry):
        return "measure", obj.measure_id
    if isinstance(obj, Attachment) and obj.owner_id is not None:
        return obj.owner_entity, obj.owner_id
    return obj.entity_name, obj.id


def count_matches(session: Session, query: str) -> dict[str, int]:
    """How many texts of each kind match; nothing is left out."""
    query = fold(query.strip())
    if not query:
        return {}
    conn = session.connection()
    sql, params = _index_for(conn).matching(query)
    rows = conn.execute(
        text(f"SELECT rowid >> {KIND_BITS}, count(*) FROM ({sql}) AS hits GROUP BY 1"),
        {**params, "lo": 0, "hi": (1 << 63) - 1})
    hidden = unsearchable_kinds(session)
    return {KIND_BY_CODE[code]: count for code, count in rows.all()
            if code in KIND_BY_CODE and KIND_BY_CODE[code] not in hidden}


def search_kind(session: Session, query: str, matched: str, *, offset: int = 0, limit: int = 20
                ) -> list[SearchHit]:
    """One page of the hits of one kind ("显示更多" asks for the next page)."""
    query = fold(query.strip())
    if not query or matched in unsearchable_kinds(session):
        return []
    conn = session.connection()
    index = _index_for(conn)
    sql, params = index.matching(query)
    lo, hi = _kind_range(matched)
    rows = conn.execute(
        text(index.page(sql)),
        {**params, "lo": lo, "hi": hi, "limit": limit, "offset": offset})
    ids = [uuid.UUID(row_id) for (row_id,) in rows.all()]
    if not ids:
        return []
    cls = ENTITY_BY_NAME[matched]
    hits = []
    for obj in session.scalars(select(cls).where(cls.id.in_(ids))):
        entity, row_id = _target(obj)
        hits.append(SearchHit(entity, row_id, display_title(obj), matched))
    return sorted(hits, key=lambda hit: (hit.title, str(hit.row_id)))


def _kinds_in_order(counts: dict[str, int]) -> list[tuple[str, int]]:
    order = {cls.entity_name: n for n, cls in enumerate(SEARCHABLE)}
    return sorted(counts.items(), key=lambda item: order.get(item[0], 99))


def search_grouped(session: Session, query: str, per_kind: int | None = 20) -> list[SearchGroup]:
    """Every kind that matches, with its full count and its first `per_kind` hits (None: all of them)."""
    return [SearchGroup(matched, total, tuple(search_kind(session, query, matched,
                                                          limit=total if per_kind is None else per_kind)))
            for matched, total in _kinds_in_order(count_matches(session, query))]


def search(session: Session, query: str, limit: int | None = None) -> list[SearchHit]:
    """Every hit (or the first `limit` of each kind), grouped by kind; callers that page use
    search_grouped/search_kind."""
    return [hit for group in search_grouped(session, query, limit) for hit in group.hits]
