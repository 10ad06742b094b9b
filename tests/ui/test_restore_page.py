"""设置 → 从备份恢复: the chosen backup replaces the data, every screen follows, nothing else is lost."""
from PySide6.QtWidgets import QInputDialog

from models.services.cases import list_cases, register_case
from models.services.setup import backup_now
from ui import messages


def test_restore_from_settings_replaces_the_database_and_refreshes_screens(qtbot, window, monkeypatch):
    ctx = window.ctx
    backup_now(ctx.db)
    with ctx.db.session_scope() as session:
        register_case(session, "备份之后误录的案件")
    cases_page = window.show_screen("case")
    settings = window.show_screen("settings")
    old_db = ctx.db
    monkeypatch.setattr(QInputDialog, "getItem", lambda *args, **kwargs: (args[3][0], True))
    monkeypatch.setattr(messages, "confirm", lambda parent, text: True)
    with qtbot.waitSignal(settings.data_changed, timeout=10000):
        settings.restore_backup()
    assert ctx.db is not old_db
    with ctx.db.session_scope() as session:
        assert "备份之后误录的案件" not in {c.title for c in list_cases(session)}
    model = cases_page.table.model()
    shown = {model.index(r, c).data() for r in range(model.rowCount()) for c in range(model.columnCount())}
    assert "备份之后误录的案件" not in shown and any("非法采砂" in str(text) for text in shown)
