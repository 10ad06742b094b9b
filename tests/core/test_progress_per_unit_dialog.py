"""The GUI side of a per-unit conflict: both texts side by side, a button under each, saved at once."""
from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QPlainTextEdit

from models.services.excel_files import collect_returned_sheets
from models.tasklist import REVIEW_REPLACED
from tests.core.test_progress_per_unit import entries, fill, list_db, sheets  # noqa: F401  (fixture)
from ui.tasklist_excel import ProgressConflictDialog


def test_the_dialog_shows_both_texts_and_the_choice_is_saved(qtbot, list_db, tmp_path):  # noqa: F811
    sheet = sheets(list_db, tmp_path / "表", "市司法局")["宿州市司法局"]
    collect_returned_sheets(list_db, [fill(sheet, tmp_path / "a.xlsx", "建立信息共享平台", "原来的进展")], "2022Q2")
    collect_returned_sheets(list_db, [fill(sheet, tmp_path / "b.xlsx", "开展联合调研", "调研进展")], "2022Q2")
    collect_returned_sheets(list_db, [fill(sheet, tmp_path / "c.xlsx", "建立信息共享平台", "改过的进展")], "2022Q2")
    dialog = ProgressConflictDialog(list_db)
    qtbot.addWidget(dialog)
    dialog.show()
    assert dialog.conflict_count() == 1
    texts = [edit.toPlainText() for edit in dialog.findChildren(QPlainTextEdit)]
    assert texts == ["原来的进展", "改过的进展"]
    keep_old, take_new = dialog.choice_buttons[0]
    assert (keep_old.text(), take_new.text()) == ("保留原有的", "采用新交回的")
    with qtbot.waitSignal(dialog.accepted, timeout=2000):
        qtbot.mouseClick(take_new, Qt.MouseButton.LeftButton)
    assert {(e.text, e.review) for e in entries(list_db, unit_name="宿州市司法局")} == {
        ("原来的进展", REVIEW_REPLACED), ("调研进展", ""), ("改过的进展", "")}
