import json
import uuid

from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from models.case import Case
from models.conflicts import list_conflicts, resolve_conflict
from models.merge import apply_ops, field_heads, row_state
from models.oplog import CREATE_FIELD, Op, OpRecord, tombstone
from models.registry import replicated_columns
from models.services.cases import edit_case, register_case
from models.services.common import field_history
from models.services.dump import dump_db


def _ops(session):
    return list(session.scalars(select(Op).order_by(Op.arrival)))


def test_create_is_one_op_and_each_edit_names_its_predecessor(new_db):
    with new_db.session_scope() as session:
        case = register_case(session, "甲案", domain="安全生产")
        case_id = case.id
    with new_db.session_scope() as session:
        edit_case(session, case_id, title="甲案（更正）")
    with new_db.session_scope() as session:
        edit_case(session, case_id, title="甲案（再更正）")
        ops = [o for o in _ops(session) if o.row_id == str(case_id)]
    assert [o.field for o in ops] == [CREATE_FIELD, "title", "title"]
    assert json.loads(ops[0].value)["domain"] == "安全生产"
    assert ops[1].pred_ids() == [ops[0].op_id] and ops[2].pred_ids() == [ops[1].op_id]
    assert ops[0].hlc < ops[1].hlc < ops[2].hlc


def test_delete_is_a_tombstone_that_keeps_the_row(new_db):
    with new_db.session_scope() as session:
        case_id = register_case(session, "乙案").id
    with new_db.session_scope() as session:
        tombstone(session, session.get(Case, case_id))
    with new_db.session_scope() as session:
        row = session.get(Case, case_id)
        assert row is not None and row.deleted
        assert [o.field for o in field_history(session, row)] == [CREATE_FIELD, "deleted"]
        assert dump_db(session)["entities"]["case"][0]["deleted"] is True


def test_history_records_who_changed_what_from_what(new_db):
    with new_db.session_scope() as session:
        case_id = register_case(session, "丙案").id
    with new_db.session_scope() as session:
        edit_case(session, case_id, handler="王芳")
        history = field_history(session, session.get(Case, case_id))
    assert history[-1].user == "测试员" and history[-1].field == "handler"
    assert json.loads(history[-1].value) == "王芳" and history[-1].pred_ids() == [history[0].op_id]


def _record(op_id, hlc, site, field, value, pred=(), row="00000000-0000-7000-8000-000000000001"):
    return OpRecord(op_id, hlc, site, "远端", "case", row, field, json.dumps(value, ensure_ascii=False), tuple(pred))


CREATE = _record("a:1:1", 10, "a", CREATE_FIELD, {"title": "原名", "kind": "线索", "source": "信访",
                                                  "status": "线索登记", "domain": "其他", "deleted": False})


def test_remote_ops_apply_once_even_when_imported_twice(new_db):
    with new_db.session_scope() as session:
        first = apply_ops(session, [CREATE])
        second = apply_ops(session, [CREATE])
        assert (first.new_ops, second.new_ops, second.duplicate_ops) == (1, 0, 1)
        assert session.get(Case, uuid.UUID(CREATE.row_id)).title == "原名"


def test_concurrent_edits_of_one_field_become_a_conflict_that_a_resolution_clears(new_db):
    edit_a = _record("a:1:2", 20, "a", "title", "甲方改名", ["a:1:1"])
    edit_b = _record("b:1:1", 21, "b", "title", "乙方改名", ["a:1:1"])
    with new_db.session_scope() as session:
        apply_ops(session, [CREATE, edit_a, edit_b])
        conflicts = list_conflicts(session)
        assert [(c.field, c.kind) for c in conflicts] == [("title", "value")]
        assert {h["value"] for h in conflicts[0].heads} == {"甲方改名", "乙方改名"}
        assert session.get(Case, uuid.UUID(CREATE.row_id)).title == "乙方改名"  # provisional winner: newest
        resolve_conflict(session, "case", CREATE.row_id, "title", "甲方改名")
        assert list_conflicts(session) == []
        assert session.get(Case, uuid.UUID(CREATE.row_id)).title == "甲方改名"


def test_a_local_edit_of_a_conflicted_field_resolves_it(new_db):
    edit_a = _record("a:1:2", 20, "a", "title", "甲方改名", ["a:1:1"])
    edit_b = _record("b:1:1", 21, "b", "title", "乙方改名", ["a:1:1"])
    with new_db.session_scope() as session:
        apply_ops(session, [CREATE, edit_a, edit_b])
    with new_db.session_scope() as session:
        edit_case(session, CREATE.row_id, title="协商后的名称")
    with new_db.session_scope() as session:
        assert list_conflicts(session) == []


def test_a_deletion_wins_over_an_older_edit_but_not_over_a_newer_one(new_db):
    delete = _record("a:1:2", 30, "a", "deleted", True, ["a:1:1"])
    older_edit = _record("b:1:1", 20, "b", "handler", "张华", [])
    newer_edit = _record("b:1:2", 40, "b", "summary", "对方在删除后补充了材料", [])
    with new_db.session_scope() as session:
        apply_ops(session, [CREATE, delete, older_edit])
        assert session.get(Case, uuid.UUID(CREATE.row_id)).deleted
        apply_ops(session, [newer_edit])
        case = session.get(Case, uuid.UUID(CREATE.row_id))
        assert not case.deleted and case.summary == "对方在删除后补充了材料"
        assert [(c.field, c.kind) for c in list_conflicts(session)] == [("deleted", "delete_edit")]


def test_a_delete_edit_conflict_names_the_same_edit_whatever_the_arrival_order():
    """One write of two fields gives both ops the same hlc and site: the op id decides which the conflict
    names, so every workstation keeps the same conflict (hypothesis found the two orders disagreeing)."""
    delete = _record("a:1:2", 30, "a", "deleted", True, ["a:1:1"])
    handler = _record("b:1:7", 40, "b", "handler", "张华")
    summary = _record("b:1:8", 40, "b", "summary", "删除后补充")
    fields = replicated_columns(Case)
    states = [row_state(ops, fields) for ops in ([CREATE, delete, handler, summary], [summary, delete, CREATE, handler])]
    assert states[0].conflicts == states[1].conflicts
    assert [head.op_id for head in states[0].conflicts["deleted"][1]] == ["a:1:2", "b:1:8"]


def test_an_edit_made_in_the_same_write_as_the_deletion_does_not_bring_the_row_back():
    delete = _record("a:1:2", 30, "a", "deleted", True, ["a:1:1"])
    same_write = _record("a:1:3", 30, "a", "summary", "删除时一并记下的说明")
    state = row_state([CREATE, delete, same_write], replicated_columns(Case))
    assert state.deleted and "deleted" not in state.conflicts


def test_an_edit_that_arrives_before_its_create_still_ends_in_the_same_row(new_db):
    edit = _record("a:1:2", 20, "a", "title", "新名", ["a:1:1"])
    with new_db.session_scope() as session:
        apply_ops(session, [edit])
        apply_ops(session, [CREATE])
        case = session.get(Case, uuid.UUID(CREATE.row_id))
        assert case.title == "新名" and case.source == "信访" and list_conflicts(session) == []


def test_ops_for_unknown_entities_or_fields_are_returned_not_applied(new_db):
    odd = _record("c:1:1", 5, "c", "field_from_the_future", "x")
    with new_db.session_scope() as session:
        stats = apply_ops(session, [odd])
    assert stats.new_ops == 0 and stats.unknown_ops == [odd]


# --- the merge is a pure function of the op set: any order, any duplication, same state ---

TITLE_EDITS = st.lists(st.tuples(st.sampled_from("abc"), st.integers(1, 50), st.sampled_from(["甲", "乙", "丙"])),
                       max_size=8)


def _history(edits):
    """A causally consistent history: each edit supersedes the heads its site had seen."""
    ops, seen_heads = [CREATE], {site: ["a:1:1"] for site in "abc"}
    seq = {site: 10 for site in "abc"}
    for site, hlc, value in edits:
        seq[site] += 1
        op = _record(f"{site}:1:{seq[site]}", 100 + hlc + seq[site], site, "title", value, seen_heads[site])
        ops.append(op)
        seen_heads[site] = [op.op_id]
    return ops


@given(TITLE_EDITS, st.randoms(use_true_random=False))
def test_heads_and_winner_do_not_depend_on_arrival_order(edits, rnd):
    ops = _history(edits)
    shuffled = ops + ops[: len(ops) // 2]
    rnd.shuffle(shuffled)
    unique = list({o.op_id: o for o in shuffled}.values())
    a = row_state(ops, ["title"])
    b = row_state(unique, ["title"])
    assert a.values == b.values and a.conflicts == b.conflicts
    assert sorted(o.op_id for o in field_heads(ops, "title")) == sorted(o.op_id for o in field_heads(unique, "title"))


@settings(max_examples=25, deadline=None)
@given(TITLE_EDITS, st.randoms(use_true_random=False))
def test_two_databases_fed_the_same_ops_in_different_orders_dump_identically(edits, rnd):
    import tempfile
    from pathlib import Path

    ops = _history(edits)
    dumps = []
    with tempfile.TemporaryDirectory(prefix="合并") as tmp:
        _fill_two(Path(tmp), ops, rnd, dumps)
    assert dumps[0] == dumps[1]


def _fill_two(folder, ops, rnd, dumps):
    from models.services.setup import initialize
    from tests.conftest import TEST_PASSWORD
    for index in range(2):
        created = initialize(folder / f"db{index}.db", TEST_PASSWORD, office_name="x", office_code="y")
        order = list(ops)
        rnd.shuffle(order)
        with created.db.session_scope() as session:
            for op in order:
                apply_ops(session, [op])
            apply_ops(session, order)  # re-import of everything is a no-op
            dumps.append(dump_db(session))
        created.db.close()


def test_editing_a_deleted_row_locally_gives_what_every_peer_computes(new_db):
    with new_db.session_scope() as session:
        case_id = register_case(session, "丁案").id
    with new_db.session_scope() as session:
        tombstone(session, session.get(Case, case_id))
    with new_db.session_scope() as session:
        session.get(Case, case_id).summary = "删除后又补充的材料"   # bypassing the services on purpose
    with new_db.session_scope() as session:
        case = session.get(Case, case_id)
        expected = row_state(_ops(session), ["title", "summary", "deleted"])
        assert case.deleted is expected.deleted is False
        assert [(c.field, c.kind) for c in list_conflicts(session)] == [("deleted", "delete_edit")]


def test_change_history_shows_before_and_after_of_every_edit(new_db):
    from models.services.common import change_history
    with new_db.session_scope() as session:
        case_id = register_case(session, "戊案", handler="李明").id
    with new_db.session_scope() as session:
        edit_case(session, case_id, handler="王芳", title="戊案（更名）")
    with new_db.session_scope() as session:
        changes = change_history(session, session.get(Case, case_id))
    created = {c.field: c.after for c in changes if c.before is None and c.field in ("title", "handler")}
    assert created == {"title": "戊案", "handler": "李明"}
    edits = [(c.field, c.before, c.after, c.user) for c in changes if c.before is not None]
    assert sorted(edits) == [("handler", "李明", "王芳", "测试员"), ("title", "戊案", "戊案（更名）", "测试员")]


@given(st.dictionaries(st.sampled_from(["title", "kind", "summary", "deleted", "handler"]),
                       st.one_of(st.text(max_size=5), st.booleans(), st.none()), max_size=5))
def test_the_created_only_shortcut_equals_the_general_merge(values):
    from models.merge import _created_only
    create = _record("a:1:1", 10, "a", CREATE_FIELD, values)
    general = row_state([create, _record("a:1:2", 5, "a", "unrelated_field", "x")], ["title", "kind", "summary",
                                                                                      "deleted", "handler"])
    quick = _created_only(create, ["title", "kind", "summary", "deleted", "handler"])
    assert (quick.values, quick.deleted, quick.conflicts) == (general.values, general.deleted, general.conflicts)
