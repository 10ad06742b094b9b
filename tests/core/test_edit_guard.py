"""Two clerks editing one record at once never silently overwrite each other (issue 16 item 3), on
both backends: a save carrying the base its form loaded is refused with edit_conflict when a field it
changes was changed by someone else since; fields only the other clerk changed merge normally."""
from __future__ import annotations

import dataclasses

import pytest

from models.case import Case
from models.errors import DomainError
from models.services.cases import edit_case, register_case
from models.services.common import get_live, update_fields
from models.services.edit_guard import check_edit, record_base
from models.services.history import change_history
from models.services.suggestions import draft_suggestion, edit_suggestion
from models.suggestion import Suggestion

pytestmark = pytest.mark.parametrize("backend", ["sqlite", "postgresql"], indirect=True)


def _two_clerks(db):
    """The same office database as 张三 and as 李四 (two desks on one file or one server database)."""
    return dataclasses.replace(db, user="张三"), dataclasses.replace(db, user="李四")


def _case(db) -> str:
    with db.write_scope() as session:
        return str(register_case(session, "某河道非法采砂案", handler="王五", summary="初稿").id)


def test_a_save_over_someone_elses_newer_edit_of_the_same_field_is_refused(new_db):
    zhang, li = _two_clerks(new_db)
    case_id = _case(new_db)
    with zhang.read_scope() as session:
        base_zhang = record_base(session, Case, case_id)
    with li.read_scope() as session:
        base_li = record_base(session, Case, case_id)
    with li.write_scope() as session:
        check_edit(session, Case, case_id, {"handler": "李四"}, base_li)
        edit_case(session, case_id, handler="李四")
    with pytest.raises(DomainError) as caught:
        with zhang.write_scope() as session:
            check_edit(session, Case, case_id, {"handler": "张三"}, base_zhang)
            edit_case(session, case_id, handler="张三")
    error = caught.value
    assert error.code == "edit_conflict"
    assert "承办人" in error.message and "李四" in error.message and "张三" in error.message
    [conflict] = error.fields["conflicts"]
    assert (conflict.field, conflict.mine, conflict.theirs, conflict.by) == ("handler", "张三", "李四", ("李四",))
    with new_db.read_scope() as session:
        case = get_live(session, Case, case_id)
        assert case.handler == "李四"   # nothing was overwritten
        assert [c.after for c in change_history(session, case) if c.field == "handler"] == ["王五", "李四"]


def test_fields_the_other_clerk_did_not_touch_merge_and_a_fresh_base_saves(new_db):
    zhang, li = _two_clerks(new_db)
    case_id = _case(new_db)
    with zhang.read_scope() as session:
        base_zhang = record_base(session, Case, case_id)
    with li.write_scope() as session:
        edit_case(session, case_id, handler="李四")
    with zhang.write_scope() as session:   # another field: both edits stay
        check_edit(session, Case, case_id, {"summary": "张三补充"}, base_zhang)
        edit_case(session, case_id, summary="张三补充")
    with zhang.write_scope() as session:   # the same value as the other clerk's: nothing is lost
        check_edit(session, Case, case_id, {"handler": "李四"}, base_zhang)
    with zhang.read_scope() as session:    # reloaded: the form sees 李四's edit and may change it
        fresh = record_base(session, Case, case_id)
    with zhang.write_scope() as session:
        check_edit(session, Case, case_id, {"handler": "张三"}, fresh)
        edit_case(session, case_id, handler="张三")
    with new_db.read_scope() as session:
        case = get_live(session, Case, case_id)
        assert (case.handler, case.summary) == ("张三", "张三补充")


def test_update_fields_takes_the_base_too(new_db):
    zhang, li = _two_clerks(new_db)
    with new_db.write_scope() as session:
        suggestion_id = str(draft_suggestion(session, "某镇人民政府", facts="河道治理").id)
    with zhang.read_scope() as session:
        base = record_base(session, Suggestion, suggestion_id, ["facts", "addressee_name"])
    with li.write_scope() as session:
        edit_suggestion(session, suggestion_id, facts="河道综合治理", addressee_name="某县水利局")
    with pytest.raises(DomainError) as caught:
        with zhang.write_scope() as session:
            update_fields(get_live(session, Suggestion, suggestion_id), {"facts": "河道清淤"}, base=base)
    assert caught.value.code == "edit_conflict" and "李四" in caught.value.message
    with zhang.write_scope() as session:   # a field the form did not show is not guarded
        update_fields(get_live(session, Suggestion, suggestion_id), {"follow_up": "张三备注"}, base=base)
    with new_db.read_scope() as session:
        suggestion = get_live(session, Suggestion, suggestion_id)
        assert (suggestion.facts, suggestion.follow_up) == ("河道综合治理", "张三备注")
