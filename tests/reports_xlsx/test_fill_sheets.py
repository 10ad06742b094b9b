"""Per-unit 填报表: only the unit's measures, locked columns, hidden id + HMAC, and the return review."""
from __future__ import annotations

import datetime as dt
from dataclasses import replace
from io import BytesIO

import pytest
from openpyxl import load_workbook

from models.errors import DomainError
from reports.xlsx.data import MeasureData, TaskListData
from reports.xlsx.fill_returns import (
    CONFLICT,
    NEW,
    REFUSED,
    UNCHANGED,
    UNMATCHED,
    CurrentMeasure,
    read_fill_sheet,
    review_returns,
)
from reports.xlsx.fill_sheets import FillSheetRequest, export_fill_sheet, export_fill_sheets, unit_rows
from reports.xlsx.tasklist_import import import_task_list
from reports.xlsx.units import all_named_units, unit_names
from tests.reports_xlsx.builders import seed_published_xlsx, workbook_bytes

KEY = b"k" * 32


def seed_with_ids() -> TaskListData:
    data = import_task_list(seed_published_xlsx()).data
    counter = iter(range(1, 1000))
    aspects = tuple(replace(aspect, tasks=tuple(
        replace(task, measures=tuple(replace(m, id=f"m{next(counter)}") for m in task.measures))
        for task in aspect.tasks)) for aspect in data.aspects)
    return replace(data, aspects=aspects)


def request(unit: str = "市司法局", period: str = "2022Q2", aliases: tuple[str, ...] = ()) -> FillSheetRequest:
    return FillSheetRequest(unit, frozenset({unit, *aliases}), period, dt.date(2022, 6, 30), "exp-1")


def test_unit_names_split_and_strip_roles():
    assert unit_names("市检察院牵头，市公安局、市财政局配合") == ["市检察院", "市公安局", "市财政局"]
    assert unit_names("市检察院（牵头）、相关行政执法机关") == ["市检察院", "相关行政执法机关"]
    names = all_named_units([m.units for _, _, m in seed_with_ids().measures()])
    assert "市司法局" in names and "各成员单位" not in names


def test_a_unit_sheet_lists_only_its_measures_plus_those_for_every_member():
    data = seed_with_ids()
    rows = unit_rows(data, frozenset({"市司法局"}))
    texts = [m.text[:6] for _, _, m in rows]
    assert len(rows) == 10  # 6 named (tasks 1, 3 ③④, 4, 5②, 6③) + 4 for 各成员单位 (tasks 7①, 8, 11⑤⑥)
    assert "按照行政争议" in texts
    sheet = load_workbook(BytesIO(export_fill_sheet(data, request(), KEY)))["进展填报"]
    assert sheet["A2"].value.startswith("填报单位：市司法局")
    assert sheet["A4"].value == "1①" and sheet["C4"].value.startswith("按照行政争议")
    assert sheet.protection.sheet
    assert sheet["C4"].protection.locked and not sheet["G4"].protection.locked
    assert not sheet["H4"].protection.locked and not sheet["I4"].protection.locked
    assert all(sheet.column_dimensions[c].hidden for c in "JKL")
    assert sheet["J4"].value == "m1" and len(sheet["L4"].value) == 64
    assert str(sheet.data_validations.dataValidation[0].sqref) == f"H4:H{sheet.max_row}"
    assert sheet.parent["_meta"].sheet_state == "veryHidden"


def test_sixty_units_only_get_sheets_when_named():
    data = seed_with_ids()
    sheets = export_fill_sheets([(request("市检察院"), data), (request("不存在的单位局"), data)], KEY)
    assert list(sheets) == ["市检察院", "不存在的单位局"]  # 各成员单位 measures reach every member unit
    court = replace(request("市中院"), member=False)
    assert list(export_fill_sheets([(court, data)], KEY)) == []  # not a member: no 各成员单位 rows
    only_named = replace(data, aspects=data.aspects[:2])
    assert list(export_fill_sheets([(request("不存在的单位局"), only_named)], KEY)) == []


def fill_in(xlsx: bytes, edits: dict[str, str]) -> bytes:
    workbook = load_workbook(BytesIO(xlsx))
    for ref, value in edits.items():
        workbook["进展填报"][ref] = value
    return workbook_bytes(workbook)


def current_state(data: TaskListData, **overrides: CurrentMeasure) -> dict[str, CurrentMeasure]:
    state = {m.id: CurrentMeasure(m.id, m.progress_id, m.latest_progress, "", m.status, m.status)
             for _, _, m in data.measures()}
    state.update(overrides)
    return state


def test_filled_rows_become_new_progress_and_untouched_rows_are_unchanged():
    data = seed_with_ids()
    returned = fill_in(export_fill_sheet(data, request(), KEY), {"G4": "已协调化解行政争议3件", "H4": "推进中",
                                                                 "I4": "张三"})
    sheet = read_fill_sheet(returned, KEY)
    assert (sheet.unit, sheet.period, sheet.as_of) == ("市司法局", "2022Q2", dt.date(2022, 6, 30))
    outcomes = review_returns(sheet, KEY, current_state(data), "2022Q2", frozenset({"市司法局"}))
    assert [o.kind for o in outcomes].count(NEW) == 1
    new = next(o for o in outcomes if o.kind == NEW)
    assert (new.measure_id, new.progress, new.status, new.reporter) == ("m1", "已协调化解行政争议3件", "推进中", "张三")
    assert {o.kind for o in outcomes if o is not new} == {UNCHANGED}


def test_second_import_of_the_same_return_is_a_no_op():
    data = seed_with_ids()
    sheet = read_fill_sheet(fill_in(export_fill_sheet(data, request(), KEY), {"G4": "已办结"}), KEY)
    after_first = current_state(data, m1=CurrentMeasure("m1", "p-new", "已办结", "2022Q2", ""))
    assert {o.kind for o in review_returns(sheet, KEY, after_first)} == {UNCHANGED}


def test_locked_edit_other_unit_or_period_are_refused_and_a_second_text_of_the_unit_is_a_conflict():
    data = seed_with_ids()
    exported = export_fill_sheet(data, request(), KEY)
    tampered = read_fill_sheet(fill_in(exported, {"C4": "改过的措施", "G4": "进展"}), KEY)
    outcome = review_returns(tampered, KEY, current_state(data))[0]
    assert outcome.kind == REFUSED and "锁定列" in outcome.reason and "第4行" in outcome.reason
    fresh = read_fill_sheet(fill_in(exported, {"G4": "进展"}), KEY)
    # the unit returned another text for this period after the export: both are kept, a person chooses
    moved_on = current_state(data, m1=CurrentMeasure("m1", "p-other", "本单位先交回的进展", "2022Q2", "推进中"))
    outcome = review_returns(fresh, KEY, moved_on)[0]
    assert outcome.kind == CONFLICT and "本单位先交回的进展" in outcome.reason
    # its newest entry is of an earlier period: a new period's return is just new
    earlier = current_state(data, m1=CurrentMeasure("m1", "p-other", "上季度的进展", "2022Q1", "推进中"))
    assert review_returns(fresh, KEY, earlier)[0].kind == NEW
    assert {o.kind for o in review_returns(fresh, KEY, current_state(data), "2022Q3")} == {REFUSED}
    other_unit = review_returns(fresh, KEY, current_state(data), "2022Q2", frozenset({"市公安局"}))
    assert {o.kind for o in other_unit} == {REFUSED} and "市司法局" in other_unit[0].reason
    missing = {k: v for k, v in current_state(data).items() if k != "m1"}
    assert review_returns(fresh, KEY, missing)[0].kind == UNMATCHED


def test_meta_tampering_wrong_key_and_foreign_files_are_refused():
    data = seed_with_ids()
    exported = export_fill_sheet(data, request(), KEY)
    with pytest.raises(DomainError) as raised:
        read_fill_sheet(exported, b"other key")
    assert raised.value.code == "fill_meta_tampered"
    workbook = load_workbook(BytesIO(exported))
    workbook["_meta"]["B3"] = "市公安局"
    with pytest.raises(DomainError) as raised:
        read_fill_sheet(workbook_bytes(workbook), KEY)
    assert raised.value.code == "fill_meta_tampered"
    with pytest.raises(DomainError) as raised:
        read_fill_sheet(seed_published_xlsx(), KEY)
    assert raised.value.code == "fill_not_ours"


def test_previous_progress_is_shown_locked_and_bound_by_the_mac():
    data = seed_with_ids()
    first = data.aspects[0].tasks[0]
    measure = replace(first.measures[0], latest_progress="已召开会商会", progress_on=dt.date(2022, 3, 31),
                      progress_id="p1", status="推进中")
    task = replace(first, measures=(measure, *first.measures[1:]))
    data = replace(data, aspects=(replace(data.aspects[0], tasks=(task, *data.aspects[0].tasks[1:])),
                                  *data.aspects[1:]))
    exported = export_fill_sheet(data, request(), KEY)
    sheet = load_workbook(BytesIO(exported))["进展填报"]
    assert (sheet["F4"].value, sheet["H4"].value, sheet["K4"].value) == ("截至2022年3月31日：已召开会商会", "推进中", "p1")
    returned = read_fill_sheet(fill_in(exported, {"H4": "已完成"}), KEY)
    outcome = review_returns(returned, KEY, current_state(data))[0]
    assert (outcome.kind, outcome.status, outcome.progress) == (NEW, "已完成", "")
    assert isinstance(measure, MeasureData)


def test_status_vocabulary_matches_the_model():
    from models.tasklist import PROGRESS_STATUSES
    from reports.xlsx.data import STATUS_CHOICES
    assert STATUS_CHOICES == PROGRESS_STATUSES


def test_rows_grow_to_fit_long_text_and_leave_room_to_write():
    data = seed_with_ids()
    first = data.aspects[0].tasks[0]
    long_text = "依托信息共享平台推动行政执法机关与检察机关之间案件信息实时共享，" * 6
    measure = replace(first.measures[0], latest_progress=long_text, progress_on=dt.date(2022, 3, 31), progress_id="p1")
    task = replace(first, measures=(measure, *first.measures[1:]))
    data = replace(data, aspects=(replace(data.aspects[0], tasks=(task, *data.aspects[0].tasks[1:])),
                                  *data.aspects[1:]))
    sheet = load_workbook(BytesIO(export_fill_sheet(data, request(), KEY)))["进展填报"]
    heights = [sheet.row_dimensions[row].height for row in range(4, sheet.max_row + 1)]
    assert heights[0] > 150  # ~200 characters in the 26-wide 上次进展 column: about ten lines
    assert min(heights) >= 54
