"""The suggestion form's services: the case picked by text, 领域 following the case, the reply period
set by the 建议书, which lifecycle steps a stage allows, duplicate 文号, and the field-label table."""
from __future__ import annotations

import datetime as dt

import pytest

from models.errors import DomainError
from models.labels import FIELD_LABELS, field_label
from models.registry import REPLICATED, replicated_columns
from models.rules.warning import WarningLevel
from models.services.cases import find_cases, register_case, resolve_case
from models.services.ledger import ledger_rows
from models.services.statistics import period_statistics
from models.services.suggestions import (
    FOLLOW_CASE,
    blocked_steps,
    doc_no_duplicates,
    issue,
    mark_served,
    record_reply,
    save_suggestion,
    suggestion_view,
)
from models.services.units import add_unit
from models.suggestion import Suggestion

TODAY = dt.date(2026, 11, 23)


@pytest.fixture
def cases(new_db):
    with new_db.write_scope() as session:
        sand = register_case(session, "某河道非法采砂公益诉讼案", case_no="宿检行公〔2026〕1号",
                             domain="生态环境和资源保护", received_on=dt.date(2026, 3, 2))
        food = register_case(session, "校园周边食品安全案", case_no="宿检行公〔2026〕2号", domain="食品药品安全",
                             received_on=dt.date(2026, 4, 1))
        add_unit(session, "宿州市水利局", short_name="市水利局")
        return sand.id, food.id


def test_cases_are_found_by_any_part_of_case_no_or_title(new_db, cases):
    with new_db.read_scope() as session:
        assert [c.title for c in find_cases(session, "采砂")] == ["某河道非法采砂公益诉讼案"]
        assert [c.case_no for c in find_cases(session, "〔2026〕2")] == ["宿检行公〔2026〕2号"]
        assert len(find_cases(session, "宿检行公")) == 2
        assert find_cases(session, "100%") == []
        picked = find_cases(session, "食品")[0]
        assert resolve_case(session, picked.label) == cases[1]
        assert resolve_case(session, "宿检行公〔2026〕1号") == cases[0]
        assert resolve_case(session, "  ") is None
        with pytest.raises(DomainError) as error:
            resolve_case(session, "不存在的案件")
        assert error.value.code == "case_not_found" and error.value.fields["field"] == "case"


def test_domain_follows_the_case_unless_set_in_ledger_and_statistics(new_db, cases):
    sand_id, _ = cases
    with new_db.write_scope() as session:
        label = find_cases(session, "采砂")[0].label
        follows = save_suggestion(session, None, {"addressee_name": "市水利局", "case": label, "domain": FOLLOW_CASE,
                                                  "items": "依法查处。", "issued_on": dt.date(2026, 5, 6),
                                                  "doc_no": "宿检行公建〔2026〕1号"})
        own = save_suggestion(session, None, {"addressee_name": "某镇人民政府", "case": label, "domain": "安全生产",
                                              "items": "加强巡查。", "issued_on": dt.date(2026, 5, 7)})
        loose = save_suggestion(session, None, {"addressee_name": "某街道办事处", "items": "整改。"})
    with new_db.read_scope() as session:
        first = session.get(Suggestion, follows)
        assert (first.case_id, first.domain) == (sand_id, "")
        assert first.addressee_unit_id is not None          # 市水利局 is in the directory (by its 简称)
        assert session.get(Suggestion, own).addressee_unit_id is None
        rows = {r.addressee: r for r in ledger_rows(session)}
        assert (rows["市水利局"].case_no, rows["市水利局"].case_title, rows["市水利局"].domain) == (
            "宿检行公〔2026〕1号", "某河道非法采砂公益诉讼案", "生态环境和资源保护")
        assert rows["某镇人民政府"].domain == "安全生产"
        assert (rows["某街道办事处"].case_no, rows["某街道办事处"].domain) == ("", "其他")
        stats, _ = period_statistics(session, dt.date(2026, 4, 1), dt.date(2026, 6, 30), TODAY)
        issued = {row.domain: row.suggestions_issued for row in stats}
        assert issued["生态环境和资源保护"] == 1 and issued["安全生产"] == 1
        view = suggestion_view(session, follows, TODAY)
        assert view.values["domain"] == FOLLOW_CASE and view.domain == "生态环境和资源保护"
        assert view.values["case"] == label
    with new_db.write_scope() as session:     # the case's 领域 changes: the suggestion follows
        from models.services.cases import edit_case
        edit_case(session, sand_id, domain="国有财产保护")
    with new_db.read_scope() as session:
        assert {r.addressee: r.domain for r in ledger_rows(session)}["市水利局"] == "国有财产保护"
        assert loose is not None


def test_reply_period_set_by_the_letter_drives_the_deadline(new_db, cases):
    with new_db.write_scope() as session:
        row_id = save_suggestion(session, None, {"addressee_name": "宿州市水利局", "items": "整改。"})
        issue(session, row_id, "宿检行公建〔2026〕3号", dt.date(2026, 3, 1))
        mark_served(session, row_id, dt.date(2026, 3, 2))
        assert session.get(Suggestion, row_id).reply_due == dt.date(2026, 5, 6)   # 5-2 is in the 劳动节 break
        save_suggestion(session, row_id, {"reply_period_days": "30"})
        assert session.get(Suggestion, row_id).reply_due == dt.date(2026, 4, 1)
        save_suggestion(session, row_id, {"reply_period_days": ""})
        assert session.get(Suggestion, row_id).reply_due == dt.date(2026, 5, 6)
        with pytest.raises(DomainError) as error:
            save_suggestion(session, row_id, {"reply_period_days": "三十"})
        assert error.value.code == "reply_period_days"
        with pytest.raises(DomainError) as error:
            save_suggestion(session, row_id, {"reply_period_days": "400"})
        assert error.value.code == "reply_period_days"


def test_reply_clock_text_and_level(new_db, cases):
    with new_db.write_scope() as session:
        row_id = save_suggestion(session, None, {"addressee_name": "宿州市水利局", "items": "整改。",
                                                 "reply_period_days": "30"})
        view = suggestion_view(session, row_id, TODAY)
        assert view.clock.due is None and "三十日" in view.clock.text
        issue(session, row_id, "宿检行公建〔2026〕4号", dt.date(2026, 11, 1))
        mark_served(session, row_id, dt.date(2026, 11, 2))                        # due 2026-12-02
        view = suggestion_view(session, row_id, TODAY)
        assert view.clock.level == WarningLevel.GREEN and "还剩9天" in view.clock.text
        view = suggestion_view(session, row_id, dt.date(2026, 12, 5))
        assert view.clock.level == WarningLevel.RED and "已逾期3天" in view.clock.text
        record_reply(session, row_id, dt.date(2026, 11, 30), "已整改。")
        view = suggestion_view(session, row_id, dt.date(2026, 12, 5))
        assert view.clock.level == WarningLevel.GREEN and "按期" in view.clock.text


def test_blocked_steps_say_why(new_db, cases):
    with new_db.write_scope() as session:
        row_id = save_suggestion(session, None, {"addressee_name": "宿州市水利局", "items": "整改。"})
        s = session.get(Suggestion, row_id)
        blocked = blocked_steps(s)
        assert blocked["issue"] == "" and blocked["letter"] == ""
        assert "尚未制发" in blocked["serve"] and "尚未送达" in blocked["reply"] and "尚未制发" in blocked["close"]
        issue(session, row_id, "宿检行公建〔2026〕5号", dt.date(2026, 10, 1))
        blocked = blocked_steps(s)
        assert "已于2026-10-01制发" in blocked["issue"] and blocked["serve"] == "" and blocked["close"] == ""
        mark_served(session, row_id, dt.date(2026, 10, 2))
        assert blocked_steps(s)["reply"] == "" and blocked_steps(s)["litigate"] == ""
        save_suggestion(session, row_id, {"closed_on": dt.date(2026, 11, 1), "litigation": True})
        assert all("已提起诉讼" in why for key, why in blocked_steps(s).items() if key not in ("letter", "receipt",
                                                                                              "reminder"))


def test_duplicate_doc_numbers_are_listed(new_db, cases):
    with new_db.write_scope() as session:
        first = save_suggestion(session, None, {"addressee_name": "宿州市水利局", "doc_no": "宿检行公建〔2026〕7号"})
        second = save_suggestion(session, None, {"addressee_name": "某镇人民政府"})
        assert doc_no_duplicates(session, "宿检行公建〔2026〕7号", second) == ["宿检行公建〔2026〕7号（宿州市水利局）"]
        assert doc_no_duplicates(session, "宿检行公建〔2026〕7号", first) == []
        assert doc_no_duplicates(session, "", second) == []


def test_bad_doc_number_names_its_field(new_db, cases):
    with new_db.write_scope() as session, pytest.raises(DomainError) as error:
        save_suggestion(session, None, {"addressee_name": "宿州市水利局", "doc_no": "宿检行公建[2026]7号"})
    assert error.value.code == "doc_no_bracket" and error.value.fields["field"] == "doc_no"


def test_every_replicated_field_has_a_chinese_label():
    for cls in REPLICATED:
        for name in replicated_columns(cls):
            label = field_label(cls.entity_name, name)
            assert label != name and not label.isascii(), (cls.entity_name, name)
    assert set(FIELD_LABELS) == {cls.entity_name for cls in REPLICATED}


def test_the_letter_words_the_period_it_set(new_db, cases):
    from models.services.documents import suggestion_letter

    with new_db.write_scope() as session:
        row_id = save_suggestion(session, None, {"addressee_name": "宿州市水利局", "items": "整改。",
                                                 "reply_period_days": "30"})
        assert "三十日" in repr(suggestion_letter(session, row_id, TODAY))
        save_suggestion(session, row_id, {"reply_period_days": "", "urgent": True})
        letter = repr(suggestion_letter(session, row_id, TODAY))
        assert "十五日" in letter and "三十日" not in letter
