"""首页: a double-click opens the exact record (open_record(entity, id)), the count tiles filter the due
list, rows are coloured by the one rule, counts come from the SQL service."""
from __future__ import annotations

from PySide6.QtCore import Qt

from models.rules.warning import WarningLevel
from models.services.dashboard import dashboard_data
from models.suggestion import Suggestion
from tests.conftest import DEMO_TODAY
from ui.dashboard import KIND_COLUMN, LEVEL_COLUMN, Dashboard
from ui.theme import LEVEL_COLORS


def _dashboard(qtbot, ctx) -> Dashboard:
    page = Dashboard(ctx)
    qtbot.addWidget(page)
    page.resize(1100, 700)
    page.show()
    qtbot.waitExposed(page)
    return page


def _column(page: Dashboard, column: int) -> list[str]:
    model = page.due_model
    return [model.index(r, column).data() for r in range(model.rowCount())]


def _double_click(qtbot, page: Dashboard, row: int) -> None:
    index = page.due_model.index(row, 3)
    page.due_table.scrollTo(index)
    rect = page.due_table.visualRect(index)
    # Qt item views emit doubleClicked on the second press of a press-release pair (as a real mouse sends)
    qtbot.mouseClick(page.due_table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    qtbot.mouseDClick(page.due_table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())


def test_double_click_emits_the_exact_record(qtbot, demo_ctx):
    page = _dashboard(qtbot, demo_ctx)
    with demo_ctx.db.read_scope() as session:
        data = dashboard_data(session, DEMO_TODAY)
    kinds = _column(page, KIND_COLUMN)
    assert {"检察建议回复", "回头看", "任务措施"} <= set(kinds)
    for kind_label, entity in (("检察建议回复", "suggestion"), ("回头看", "suggestion"), ("任务措施", "measure")):
        row = kinds.index(kind_label)
        item = next(i for i in data.due if i.kind_label == kind_label and i.title == page.due_model.index(row, 3).data())
        with qtbot.waitSignal(page.open_record, timeout=2000) as opened:
            _double_click(qtbot, page, row)
        assert opened.args == [entity, item.ref_id]
    follow_up = next(i for i in data.due if i.kind == "follow_up")
    with demo_ctx.db.read_scope() as session:          # the 回头看 row opens its suggestion
        assert session.get(Suggestion, follow_up.ref_id).follow_up_due == follow_up.due


def test_tiles_filter_the_due_list(qtbot, demo_ctx):
    page = _dashboard(qtbot, demo_ctx)
    total = page.due_model.rowCount()
    data = page.data
    assert page.tiles["all"].text().endswith(str(total)) and total == len(data.due)
    qtbot.mouseClick(page.tiles["red"], Qt.MouseButton.LeftButton)
    assert page.tiles["red"].isChecked() and not page.tiles["all"].isChecked()
    assert set(_column(page, LEVEL_COLUMN)) == {"逾期"} and page.due_model.rowCount() == data.due_counts["red"]
    qtbot.mouseClick(page.tiles["measure"], Qt.MouseButton.LeftButton)
    assert set(_column(page, KIND_COLUMN)) == {"任务措施"}
    assert page.due_model.rowCount() == data.due_counts["measure"] > 0
    assert page.tiles["measure"].text() == f"任务措施  {data.due_counts['measure']}"
    page.refresh()                                      # a refresh keeps the chosen tile
    assert set(_column(page, KIND_COLUMN)) == {"任务措施"}
    qtbot.mouseClick(page.tiles["all"], Qt.MouseButton.LeftButton)
    assert page.due_model.rowCount() == total


def test_rows_colours_and_counts(qtbot, demo_ctx):
    page = _dashboard(qtbot, demo_ctx)
    for row, label in enumerate(_column(page, LEVEL_COLUMN)):
        level = WarningLevel.RED if label == "逾期" else WarningLevel.YELLOW
        assert page.due_model.index(row, 0).data(Qt.ItemDataRole.BackgroundRole).color() == LEVEL_COLORS[level]
    with demo_ctx.db.read_scope() as session:
        data = dashboard_data(session, DEMO_TODAY)
    # the records are counted by a worker thread: the boxes show "…" until its answer is in
    qtbot.waitUntil(lambda: not page.counting(), timeout=5000)
    assert page.count_labels["诉前程序"].text() == str(data.case_counts["诉前程序"]) != "0"
    assert page.count_labels["待回复"].text() == str(data.stage_counts["待回复"])
    with qtbot.waitSignal(page.record_counts_shown, timeout=5000):   # a refresh counts again
        page.refresh()
        assert page.counting()
    assert "临期提醒 7 天" in page.due_title.text()


def test_a_double_clicked_measure_opens_selected_on_the_task_list(qtbot, window):
    from ui.tasklist_page import MEASURE_ROLE

    home = window.show_screen("dashboard")
    row = _column(home, KIND_COLUMN).index("任务措施")
    entity, measure_id = home.targets[home.due_model.row_id(row)]
    assert entity == "measure"
    tasks = window.show_screen("tasks")     # what the main window does with open_record("measure", id)
    assert tasks.show_measure(measure_id)
    assert tasks.tree.currentIndex().data(MEASURE_ROLE) == measure_id


def test_screenshots(qtbot, demo_ctx, tmp_path, modal):
    """Pictures of 首页 and the 任务清单 screen for a person to look at (saved under /tmp)."""
    import os
    from pathlib import Path

    from ui.tasklist_page import TaskListPage

    folder = Path(os.environ.get("FJLD_SHOTS", tmp_path))
    folder.mkdir(parents=True, exist_ok=True)
    page = _dashboard(qtbot, demo_ctx)
    assert page.grab().save(str(folder / "dashboard.png"))
    tasks = TaskListPage(demo_ctx)
    qtbot.addWidget(tasks)
    tasks.resize(1400, 800)
    tasks.show()
    qtbot.waitExposed(tasks)
    tasks.find_edit.setText("合规")
    tasks.find_next()
    assert tasks.grab().save(str(folder / "tasklist.png"))
    from tests.ui.conftest import fill_and_accept

    modal.then(fill_and_accept({"year": "2023"}))
    tasks.new_list_button.click()
    assert "延续" in tasks.note.text()
    assert tasks.grab().save(str(folder / "tasklist_2023.png"))


def test_unreadable_deadlines_stay_on_the_dashboard(qtbot, new_ctx):
    from tests.core.test_due_recurring import add_measure

    with new_ctx.db.write_scope() as session:
        measure_id = add_measure(session, "视情况而定", year=2026).id
    dashboard = Dashboard(new_ctx)
    qtbot.addWidget(dashboard)
    assert dashboard.tiles["unclear"].text().endswith("1") and dashboard.tiles["all"].text().endswith("1")
    dashboard.filter_by("unclear")
    model = dashboard.due_model
    assert model.rowCount() == 1
    assert [model.index(0, c).data() for c in (0, 2, 5)] == ["时限待确认", "视情况而定", "时限待确认"]
    with qtbot.waitSignal(dashboard.open_record) as opened:
        dashboard.open_due(model.index(0, 0))
    assert opened.args == ["measure", measure_id]


def test_home_and_navigation_text_sizes_follow_the_font_size_setting(qtbot, window):
    from ui import fonts
    from ui.dashboard import COUNT_PT, TILE_PT, TITLE_PT
    from ui.main_window import NAV_PT

    home = window.show_screen("dashboard")
    qtbot.waitUntil(lambda: not home.counting(), timeout=5000)
    page = window.show_screen("suggestion")
    try:
        for size in (14, 10):
            fonts.apply_point_size(size)    # (the new font reaches the widgets through posted events)
            qtbot.waitUntil(lambda size=size: f"font-size: {size + TILE_PT}pt" in home.tiles["red"].styleSheet())
            assert f"font-size: {size + TITLE_PT}pt" in home.due_title.styleSheet()
            assert f"font-size: {size + COUNT_PT}pt" in home.count_labels["立案"].styleSheet()
            qtbot.waitUntil(lambda size=size: f"font-size: {size + NAV_PT}pt" in window.nav.styleSheet())
            qtbot.waitUntil(lambda size=size: f"font-size: {size + 2}pt" in page.clock_label.styleSheet())
        wide = window.nav.width()
        fonts.apply_point_size(16)          # at 16 pt the list widens so that 信息共享 is not cut
        qtbot.waitUntil(lambda: window.nav.width() > wide)
    finally:
        fonts.apply_point_size(fonts.POINT_SIZE)
