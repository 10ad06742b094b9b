"""seeds/001 as published -> import -> export reproduces every cell (after circled.normalise_cell)."""
from __future__ import annotations

import json
from dataclasses import replace
from io import BytesIO

from openpyxl import load_workbook

from reports.xlsx.circled import normalise_cell
from reports.xlsx.tasklist_export import ExportOptions, export_task_list, task_row_texts
from reports.xlsx.tasklist_import import import_task_list
from tests.reports_xlsx.builders import seed_published_xlsx
from tests.reports_xlsx.seed_table import ROOT, read_seed_rows, seed_as_json


def test_seed_imports_into_five_aspects_and_fourteen_tasks():
    imported = import_task_list(seed_published_xlsx())
    data = imported.data
    assert (data.year, data.title) == (2022, "2022年度“府检联动”重点工作任务清单")
    assert [aspect.title for aspect in data.aspects] == [
        "重大改革推进方面", "重大矛盾化解方面", "重大项目建设方面", "重大风险防控方面", "重大利益保护方面"]
    assert [task.number for aspect in data.aspects for task in aspect.tasks] == list(range(1, 15))
    first = data.aspects[0].tasks[0]
    assert [m.deadline for m in first.measures] == ["长期坚持", "长期坚持", "5月底前完成并长期坚持", "10月底前", "长期坚持"]
    assert first.measures[3].units == "市检察院牵头"
    assert imported.header_row == 3 and imported.layout == "单元格内编号"


def test_import_matches_the_committed_demo_json():
    committed = json.loads((ROOT / "resources" / "demo" / "tasklist_2022.json").read_text(encoding="utf-8"))
    assert committed == seed_as_json()
    data = import_task_list(seed_published_xlsx()).data
    for aspect, expected in zip(data.aspects, committed["aspects"], strict=True):
        for task, expected_task in zip(aspect.tasks, expected["tasks"], strict=True):
            assert task.text == expected_task["text"]
            assert [(m.text, m.deadline, m.units) for m in task.measures] == [
                (m["text"], m["deadline"], m["units"]) for m in expected_task["measures"]]


def test_import_then_export_reproduces_every_seed_cell():
    data = import_task_list(seed_published_xlsx()).data
    sheet = load_workbook(BytesIO(export_task_list(data, ExportOptions()))).active
    title, seed_rows = read_seed_rows()
    assert sheet["B2"].value is None and sheet["A2"].value == title
    exported_rows = [[cell.value or "" for cell in row] for row in sheet.iter_rows(min_row=4)]
    task_rows = [row for row in exported_rows if row[1]]
    aspect_rows = [row[0] for row in exported_rows if not row[1]]
    assert aspect_rows == list(dict.fromkeys(row.aspect for row in seed_rows))
    assert len(task_rows) == len(seed_rows) == 14
    for exported, seed in zip(task_rows, seed_rows):
        expected = [seed.task, seed.measures, seed.deadlines, seed.units, ""]
        assert [normalise_cell(text) for text in exported] == [normalise_cell(text) for text in expected]


def test_published_grouping_survives_but_an_edit_falls_back_to_canonical():
    data = import_task_list(seed_published_xlsx()).data
    task2 = data.aspects[0].tasks[1]
    assert task2.units_cell == "①市数据资源局、市检察院 ②市检察院、市公安局 ③市检察院、市公安局"
    assert task_row_texts(task2)[3] == "①市数据资源局、市检察院\n②市检察院、市公安局\n③市检察院、市公安局"
    edited = replace(task2, measures=(task2.measures[0], replace(task2.measures[1], units="市检察院"),
                                      task2.measures[2]))
    assert task_row_texts(edited)[3] == "①市数据资源局、市检察院\n②市检察院\n③市检察院、市公安局"
