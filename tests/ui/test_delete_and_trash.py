"""删除 on a list screen, 撤销 brings it back; a deleted record also comes back from 设置 → 回收站."""
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QInputDialog

from models.services.cases import list_cases
from ui import messages

TARGET = "新汴河沿岸非法采砂破坏河道生态案"


def _stored_titles(ctx):
    with ctx.db.session_scope() as session:
        return {c.title for c in list_cases(session)}


def _shown_row(page):
    model = page.model
    return next((r for r in range(model.rowCount())
                 if any(TARGET == model.index(r, c).data() for c in range(model.columnCount()))), None)


def test_delete_undo_and_restore_from_the_trash(qtbot, window, monkeypatch):
    ctx = window.ctx
    page = window.show_screen("case")
    page.select(page.model.row_id(_shown_row(page)))
    monkeypatch.setattr(messages, "confirm", lambda parent, text: True)
    qtbot.mouseClick(page.delete_button, Qt.MouseButton.LeftButton)
    assert TARGET not in _stored_titles(ctx) and _shown_row(page) is None
    qtbot.mouseClick(page.undo_button, Qt.MouseButton.LeftButton)
    assert TARGET in _stored_titles(ctx) and _shown_row(page) is not None
    qtbot.mouseClick(page.delete_button, Qt.MouseButton.LeftButton)
    assert _shown_row(page) is None
    settings = window.show_screen("settings")
    monkeypatch.setattr(QInputDialog, "getItem", lambda *args, **kwargs: (args[3][0], True))
    with qtbot.waitSignal(settings.data_changed, timeout=5000):
        settings.open_trash()
    assert TARGET in _stored_titles(ctx) and _shown_row(page) is not None
