import pytest

from models.errors import DomainError
from models.services.cases import list_cases, register_case
from models.services.suggestions import draft_suggestion, items_of, list_suggestions
from models.services.trash import delete_record, deleted_records, restore_record


def test_deleted_records_leave_the_lists_show_in_the_trash_and_come_back(new_db):
    with new_db.session_scope() as session:
        case = register_case(session, "辛案")
        suggestion = draft_suggestion(session, "宿州市水利局", items=["依法履职。"])
    with new_db.session_scope() as session:
        delete_record(session, "case", case.id)
        delete_record(session, "suggestion", str(suggestion.id))
        assert list_cases(session) == [] and list_suggestions(session) == []
        assert items_of(session, suggestion.id) == []      # its items went with it
        trash = deleted_records(session)
        assert {(r.kind, r.title) for r in trash} == {("案件", "辛案"), ("检察建议", "宿州市水利局")}
        with pytest.raises(DomainError, match="找不到"):
            delete_record(session, "case", case.id)        # already deleted
    with new_db.session_scope() as session:
        restore_record(session, "suggestion", suggestion.id)
        assert [s.addressee_name for s in list_suggestions(session)] == ["宿州市水利局"]
        assert [i.text for i in items_of(session, suggestion.id)] == ["依法履职。"]
        assert [r.kind for r in deleted_records(session)] == ["案件"]
        with pytest.raises(DomainError, match="不在回收站"):
            restore_record(session, "suggestion", suggestion.id)
