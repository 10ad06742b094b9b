"""The bulk path of `load` (and of every flush that creates many records): rows, create ops and index rows
are written in batches, and the result is the same database the one-by-one path gave."""
import copy
import json
import uuid

from sqlalchemy import event, func, select, text

from models.case import Case
from models.fieldcodec import canonical_json
from models.oplog import CREATE_FIELD, Op
from models.registry import replicated_columns
from models.search import count_matches, search_kind
from models.services.dump import LOAD_BATCH, dump_db, dump_text, load_dump
from models.services.setup import initialize
from tests.conftest import TEST_PASSWORD

CASES = LOAD_BATCH * 2 + 137  # more than two batches


def _big_dump(db) -> dict:
    with db.session_scope() as session:
        for i in range(CASES):
            session.add(Case(case_no=f"宿检行公立〔2026〕{i + 1}号", title=f"第{i + 1}处河道非法采砂案",
                             summary="玥䶮河段" if i % 100 == 0 else "一般情况", kind="行政公益诉讼"))
    with db.read_scope() as session:
        return json.loads(dump_text(session))


def _fts_rows(session) -> tuple[int, int]:
    conn = session.connection()
    return (conn.execute(text("SELECT count(*) FROM search_index")).scalar_one(),
            conn.execute(text("SELECT count(*) FROM search_index_chars")).scalar_one())


def test_a_bulk_load_reproduces_the_dump_with_one_create_op_and_one_index_row_per_record(demo_db, user_data_dir):
    data = _big_dump(demo_db)
    total = sum(len(rows) for rows in data["entities"].values())
    other = initialize(user_data_dir / "other.db", TEST_PASSWORD, office_name="x", office_code="y").db
    statements: list[str] = []
    event.listen(other.engine, "before_cursor_execute", lambda *args: statements.append(args[2]))
    try:
        with other.write_scope() as session:
            assert load_dump(session, copy.deepcopy(data)) == total
        # Batched: a handful of statements per batch of LOAD_BATCH records, not several per record.
        assert len(statements) < total / 5  # the one-by-one path issued 4+ per record
        with other.read_scope() as session:
            assert dump_db(session) == data
            creates = list(session.scalars(select(Op).where(Op.entity == "case", Op.field == CREATE_FIELD)))
            assert len(creates) == len(data["entities"]["case"])
            by_row = {op.row_id: op for op in creates}
            columns = list(replicated_columns(Case))
            for row in data["entities"]["case"][::97]:
                assert json.loads(by_row[row["id"]].value) == {key: row[key] for key in columns}
            assert session.scalar(select(func.count()).select_from(Op).where(Op.field != CREATE_FIELD)) == 0
            assert count_matches(session, "玥䶮河段") == {"case": CASES // 100 + 1}
            assert count_matches(session, "䶮") == {"case": CASES // 100 + 1}
            indexed = _fts_rows(session)

        # The same dump again changes nothing: no op, no second index row.
        statements.clear()
        with other.write_scope() as session:
            assert load_dump(session, copy.deepcopy(data)) == total
        with other.read_scope() as session:
            assert dump_db(session) == data
            assert session.scalar(select(func.count()).select_from(Op).where(Op.field != CREATE_FIELD)) == 0
            assert _fts_rows(session) == indexed
    finally:
        other.close()


def test_a_load_over_existing_records_writes_field_ops_and_reindexes_them(demo_db):
    data = _big_dump(demo_db)
    edited = copy.deepcopy(data)
    target = edited["entities"]["case"][LOAD_BATCH + 3]  # in the second batch
    target["title"] = "古桥文物保护案"
    with demo_db.write_scope() as session:
        load_dump(session, edited)
    with demo_db.read_scope() as session:
        ops = list(session.scalars(select(Op).where(Op.row_id == target["id"], Op.field != CREATE_FIELD)))
        assert [(op.field, op.value) for op in ops] == [("title", canonical_json("古桥文物保护案"))]
        hits = search_kind(session, "古桥文物保护", "case")
        assert [hit.row_id for hit in hits] == [uuid.UUID(target["id"])]
        old_title = next(row["title"] for row in data["entities"]["case"] if row["id"] == target["id"])
        assert uuid.UUID(target["id"]) not in {hit.row_id for hit in search_kind(session, old_title, "case")}
        assert dump_db(session) == edited
