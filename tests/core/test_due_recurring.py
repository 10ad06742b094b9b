"""`due` lists each open occurrence of a recurring measure and drops it once its period's progress is in;
a phrase the parser cannot read is listed as 时限待确认, never dropped."""
import datetime as dt

from models.services.due import due_items, open_occurrences, unclear_deadlines
from models.tasklist import Measure, ProgressEntry, Task, TaskAspect, TaskList


def add_measure(session, phrase: str, year: int = 2022) -> Measure:
    """A list, 方面, task and one measure with the given 完成时限 (also used by the 首页 tests)."""
    task_list = TaskList(year=year, title="清单")
    session.add(task_list)
    session.flush()
    aspect = TaskAspect(list_id=task_list.id, title="方面")
    session.add(aspect)
    session.flush()
    task = Task(aspect_id=aspect.id, number=1, text="任务")
    session.add(task)
    session.flush()
    measure = Measure(task_id=task.id, text="报送府检联动工作情况", deadline_phrase=phrase, units_text="市司法局")
    session.add(measure)
    session.flush()
    return measure


def _dates(session, today, measure_id):
    return [i.due for i in due_items(session, today, 7, include_green=True) if i.ref_id == measure_id]


def test_each_quarterly_occurrence_is_listed_until_its_progress_is_in(new_db):
    with new_db.write_scope() as session:
        measure = add_measure(session, "每季度首月10日前")
        measure_id = measure.id
    with new_db.read_scope() as session:
        assert _dates(session, dt.date(2022, 5, 1), measure_id) == [
            dt.date(2022, 1, 10), dt.date(2022, 4, 10), dt.date(2022, 7, 10), dt.date(2022, 10, 10)]
        overdue = [i for i in due_items(session, dt.date(2022, 5, 1), 7) if i.ref_id == measure_id]
        assert [i.due for i in overdue] == [dt.date(2022, 1, 10), dt.date(2022, 4, 10)]
        assert "1月10日报送" in overdue[0].title
    with new_db.write_scope() as session:
        session.add(ProgressEntry(measure_id=measure_id, reported_on=dt.date(2022, 1, 8), text="一季度", status="推进中"))
    with new_db.read_scope() as session:
        assert _dates(session, dt.date(2022, 5, 1), measure_id)[0] == dt.date(2022, 4, 10)
    with new_db.write_scope() as session:  # a late report still answers its occurrence
        session.add(ProgressEntry(measure_id=measure_id, reported_on=dt.date(2022, 4, 20), text="二季度", status="推进中"))
    with new_db.read_scope() as session:
        assert _dates(session, dt.date(2022, 5, 1), measure_id) == [dt.date(2022, 7, 10), dt.date(2022, 10, 10)]


def test_a_date_then_reports(new_db):
    with new_db.write_scope() as session:
        measure_id = add_measure(session, "6月底前完成，以后每季度报送进展").id
    with new_db.read_scope() as session:
        assert _dates(session, dt.date(2022, 6, 1), measure_id) == [
            dt.date(2022, 6, 30), dt.date(2022, 9, 30), dt.date(2022, 12, 31)]


def test_open_occurrences_matches_one_entry_to_one_period():
    dates = (dt.date(2022, 3, 31), dt.date(2022, 6, 30), dt.date(2022, 9, 30))
    assert open_occurrences(dates, []) == list(dates)
    # two reports in March answer March only: a report cannot be made ahead for June
    assert open_occurrences(dates, [dt.date(2022, 3, 1), dt.date(2022, 3, 2)]) == [dt.date(2022, 6, 30),
                                                                                    dt.date(2022, 9, 30)]
    assert open_occurrences(dates, [dt.date(2022, 7, 1)]) == [dt.date(2022, 6, 30), dt.date(2022, 9, 30)]


def test_unreadable_phrases_are_listed_as_unclear(new_db, tmp_path):
    with new_db.write_scope() as session:
        add_measure(session, "视情况而定")
        add_measure(session, "6月底前")
    with new_db.read_scope() as session:
        unclear = unclear_deadlines(session)
    assert [u.phrase for u in unclear] == ["视情况而定"]
