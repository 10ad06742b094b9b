"""任务清单 by hand: new year's list rolled over from the 2022 demo list, add/edit/move/delete of 方面,
任务 and 措施, corrected and deleted 进展 entries with their 修改记录; the dashboard counts by SQL."""
from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from models.errors import DomainError
from models.rules.warning import WarningLevel
from models.services import task_editing as te
from models.services.dashboard import SUGGESTION_STAGES, dashboard_data, stage_counts
from models.services.due import due_items
from models.services.suggestions import list_suggestions
from models.services.tasklists import find_task_list
from models.services.trash import restore_record
from models.settings import set_setting
from models.tasklist import Measure, ProgressEntry
from tests.conftest import DEMO_TODAY


def _tree(db, list_id, today=DEMO_TODAY):
    with db.read_scope() as session:
        return te.task_tree(session, list_id, today)


def _measures(tree):
    return [(t, m) for a in tree.aspects for t in a.tasks for m in t.measures]


def test_the_2023_list_rolled_over_from_2022_carries_long_term_recurring_and_unfinished(demo_db):
    with demo_db.write_scope() as session:
        source = find_task_list(session, 2022)
        created = te.new_task_list(session, 2023, "", copy_from=source.id)
    old, new = _tree(demo_db, source.id), _tree(demo_db, created.id)
    assert new.year == 2023 and new.title == "2023年度“府检联动”重点工作任务清单"
    carried = _measures(new)
    assert created.measures == len(carried) > 0
    by_source = {m.id: (t, m) for t, m in _measures(old)}
    for _task, measure in carried:
        assert measure.carried_from_year == 2022          # provenance
        assert measure.status == "未启动" and measure.progress == ""
    with demo_db.read_scope() as session:
        sources = {m.id: m.carried_from for m in session.scalars(select(Measure).where(
            Measure.id.in_([m.id for _, m in carried])))}
    kept_phrases = {by_source[sources[m.id]][1].deadline_phrase for _, m in carried}
    assert "长期坚持" in kept_phrases and "12月底前完成并长期坚持" in kept_phrases
    # finished one-off measures stay behind; the 滞后 one of task 2 ("8月底前") is carried, due in 2023
    left_behind = [m for _, m in _measures(old) if m.id not in set(sources.values())]
    assert left_behind and all(m.status == "已完成" and "长期" not in m.deadline_phrase for m in left_behind)
    late = next(m for _, m in carried if by_source[sources[m.id]][1].status == "滞后"
                and m.deadline_phrase == "8月底前")
    assert late.due_on == dt.date(2023, 8, 31)
    fixed_then_ongoing = next(m for _, m in carried if m.deadline_phrase == "12月底前完成并长期坚持")
    assert fixed_then_ongoing.due_on == dt.date(2023, 12, 31)   # re-read against the new year
    numbers = [t.number for a in new.aspects for t in a.tasks]
    assert numbers == list(range(1, len(numbers) + 1))
    # the old list is untouched
    assert len(_measures(_tree(demo_db, source.id))) == len(_measures(old))


def test_a_second_list_for_a_year_and_a_roll_over_backwards_are_refused(demo_db):
    with demo_db.write_scope() as session:
        source = find_task_list(session, 2022)
        with pytest.raises(DomainError) as caught:
            te.new_task_list(session, 2022, "")
        assert caught.value.code == "tasklist_exists"
        with pytest.raises(DomainError) as caught:
            te.new_task_list(session, 2021, "", copy_from=source.id)
        assert caught.value.code == "rollover_year"
        blank = te.new_task_list(session, 2024, "空白清单")
    assert _tree(demo_db, blank.id).aspects == ()


@pytest.mark.parametrize(("phrase", "status", "expected"), [
    ("长期坚持", "已完成", True), ("每月28日前", "已完成", True), ("5月底前完成并长期坚持", "已完成", True),
    ("12月底前", "已完成", False), ("12月底前", "滞后", True), ("12月底前", None, True),
    ("12月底前", "已完成并长期坚持", True), ("长期坚持", "已调整或取消", False)])
def test_carry_over_rule(phrase, status, expected):
    assert te.carries_over(phrase, 2022, status) is expected


def test_add_edit_move_and_delete_by_hand(new_db):
    with new_db.write_scope() as session:
        list_id = te.new_task_list(session, 2025, "").id
        first = te.create_aspect(session, list_id, "重大改革推进方面").id
        second = te.create_aspect(session, list_id, "重大风险防控方面").id
        t1 = te.create_task(session, first, "任务甲").id
        t3 = te.create_task(session, second, "任务丙").id
        t2 = te.create_task(session, first, "任务乙").id     # goes before 任务丙, which becomes 3
        m1 = te.create_measure(session, t1, "措施一", deadline="6月底前", units="市司法局").id
        m2 = te.create_measure(session, t1, "措施二", deadline="长期坚持", units="市检察院").id
        with pytest.raises(DomainError) as caught:
            te.create_task(session, first, "  ")
        assert caught.value.code == "node_empty"
    tree = _tree(new_db, list_id)
    assert [(t.number, t.text) for a in tree.aspects for t in a.tasks] == [(1, "任务甲"), (2, "任务乙"), (3, "任务丙")]
    assert [m.due_on for m in tree.aspects[0].tasks[0].measures] == [dt.date(2025, 6, 30), None]

    with new_db.write_scope() as session:
        te.edit_node(session, "measure", m1, text="措施一（修订）", deadline_phrase="9月底前")
        te.edit_node(session, "aspect", first, title="重大改革推进")
        te.move_node(session, "measure", m2, -1)
        te.move_node(session, "aspect", second, -1)        # 方面 order changes the task numbers
        with pytest.raises(DomainError) as caught:
            te.move_node(session, "aspect", second, -1)
        assert caught.value.code == "cannot_move"
        with pytest.raises(DomainError):
            te.edit_node(session, "task", t1, number="7")
    tree = _tree(new_db, list_id)
    assert [a.title for a in tree.aspects] == ["重大风险防控方面", "重大改革推进"]
    assert [(t.number, t.text) for a in tree.aspects for t in a.tasks] == [(1, "任务丙"), (2, "任务甲"), (3, "任务乙")]
    measures = tree.aspects[1].tasks[0].measures
    assert [m.text for m in measures] == ["措施二", "措施一（修订）"]
    assert measures[1].due_on == dt.date(2025, 9, 30)      # the due date follows the edited phrase

    with new_db.write_scope() as session:
        te.move_node(session, "task", t2, -1)
        assert te.subtree_size(session, "aspect", first) == (2, 2)
        te.delete_node(session, "task", t3)
    tree = _tree(new_db, list_id)
    assert [(t.number, t.text) for a in tree.aspects for t in a.tasks] == [(1, "任务乙"), (2, "任务甲")]
    with new_db.write_scope() as session:
        te.delete_node(session, "aspect", first)
    assert [a.title for a in _tree(new_db, list_id).aspects] == ["重大风险防控方面"]
    with new_db.write_scope() as session:
        restore_record(session, "task_aspect", first)      # the 回收站 brings the subtree back
    restored = _tree(new_db, list_id)
    assert [len(t.measures) for a in restored.aspects for t in a.tasks if t.text == "任务甲"] == [2]


def test_a_progress_entry_is_corrected_and_deleted_with_its_history(demo_db):
    with demo_db.read_scope() as session:
        tree = te.task_tree(session, find_task_list(session, 2022).id, DEMO_TODAY)
    measure = tree.aspects[0].tasks[0].measures[0]
    with demo_db.read_scope() as session:
        entries = te.progress_entries(session, measure.id)
    assert [e.status for e in entries] == ["已完成", "推进中"]
    newest = entries[0]
    with demo_db.write_scope() as session:
        te.correct_progress(session, newest.id, status="滞后", text="尚未完成，正在协调。",
                            reported_on=dt.date(2023, 1, 5), reporter="市司法局")
        with pytest.raises(DomainError) as caught:
            te.correct_progress(session, newest.id, status="差不多", text="", reported_on=dt.date(2023, 1, 5))
        assert caught.value.code == "progress_status"
    with demo_db.read_scope() as session:
        corrected = te.progress_entries(session, measure.id)[0]
        changes, sites = te.progress_history(session, newest.id)
        entry = session.get(ProgressEntry, newest.id)
        assert entry.period == "2023Q1"
    assert (corrected.status, corrected.text, corrected.reporter) == ("滞后", "尚未完成，正在协调。", "市司法局")
    edits = {c.field: (c.before, c.after) for c in changes if c.before is not None}
    assert edits["status"] == ("已完成", "滞后")
    assert edits["text"] == ("已按期完成，相关制度文件已印发。", "尚未完成，正在协调。")
    assert set(sites.values()) == {"本机"}
    assert _measures(_tree(demo_db, tree.id))[0][1].status == "滞后"

    with demo_db.write_scope() as session:
        te.delete_progress(session, newest.id)
    with demo_db.read_scope() as session:
        assert [e.id for e in te.progress_entries(session, measure.id)] == [entries[1].id]
    assert _measures(_tree(demo_db, tree.id))[0][1].status == "推进中"


def test_tree_colours_follow_the_one_rule_and_the_near_days_setting(demo_db):
    with demo_db.write_scope() as session:
        list_id = find_task_list(session, 2022).id
        measure = te.task_tree(session, list_id, DEMO_TODAY).aspects[0].tasks[1].measures[0]  # 8月底前, 滞后
    due = dt.date(2022, 8, 31)
    assert measure.due_on == due
    with demo_db.read_scope() as session:
        assert te.list_of_measure(session, measure.id) == list_id
    for near, today, expected in ((7, dt.date(2022, 8, 20), WarningLevel.GREEN),
                                  (15, dt.date(2022, 8, 20), WarningLevel.YELLOW),
                                  (15, dt.date(2022, 9, 1), WarningLevel.RED)):
        with demo_db.write_scope() as session:
            set_setting(session, "near_days", near)
        node = _tree(demo_db, list_id, today).aspects[0].tasks[1].measures[0]
        assert node.level is expected
        with demo_db.read_scope() as session:
            on_home = [i for i in due_items(session, today, include_green=True) if i.ref_id == measure.id]
        assert [i.level for i in on_home] == [expected]                # 首页 uses the same rule


def test_deleted_aspects_hide_their_measures_from_the_due_list(demo_db):
    with demo_db.read_scope() as session:
        list_id = find_task_list(session, 2022).id
        tree = te.task_tree(session, list_id, DEMO_TODAY)
        late = [i.ref_id for i in due_items(session, dt.date(2022, 9, 1)) if i.kind == "measure"]
    first_aspect = tree.aspects[0]
    in_first = {m.id for t in first_aspect.tasks for m in t.measures}
    assert in_first & set(late)
    with demo_db.write_scope() as session:
        te.delete_node(session, "aspect", first_aspect.id)
    with demo_db.read_scope() as session:
        assert not in_first & {i.ref_id for i in due_items(session, dt.date(2022, 9, 1))}
        with pytest.raises(DomainError):
            te.list_of_measure(session, next(iter(in_first)))


def test_dashboard_counts_by_sql_agree_with_the_stage_rule(demo_db):
    from models.services import suggestions

    with demo_db.write_scope() as session:   # the stages the demo lacks: 已制发, 已回复, 已起诉
        issued = suggestions.draft_suggestion(session, "宿州市民政局", items=["依法履职。"])
        suggestions.issue(session, issued.id, "宿检行公建〔2026〕31号", dt.date(2026, 11, 1))
        replied = suggestions.draft_suggestion(session, "宿州市水利局", items=["依法履职。"])
        suggestions.issue(session, replied.id, "宿检行公建〔2026〕32号", dt.date(2026, 10, 1))
        suggestions.mark_served(session, replied.id, dt.date(2026, 10, 2))
        suggestions.record_reply(session, replied.id, dt.date(2026, 11, 2), "已整改。")
        sued = suggestions.draft_suggestion(session, "宿州市住房和城乡建设局", items=["依法履职。"])
        suggestions.edit_suggestion(session, sued.id, litigation=True)
    with demo_db.read_scope() as session:
        expected: dict[str, int] = {}
        for row in list_suggestions(session):
            expected[row.stage] = expected.get(row.stage, 0) + 1
        assert stage_counts(session) == expected
        data = dashboard_data(session, DEMO_TODAY)
    assert set(expected) == set(SUGGESTION_STAGES)
    from collections import Counter

    from models.services.demo import DEMO_CASES
    assert data.case_counts == Counter(row[6] for row in DEMO_CASES)
    assert data.due_counts["red"] == sum(1 for i in data.due if i.level is WarningLevel.RED) >= 1
    assert data.due_counts["follow_up"] == 1 and data.near_days == 7
    assert data.due_counts["red"] + data.due_counts["yellow"] == len(data.due)


def test_moving_a_task_among_equal_numbers_still_moves_it(new_db):
    from models.tasklist import Task

    with new_db.write_scope() as session:
        list_id = te.new_task_list(session, 2025, "").id
        aspect = te.create_aspect(session, list_id, "方面").id
        te.create_task(session, aspect, "甲")
        second = te.create_task(session, aspect, "乙").id
        session.get(Task, second).number = 1        # equal numbers, as two workstations may leave them
        session.flush()
    assert [t.text for t in _tree(new_db, list_id).aspects[0].tasks] == ["甲", "乙"]   # then by creation
    with new_db.write_scope() as session:
        te.move_node(session, "task", second, -1)
    assert [(t.number, t.text) for t in _tree(new_db, list_id).aspects[0].tasks] == [(1, "乙"), (2, "甲")]
