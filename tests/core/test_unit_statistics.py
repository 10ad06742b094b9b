"""Statistics per unit for 考核 (models/services/unit_statistics.py) on a small hand-counted fixture:
3 directory units (matched by id, 简称 and 别名) and one addressee outside the directory; suggestions
replied on time, late and not at all; measures done on time, late, reopened, done for the whole
measure, cancelled; dates on both sides of the period's boundaries."""
from __future__ import annotations

import datetime as dt

import pytest

from models.services import suggestions as sg
from models.services import tasks
from models.services.unit_statistics import unit_statistics
from models.services.units import add_unit
from reports.statistics import UNIT_COLUMNS, UnitStatisticsRow, unit_cells, unit_total_row

Q2 = (dt.date(2024, 4, 1), dt.date(2024, 6, 30))
TODAY = dt.date(2024, 7, 15)
D = dt.date


def _suggestion(session, addressee: str, doc_no: str, issued: dt.date, served: dt.date, *, unit_id=None,
                replied: dt.date | None = None, rectification: str = "") -> dt.date:
    s = sg.draft_suggestion(session, addressee, items=["依法履职"], addressee_unit_id=unit_id)
    sg.issue(session, s.id, doc_no, issued)
    sg.mark_served(session, s.id, served)
    if replied:
        sg.record_reply(session, s.id, replied, "已收到并整改")
    if rectification:
        sg.record_rectification(session, s.id, rectification)
    return s.reply_due


def build_fixture(db) -> None:
    with db.write_scope() as session:
        env = add_unit(session, "宿州市生态环境局", short_name="市环境局")
        market = add_unit(session, "宿州市市场监督管理局", short_name="市市场监管局", aliases="市市场监督局")
        add_unit(session, "宿州市住房和城乡建设局", short_name="市住建局")
        dues = [
            # 市环境局 by id: due 4月1日 (first day of Q2), replied on time, 已整改; issued in Q1
            _suggestion(session, "宿州市生态环境局", "宿检行公建〔2024〕1号", D(2024, 1, 25), D(2024, 2, 1),
                        unit_id=env.id, replied=D(2024, 3, 28), rectification="已整改"),
            # 市环境局 by its 简称: due 6月3日, replied late
            _suggestion(session, "市环境局", "宿检行公建〔2024〕2号", D(2024, 4, 2), D(2024, 4, 3),
                        replied=D(2024, 6, 20), rectification="整改中"),
            # 市市场监管局 by its 别名: due 6月11日, no reply -> 逾期未回复
            _suggestion(session, "市市场监督局", "宿检行公建〔2024〕3号", D(2024, 4, 10), D(2024, 4, 10)),
            # 市市场监管局: issued in Q2, due 7月8日 (after the period): received only
            _suggestion(session, "宿州市市场监督管理局", "宿检行公建〔2024〕4号", D(2024, 5, 6), D(2024, 5, 6),
                        unit_id=market.id),
            # 市住建局: due in Q1 (3月11日), replied late in Q2: nothing in Q2
            _suggestion(session, "宿州市住房和城乡建设局", "宿检行公建〔2024〕5号", D(2024, 1, 10), D(2024, 1, 10),
                        replied=D(2024, 4, 15)),
            # not in the directory: counted under its name
            _suggestion(session, "某某村民委员会", "宿检建〔2024〕6号", D(2024, 5, 1), D(2024, 5, 1)),
        ]
        assert dues == [D(2024, 4, 1), D(2024, 6, 3), D(2024, 6, 11), D(2024, 7, 8), D(2024, 3, 11), D(2024, 7, 1)]

        task_list = tasks.create_task_list(session, 2024, "")
        aspect = tasks.add_aspect(session, task_list.id, "依法行政方面")
        task = tasks.add_task(session, aspect.id, 1, "推进府检联动")
        m1 = tasks.add_measure(session, task.id, "措施一", deadline="6月30日前", units="宿州市生态环境局牵头，市住建局配合")
        m2 = tasks.add_measure(session, task.id, "措施二", deadline="7月1日前", units="市市场监管局")
        m3 = tasks.add_measure(session, task.id, "措施三", deadline="5月底前", units="市市场监管局、市住建局")
        m4 = tasks.add_measure(session, task.id, "措施四", deadline="4月30日前", units="各成员单位")
        m5 = tasks.add_measure(session, task.id, "措施五", deadline="6月底前", units="市住建局")
        assert [m.due_on for m in (m1, m2, m3, m4, m5)] == [D(2024, 6, 30), D(2024, 7, 1), D(2024, 5, 31),
                                                             D(2024, 4, 30), D(2024, 6, 30)]

        def progress(measure, unit: str, status: str, day: dt.date) -> None:
            tasks.add_progress(session, measure.id, status=status, text=f"{unit}{status}", reported_on=day,
                               unit_name=unit)

        progress(m1, "宿州市生态环境局", "已完成", D(2024, 6, 25))  # on time (due 6月30日, the period's last day)
        progress(m1, "市住建局", "已完成", D(2024, 7, 5))  # after the period's end: not done in Q2 -> late
        progress(m2, "市市场监管局", "滞后", D(2024, 6, 1))  # due 7月1日: outside Q2
        progress(m3, "市市场监管局", "已完成", D(2024, 5, 20))  # on time
        progress(m3, "市住建局", "已完成", D(2024, 5, 25))
        progress(m3, "市住建局", "推进中", D(2024, 6, 1))  # reopened: done again only from 6月10日 -> late
        progress(m3, "市住建局", "已完成", D(2024, 6, 10))
        progress(m4, "", "已完成", D(2024, 4, 28))  # the office marks the whole measure done: on time for all
        progress(m5, "市住建局", "已调整或取消", D(2024, 6, 1))  # cancelled: not counted


@pytest.fixture
def unit_db(new_db):
    build_fixture(new_db)
    return new_db


EXPECTED = [
    #                 unit   recv due replied on_time rect overdue m_due m_on_time
    UnitStatisticsRow("市环境局", 1, 2, 2, 1, 1, 0, 2, 2),
    UnitStatisticsRow("市市场监管局", 2, 1, 0, 0, 0, 1, 2, 2),
    UnitStatisticsRow("市住建局", 0, 0, 0, 0, 0, 0, 3, 1),
    UnitStatisticsRow("某某村民委员会", 1, 0, 0, 0, 0, 0, 0, 0),
]


def test_hand_counted_quarter(unit_db):
    with unit_db.read_scope() as session:
        rows = unit_statistics(session, *Q2, TODAY)
    assert rows == EXPECTED
    assert [r.measures_late for r in rows] == [0, 0, 2, 0]


def test_rates_and_total_with_their_denominators():
    cells = dict(zip(UNIT_COLUMNS, unit_cells(EXPECTED[0])))
    assert cells["回复率"] == "100.0%" and cells["按期回复"] == "1" and cells["整改率"] == "50.0%"
    market = dict(zip(UNIT_COLUMNS, unit_cells(EXPECTED[1])))
    assert market["回复率"] == "0.0%" and market["整改率"] == "—" and market["逾期未回复"] == "1"
    total = unit_total_row(EXPECTED)
    assert total == UnitStatisticsRow("合计", 4, 3, 2, 1, 1, 1, 7, 5)
    assert unit_cells(total)[-3:] == ("7", "5", "2")


def test_period_boundaries_move_the_counts(unit_db):
    with unit_db.read_scope() as session:
        # the period ends the day before 市环境局's measure 一 is due: only 措施四 is due for it
        to_june_29 = unit_statistics(session, D(2024, 4, 1), D(2024, 6, 29), TODAY)
        # from 4月2日: 建议1 (due 4月1日) drops out of 到期应回复
        from_april_2 = unit_statistics(session, D(2024, 4, 2), D(2024, 6, 30), TODAY)
        # Q3 counted to 7月8日 (today):
        # 措施二 (due 7月1日, 滞后) is late for 市市场监管局; 建议4 is due on 7月8日 itself (not yet overdue),
        # 建议3 is still overdue; the 村民委员会's 建议6 (due 7月1日) is due and overdue
        q3 = unit_statistics(session, D(2024, 7, 1), D(2024, 9, 30), D(2024, 7, 8))
    env = next(r for r in to_june_29 if r.unit == "市环境局")
    assert (env.measures_due, env.measures_on_time) == (1, 1)
    env = next(r for r in from_april_2 if r.unit == "市环境局")
    assert (env.replies_due, env.replied, env.replied_on_time, env.rectified) == (1, 1, 0, 0)
    assert [(r.unit, r.replies_due, r.overdue, r.measures_due, r.measures_on_time) for r in q3] == [
        ("市市场监管局", 1, 1, 1, 0), ("某某村民委员会", 1, 1, 0, 0)]


def test_overdue_counts_to_the_period_end_not_later(unit_db):
    with unit_db.read_scope() as session:
        # 6月10日: 建议3 (due 6月11日) is not yet overdue; 建议2 (due 6月3日, replied 6月20日) is
        rows = unit_statistics(session, D(2024, 4, 1), D(2024, 6, 30), D(2024, 6, 10))
    by_unit = {r.unit: r for r in rows}
    assert by_unit["市环境局"].overdue == 1 and by_unit["市市场监管局"].overdue == 0
    assert by_unit["市环境局"].replies_due == 2 and by_unit["市环境局"].replied == 1
