"""任务清单 screen as a working list: a new year's list rolled over from the 2022 demo list, 方面/任务/措施
by hand, a 进展 entry corrected and deleted with its 修改记录, Ctrl+F find-next, 红黄绿 rows by the one rule."""
from __future__ import annotations

import datetime as dt

from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtWidgets import QTableWidget

from models.rules.warning import WarningLevel, warning_level
from models.services import task_editing as te
from models.services.office_settings import load_office_settings, save_office_settings
from models.services.tasklists import find_task_list
from tests.conftest import DEMO_TODAY
from tests.ui.conftest import fill_and_accept
from ui import messages
from ui.tasklist_page import MEASURE_ROLE, NODE_ROLE, TaskListPage
from ui.theme import LEVEL_COLORS


def _rows(page: TaskListPage) -> list[QModelIndex]:
    return page._all_rows()


def _row_of(page: TaskListPage, node_id) -> QModelIndex:
    return next(i for i in _rows(page) if i.data(NODE_ROLE)[1] == node_id)


def _texts(page: TaskListPage, kind: str) -> list[str]:
    return [i.data() for i in _rows(page) if i.data(NODE_ROLE)[0] == kind]


def _new_year(page: TaskListPage, modal, year: str) -> None:
    modal.then(fill_and_accept({"year": year}))        # the default content: copy the newest list
    page.new_list_button.click()
    assert page.list_combo.currentText().startswith(year)


def test_a_new_years_list_is_rolled_over_from_the_2022_demo_list(qtbot, demo_ctx, modal):
    page = TaskListPage(demo_ctx)
    qtbot.addWidget(page)
    assert page.list_combo.count() == 1
    _new_year(page, modal, "2023")
    assert page.list_combo.count() == 2
    measures = [i for i in _rows(page) if i.data(NODE_ROLE)[0] == "measure"]
    assert measures and all(i.data().startswith("【延续2022年】") for i in measures)
    late = next(i for i in measures if i.siblingAtColumn(1).data() == "8月底前")   # the 滞后 one, re-read for 2023
    assert late.siblingAtColumn(2).data() == "2023-08-31"
    assert all(i.siblingAtColumn(4).data() == "未启动" for i in measures)
    with demo_ctx.db.read_scope() as session:
        old = te.task_tree(session, find_task_list(session, 2022).id, DEMO_TODAY)
    finished = [m.text for a in old.aspects for t in a.tasks for m in t.measures
                if m.status == "已完成" and m.deadline_phrase in ("10月底前", "4月底前")]
    assert finished and not any(f in i.data() for f in finished for i in measures)
    # the same year again is refused next to the field, nothing is created
    modal.then(lambda dialog: (fill_and_accept({"year": "2023"})(dialog), _check_year_error(dialog), dialog.reject()))
    page.new_list_button.click()
    assert page.list_combo.count() == 2


def _check_year_error(dialog) -> None:
    assert "已有2023年度" in dialog.form.error_text("year")


def test_aspects_tasks_and_measures_by_hand(qtbot, demo_ctx, modal, monkeypatch):
    page = TaskListPage(demo_ctx)
    qtbot.addWidget(page)
    modal.then(fill_and_accept({"year": "2025", "source": "空白清单"}))
    page.new_list_button.click()
    assert page.model.rowCount() == 0 and page.add_aspect_button.isEnabled()

    for title in ("重大改革推进方面", "重大风险防控方面"):
        modal.then(fill_and_accept({"text": title}))
        page.add_aspect_button.click()
    assert _texts(page, "aspect") == ["重大改革推进方面", "重大风险防控方面"]
    assert page.current_node()[0] == "aspect" and page.model.itemFromIndex(page.tree.currentIndex()).text() == "重大风险防控方面"
    modal.then(fill_and_accept({"text": "加强金融风险防控。"}))
    page.add_task_button.click()
    page.tree.setCurrentIndex(page.model.index(0, 0))
    modal.then(fill_and_accept({"text": "推进行政争议实质性化解。"}))
    page.add_task_button.click()
    assert _texts(page, "task") == ["1. 推进行政争议实质性化解。", "2. 加强金融风险防控。"]
    for text, deadline in (("建立信息共享机制。", "6月底前"), ("开展专项行动。", "长期坚持")):
        modal.then(fill_and_accept({"text": text, "deadline_phrase": deadline, "units_text": "市司法局"}))
        page.add_measure_button.click()
    measure_rows = [i for i in _rows(page) if i.data(NODE_ROLE)[0] == "measure"]
    assert [(i.data(), i.siblingAtColumn(2).data()) for i in measure_rows] == [
        ("建立信息共享机制。", "2025-06-30"), ("开展专项行动。", "")]

    first_id = measure_rows[0].data(NODE_ROLE)[1]
    page.tree.setCurrentIndex(measure_rows[0])
    modal.then(fill_and_accept({"deadline_phrase": "9月底前", "text": "建立健全信息共享机制。"}))
    page.edit_button.click()
    edited = _row_of(page, first_id)
    assert (edited.data(), edited.siblingAtColumn(2).data()) == ("建立健全信息共享机制。", "2025-09-30")
    assert page.current_node()[1] == edited.data(NODE_ROLE)[1]        # still selected after the reload
    page.down_button.click()
    assert _texts(page, "measure") == ["开展专项行动。", "建立健全信息共享机制。"]
    errors: list[str] = []
    monkeypatch.setattr(messages, "show_error", lambda _parent, exc: errors.append(str(exc)))
    page.up_button.click()
    page.up_button.click()                                            # already first: a clear message
    assert errors == ["该措施已在最前，不能再移动"]
    assert _texts(page, "measure") == ["建立健全信息共享机制。", "开展专项行动。"]

    page.tree.setCurrentIndex(page.model.index(1, 0))                 # move 方面 2 up: task numbers follow
    page.up_button.click()
    assert _texts(page, "task") == ["1. 加强金融风险防控。", "2. 推进行政争议实质性化解。"]

    asked: list[str] = []
    monkeypatch.setattr(messages, "confirm", lambda _parent, text: asked.append(text) or True)
    page.tree.setCurrentIndex(page.model.index(1, 0))
    page.delete_button.click()
    assert "含 1 项任务、2 条措施" in asked[0]
    assert _texts(page, "aspect") == ["重大风险防控方面"] and _texts(page, "task") == ["1. 加强金融风险防控。"]


def test_empty_text_keeps_the_dialog_open_with_the_message_at_the_field(qtbot, demo_ctx, modal):
    page = TaskListPage(demo_ctx)
    qtbot.addWidget(page)
    page.tree.setCurrentIndex(page.model.index(0, 0))
    seen: list[str] = []

    def handler(dialog) -> None:
        fill_and_accept({"text": "   "})(dialog)
        seen.append(dialog.form.error_text("text"))
        dialog.reject()

    modal.then(handler)
    before = _texts(page, "task")
    page.add_task_button.click()
    assert seen == ["任务内容不能为空"] and _texts(page, "task") == before


def test_a_progress_entry_is_corrected_and_deleted_with_its_history(qtbot, demo_ctx, modal, monkeypatch):
    page = TaskListPage(demo_ctx)
    qtbot.addWidget(page)
    measure = page.model.index(0, 0, page.model.index(0, 0, page.model.index(0, 0)))
    page.tree.setCurrentIndex(measure)
    measure_id = measure.data(MEASURE_ROLE)
    assert page.progress_list.count() == 2 and not page.correct_button.isEnabled()
    page.progress_list.setCurrentRow(0)
    assert page.correct_button.isEnabled() and page.history_button.isEnabled()
    modal.then(fill_and_accept({"status": "滞后", "text": "尚未完成，已报请协调。"}))
    page.correct_button.click()
    assert page.progress_list.count() == 2
    assert page.progress_list.currentItem().text().startswith("2022-12-20【滞后】尚未完成，已报请协调。")
    assert _row_of(page, measure_id).siblingAtColumn(4).data() == "滞后"

    history: list[list[str]] = []

    def read_history(dialog) -> None:
        table = dialog.findChild(QTableWidget)
        history.extend([table.item(r, c).text() for c in range(table.columnCount())] for r in range(table.rowCount()))
        dialog.reject()

    modal.then(read_history)
    page.history_button.click()
    assert ["状态", "已完成", "滞后"] in [row[3:] for row in history]
    assert ["进展情况", "已按期完成，相关制度文件已印发。", "尚未完成，已报请协调。"] in [row[3:] for row in history]

    monkeypatch.setattr(messages, "confirm", lambda *_a: True)
    page.progress_list.setCurrentRow(0)
    page.delete_entry_button.click()
    assert page.progress_list.count() == 1 and "【推进中】" in page.progress_list.item(0).text()
    assert _row_of(page, measure_id).siblingAtColumn(4).data() == "推进中"


def test_ctrl_f_finds_the_next_row_in_the_tree(qtbot, window):
    page = window.show_screen("tasks")
    qtbot.keyClick(window, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    assert page.find_edit.hasFocus()
    page.find_edit.setText("合规")   # QTest cannot type Chinese; Return below is a real key press
    qtbot.keyClick(page.find_edit, Qt.Key.Key_Return)
    first = page.tree.currentIndex()
    assert "合规" in " ".join(str(first.siblingAtColumn(c).data()) for c in range(6))
    assert page.find_status.text().startswith("第 1 / ")
    page.tree.setFocus()
    qtbot.keyClick(page.tree, Qt.Key.Key_F3)                   # F3 from the tree: the next one
    second = page.tree.currentIndex()
    assert second != first and "合规" in str(second.data())
    assert page.find_status.text().startswith("第 2 / ")
    page.find_edit.setText("不存在的词语")
    assert not page.find_next() and page.find_status.text() == "未找到"


def test_a_near_due_row_takes_the_colour_of_the_rule_with_the_changed_near_days(qtbot, demo_ctx, modal):
    page = TaskListPage(demo_ctx)
    qtbot.addWidget(page)
    _new_year(page, modal, str(DEMO_TODAY.year))      # 2026: "12月底前完成并长期坚持" is due 2026-12-31
    row = next(i for i in _rows(page) if i.siblingAtColumn(1).data() == "12月底前完成并长期坚持")
    due = dt.date.fromisoformat(row.siblingAtColumn(2).data())
    assert (due - DEMO_TODAY).days == 38
    measure_id = row.data(MEASURE_ROLE)

    def colour() -> object:
        index = _row_of(page, measure_id)
        return page.model.itemFromIndex(index.siblingAtColumn(3)).background().color()

    assert colour() == LEVEL_COLORS[WarningLevel.GREEN]
    with demo_ctx.db.write_scope() as session:
        settings = load_office_settings(session)
        save_office_settings(session, settings.__class__(**{**settings.__dict__, "near_days": 40}))
    page.load_tree()
    expected = warning_level(due, DEMO_TODAY, done=False, near_days=40)
    assert expected is WarningLevel.YELLOW and colour() == LEVEL_COLORS[expected]
    late = next(i for i in _rows(page) if i.siblingAtColumn(1).data() == "8月底前")
    assert page.model.itemFromIndex(late).background().color() == LEVEL_COLORS[WarningLevel.RED]


def test_show_measure_opens_its_list_selects_and_scrolls_to_it(qtbot, demo_ctx, modal):
    page = TaskListPage(demo_ctx)
    qtbot.addWidget(page)
    page.resize(1000, 500)
    page.show()
    with demo_ctx.db.read_scope() as session:
        tree = te.task_tree(session, find_task_list(session, 2022).id, DEMO_TODAY)
    last = tree.aspects[-1].tasks[-1].measures[-1]
    _new_year(page, modal, "2023")                   # another list is showing
    assert page.show_measure(last.id)
    assert page.list_combo.currentText().startswith("2022")
    assert page.tree.currentIndex().data(MEASURE_ROLE) == last.id
    assert page.tree.viewport().rect().intersects(page.tree.visualRect(page.tree.currentIndex()))
    assert page.progress_list.count() == 2
