"""任务清单: tree of 方面/任务/措施, a progress entry, Excel export in a worker; 联席会议: 议定事项 → task."""
from __future__ import annotations

import io

import openpyxl
from PySide6.QtCore import QModelIndex

from models.services.tasks import latest_progress
from tests.ui.conftest import fill_and_accept
from ui import files
from ui.tasklist_page import MEASURE_ROLE


def _first_measure(page) -> QModelIndex:
    model = page.model
    aspect = model.index(0, 0)
    task = model.index(0, 0, aspect)
    return model.index(0, 0, task)


def test_tree_progress_entry_and_excel_export(qtbot, window, modal, tmp_path, monkeypatch):
    page = window.show_screen("tasks")
    assert page.model.rowCount() == 5                           # 五个方面 in the 2022 list
    assert page.model.index(0, 0).data() == "重大改革推进方面"
    measure = _first_measure(page)
    page.tree.setCurrentIndex(measure)
    measure_id = measure.data(MEASURE_ROLE)
    assert page.add_button.isEnabled() and page.progress_list.count() == 2

    modal.then(fill_and_accept({"status": "已完成并长期坚持", "reported_on": "2026-11-20", "reporter": "市司法局",
                                "text": "长效机制已建立。"}))
    page.add_progress_entry()
    assert page.progress_list.count() == 3
    with window.ctx.db.session_scope() as session:
        assert latest_progress(session, [measure_id])[measure_id].status == "已完成并长期坚持"

    target = tmp_path / "任务清单.xlsx"
    monkeypatch.setattr(files, "ask_save_path", lambda *a: target)
    page.export_xlsx()
    qtbot.waitUntil(target.exists, timeout=20000)
    qtbot.wait(50)
    book = openpyxl.load_workbook(io.BytesIO(target.read_bytes()))
    text = "\n".join(str(c.value) for row in book.active.iter_rows() for c in row if c.value)
    assert "重大改革推进方面" in text and "长效机制已建立" in text


def test_meeting_decision_becomes_a_task(qtbot, window, modal):
    page = window.show_screen("meeting")
    page.select(page.model.row_id(0))
    assert page.decisions.count() == 2
    page.decisions.setCurrentRow(0)
    modal.then(fill_and_accept({"deadline": "2026年12月底前", "units": "各成员单位"}))
    page.decision_to_task()
    assert "已转为任务" in page.decisions.item(0).text()
    tasks = window.show_screen("tasks")
    tasks.reload()
    texts = [tasks.model.index(r, 0, tasks.model.index(a, 0)).data()
             for a in range(tasks.model.rowCount()) for r in range(tasks.model.rowCount(tasks.model.index(a, 0)))]
    assert any("联络员" in t for t in texts)
