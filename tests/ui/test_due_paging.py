"""首页's due list read page by page: pages joined are exactly the full list in the same order (on the
demo and on generated data with ties, odd 文号, recurring occurrences and 时限待确认), the tile counts
are exact, and the window reads the next pages as the list is scrolled, for every tile."""
from __future__ import annotations

import datetime as dt
import random

import pytest

from models.rules.warning import ALERT_LEVELS, warning_level
from models.services.dashboard import FIRST_PAGE, dashboard_data
from models.services.due import (
    KIND_LABELS,
    DueItem,
    computed_items,
    due_counts,
    due_items,
    due_page,
    due_sort_key,
    unclear_deadlines,
)
from models.suggestion import Suggestion
from tests.conftest import DEMO_TODAY
from tests.core.test_due_recurring import add_measure
from ui.context import AppContext
from ui.dashboard import Dashboard

TILES = ("red", "yellow", "reply", "follow_up", "measure", "transfer", "campaign", "info_share")
# 文号 whose order tells code-point order from other orders: ASCII before CJK, 〔〕 and full-width digits,
# a prefix of another, upper and lower case, and the empty 文号 of a record typed in a hurry
DOC_NOS = ("宿检行公建〔2026〕12号", "宿检行公建〔2026〕2号", "宿检行公建〔2026〕１号", "A-1", "a", "A", "",
           "宿检民公建〔2025〕3号", "宿检行公建〔2026〕12号补")


def add_generated(db, today: dt.date, count: int = 600) -> None:
    """`count` served suggestions awaiting their reply around `today` (many on the same day with the
    same 文号, so that only the record decides their order), some with a 回头看 date, some replied or
    closed (not due), and measures: recurring, fixed and unreadable."""
    rng = random.Random(5)
    with db.write_scope() as session:
        for n in range(count):
            served = today - dt.timedelta(days=rng.randint(0, 160))
            suggestion = Suggestion(doc_no=rng.choice(DOC_NOS) if n % 3 else f"宿检行公建〔2026〕{n}号",
                                    addressee_name=f"单位{n % 13}", issued_on=served, served_on=served)
            if n % 11 == 0:
                suggestion.follow_up_due = today + dt.timedelta(days=rng.randint(-40, 12))
            if n % 17 == 0:
                suggestion.replied_on = served + dt.timedelta(days=3)
            if n % 29 == 0:
                suggestion.closed_on = served + dt.timedelta(days=5)
            session.add(suggestion)
        add_measure(session, "每月10日前", year=today.year)      # an occurrence per month, most of them late
        add_measure(session, "3月底前", year=today.year)
        add_measure(session, "视情况而定", year=today.year)       # 时限待确认


def reference_list(session, today: dt.date, near: int, include_green: bool = False) -> list[DueItem]:
    """The due list worked out in Python from every suggestion (as 首页 did before it paged)."""
    items = []
    for s in session.query(Suggestion).filter(Suggestion.deleted.is_(False), Suggestion.closed_on.is_(None)):
        clocks = [("follow_up", s.follow_up_due, f"检察建议 {s.doc_no} 跟进调查/回头看")]
        if s.replied_on is None:
            clocks.append(("reply", s.reply_due, f"检察建议 {s.doc_no} 待回复"))
        for kind, due, title in clocks:
            if due is not None:
                items.append(DueItem(kind, s.id, title, s.addressee_name, due, (due - today).days,
                                     warning_level(due, today, done=False, near_days=near)))
    items += computed_items(session, today, near)
    return sorted((i for i in items if include_green or i.level in ALERT_LEVELS), key=due_sort_key)


def walk(session, today: dt.date, near: int, page: int, **query) -> list[DueItem]:
    joined: list[DueItem] = []
    after = None
    while True:
        items = due_page(session, today, near, after=after, limit=page, **query)
        assert len(items) <= page
        joined += items
        if len(items) < page:
            return joined
        after = items[-1]


def check_pages(db, today: dt.date, near: int = 7) -> list[DueItem]:
    with db.read_scope() as session:
        full = due_items(session, today, near)
        assert full == reference_list(session, today, near)
        # the order 首页 always had: by date, then 事项 (Python's str order), most overdue on top
        assert [(i.due, i.title) for i in full] == sorted((i.due, i.title) for i in full)
        for page in (1, 7, 50, FIRST_PAGE):
            assert walk(session, today, near, page) == full
        green = due_items(session, today, near, include_green=True)
        assert green == reference_list(session, today, near, include_green=True)
        assert walk(session, today, near, 33, include_green=True) == green
        counts = due_counts(session, today, near)
        for tile in TILES:
            expected = [i for i in full if (str(i.level) if tile in ("red", "yellow") else i.kind) == tile]
            assert walk(session, today, near, 9, only=tile) == expected
            assert counts[tile] == len(expected)
        assert sum(counts[kind] for kind in KIND_LABELS) == len(full)
    return full


def test_pages_of_the_demo_join_into_the_full_list(demo_db):
    full = check_pages(demo_db, DEMO_TODAY)
    assert {i.kind for i in full} >= {"reply", "follow_up", "measure"}


def test_pages_of_generated_data_join_into_the_full_list(demo_db):
    add_generated(demo_db, DEMO_TODAY)
    full = check_pages(demo_db, DEMO_TODAY)
    assert len(full) > 2 * FIRST_PAGE + 200
    recurring = [i for i in full if "日报送" in i.title]
    assert len(recurring) >= 6 and len({i.ref_id for i in recurring}) == 1
    titles = [(i.due, i.title) for i in full]
    assert len(titles) - len(set(titles)) >= 5      # ties that only the record (ref_id) orders
    assert check_pages(demo_db, DEMO_TODAY, near=0) != full       # the horizon moves with 临期天数


def test_the_dashboard_reads_one_page_then_the_next_ones_on_scroll(qtbot, demo_db):
    add_generated(demo_db, DEMO_TODAY)
    ctx = AppContext(demo_db, lambda: DEMO_TODAY)
    with demo_db.read_scope() as session:
        full = due_items(session, DEMO_TODAY, 7)
        unclear = unclear_deadlines(session)
        data = dashboard_data(session, DEMO_TODAY)
    assert data.due == full[:FIRST_PAGE] and not data.due_complete and data.due_total == len(full)
    page = Dashboard(ctx)
    qtbot.addWidget(page)
    page.resize(1100, 700)
    page.show()
    qtbot.waitExposed(page)
    model = page.due_model
    assert model.rowCount() == FIRST_PAGE and model.canFetchMore(page.due_table.rootIndex())
    assert page.tiles["all"].text() == f"全部  {len(full) + len(unclear)}"     # counts stay exact
    assert page.tiles["red"].text() == f"逾期  {data.due_counts['red']}"
    scrolls = 0
    while model.canFetchMore(page.due_table.rootIndex()):
        page.due_table.scrollToBottom()
        qtbot.wait(1)
        scrolls += 1
        assert scrolls < 50
    assert scrolls >= 2 and len(full) > FIRST_PAGE + model.BATCH     # more than one page read on scroll
    shown = [tuple(model.index(r, c).data() for c in (1, 3, 5)) for r in range(model.rowCount())]
    assert shown == [(i.due.isoformat(), i.title, i.kind_label) for i in full] + \
        [("", u.title, "时限待确认") for u in unclear]
    last = full[-1]                             # a row read on scroll opens its own record
    with qtbot.waitSignal(page.open_record) as opened:
        page.open_due(model.index(len(full) - 1, 0))
    assert opened.args == list(last.target)

    page.filter_by("red")                       # a tile pages too, and 导出/打印 get all its rows
    red = [i for i in full if str(i.level) == "red"]
    assert len(red) > FIRST_PAGE and model.rowCount() == FIRST_PAGE
    assert [row[3] for row in model.visible_texts()] == [i.title for i in red]
    page.filter_by("reply")
    page.refresh()                              # a refresh keeps the tile and starts again at its top
    reply = [i for i in full if i.kind == "reply"]
    assert [model.index(r, 3).data() for r in range(model.rowCount())] == [i.title for i in reply[:FIRST_PAGE]]
    page.filter_by("unclear")
    assert model.rowCount() == len(unclear) == 1 and not model.canFetchMore(page.due_table.rootIndex())


@pytest.mark.parametrize("near", [0, 30])
def test_the_first_page_follows_the_near_days_setting(demo_db, near):
    add_generated(demo_db, DEMO_TODAY, count=120)
    with demo_db.read_scope() as session:
        first = due_page(session, DEMO_TODAY, near, limit=25)
        assert first == reference_list(session, DEMO_TODAY, near)[:25]
