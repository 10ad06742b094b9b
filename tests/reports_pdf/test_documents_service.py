"""Documents built from the encrypted database, and the `pdf` CLI on a temp database."""
from __future__ import annotations

import datetime as dt

import pytest
from measure import body_lines, open_pdf

from cli import main as cli_main
from models.errors import DomainError
from models.services import documents, statistics
from models.services.cases import register_case
from models.services.suggestions import (
    draft_suggestion,
    issue,
    mark_served,
    record_rectification,
    record_reply,
)
from tests.conftest import TEST_PASSWORD

TODAY = dt.date(2024, 6, 20)


@pytest.fixture
def records(new_db):
    """Two suggestions issued in 2024 Q1 (one replied and rectified, one overdue) + one in 2023 Q1."""
    with new_db.session_scope() as session:
        case = register_case(session, "水源地污染案", domain="生态环境和资源保护", received_on=dt.date(2024, 1, 5),
                             filed_on=dt.date(2024, 1, 8))
        first = draft_suggestion(session, "宿州市生态环境局", case_id=case.id, origin="本院在履行职责中发现……。",
                                 facts="一、基本情况\n经调查查明：水源地保护区内有养殖场3家。",
                                 legal_basis="根据《中华人民共和国行政诉讼法》第二十五条第四款的规定，提出如下检察建议：",
                                 items=["依法查处违法养殖行为", "建立长效监管机制"], copy_to="宿州市人民政府")
        issue(session, first.id, "宿检行公建〔2024〕3号", dt.date(2024, 1, 10))
        mark_served(session, first.id, dt.date(2024, 1, 11))
        second = draft_suggestion(session, "宿州市自然资源局", items=["依法收回闲置土地"])
        issue(session, second.id, "宿检行公建〔2024〕5号", dt.date(2024, 1, 15))
        mark_served(session, second.id, dt.date(2024, 1, 16))
        record_reply(session, second.id, dt.date(2024, 3, 1), "已整改")
        record_rectification(session, second.id, "已整改")
        old = draft_suggestion(session, "宿州市农业农村局", items=["加强监管"])
        issue(session, old.id, "宿检行公建〔2023〕2号", dt.date(2023, 2, 1))
        ids = {"first": first.id, "second": second.id}
    return new_db, ids


def test_letter_comes_from_the_stored_suggestion(records):
    db, ids = records
    with db.session_scope() as session:
        letter = documents.suggestion_letter(session, ids["first"], TODAY)
        first_due = session.get(documents.Suggestion, ids["first"]).reply_due
    assert letter.office_name == "宿州市人民检察院" and letter.doc_no == "宿检行公建〔2024〕3号"
    assert letter.signature.date_text == "2024年1月10日"
    # the body has 一、 section headings: items are numbered （一）（二） so they never clash
    assert [p.text for p in letter.items] == ["（一）依法查处违法养殖行为；", "（二）建立长效监管机制。"]
    due_text = f"{first_due.year}年{first_due.month}月{first_due.day}日"
    assert f"两个月内（即{due_text}前）" in letter.closing[0].text
    assert letter.copy_to == ("宿州市人民政府",)


def test_quarterly_statistics_count_with_their_denominators(records):
    db, _ = records
    with db.session_scope() as session:
        rows, overdue = statistics.quarterly_statistics(session, 2024, 1, TODAY)
    by_domain = {r.domain: r for r in rows}
    env, other = by_domain["生态环境和资源保护"], by_domain["其他"]
    assert (env.clues, env.cases_filed, env.suggestions_issued) == (1, 1, 1)
    assert (env.replies_due, env.replied, other.replies_due, other.replied, other.rectified) == (1, 0, 1, 1, 1)
    assert other.issued_last_year == 1
    assert [o.doc_no for o in overdue] == ["宿检行公建〔2024〕3号"]
    assert overdue[0].days_overdue == (dt.date(2024, 3, 31) - overdue[0].reply_due).days


def test_reminder_is_refused_for_a_replied_suggestion(records):
    db, ids = records
    with db.session_scope() as session, pytest.raises(DomainError) as raised:
        documents.reminder_letter(session, ids["second"], TODAY)
    assert raised.value.code == "suggestion_replied"


def test_cli_writes_every_document_kind(records, tmp_path, monkeypatch, user_data_dir):
    db, ids = records
    monkeypatch.setenv("FJLD_PASSWORD", TEST_PASSWORD)
    db_path = str(user_data_dir / "fjld.db")
    db.close()
    runs = {
        "suggestion.pdf": ["pdf", "suggestion", "宿检行公建[2024]3号", str(ids["second"])],
        "receipt.pdf": ["pdf", "receipt", str(ids["first"])],
        "reminder.pdf": ["pdf", "reminder", str(ids["first"]), "--today", "2024-06-20"],
        "quarterly.pdf": ["pdf", "quarterly", "--year", "2024", "--quarter", "1", "--today", "2024-04-10"],
    }
    for name, argv in runs.items():
        assert cli_main(["--db", db_path, *argv, "-o", str(tmp_path / name)]) == 0, name
    with open_pdf((tmp_path / "suggestion.pdf").read_bytes()) as pdf:
        texts = ["".join(ln.text for ln in body_lines(p)) for p in pdf.pages]
    assert sum("宿检行公建〔2024〕3号" in t for t in texts) == 1  # batch: both letters in one file
    assert sum("宿检行公建〔2024〕5号" in t for t in texts) == 1
    with open_pdf((tmp_path / "quarterly.pdf").read_bytes()) as pdf:
        quarterly = "".join(ln.text for p in pdf.pages for ln in body_lines(p))
    assert "主送" not in quarterly and "宿州市人民政府：" in quarterly
    assert "回复率50.0%（已回复1件/到期应回复2件）" in quarterly
    assert cli_main(["--db", db_path, "pdf", "receipt", str(ids["first"]), str(ids["second"]),
                     "--dir", str(tmp_path / "回证")]) == 0
    assert len(list((tmp_path / "回证").glob("*.pdf"))) == 2


def test_cli_reports_an_unknown_doc_no_on_one_line(records, tmp_path, monkeypatch, user_data_dir, capsys):
    db, _ = records
    monkeypatch.setenv("FJLD_PASSWORD", TEST_PASSWORD)
    db.close()
    code = cli_main(["--db", str(user_data_dir / "fjld.db"), "pdf", "suggestion", "宿检建〔2099〕1号",
                     "-o", str(tmp_path / "x.pdf")])
    assert code == 1
    assert capsys.readouterr().err.strip() == "错误：找不到文号为“宿检建〔2099〕1号”的检察建议"
    assert not (tmp_path / "x.pdf").exists()
