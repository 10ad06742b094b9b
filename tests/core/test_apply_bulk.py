"""The bulk writes under apply_ops (models/bulk.py): on a database file rows go to the driver as tuples with
each column's conversion applied by hand, and id lists travel as one JSON parameter; on a server Core and
`= ANY(array)` do the same. These tests hold the new rows to what the ORM path writes (the reference of
test_apply_equivalence.py) for every column type of every replicated entity, nulls, defaults and deleted
rows, across more rows than one chunk; the stored bytes to what Core stores; the id lists to IN; and the
search text helpers to the character-by-character definitions they replace."""
from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

import pytest
from sqlalchemy import insert, select, text

from models.bulk import among, insert_rows
from models.errors import DomainError
from models.fieldcodec import canonical_json
from models.merge import MATERIALIZE_CHUNK, apply_ops
from models.oplog import CREATE_FIELD, Op, OpRecord
from models.registry import ENTITY_BY_NAME, REPLICATED, replicated_columns
from models.search import KIND_BITS, search
from models.search_text import _SPACING, _fold_table, fold, spaced
from tests.core.test_apply_equivalence import _both, _sample


def _row_id(n: int) -> str:
    return str(uuid.UUID(int=0x0190_0000_0000_7000_8000_0000_0000_0000 + n))


@pytest.mark.parametrize("entity", [cls.entity_name for cls in REPLICATED])
def test_new_rows_of_every_entity_are_written_as_the_orm_writes_them(new_db, monkeypatch, entity):
    """Four new rows per entity in one batch: every field carried (dates, booleans, integers, ids, text),
    every nullable field null, only the required fields (the rest from their defaults), a row created
    deleted."""
    columns = {key: column for key, column in replicated_columns(ENTITY_BY_NAME[entity]).items() if key != "deleted"}
    full = {key: _sample(column, n) for n, (key, column) in enumerate(columns.items())}
    nulls = {key: None if column.nullable else full[key] for key, column in columns.items()}
    required = {key: full[key] for key, column in columns.items() if not column.nullable and column.default is None}
    creates = [OpRecord(f"a:1:{n}", 10 + n, "a", "远端", entity, _row_id(n), CREATE_FIELD, canonical_json(values))
               for n, values in enumerate([full, nulls, required, {**full, "deleted": True}])]
    fast, reference = _both(new_db, [creates], monkeypatch)
    assert fast == reference
    assert len(fast["rows"][entity]) == 4


def test_more_new_rows_than_one_chunk_with_edits_and_duplicates(new_db, monkeypatch):
    """Rows spread over several chunks, some edited in the same batch, some ops sent twice."""
    count = MATERIALIZE_CHUNK + 150
    creates = [OpRecord(f"a:1:{n}", 100 + n, "a", "远端", "unit", _row_id(n), CREATE_FIELD,
                        canonical_json({"name": f"單位{n}", "note": "联络员、电话" * (n % 3), "deleted": n % 7 == 0}))
               for n in range(count)]
    edits = [OpRecord(f"b:1:{n}", 5000 + n, "b", "远端", "unit", _row_id(n), "name", canonical_json(f"改名{n}"),
                      (f"a:1:{n}",)) for n in range(0, count, 5)]
    fast, reference = _both(new_db, [creates[::-1] + edits, creates[:40]], monkeypatch)
    assert fast == reference
    assert len(fast["rows"]["unit"]) == count and fast["found"]["单位"]["unit"] > MATERIALIZE_CHUNK // 2


def test_ops_known_before_are_counted_once_however_many(new_db):
    ops = [OpRecord(f"a:1:{n}", 10 + n, "a", "远端", "unit", _row_id(n), CREATE_FIELD,
                    canonical_json({"name": f"单位{n}"})) for n in range(1300)]
    with new_db.write_scope() as session:
        first = apply_ops(session, ops + ops[:10])
        again = apply_ops(session, ops)
    assert (first.new_ops, first.duplicate_ops) == (1300, 0)
    assert (again.new_ops, again.duplicate_ops) == (0, 1300)
    with new_db.read_scope() as session:
        assert session.scalar(select(Op.arrival).where(Op.op_id == "a:1:1299")) is not None
        assert len(session.scalars(select(Op.op_id)).all()) >= 1300


def test_a_remote_record_sharing_the_index_bits_of_a_stored_one_is_refused(new_db):
    mine = uuid.UUID(_row_id(1))
    twin = uuid.UUID(int=mine.int ^ (1 << (KIND_BITS + 3)))
    ops = [OpRecord("a:1:1", 10, "a", "远端", "unit", str(mine), CREATE_FIELD, canonical_json({"name": "甲单位"}))]
    with new_db.write_scope() as session:
        apply_ops(session, ops)
    forged = OpRecord("a:1:2", 11, "a", "远端", "unit", str(twin), CREATE_FIELD, canonical_json({"name": "乙单位"}))
    with pytest.raises(DomainError) as refused, new_db.write_scope() as session:
        apply_ops(session, [forged])
    assert refused.value.code == "id_collision"
    with new_db.read_scope() as session:
        assert [hit.row_id for hit in search(session, "单位")] == [mine]


def test_insert_rows_stores_what_core_stores(new_db):
    """Every column type of a table with dates, booleans, ids, integers and nulls: the same stored values
    (and on a file the same SQLite storage classes) as a Core insert of the same Python values."""
    table = ENTITY_BY_NAME["suggestion"].__table__
    keys = tuple(table.c.keys())
    samples = [{key: _python_sample(table.c[key], n) for key in keys} for n in range(2)]
    with new_db.write_scope() as session:
        conn = session.connection()
        insert_rows(conn, table, keys, [tuple({**row, "id": uuid.UUID(_row_id(n))}[key] for key in keys)
                                        for n, row in enumerate(samples)])
        conn.execute(insert(table), [{**row, "id": uuid.UUID(_row_id(90 + n))} for n, row in enumerate(samples)])
        stored = _stored(conn, table, keys)
    for n in range(2):
        assert stored[uuid.UUID(_row_id(n))] == stored[uuid.UUID(_row_id(90 + n))]
    assert any(value in (None, (None, "null")) for value in stored[uuid.UUID(_row_id(1))].values())


def _python_sample(column, n: int):
    if n == 1 and column.nullable:
        return None
    plain = _sample(column, n)
    if column.type.python_type is uuid.UUID:
        return uuid.UUID(plain)
    if column.type.python_type is dt.date:
        return dt.date.fromisoformat(plain)
    return plain


def _stored(conn, table, keys) -> dict[uuid.UUID, dict[str, Any]]:
    """id -> the row's other columns as the database holds them (on a file: value and storage class)."""
    others = [key for key in keys if key != "id"]
    if conn.dialect.name == "sqlite":
        columns = ", ".join(f'"{table.c[key].name}", typeof("{table.c[key].name}")' for key in others)
        return {uuid.UUID(hex=row[0]): {key: (row[1 + 2 * i], row[2 + 2 * i]) for i, key in enumerate(others)}
                for row in conn.exec_driver_sql(f'SELECT "id", {columns} FROM "{table.name}"')}
    return {row["id"]: {key: row[key] for key in others}
            for row in conn.execute(text(f'SELECT * FROM "{table.name}"')).mappings()}


@pytest.mark.parametrize("count", [0, 1, 2500])
def test_among_selects_what_in_selects(new_db, count):
    ops = [OpRecord(f"a:1:{n}", 10 + n, "a", "远端", "case", _row_id(n), CREATE_FIELD,
                    canonical_json({"title": f"案{n}"})) for n in range(30)]
    with new_db.write_scope() as session:
        apply_ops(session, ops)
        conn = session.connection()
        table = ENTITY_BY_NAME["case"].__table__
        wanted = [uuid.UUID(_row_id(n)) for n in range(0, count)]
        found = set(conn.execute(select(table.c.id).where(among(conn, table.c.id, wanted))).scalars())
        assert found == {uuid.UUID(_row_id(n)) for n in range(min(count, 30))}
        op = Op.__table__.c
        names = [f"a:1:{n}" for n in range(count)] + ["不存在的编号", "a:1:x"]
        assert set(conn.execute(select(op.op_id).where(among(conn, op.op_id, names))).scalars()) == {
            f"a:1:{n}" for n in range(min(count, 30))}


def test_fold_and_spacing_equal_their_character_by_character_definitions():
    table = _fold_table()
    for start in range(0, 0x110000, 8192):
        chars = "".join(chr(code) for code in range(start, min(start + 8192, 0x110000)))
        for text_ in (chars, chars[::-1], "甲" + chars[:7] + "乙"):
            assert fold(text_) == text_.translate(table)
            folded = fold(text_)
            assert spaced(folded) == " ".join(folded.translate(_SPACING))
    for sample in ("", "检察建议", "檢察建議ABC", "𠀀、𠀁 x", "\n\n", "〔2026〕3号"):
        assert fold(sample) == sample.translate(table)
        assert spaced(fold(sample)) == " ".join(fold(sample).translate(_SPACING))
