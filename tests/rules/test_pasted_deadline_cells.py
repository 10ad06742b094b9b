"""A 完成时限 cell with one part per measure ("①8月底前 ②4月底前 ③长期坚持") is split per measure on
task-list import, in both layouts, so each measure's phrase reads as its own deadline (never as one
phrase for the whole task)."""
from __future__ import annotations

from datetime import date

import pytest

from models.errors import DomainError
from models.rules.deadline_phrase import PhraseKind, parse_deadline_phrase
from reports.xlsx.circled import has_circled
from reports.xlsx.tasklist_import import import_task_list
from tests.reports_xlsx.builders import rows_xlsx, seed_published_xlsx

TITLE = "2022年度“府检联动”重点工作任务清单"
HEADER = ["重点任务", "具体措施", "完成时限", "责任单位", "进展情况"]


def _measures(data: bytes):
    imported = import_task_list(data)
    return [m for aspect in imported.data.aspects for task in aspect.tasks for m in task.measures]


def test_the_real_2022_list_gives_every_measure_its_own_readable_phrase():
    measures = _measures(seed_published_xlsx())
    assert len(measures) > 40
    for measure in measures:
        assert not has_circled(measure.deadline), measure.deadline
        assert parse_deadline_phrase(measure.deadline, 2022).kind is not PhraseKind.UNKNOWN, measure.deadline
    imported = import_task_list(seed_published_xlsx())
    (task,) = [t for a in imported.data.aspects for t in a.tasks
               if [m.deadline for m in t.measures] == ["8月底前", "4月底前", "长期坚持"]]
    parsed = [parse_deadline_phrase(m.deadline, 2022) for m in task.measures]
    assert [(p.kind, p.due_on) for p in parsed] == [(PhraseKind.FIXED, date(2022, 8, 31)),
                                                    (PhraseKind.FIXED, date(2022, 4, 30)),
                                                    (PhraseKind.ONGOING, None)]


def test_the_whole_cell_read_as_one_phrase_is_not_a_date():
    """What the split prevents: the pasted cell itself is no deadline (時限待确认, never a wrong date)."""
    assert parse_deadline_phrase("①8月底前 ②4月底前", 2022).kind is PhraseKind.UNKNOWN


@pytest.mark.parametrize("cell", ["①8月底前 ②4月底前", "①8月底前\n②4月底前", "① 8月底前 ② 4月底前"])
def test_one_row_per_measure_with_the_grouped_cell_pasted_on_each_row(cell):
    data = rows_xlsx([
        [TITLE], HEADER, ["一、重大改革推进方面"],
        ["1.推进数据共享。", "①召开会商会。", cell, "①市数据资源局 ②市检察院", None],
        [None, "②出台办法。", cell, "①市数据资源局 ②市检察院", "②已起草"],
    ], merges=("A1:E1", "A3:E3", "A4:A5"))
    first, second = _measures(data)
    assert (first.deadline, second.deadline) == ("8月底前", "4月底前")
    assert (first.units, second.units) == ("市数据资源局", "市检察院")
    assert (first.latest_progress, second.latest_progress) == ("", "已起草")
    assert parse_deadline_phrase(second.deadline, 2022).due_on == date(2022, 4, 30)


def test_one_row_per_measure_with_a_grouped_cell_merged_over_the_rows():
    data = rows_xlsx([
        [TITLE], HEADER, ["一、重大改革推进方面"],
        ["1.推进数据共享。", "①召开会商会。", "①②8月底前 ③长期坚持", "市检察院", None],
        [None, "②出台办法。", None, "市检察院", None],
        [None, "③常态化会商。", "③长期坚持", "市检察院", None],
    ], merges=("A1:E1", "A3:E3", "A4:A6", "C4:C5"))
    assert [m.deadline for m in _measures(data)] == ["8月底前", "8月底前", "长期坚持"]


def test_a_pasted_cell_that_does_not_name_the_rows_measure_is_refused_with_its_place():
    data = rows_xlsx([
        [TITLE], HEADER, ["一、重大改革推进方面"],
        ["1.推进数据共享。", "①召开会商会。", "①8月底前", "市检察院", None],
        [None, "②出台办法。", "①8月底前 ③4月底前", "市检察院", None],
    ], merges=("A1:E1", "A3:E3", "A4:A5"))
    with pytest.raises(DomainError) as raised:
        import_task_list(data)
    assert raised.value.code == "grouped_number_out_of_range"
    assert "第5行 C列" in raised.value.message


def test_a_pasted_cell_without_the_rows_number_is_refused():
    data = rows_xlsx([
        [TITLE], HEADER, ["一、重大改革推进方面"],
        ["1.推进数据共享。", "①召开会商会。", "①8月底前", "市检察院", None],
        [None, "②出台办法。", "①8月底前", "市检察院", None],
    ], merges=("A1:E1", "A3:E3", "A4:A5"))
    with pytest.raises(DomainError) as raised:
        import_task_list(data)
    assert raised.value.code == "grouped_number_missing" and "②" in raised.value.message
