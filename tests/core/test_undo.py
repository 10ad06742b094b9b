"""撤销上次修改 from the op log (models.services.undo): the values an edit replaced come back as a new,
synced edit; a deletion is undone by restoring; an edit superseded since (e.g. by a peer) is refused."""
import json

import pytest

from models.case import Case
from models.errors import DomainError
from models.merge import apply_ops
from models.oplog import Op, OpRecord
from models.services.cases import edit_case, register_case
from models.services.common import get_live
from models.services.history import record_history
from models.services.trash import delete_record
from models.services.undo import last_edit, last_local_edit, undo_last_edit


def _case(db, **fields):
    with db.write_scope() as session:
        return register_case(session, "甲案", handler="李明", **fields).id


def test_undo_writes_back_every_field_of_the_last_save_and_keeps_it_in_the_history(new_db):
    case_id = _case(new_db)
    with new_db.write_scope() as session:
        edit_case(session, case_id, title="甲案（第一次）")
    with new_db.write_scope() as session:
        edit_case(session, case_id, title="甲案（第二次）", handler="王芳")
    with new_db.read_scope() as session:
        edit = last_edit(session, "case", case_id)
    assert edit is not None and edit.fields == ("handler", "title")
    assert edit.previous == {"handler": "李明", "title": "甲案（第一次）"}
    with new_db.write_scope() as session:
        undo_last_edit(session, "case", case_id)
    with new_db.read_scope() as session:
        case = get_live(session, Case, case_id)
        assert (case.title, case.handler) == ("甲案（第一次）", "李明")
        history = record_history(session, "case", case_id)
    # the undo is itself an edit: it shows in 修改记录 and travels to peers
    assert ("title", "甲案（第二次）", "甲案（第一次）") in [(c.field, c.before, c.after) for c in history.changes]
    assert set(history.site_labels.values()) == {"本机"}
    with new_db.write_scope() as session:   # undo twice = redo
        undo_last_edit(session, "case", case_id)
    with new_db.read_scope() as session:
        assert get_live(session, Case, case_id).title == "甲案（第二次）"


def test_a_new_record_has_nothing_to_undo(new_db):
    case_id = _case(new_db)
    with new_db.read_scope() as session:
        assert last_edit(session, "case", case_id) is None
    with pytest.raises(DomainError) as err, new_db.write_scope() as session:
        undo_last_edit(session, "case", case_id)
    assert err.value.code == "nothing_to_undo"


def test_undo_of_a_deletion_restores_the_record(new_db):
    case_id = _case(new_db)
    with new_db.write_scope() as session:
        delete_record(session, "case", case_id)
    with new_db.read_scope() as session:
        edit = last_local_edit(session)
        assert edit is not None and edit.row_id == case_id and edit.fields == ("deleted",)
        assert "恢复" in edit.describes
    with new_db.write_scope() as session:
        undo_last_edit(session, "case", case_id)
    with new_db.read_scope() as session:
        assert get_live(session, Case, case_id).title == "甲案"


def test_an_edit_superseded_by_a_peer_is_not_undone(new_db):
    case_id = _case(new_db)
    with new_db.write_scope() as session:
        edit_case(session, case_id, title="本机改名")
    with new_db.write_scope() as session:
        mine = session.query(Op).filter(Op.row_id == str(case_id), Op.field == "title").one()
        peer_op = OpRecord("peer-site:1:1", mine.hlc + 1, "peer-site", "对方", "case", str(case_id), "title",
                           json.dumps("对方改名", ensure_ascii=False), (mine.op_id,))
        session.info["applying_remote"] = True
        apply_ops(session, [peer_op])
    with pytest.raises(DomainError) as err, new_db.write_scope() as session:
        undo_last_edit(session, "case", case_id)
    assert err.value.code == "undo_superseded"
    with new_db.read_scope() as session:
        assert get_live(session, Case, case_id).title == "对方改名"


def test_undo_of_a_lifecycle_step_replaces_the_screens_snapshot(new_db):
    """登记回复 then 撤销: the reply fields come back empty and the stage is 待回复 again, from the op log
    alone (what ui/suggestion_actions.py keeps a snapshot for today)."""
    import datetime as dt

    from models.services import suggestions as svc
    from models.suggestion import Suggestion

    with new_db.write_scope() as session:
        row_id = svc.draft_suggestion(session, "宿州市水利局", items=["依法查处"]).id
        svc.issue(session, row_id, "宿检行公建〔2026〕1号", dt.date(2026, 9, 1))
        svc.mark_served(session, row_id, dt.date(2026, 9, 25))
    with new_db.write_scope() as session:
        svc.record_reply(session, row_id, dt.date(2026, 11, 20), "已开展专项整治。", adoption="采纳")
    with new_db.write_scope() as session:
        edit = undo_last_edit(session, "suggestion", row_id)
    assert {"replied_on", "reply_content"} <= set(edit.fields)
    with new_db.read_scope() as session:
        suggestion = get_live(session, Suggestion, row_id)
        assert suggestion.replied_on is None and suggestion.reply_content == ""
        assert svc.stage_of(suggestion) == "待回复"
        assert suggestion.served_on == dt.date(2026, 9, 25)   # the earlier step stays


def test_one_persons_ctrl_z_never_reverts_a_colleagues_edit(new_db):
    """On a server every desk writes as the one office site (and on a shared PC several accounts do):
    撤销 takes this person's newest edit, not the newest edit of the site."""
    from tests.core.test_edit_guard_changes import second_desk

    mine, theirs = _case(new_db), _case(new_db)
    colleague = second_desk(new_db, "王芳")
    try:
        with new_db.write_scope() as session:
            edit_case(session, mine, title="甲案（我改的）")
        with colleague.write_scope() as session:                 # later, at another desk
            edit_case(session, theirs, summary="同事补充的案情")
        with new_db.write_scope() as session:
            assert last_edit(session, "case", theirs) is None      # nothing of mine on that record
            undone = undo_last_edit(session, "case", last_local_edit(session, "case").row_id)
        assert undone.row_id == mine
        with colleague.read_scope() as session:
            assert get_live(session, Case, mine).title == "甲案"
            assert get_live(session, Case, theirs).summary == "同事补充的案情"
        with colleague.write_scope() as session:                 # the colleague's own Ctrl+Z: their edit
            assert last_local_edit(session, "case").row_id == theirs
    finally:
        colleague.close()
