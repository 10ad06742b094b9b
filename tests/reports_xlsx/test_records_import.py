"""The office's old records in: a realistic 25-row 台账 in mixed date styles, cases and units lists,
idempotency, refusals naming row and column, and the CLI."""
from __future__ import annotations

import datetime as dt

import pytest
from openpyxl import Workbook
from sqlalchemy import select

from cli import main as cli_main
from models.case import Case
from models.errors import DomainError
from models.services.dump import dump_text
from models.services.records_import import import_records_file, preview_records_file
from models.suggestion import Suggestion, SuggestionItem
from models.unit import Unit
from reports.xlsx.records_import import parse_date, split_items
from tests.conftest import TEST_PASSWORD
from tests.reports_xlsx.builders import rows_xlsx, workbook_bytes
from tests.reports_xlsx.records_fixtures import cases_xlsx, ledger_rows, ledger_xlsx, units_xlsx


def dump(db) -> str:
    with db.read_scope() as session:
        return dump_text(session)


def backups(db) -> list:
    folder = db.backup_folder()
    return sorted(folder.glob("*.db")) if folder.exists() else []


@pytest.mark.parametrize("text", ["2023-03-05", "2023.3.5", "2023/3/5", "2023年3月5日", "2023年03月05号", "20230305",
                                  "２０２３年３月５日", "2023-03-05 00:00:00", "44990", "2023 . 3 . 5"])
def test_every_date_style_an_office_types(text):
    assert parse_date(text) == dt.date(2023, 3, 5)


@pytest.mark.parametrize("text", ["2023.13.5", "2023年2月30日", "3月5日", "1850-01-01", "明年", "44990.5"])
def test_dates_that_cannot_be_read_say_why(text):
    with pytest.raises(ValueError):
        parse_date(text)


def test_numbered_suggestion_items_split_into_items():
    assert split_items("1.依法查处\n2、建立长效机制") == ("依法查处", "建立长效机制")
    assert split_items("依法查处违法行为") == ("依法查处违法行为",)


def test_the_25_row_ledger_imports_exactly_and_twice_adds_nothing(new_db, tmp_path):
    path = tmp_path / "2023年检察建议台账.xlsx"
    path.write_bytes(ledger_xlsx())
    report = import_records_file(new_db, path, "ledger")
    assert (report.added, report.completed, report.unchanged, report.cases_added) == (25, 0, 0, 25)
    facts = {row["doc_no"]: row for row in ledger_rows()}
    with new_db.read_scope() as session:
        suggestions = {s.doc_no: s for s in session.scalars(select(Suggestion))}
        cases = {c.id: c for c in session.scalars(select(Case))}
        assert set(suggestions) == set(facts)
        for doc_no, fact in facts.items():
            s = suggestions[doc_no]
            case = cases[s.case_id]
            assert (s.addressee_name, s.issued_on, s.served_on, s.replied_on, s.adoption, s.rectification,
                    s.department) == (fact["addressee"], fact["issued_on"], fact["served_on"], fact["replied_on"],
                                      fact["adoption"], fact["rectification"], fact["department"])
            assert (case.case_no, case.title, case.domain, case.handler, case.department) == (
                fact["case_no"], fact["case_title"], fact["domain"], fact["handler"], fact["department"])
            assert s.reply_due is not None and s.reply_due > s.served_on  # the app's own clock
    # row 5 of the data (sheet row 8) carries a 回复期限 three days late: reported, not stored
    assert len(report.deadline_differences) == 1 and report.deadline_differences[0].startswith("第8行 K列")
    assert any("整行文字" in note for note in report.notes) and any("已回头看" in note for note in report.notes)
    before, taken = dump(new_db), len(backups(new_db))
    again = import_records_file(new_db, path, "ledger")
    assert (again.added, again.completed, again.unchanged, again.cases_added) == (0, 0, 25, 0)
    assert dump(new_db) == before
    assert len(backups(new_db)) == taken + 1  # every import is backed up first


def test_a_matched_suggestion_only_gets_its_empty_fields_filled(new_db):
    facts = ledger_rows(3)
    first = ledger_xlsx(3, wrong_due_row=None)
    import_records_file(new_db, first, "ledger")
    with new_db.session_scope() as session:
        s = session.scalars(select(Suggestion).where(Suggestion.doc_no == facts[0]["doc_no"])).one()
        s.replied_on, s.adoption, s.addressee_name = None, "", "改过的单位"
    report = import_records_file(new_db, first, "ledger")
    assert (report.added, report.completed, report.unchanged) == (0, 1, 2)
    with new_db.read_scope() as session:
        s = session.scalars(select(Suggestion).where(Suggestion.doc_no == facts[0]["doc_no"])).one()
        assert (s.replied_on, s.adoption, s.addressee_name) == (facts[0]["replied_on"], "部分采纳", "改过的单位")


def test_our_own_ledger_export_imports_back(demo_db, tmp_path, user_data_dir):
    from models.services.excel_files import write_ledger
    from models.services.setup import initialize
    from reports.xlsx.ledger import LedgerFilter
    from tests.conftest import DEMO_TODAY

    target = tmp_path / "台账.xlsx"
    write_ledger(demo_db, target, LedgerFilter(), DEMO_TODAY)
    with demo_db.read_scope() as session:
        wanted = {(s.doc_no, s.addressee_name, s.served_on, s.replied_on) for s in session.scalars(
            select(Suggestion).where(Suggestion.deleted.is_(False), Suggestion.doc_no != ""))}
        item_count = len(list(session.scalars(select(SuggestionItem).join(
            Suggestion, Suggestion.id == SuggestionItem.suggestion_id).where(Suggestion.doc_no != ""))))
    other = initialize(user_data_dir / "other.db", TEST_PASSWORD, office_name="x", office_code="y").db
    try:
        report = import_records_file(other, target, "ledger")
        assert report.added == len(wanted) and not report.deadline_differences
        with other.read_scope() as session:
            got = {(s.doc_no, s.addressee_name, s.served_on, s.replied_on) for s in session.scalars(select(Suggestion))}
            assert got == wanted
            assert len(list(session.scalars(select(SuggestionItem)))) == item_count
    finally:
        other.close()


def test_cases_and_units_import_and_match_on_the_second_run(new_db):
    report = import_records_file(new_db, cases_xlsx(), "cases")
    assert report.added == 3
    with new_db.read_scope() as session:
        cases = {c.title: c for c in session.scalars(select(Case))}
    assert cases["某校园周边食品安全案"].kind == "行政公益诉讼" and cases["某校园周边食品安全案"].source == "益心为公平台"
    assert cases["某小区燃气管道隐患线索"].summary == "备注：需现场勘查" and cases["某小区燃气管道隐患线索"].case_no == ""
    assert cases["某河道非法采砂案"].filed_on == dt.date(2023, 2, 20)
    units = import_records_file(new_db, units_xlsx(), "units")
    assert units.added == 4
    with new_db.read_scope() as session:
        by_name = {u.name: u for u in session.scalars(select(Unit))}
    assert by_name["××县人民检察院"].kind == "检察院" and by_name["××县人民法院"].kind == "法院"
    assert by_name["××县人民政府办公室"].liaison_phone == "13800000001"
    before = dump(new_db)
    assert import_records_file(new_db, cases_xlsx(), "cases").added == 0
    assert import_records_file(new_db, units_xlsx(), "units").added == 0
    assert dump(new_db) == before


def expect_refusal(db, data: bytes, kind: str, code: str, *fragments: str) -> DomainError:
    before, taken = dump(db), len(backups(db))
    with pytest.raises(DomainError) as raised:
        import_records_file(db, data, kind)
    assert raised.value.code == code, raised.value.message
    for fragment in fragments:
        assert fragment in raised.value.message
    assert "\n" not in raised.value.message
    assert dump(db) == before and len(backups(db)) == taken  # refused before any backup or write
    return raised.value


HEAD = ["文号", "被建议单位", "发出日期", "签收日期"]


def test_unreadable_rows_are_refused_with_row_and_column(new_db):
    expect_refusal(new_db, rows_xlsx([HEAD, ["宿检行公建〔2023〕1号", "县水利局", "2023.13.5", None]]), "ledger",
                   "records_bad_value", "第2行 C列", "制发日期")
    expect_refusal(new_db, rows_xlsx([HEAD, ["宿检行公建〔2023〕1号", None, "2023.3.5", None]]), "ledger",
                   "records_required_empty", "第2行 B列", "被建议单位为空")
    expect_refusal(new_db, rows_xlsx([HEAD, ["宿检行公建〔2023〕1号", "县水利局", "2023.3.5", "2023.3.1"]]), "ledger",
                   "records_date_order", "第2行 D列", "送达日期早于制发日期")
    expect_refusal(new_db, rows_xlsx([HEAD, ["宿检行公建〔2023〕1号", "县水利局", None, None],
                                      ["宿检行公建〔2023〕1号", "县农业农村局", None, None]]), "ledger",
                   "records_duplicate", "第3行 A列", "与第2行重复")
    expect_refusal(new_db, rows_xlsx([HEAD, ["不是文号", "县水利局", None, None]]), "ledger", "records_bad_doc_no",
                   "第2行 A列")
    expect_refusal(new_db, rows_xlsx([["案号", "案件名称", "案件类型"], ["x1", "某案", "刑事案件"]]), "cases",
                   "records_bad_choice", "第2行 C列", "案件类型")
    expect_refusal(new_db, rows_xlsx([["姓名", "电话"], ["张三", "1"]]), "units", "records_no_header")
    many = expect_refusal(new_db, rows_xlsx([HEAD, *[["宿检行公建〔2023〕1号", "县水利局", "坏日期", None]] * 4]),
                          "ledger", "records_bad_value", "第2行 C列", "另有3处问题")
    assert len(many.fields["errors"]) == 3


def test_a_draft_without_doc_number_is_skipped_with_a_note(new_db):
    report = import_records_file(new_db, rows_xlsx([HEAD, [None, "县水利局", None, None],
                                                    ["宿检行公建〔2023〕2号", "县水利局", None, None]]), "ledger")
    assert report.added == 1 and "第2行：没有文号（尚未制发的草稿），未导入" in report.notes


def test_a_bracket_slip_in_the_doc_number_is_fixed_and_noted(new_db):
    report = import_records_file(new_db, rows_xlsx([HEAD, ["宿检行公建[2023]1号", "县水利局", None, None]]), "ledger")
    assert report.added == 1 and any("宿检行公建〔2023〕1号" in note for note in report.notes)


def test_two_candidate_sheets_ask_and_the_named_one_is_read(new_db):
    workbook = Workbook()
    first = workbook.active
    first.title = "2022年"
    first.append(HEAD)
    first.append(["宿检行公建〔2022〕1号", "县水利局", None, None])
    second = workbook.create_sheet("2023年")
    second.append(HEAD)
    second.append(["宿检行公建〔2023〕1号", "县水利局", None, None])
    hidden = workbook.create_sheet("旧表")
    hidden.append(HEAD)
    hidden.sheet_state = "hidden"
    data = workbook_bytes(workbook)
    error = expect_refusal(new_db, data, "ledger", "xlsx_choose_sheet", "2022年、2023年", "--sheet")
    assert error.fields["sheets"] == ("2022年", "2023年")
    report = import_records_file(new_db, data, "ledger", sheet_name="2023年")
    assert report.added == 1 and report.sheet == "2023年"


def test_the_preview_shows_the_mapping_without_writing(new_db):
    before = dump(new_db)
    preview = preview_records_file(ledger_xlsx(), "ledger")
    mapping = {m.header: m.label for m in preview.imported.mapping}
    assert mapping["建议书文号"] == "文号" and mapping["建议对象"] == "被建议单位" and mapping["签收日期"] == "送达日期"
    assert preview.imported.header_row == 3 and len(preview.imported.rows) == 25
    assert dump(new_db) == before


def test_cli_imports_prints_one_line_errors_and_exit_codes(new_db, tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("FJLD_PASSWORD", TEST_PASSWORD)
    path = tmp_path / "台账.xlsx"
    path.write_bytes(ledger_xlsx())
    db = str(new_db.path)
    assert cli_main(["--db", db, "ledger", "import", str(path)]) == 0
    out = capsys.readouterr().out
    assert "新增25条" in out and "回复期限不一致" in out
    assert cli_main(["--db", db, "units", "import", "--preview", str(path)]) == 1
    assert capsys.readouterr().err.strip().startswith("错误：")
    assert cli_main(["--db", db, "units", "import", str(tmp_path / "没有.xlsx")]) == 1
    err = capsys.readouterr().err
    assert err.strip() == "错误：找不到文件“没有.xlsx”"


def test_cli_tasks_import_asks_for_a_sheet_and_takes_sheet(new_db, tmp_path, monkeypatch, capsys):
    from io import BytesIO

    from openpyxl import load_workbook

    from tests.reports_xlsx.builders import seed_published_xlsx

    monkeypatch.setenv("FJLD_PASSWORD", TEST_PASSWORD)
    book = load_workbook(BytesIO(seed_published_xlsx()))
    book.active.title = "正式版"
    book.copy_worksheet(book.active).title = "修改稿"
    path = tmp_path / "清单.xlsx"
    path.write_bytes(workbook_bytes(book))
    db = str(new_db.path)
    assert cli_main(["--db", db, "tasks", "import", str(path)]) == 1
    err = capsys.readouterr().err.strip()
    assert err.startswith("错误：") and "正式版、修改稿" in err and "--sheet" in err and "\n" not in err
    assert cli_main(["--db", db, "tasks", "import", "--sheet", "修改稿", str(path)]) == 0
    assert "14 项任务" in capsys.readouterr().out
