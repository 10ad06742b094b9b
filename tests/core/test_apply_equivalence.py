"""apply_ops writes merged rows with Core statements (models/merge.py). These tests hold it to what the
ORM path it replaced wrote: the same random op sets go through both, each in a transaction that is then
rolled back, and the rows (every column, incl. the derived ones and the sync bookkeeping), the conflict
list, the search index and search results must be identical. The reference below is the former
materialize_rows, kept here verbatim in substance: ORM objects, the flush hooks derive and index them."""
from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select, text

import models.merge as merge
from models.fieldcodec import canonical_json, from_plain, to_plain
from models.merge import FieldConflict, _conflict_rows, _replace_conflicts, apply_ops, ops_of_rows, row_state
from models.oplog import CREATE_FIELD, OpRecord
from models.registry import ENTITY_BY_NAME, REPLICATED, replicated_columns, revival_fields
from models.search import count_matches
from models.suggestion import Suggestion
from models.tasklist import Measure


def reference_materialize(session, rows, _all_ops=None) -> None:
    """The ORM materialisation apply_ops used before: load or create each row's object, set the winners,
    and let the flush hooks (models/derived.py via oplog's before_flush, models/search.py's after_flush)
    derive and index it. Every op is read back from the log (apply_ops hands over those of new rows)."""
    by_entity: dict[str, list[str]] = {}
    for entity, row_id in sorted(set(rows)):
        by_entity.setdefault(entity, []).append(row_id)
    with session.no_autoflush:
        for entity, row_ids in by_entity.items():
            cls = ENTITY_BY_NAME[entity]
            columns = replicated_columns(cls)
            ops_by_row: dict[str, list[OpRecord]] = {}
            for op in ops_of_rows(session, entity, row_ids):
                ops_by_row.setdefault(op.row_id, []).append(op)
            objs = {str(o.id): o for o in session.scalars(
                select(cls).where(cls.id.in_([uuid.UUID(r) for r in row_ids])))}
            conflict_rows: list[dict[str, str]] = []
            for row_id in row_ids:
                state = row_state(ops_by_row.get(row_id, []), columns, revival_fields(entity))
                obj = objs.get(row_id)
                if obj is None:
                    obj = cls(id=uuid.UUID(row_id))
                    session.add(obj)
                for name, plain in state.values.items():
                    setattr(obj, name, from_plain(columns[name], plain))
                obj.deleted = state.deleted
                obj.created_hlc, obj.updated_hlc = state.created_hlc, state.updated_hlc
                obj.updated_site = state.updated_site
                conflict_rows.extend(_conflict_rows(entity, row_id, state))
            _replace_conflicts(session, entity, row_ids, conflict_rows)
    session.flush()


class _RolledBack(Exception):
    pass


QUERIES = ("甲", "甲方", "检察", "检察建议", "abc", "bc", "〔2", "建议", "措施", "单位")


def _snapshot(session, entities: set[str]) -> dict[str, Any]:
    """Everything a merge writes: the rows of these entities (all columns), conflicts, index, search."""
    session.flush()
    conn = session.connection()
    rows = {}
    for cls in REPLICATED:
        if cls.entity_name in entities:
            table = cls.__table__
            rows[cls.entity_name] = [tuple(to_plain(v) for v in row)
                                     for row in conn.execute(select(table).order_by(table.c.id))]
    conflicts = [(c.entity, c.row_id, c.field, c.kind, c.heads)
                 for c in session.scalars(select(FieldConflict).order_by(FieldConflict.entity, FieldConflict.row_id,
                                                                         FieldConflict.field))]
    index = conn.execute(text("SELECT rowid, entity, row_id, body FROM search_index ORDER BY rowid")).all()
    found = {query: count_matches(session, query) for query in QUERIES}
    # The ORM objects the session holds show the merged values too.
    objects = {(type(obj).entity_name, str(obj.id)): {key: to_plain(getattr(obj, key)) for key in
                                                       replicated_columns(type(obj))}
               for obj in list(session.identity_map.values()) if type(obj).__name__ != "LocalState"
               and hasattr(type(obj), "entity_name") and type(obj).entity_name in entities}
    return {"rows": rows, "conflicts": conflicts, "index": [tuple(r) for r in index], "found": found,
            "objects": objects}


def _run(db, batches: list[list[OpRecord]], materialize: Callable | None, monkeypatch,
         before: Callable | None = None) -> dict[str, Any]:
    """Apply the batches in one transaction (through `materialize`, or apply_ops' own), snapshot, roll back."""
    entities = {op.entity for batch in batches for op in batch}
    with monkeypatch.context() as patch:
        if materialize is not None:
            patch.setattr(merge, "materialize_rows", materialize)
        try:
            with db.write_scope() as session:
                if before is not None:
                    before(session)
                for batch in batches:
                    apply_ops(session, batch)
                result = _snapshot(session, entities)
                raise _RolledBack
        except _RolledBack:
            pass
    return result


def _both(db, batches, monkeypatch, before=None) -> tuple[dict[str, Any], dict[str, Any]]:
    return (_run(db, batches, None, monkeypatch, before),
            _run(db, batches, reference_materialize, monkeypatch, before))


# --- random op sets over cases, 检察建议 (a derived reply deadline), units and measures (a derived due date) ---

ROWS = {
    "case": [f"00000000-0000-7000-8000-00000000000{n}" for n in (1, 2)],
    "suggestion": [f"00000000-0000-7000-8000-00000000001{n}" for n in (1, 2)],
    "unit": ["00000000-0000-7000-8000-000000000021"],
    "measure": [f"00000000-0000-7000-8000-00000000003{n}" for n in (1, 2)],
}
TASK_LIST, ASPECT, TASK = ("00000000-0000-7000-8000-000000000041", "00000000-0000-7000-8000-000000000042",
                           "00000000-0000-7000-8000-000000000043")
TEXTS = st.sampled_from(["", "甲方", "乙方意见", "檢察建議书", "检察建议", "ABC 单位", "〔2026〕3号", "措施一"])
DATES = st.sampled_from(["2026-01-05", "2026-02-28", "2026-09-30"])
FIELDS: dict[str, dict[str, st.SearchStrategy]] = {
    "case": {"title": TEXTS, "summary": TEXTS, "handler": TEXTS, "received_on": st.none() | DATES,
             "deleted": st.booleans()},
    "suggestion": {"doc_no": TEXTS, "facts": TEXTS, "served_on": st.none() | DATES, "urgent": st.booleans(),
                   "reply_period_days": st.none() | st.integers(1, 60),
                   "case_id": st.none() | st.sampled_from(ROWS["case"]), "to_government": st.booleans(),
                   "deleted": st.booleans()},
    "unit": {"name": TEXTS, "note": TEXTS, "deleted": st.booleans()},
    "measure": {"text": TEXTS, "deadline_phrase": st.sampled_from(["", "6月底前", "每季度", "2026年底前"]),
                "units_text": TEXTS, "deleted": st.booleans()},
}
SITES = ("a", "b", "c")


def _setup_ops() -> list[OpRecord]:
    """A task list, aspect and task for the measures (their due date reads the list's year)."""
    return [OpRecord("s:1:1", 1, "s", "设", "task_list", TASK_LIST, CREATE_FIELD,
                     canonical_json({"year": 2026, "title": "清单", "deleted": False})),
            OpRecord("s:1:2", 2, "s", "设", "task_aspect", ASPECT, CREATE_FIELD,
                     canonical_json({"list_id": TASK_LIST, "sort_key": "1", "title": "方面", "deleted": False})),
            OpRecord("s:1:3", 3, "s", "设", "task", TASK, CREATE_FIELD,
                     canonical_json({"aspect_id": ASPECT, "number": 1, "text": "任务", "deleted": False}))]


@st.composite
def op_sets(draw) -> list[list[OpRecord]]:
    ops: list[OpRecord] = []
    seq = dict.fromkeys(SITES, 0)

    def next_id(site: str) -> str:
        seq[site] += 1
        return f"{site}:1:{seq[site]}"

    rows = [(entity, row_id) for entity, ids in ROWS.items() for row_id in ids]
    measures: list[OpRecord] = []  # created with the task they need (task_id is NOT NULL), in the first batch
    for entity, row_id in rows:
        if draw(st.booleans()) or entity == "measure":  # sometimes only edits arrive for a row
            fields = FIELDS[entity]
            carried = draw(st.lists(st.sampled_from(sorted(fields)), unique=True))
            values = {name: draw(fields[name]) for name in carried}
            if entity == "measure":
                values["task_id"] = TASK
            site = draw(st.sampled_from(SITES))
            create = OpRecord(next_id(site), draw(st.integers(10, 30)), site, "远端", entity, row_id,
                              CREATE_FIELD, canonical_json(values))
            (measures if entity == "measure" else ops).append(create)
    for _ in range(draw(st.integers(0, 14))):
        entity, row_id = draw(st.sampled_from(rows))
        name = draw(st.sampled_from(sorted(FIELDS[entity])))
        earlier = [op.op_id for op in ops + measures if op.row_id == row_id and op.field in (name, CREATE_FIELD)]
        pred = tuple(sorted(draw(st.lists(st.sampled_from(earlier), unique=True)))) if earlier else ()
        site = draw(st.sampled_from(SITES))
        ops.append(OpRecord(next_id(site), draw(st.integers(5, 60)), site, "远端", entity, row_id, name,
                            canonical_json(draw(FIELDS[entity][name])), pred))
    ops = draw(st.permutations(ops))
    cuts = sorted(draw(st.lists(st.integers(0, len(ops)), max_size=3)))
    batches, last = [], 0
    for cut in [*cuts, len(ops)]:
        batches.append(list(ops[last:cut]))
        last = cut
    duplicate = draw(st.lists(st.sampled_from(ops), max_size=3)) if ops else []
    return [_setup_ops() + measures, *batches, duplicate]


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(op_sets())
def test_core_apply_writes_what_the_orm_path_wrote(new_db, monkeypatch, batches):
    fast, reference = _both(new_db, batches, monkeypatch)
    assert fast == reference


def test_the_random_op_sets_reach_conflicts_revivals_and_derived_values(new_db, monkeypatch):
    """The comparison above is not vacuous: a hand-made set with a value conflict, a revived deletion and
    both derived columns gives them on both paths."""
    case, suggestion, measure = ROWS["case"][0], ROWS["suggestion"][0], ROWS["measure"][0]
    ops = [OpRecord("a:1:1", 10, "a", "远端", "case", case, CREATE_FIELD,
                    canonical_json({"title": "原名", "deleted": False})),
           OpRecord("a:1:2", 20, "a", "远端", "case", case, "title", canonical_json("甲方"), ("a:1:1",)),
           OpRecord("b:1:1", 21, "b", "远端", "case", case, "title", canonical_json("乙方意见"), ("a:1:1",)),
           OpRecord("a:1:3", 30, "a", "远端", "suggestion", suggestion, CREATE_FIELD,
                    canonical_json({"doc_no": "〔2026〕3号", "served_on": "2026-02-28", "urgent": False})),
           OpRecord("a:1:4", 31, "a", "远端", "suggestion", suggestion, "deleted", canonical_json(True), ()),
           OpRecord("b:1:2", 40, "b", "远端", "suggestion", suggestion, "doc_no", canonical_json("〔2026〕4号"),
                    ("a:1:3",)),
           OpRecord("a:1:5", 50, "a", "远端", "measure", measure, CREATE_FIELD,
                    canonical_json({"task_id": TASK, "text": "措施一", "deadline_phrase": "6月底前"}))]
    fast, reference = _both(new_db, [_setup_ops(), ops[:4], ops[4:]], monkeypatch)
    assert fast == reference
    assert [(c[2], c[3]) for c in fast["conflicts"]] == [("title", "value"), ("deleted", "delete_edit")]
    suggestion_row = dict(zip(Suggestion.__table__.c.keys(), fast["rows"]["suggestion"][0]))
    assert suggestion_row["reply_due"] is not None and suggestion_row["deleted"] is False
    measure_row = dict(zip(Measure.__table__.c.keys(), fast["rows"]["measure"][0]))
    assert measure_row["due_on"] == "2026-06-30"
    assert fast["found"]["检察建议"] == {} and fast["found"]["措施"] == {"measure": 1}


def test_rows_loaded_in_the_session_before_a_merge_show_the_merged_values(new_db):
    case = ROWS["case"][0]
    create = OpRecord("a:1:1", 10, "a", "远端", "case", case, CREATE_FIELD, canonical_json({"title": "原名"}))
    edit = OpRecord("a:1:2", 20, "a", "远端", "case", case, "title", canonical_json("新名"), ("a:1:1",))
    with new_db.write_scope() as session:
        apply_ops(session, [create])
        loaded = session.get(ENTITY_BY_NAME["case"], uuid.UUID(case))
        assert loaded.title == "原名"
        apply_ops(session, [edit])
        assert loaded.title == "新名"


# --- every replicated entity: typed values survive a create op, an edit and a tombstone, as on the ORM path ---

def _sample(column, n: int) -> Any:
    python_type = column.type.python_type
    if python_type is uuid.UUID:
        return str(uuid.UUID(int=0x0190_0000_0000_7000_8000_0000_0000_0000 + n))
    if python_type is bool:
        return n % 2 == 1
    if python_type is int:
        return 2026 + n
    if python_type.__name__ == "date":
        return f"2026-0{1 + n % 9}-1{n % 10}"
    length = getattr(column.type, "length", None) or 40
    return ("檢察值" + str(n))[:length]


@pytest.mark.parametrize("entity", [cls.entity_name for cls in REPLICATED])
def test_every_entity_round_trips_through_the_core_path(new_db, monkeypatch, entity):
    cls = ENTITY_BY_NAME[entity]
    columns = {k: c for k, c in replicated_columns(cls).items() if k != "deleted"}
    row_id = "00000000-0000-7000-8000-0000000000a1"
    values = {key: _sample(column, n) for n, (key, column) in enumerate(columns.items())}
    create = OpRecord("a:1:1", 10, "a", "远端", entity, row_id, CREATE_FIELD, canonical_json(values))
    edits = [OpRecord(f"b:1:{n}", 20 + n, "b", "远端", entity, row_id, key, canonical_json(_sample(column, n + 5)),
                      ("a:1:1",)) for n, (key, column) in enumerate(columns.items(), start=1)]
    tombstone = OpRecord("c:1:1", 99, "c", "远端", entity, row_id, "deleted", canonical_json(True), ("a:1:1",))
    batches = [[create], edits[: len(edits) // 2], edits[len(edits) // 2:], [tombstone]]

    def check_first_batch(session) -> None:
        apply_ops(session, [create])
        with session.no_autoflush:
            obj = session.get(cls, uuid.UUID(row_id))
            assert {key: to_plain(getattr(obj, key)) for key in columns} == values

    fast, reference = _both(new_db, batches[1:], monkeypatch, before=check_first_batch)
    assert fast == reference
    stored = dict(zip(cls.__table__.c.keys(), fast["rows"][entity][0]))
    assert stored["deleted"] is True and stored["updated_hlc"] == 99
    assert {key: stored[key] for key in columns} == {
        key: json.loads(edit.value) for key, edit in zip(columns, edits)}
