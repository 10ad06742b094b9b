"""A government-view copy holds only part of each suggestion, yet it must compute the same shared
values and the same tombstone as the 检察院's full copy from the same history."""
import json

from hypothesis import given
from hypothesis import strategies as st

from models.merge import row_state
from models.oplog import CREATE_FIELD, OpRecord
from models.registry import ENTITY_BY_NAME, SUGGESTION_STATUS_FIELDS, replicated_columns, revival_fields
from models.sync.profiles import PROFILES, project_op

ROW = "00000000-0000-7000-8000-0000000000aa"
FIELDS = ["facts", "legal_basis", "replied_on", "reply_content", "rectification", "deleted"]
VALUES = {"facts": st.sampled_from(["事实甲", "事实乙"]), "legal_basis": st.sampled_from(["依据甲", "依据乙"]),
          "replied_on": st.sampled_from(["2024-04-01", None]), "reply_content": st.sampled_from(["已整改", "整改中"]),
          "rectification": st.sampled_from(["已整改", "整改中"]), "deleted": st.booleans()}
EDITS = st.lists(st.tuples(st.sampled_from("ab"), st.sampled_from(FIELDS)).flatmap(
    lambda pair: st.tuples(st.just(pair[0]), st.just(pair[1]), VALUES[pair[1]])), max_size=10)


def _history(edits):
    create = OpRecord("a:1:1", 10, "a", "", "suggestion", ROW, CREATE_FIELD, json.dumps(
        {"addressee_name": "市水利局", "facts": "原事实", "deleted": False, "to_government": True}, ensure_ascii=False))
    ops, heads, seq = [create], {}, {"a": 1, "b": 0}
    for hlc, (site, field, value) in enumerate(edits, start=20):
        seq[site] += 1
        op = OpRecord(f"{site}:1:{seq[site]}", hlc, site, "", "suggestion", ROW, field,
                      json.dumps(value, ensure_ascii=False), tuple(heads.get(field, ["a:1:1"])))
        heads[field] = [op.op_id]
        ops.append(op)
    return ops


@given(EDITS)
def test_government_copy_agrees_with_the_full_copy_on_everything_it_holds(edits):
    ops = _history(edits)
    columns = list(replicated_columns(ENTITY_BY_NAME["suggestion"]))
    gov_ops = [p for p in (project_op(PROFILES["gov_view"], o) for o in ops) if p is not None]
    full = row_state(ops, columns, revival_fields("suggestion"))
    gov = row_state(gov_ops, columns, revival_fields("suggestion"))
    assert full.deleted == gov.deleted
    shared = SUGGESTION_STATUS_FIELDS & set(columns)
    assert {k: v for k, v in full.values.items() if k in shared} == gov.values
    assert {k for k in full.conflicts if k in shared} == set(gov.conflicts)
