"""The PostgreSQL implementation of the search index behind models/search.py (same interface as its
FTS5 one): one table of the same folded texts with a pg_trgm GIN index on them. A query is a LIKE for
the folded query as a substring — the very thing FTS5's trigram and one-character-token phrases
answer — so both backends return the same hits. pg_trgm answers 3+ character patterns through the
index; a 1–2 character pattern has no trigram to look up and is checked over the index's entries
(correct, and fast enough for one office; the file database has its second FTS table for those).
The layout version lives in search_index_meta (SQLite keeps it in PRAGMA user_version)."""
from __future__ import annotations

from sqlalchemy import Connection, text

CREATE_SQL = (
    # pg_trgm is a trusted extension: the database owner (the application's login role) installs it.
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    "CREATE TABLE IF NOT EXISTS search_index (rowid BIGINT PRIMARY KEY, entity TEXT NOT NULL, "
    "row_id TEXT NOT NULL, body TEXT NOT NULL)",
    "CREATE INDEX IF NOT EXISTS search_index_body_trgm ON search_index USING gin (body gin_trgm_ops)",
    "CREATE TABLE IF NOT EXISTS search_index_meta (version INTEGER NOT NULL)",
)
DROP_SQL = ("DROP TABLE IF EXISTS search_index_meta", "DROP TABLE IF EXISTS search_index")


class TrigramIndex:
    name = "postgresql"

    def create(self, conn: Connection) -> None:
        for sql in CREATE_SQL:
            conn.execute(text(sql))

    def clear(self, conn: Connection) -> None:
        conn.execute(text("DELETE FROM search_index"))

    def delete(self, conn: Connection, rowids: list[int]) -> None:
        conn.execute(text("DELETE FROM search_index WHERE rowid = ANY(CAST(:rowids AS BIGINT[]))"),
                     {"rowids": rowids})

    def insert(self, conn: Connection, rows: list[tuple[int, str, str, str]]) -> None:
        # One statement over four arrays, not one round trip per row.
        rowids, entities, row_ids, bodies = (list(values) for values in zip(*rows))
        conn.execute(text("INSERT INTO search_index (rowid, entity, row_id, body) "
                          "SELECT * FROM unnest(CAST(:rowids AS BIGINT[]), CAST(:entities AS TEXT[]), "
                          "CAST(:row_ids AS TEXT[]), CAST(:bodies AS TEXT[]))"),
                     {"rowids": rowids, "entities": entities, "row_ids": row_ids, "bodies": bodies})

    def matching(self, query: str) -> tuple[str, dict[str, object]]:
        escaped = query.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        return ("SELECT rowid FROM search_index WHERE body LIKE :q ESCAPE '\\' AND rowid BETWEEN :lo AND :hi",
                {"q": f"%{escaped}%"})

    def page(self, matching_sql: str) -> str:
        return (f"SELECT row_id FROM search_index WHERE rowid IN ({matching_sql}) "
                "ORDER BY rowid LIMIT :limit OFFSET :offset")

    def version(self, conn: Connection) -> int:
        if conn.execute(text("SELECT to_regclass('search_index_meta')")).scalar() is None:
            return 0
        return int(conn.execute(text("SELECT max(version) FROM search_index_meta")).scalar() or 0)

    def set_version(self, conn: Connection, version: int) -> None:
        conn.execute(text("DELETE FROM search_index_meta"))
        conn.execute(text("INSERT INTO search_index_meta (version) VALUES (:v)"), {"v": version})
