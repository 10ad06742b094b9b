"""Per-unit progress: a ProgressEntry belongs to (measure, reporting unit, period). Units returning a shared
measure never overwrite each other; a second, different return of the same unit for the same period keeps
both texts for a person to choose; a status-only return keeps the last real text; collect reports per file."""
from __future__ import annotations

import datetime as dt
from io import BytesIO
from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook
from sqlalchemy import select

from models.errors import DomainError
from models.services.dump import dump_text
from models.services.excel_files import collect_returned_sheets, write_fill_sheets, write_task_list
from models.services.tasklists import find_task_list, plan_fill_sheets
from models.services.tasks import (
    add_aspect,
    add_measure,
    add_progress,
    add_task,
    choose_progress,
    create_task_list,
    derive_status,
    progress_conflicts,
    task_list_rows,
)
from models.services.units import UnitDirectory, add_unit
from models.tasklist import REVIEW_PENDING, REVIEW_REPLACED, ProgressEntry
from tests.reports_xlsx.builders import workbook_bytes

SHARED = "市检察院牵头，市司法局、市公安局配合"
UNITS = (  # 全称, 简称, 类型, 别名
    ("宿州市人民检察院", "市检察院", "检察院", ""),
    ("宿州市司法局", "市司法局", "行政机关", ""),
    ("宿州市公安局", "市公安局", "行政机关", ""),
    ("宿州市市场监督管理局", "市市场监管局", "行政机关", "市市场监督管理局、市场监管局"),
    ("宿州市中级人民法院", "市中院", "法院", ""),
)


@pytest.fixture
def list_db(new_db):
    """Five directory units and a 2022 list: a shared measure (牵头 named last in the text), one for
    各成员单位, one for "市检察院、相关行政执法机关", one naming 市场监管 by an alias, one for a unit not in the
    directory."""
    with new_db.write_scope() as session:
        for name, short, kind, aliases in UNITS:
            add_unit(session, name, short_name=short, kind=kind, aliases=aliases)
        task_list = create_task_list(session, 2022, "")
        aspect = add_aspect(session, task_list.id, "重大改革推进方面")
        task = add_task(session, aspect.id, 1, "健全行政执法与检察监督衔接机制")
        add_measure(session, task.id, "建立信息共享平台", deadline="6月底前", units="市公安局、市司法局、市检察院牵头")
        add_measure(session, task.id, "开展联合调研", deadline="长期坚持", units="各成员单位")
        add_measure(session, task.id, "开展专项监督", deadline="9月底前", units="市检察院、相关行政执法机关")
        task = add_task(session, aspect.id, 2, "加强食品安全领域协作")
        add_measure(session, task.id, "校园周边食品专项整治", deadline="12月底前", units="市市场监督管理局")
        add_measure(session, task.id, "林区防火巡查", deadline="长期坚持", units="市林业局")
    return new_db


def sheets(db, folder: Path, *units: str, as_of: dt.date = dt.date(2022, 6, 30), period: str = "2022Q2") -> dict[str, Path]:
    folder.mkdir(parents=True, exist_ok=True)
    written = write_fill_sheets(db, 2022, period, as_of, folder, units)
    return {path.stem.rsplit("_", 1)[-1]: path for path in written.files}


def fill(source: Path, target: Path, measure_prefix: str, progress: str = "", status: str = "") -> Path:
    """Type into the row of the measure whose text starts with measure_prefix (G 进展, H 状态)."""
    workbook = load_workbook(BytesIO(source.read_bytes()))
    sheet = workbook["进展填报"]
    row = next(r for r in range(4, sheet.max_row + 1) if str(sheet.cell(r, 3).value or "").startswith(measure_prefix))
    if progress:
        sheet.cell(row, 7).value = progress
    if status:
        sheet.cell(row, 8).value = status
    target.write_bytes(workbook_bytes(workbook))
    return target


def shared_row(db):
    with db.read_scope() as session:
        return next(r for r in task_list_rows(session, find_task_list(session, 2022).id) if r.text == "建立信息共享平台")


def exported_progress_cell(db, tmp_path: Path) -> str:
    with db.read_scope() as session:
        list_id = find_task_list(session, 2022).id
    target = tmp_path / "导出.xlsx"
    write_task_list(db, list_id, target)
    sheet = load_workbook(target).active
    row = next(r for r in range(1, sheet.max_row + 1) if str(sheet.cell(r, 1).value or "").startswith("1."))
    return str(sheet.cell(row, 5).value or "")


def entries(db, **where: object) -> list[ProgressEntry]:
    with db.read_scope() as session:
        query = select(ProgressEntry)
        for name, value in where.items():
            query = query.where(getattr(ProgressEntry, name) == value)
        found = list(session.scalars(query))
        session.expunge_all()
    return found


def test_three_units_return_a_shared_measure_on_three_days_and_all_three_texts_stay(list_db, tmp_path):
    made = sheets(list_db, tmp_path / "表", "市检察院", "市司法局", "市公安局")
    assert set(made) == {"宿州市人民检察院", "宿州市司法局", "宿州市公安局"}
    returns = [("宿州市公安局", "公安局已完成接口开发", "已完成"), ("宿州市司法局", "司法局已提供执法数据", "已完成"),
               ("宿州市人民检察院", "检察院已完成平台联调", "推进中")]
    for day, (unit, text, status) in enumerate(returns):  # returned and collected on three different days
        returned = fill(made[unit], tmp_path / f"回{day}.xlsx", "建立信息共享平台", text, status)
        report = collect_returned_sheets(list_db, [returned], "2022Q2")
        assert [len(f.added) for f in report.files] == [1] and report.flagged == [], report.lines()
    stored = {(e.unit_name, e.text) for e in entries(list_db, period="2022Q2")}
    assert stored == {(unit, text) for unit, text, _ in returns}
    row = shared_row(list_db)
    assert row.status == "推进中"  # 已完成 only when every 责任单位 reports it
    cell = exported_progress_cell(list_db, tmp_path)
    lines = [line for line in cell.split("\n") if "截至" in line]
    assert lines[:3] == ["①市检察院：截至2022年6月30日：检察院已完成平台联调",  # 牵头 first
                         "市公安局：截至2022年6月30日：公安局已完成接口开发",
                         "市司法局：截至2022年6月30日：司法局已提供执法数据"]

    # the 牵头 unit now reports completion by status only: its last real text is kept and printed
    status_only = fill(made["宿州市人民检察院"], tmp_path / "回3.xlsx", "建立信息共享平台", "", "已完成")
    report = collect_returned_sheets(list_db, [status_only], "2022Q2")
    assert len(report.added) == 1 and report.flagged == []
    assert shared_row(list_db).status == "已完成"
    assert "①市检察院：截至2022年6月30日：检察院已完成平台联调" in exported_progress_cell(list_db, tmp_path)
    assert "状态更新" not in exported_progress_cell(list_db, tmp_path)


def test_a_second_different_return_of_the_same_unit_keeps_both_and_a_person_chooses(list_db, tmp_path):
    made = sheets(list_db, tmp_path / "表", "市司法局")
    sheet = made["宿州市司法局"]
    first = fill(sheet, tmp_path / "第一次.xlsx", "建立信息共享平台", "已提供执法数据", "推进中")
    assert len(collect_returned_sheets(list_db, [first], "2022Q2").added) == 1
    again = collect_returned_sheets(list_db, [first], "2022Q2")  # the same file twice: nothing new
    assert again.added == [] and again.flagged == [] and not again.backed_up
    second = fill(sheet, tmp_path / "第二次.xlsx", "建立信息共享平台", "已提供全部执法数据并完成对接", "已完成")
    report = collect_returned_sheets(list_db, [second], "2022Q2")
    [file_report] = report.files
    assert file_report.line().startswith("第二次.xlsx（宿州市司法局 2022Q2）：已接收 0 行，待确认 1 行")
    assert "第二次.xlsx 第4行：本单位本期已交回过不同的进展" in report.lines()[1]
    # both typed texts are stored; the second waits for a choice and does not count yet
    assert {(e.text, e.review) for e in entries(list_db, unit_name="宿州市司法局")} == {
        ("已提供执法数据", ""), ("已提供全部执法数据并完成对接", REVIEW_PENDING)}
    assert "已提供执法数据" in exported_progress_cell(list_db, tmp_path)
    with list_db.read_scope() as session:
        [conflict] = progress_conflicts(session)
    assert (conflict.unit, conflict.period, conflict.kept_text, conflict.new_text) == (
        "宿州市司法局", "2022Q2", "已提供执法数据", "已提供全部执法数据并完成对接")
    with list_db.write_scope() as session:
        choose_progress(session, conflict.pending_id, keep_new=True)
    cell = exported_progress_cell(list_db, tmp_path)
    assert "市司法局：截至2022年6月30日：已提供全部执法数据并完成对接" in cell and "已提供执法数据\n" not in cell + "\n"
    assert {(e.text, e.review) for e in entries(list_db, unit_name="宿州市司法局")} == {
        ("已提供执法数据", REVIEW_REPLACED), ("已提供全部执法数据并完成对接", "")}
    with list_db.read_scope() as session:
        assert progress_conflicts(session) == []
    with list_db.write_scope() as session, pytest.raises(DomainError) as raised:
        choose_progress(session, conflict.pending_id, keep_new=False)
    assert raised.value.code == "progress_not_pending"


def test_keeping_the_old_text_marks_the_new_return_replaced(list_db, tmp_path):
    sheet = sheets(list_db, tmp_path / "表", "市公安局")["宿州市公安局"]
    collect_returned_sheets(list_db, [fill(sheet, tmp_path / "a.xlsx", "建立信息共享平台", "甲")], "2022Q2")
    collect_returned_sheets(list_db, [fill(sheet, tmp_path / "b.xlsx", "建立信息共享平台", "乙")], "2022Q2")
    with list_db.write_scope() as session:
        [conflict] = progress_conflicts(session)
        choose_progress(session, conflict.pending_id, keep_new=False)
    assert {(e.text, e.review) for e in entries(list_db, unit_name="宿州市公安局")} == {("甲", ""), ("乙", REVIEW_REPLACED)}
    assert "市公安局：截至2022年6月30日：甲" in exported_progress_cell(list_db, tmp_path)


def test_untouched_rows_are_never_conflicts(list_db, tmp_path):
    made = sheets(list_db, tmp_path / "表", "市检察院", "市司法局")
    # 市检察院 reports on the shared and the 各成员单位 measures, and changes their statuses
    prosecutor = fill(made["宿州市人民检察院"], tmp_path / "检.xlsx", "建立信息共享平台", "平台已上线", "已完成")
    prosecutor = fill(prosecutor, prosecutor, "开展联合调研", "已开展调研2次", "长期坚持")
    assert len(collect_returned_sheets(list_db, [prosecutor], "2022Q2").added) == 2
    # 司法局 sends its sheet back untouched, exported before those changes: nothing is new, nothing conflicts
    untouched = tmp_path / "司.xlsx"
    untouched.write_bytes(made["宿州市司法局"].read_bytes())
    report = collect_returned_sheets(list_db, [untouched], "2022Q2")
    assert report.added == [] and report.flagged == [] and len(report.unchanged) == 2
    assert not report.backed_up
    # and a fresh sheet of the 牵头 unit shows its own last text and status
    fresh = sheets(list_db, tmp_path / "表2", "市检察院")["宿州市人民检察院"]
    row = load_workbook(fresh)["进展填报"][4]
    assert (row[5].value, row[7].value) == ("截至2022年6月30日：平台已上线", "已完成")


def test_a_bad_file_in_the_middle_of_a_batch_is_refused_by_name_and_the_others_go_in(list_db, tmp_path, user_data_dir):
    made = sheets(list_db, tmp_path / "表", "市检察院", "市公安局")
    good1 = fill(made["宿州市人民检察院"], tmp_path / "1检察院.xlsx", "建立信息共享平台", "检察院进展")
    bad = tmp_path / "2损坏.xlsx"
    bad.write_bytes(b"PK\x03\x04 not really a workbook")
    missing = tmp_path / "3不存在.xlsx"
    foreign = tmp_path / "4别的表.xlsx"
    foreign.write_bytes(workbook_bytes(Workbook()))  # a real workbook, but not one of our sheets
    wrong_period = fill(made["宿州市公安局"], tmp_path / "5公安局.xlsx", "开展联合调研", "公安局进展")
    good2 = fill(made["宿州市公安局"], tmp_path / "6公安局.xlsx", "建立信息共享平台", "公安局共享进展")
    report = collect_returned_sheets(list_db, [good1, bad, missing, foreign, good2], "2022Q2")
    lines = [f.line() for f in report.files]
    assert lines[0].startswith("1检察院.xlsx（宿州市人民检察院 2022Q2）：已接收 1 行")
    assert lines[1].startswith("2损坏.xlsx：拒收：")
    assert lines[2].startswith("3不存在.xlsx：拒收：")
    assert lines[3].startswith("4别的表.xlsx：拒收：")
    assert lines[4].startswith("6公安局.xlsx（宿州市公安局 2022Q2）：已接收 1 行")
    assert report.backed_up
    assert {e.text for e in entries(list_db)} == {"检察院进展", "公安局共享进展"}
    # another period's sheet is refused whole, before its rows are read
    other = collect_returned_sheets(list_db, [wrong_period], "2022Q3")
    assert other.files[0].line() == "5公安局.xlsx：拒收：表格属于2022Q2期次，不是本次收集的2022Q3期次"


def test_a_batch_with_nothing_to_write_backs_up_nothing_and_changes_nothing(list_db, tmp_path, user_data_dir):
    made = sheets(list_db, tmp_path / "表", "市检察院")
    bad = tmp_path / "坏.xlsx"
    bad.write_bytes(b"not a workbook")
    with list_db.read_scope() as session:
        before = dump_text(session)
    backups = set(user_data_dir.rglob("*.db")) - {list_db.path}
    report = collect_returned_sheets(list_db, [bad, made["宿州市人民检察院"]], "2022Q2")
    assert [f.refused != "" for f in report.files] == [True, False] and report.added == []
    assert not report.backed_up and set(user_data_dir.rglob("*.db")) - {list_db.path} == backups
    with list_db.read_scope() as session:
        assert dump_text(session) == before


def test_fill_sheets_only_for_real_units_aliases_and_member_expansion(list_db):
    with list_db.read_scope() as session:
        directory = UnitDirectory.load(session)
        assert directory.match("市市场监督管理局").name == "宿州市市场监督管理局"  # alias
        assert directory.match("市市场监管局").name == "宿州市市场监督管理局"  # 简称
        assert directory.match("宿州市市场监督管理局") is not None and directory.match("市林业局") is None
    with list_db.write_scope() as session:
        plan = plan_fill_sheets(session, find_task_list(session, 2022), "2022Q2", dt.date(2022, 6, 30))
    units = [request.unit for request, _ in plan.requests]
    # 各成员单位 = the member units (行政机关, 检察院); the court is not one, phrases get no sheet
    assert sorted(units) == sorted(["宿州市人民检察院", "宿州市司法局", "宿州市公安局", "宿州市市场监督管理局"])
    assert not any(name in units for name in ("各成员单位", "相关行政执法机关", "市林业局", "宿州市中级人民法院"))
    assert any(f.startswith("相关行政执法机关：泛指") for f in plan.flagged)
    assert any(f.startswith("市林业局：单位目录中没有该单位") for f in plan.flagged)
    market = next(data for request, data in plan.requests if request.unit == "宿州市市场监督管理局")
    from reports.xlsx.fill_sheets import unit_rows
    request = next(r for r, _ in plan.requests if r.unit == "宿州市市场监督管理局")
    assert [m.text for _, _, m in unit_rows(market, request.aliases, request.member)] == ["开展联合调研", "校园周边食品专项整治"]


def test_explicit_unit_names_that_are_not_real_units_are_flagged(list_db, tmp_path):
    written = write_fill_sheets(list_db, 2022, "2022Q2", dt.date(2022, 6, 30), tmp_path,
                                ("市场监管局", "相关行政执法机关", "市林业局"))
    assert [p.name for p in written.files] == ["2022年任务清单进展填报表_2022Q2_宿州市市场监督管理局.xlsx"]
    assert len(written.flagged) == 2


@pytest.mark.parametrize(("statuses", "responsible", "whole", "expected"), [
    ({}, ["a", "b"], False, "未启动"),
    ({"a": "已完成", "b": "已完成"}, ["a", "b"], False, "已完成"),
    ({"a": "已完成"}, ["a", "b"], False, "推进中"),  # b has not reported
    ({"a": "已完成", "b": "滞后"}, ["a", "b"], False, "滞后"),
    ({"a": "已完成", "b": "已完成并长期坚持"}, ["a", "b"], False, "已完成"),
    ({"a": "长期坚持", "b": "长期坚持"}, ["a", "b"], False, "长期坚持"),
    ({"a": "推进中", "": "已完成"}, ["a", "b"], True, "已完成"),  # the newest entry is for the whole measure
    ({"a": "已完成", "c": "已完成"}, [], False, "已完成"),  # no 责任单位 known: the reporters decide
])
def test_derived_status_rule(statuses, responsible, whole, expected):
    newest = statuses.get("", "")
    assert derive_status(statuses, responsible, whole, newest) == expected


def test_entries_of_the_office_without_a_unit_keep_the_old_behaviour(list_db):
    with list_db.write_scope() as session:
        row = next(r for r in task_list_rows(session, find_task_list(session, 2022).id) if r.text == "建立信息共享平台")
        add_progress(session, row.id, status="推进中", text="已召开协调会", reported_on=dt.date(2022, 3, 31))
        add_progress(session, row.id, status="已完成", text="已按期完成", reported_on=dt.date(2022, 6, 30))
    row = shared_row(list_db)
    assert (row.status, row.progress) == ("已完成", "已按期完成")


def test_the_new_columns_replicate_and_the_government_view_carries_them():
    from models.registry import replicated_columns
    from models.sync.profiles import PROFILES
    from models.tasklist import ProgressEntry as Entry
    from models.unit import Unit

    assert {"unit_name", "unit_id", "review"} <= set(replicated_columns(Entry))
    assert "aliases" in replicated_columns(Unit)
    view = PROFILES["gov_view"]
    assert view.fields_of("progress_entry") is None and view.fields_of("unit") is None  # every field


def test_a_shared_measure_leaves_the_due_list_only_when_every_unit_has_finished(list_db):
    from models.services.due import due_items

    def due_titles() -> list[str]:
        with list_db.read_scope() as session:
            return [item.title for item in due_items(session, dt.date(2022, 7, 5), include_green=True)]

    row = shared_row(list_db)
    assert row.due_on is not None and any("建立信息共享平台" in title for title in due_titles())
    with list_db.write_scope() as session:
        directory = UnitDirectory.load(session)
        for short in ("市检察院", "市司法局"):
            unit = directory.match(short)
            add_progress(session, row.id, status="已完成", text=f"{short}已完成", reported_on=dt.date(2022, 6, 30),
                         period="2022Q2", unit_name=unit.name, unit_id=unit.id)
    assert shared_row(list_db).status == "推进中"
    assert any("建立信息共享平台" in title for title in due_titles())  # 市公安局 has not finished
    with list_db.write_scope() as session:
        unit = UnitDirectory.load(session).match("市公安局")
        add_progress(session, row.id, status="已完成", text="", reported_on=dt.date(2022, 7, 1), period="2022Q3",
                     unit_name=unit.name, unit_id=unit.id)
    assert shared_row(list_db).status == "已完成"
    assert not any("建立信息共享平台" in title for title in due_titles())


def test_aliases_are_kept_in_one_form_and_match_after_an_edit(list_db):
    from models.services.units import edit_unit

    with list_db.write_scope() as session:
        court = UnitDirectory.load(session).match("市中院")
        edit_unit(session, court.id, aliases=" 宿州中院，市中级法院\n中级人民法院 ")
    with list_db.read_scope() as session:
        directory = UnitDirectory.load(session)
        assert directory.by_id(court.id).aliases == ("宿州中院", "市中级法院", "中级人民法院")
        assert directory.match("市中级法院").name == "宿州市中级人民法院"
        assert not directory.by_id(court.id).member
