import datetime as dt
import json

import pytest

from models.derived import default_calendar
from models.errors import DomainError
from models.services.calendar import install_holiday_file
from models.services.suggestions import draft_suggestion, issue, mark_served


@pytest.fixture(autouse=True)
def fresh_calendar_cache():
    default_calendar.cache_clear()
    yield
    default_calendar.cache_clear()


def test_an_office_holiday_file_extends_the_calendar_and_moves_existing_deadlines(new_db, tmp_path):
    with new_db.session_scope() as session:
        s = draft_suggestion(session, "宿州市水利局")
        issue(session, s.id, "宿检行公建〔2030〕1号", dt.date(2030, 3, 1))
        mark_served(session, s.id, dt.date(2030, 3, 4))
        assert s.reply_due == dt.date(2030, 5, 6)   # 2030 is not bundled: weekends only (5-04 is a Saturday)
        suggestion_id = s.id
    notice = {"format": "fjld-holidays/1", "years": {"2030": {"source": "国办发明电〔2029〕×号", "holidays": [
        {"name": "劳动节", "from": "2030-05-01", "to": "2030-05-07", "work": []}]}}}
    office = tmp_path / "2030年放假安排.json"
    office.write_text(json.dumps(notice, ensure_ascii=False), encoding="utf-8")
    calendar = install_holiday_file(new_db, office)
    assert calendar.covers(2030)
    from models.suggestion import Suggestion
    with new_db.session_scope() as session:
        assert session.get(Suggestion, suggestion_id).reply_due == dt.date(2030, 5, 8)


def test_a_bad_holiday_file_is_refused_and_nothing_is_installed(new_db, tmp_path):
    from models.derived import office_holiday_path
    bad = tmp_path / "坏文件.json"
    bad.write_text("{not json", encoding="utf-8")
    with pytest.raises(DomainError):
        install_holiday_file(new_db, bad)
    assert not office_holiday_path().exists()
