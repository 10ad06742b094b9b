"""The main window: a navigation list of screens, keyboard shortcuts, remembered layout, and a guard
that asks to save an unsaved edit before the window closes. Screens are built on first visit so the
window opens fast."""
from __future__ import annotations

import uuid
from collections.abc import Callable

from PySide6.QtCore import QByteArray, QSettings, Qt
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QListWidget,
    QMainWindow,
    QSplitter,
    QStackedWidget,
    QWidget,
)

from models.platform import user_data_dir
from ui.case_page import CasePage
from ui.context import AppContext
from ui.dashboard import Dashboard
from ui.i18n import tr
from ui.meeting_page import MeetingPage
from ui.settings_page import SettingsPage
from ui.suggestion_page import SuggestionPage
from ui.sync_page import SyncPage
from ui.table_page import TablePage
from ui.tasklist_page import TaskListPage
from ui.unit_page import UnitPage

SCREENS: tuple[tuple[str, str, Callable[[AppContext], QWidget]], ...] = (
    ("dashboard", tr("首页"), Dashboard), ("case", tr("线索/案件"), CasePage),
    ("suggestion", tr("检察建议"), SuggestionPage), ("tasks", tr("任务清单"), TaskListPage),
    ("meeting", tr("联席会议"), MeetingPage), ("unit", tr("单位"), UnitPage), ("sync", tr("同步"), SyncPage),
    ("settings", tr("设置"), SettingsPage))
SCREEN_OF_ENTITY = {"case": "case", "suggestion": "suggestion", "meeting": "meeting", "unit": "unit",
                    "task": "tasks", "measure": "tasks"}


def window_settings() -> QSettings:
    return QSettings(str(user_data_dir() / "window.ini"), QSettings.Format.IniFormat)


class MainWindow(QMainWindow):
    def __init__(self, ctx: AppContext) -> None:
        super().__init__()
        self.ctx = ctx
        self.setWindowTitle(tr("府检联动工作平台"))
        self.nav = QListWidget()
        self.nav.setObjectName("nav")
        self.nav.addItems([label for _, label, _ in SCREENS])
        self.nav.setFixedWidth(130)
        self.nav.setStyleSheet("QListWidget { font-size: 12pt; } QListWidget::item { padding: 8px; }")
        self.stack = QStackedWidget()
        self.screens: dict[str, QWidget] = {}
        self._placeholders = [QWidget() for _ in SCREENS]
        for placeholder in self._placeholders:
            self.stack.addWidget(placeholder)
        central = QWidget()
        row = QHBoxLayout(central)
        row.setContentsMargins(4, 4, 4, 4)
        row.addWidget(self.nav)
        row.addWidget(self.stack, 1)
        self.setCentralWidget(central)
        self.nav.currentRowChanged.connect(self._nav_changed)
        self._add_actions()
        self.statusBar().addPermanentWidget(QLabel(tr("已解锁：{path}").format(path=ctx.db.path)))
        self.resize(1280, 800)
        self.restore_layout()

    # -- screens ---------------------------------------------------------------------------------
    def screen(self, key: str) -> QWidget:
        """The screen `key`, built on first use."""
        if key not in self.screens:
            index = [k for k, _, _ in SCREENS].index(key)
            widget = SCREENS[index][2](self.ctx)
            widget.setObjectName(f"screen_{key}")
            self.screens[key] = widget
            placeholder = self._placeholders[index]
            self.stack.insertWidget(index, widget)
            self.stack.removeWidget(placeholder)
            if isinstance(widget, Dashboard):
                widget.open_requested.connect(self.open_record)
            if isinstance(widget, SyncPage | SettingsPage):
                widget.data_changed.connect(self.refresh_all)
            self._restore_splitter(widget)
        return self.screens[key]

    def show_screen(self, key: str) -> QWidget:
        index = [k for k, _, _ in SCREENS].index(key)
        if self.nav.currentRow() != index:
            self.nav.setCurrentRow(index)
        return self.screen(key)

    def _nav_changed(self, row: int) -> None:
        widget = self.screen(SCREENS[row][0])
        self.stack.setCurrentWidget(widget)
        if isinstance(widget, Dashboard):
            widget.refresh()

    def current_screen(self) -> QWidget:
        return self.stack.currentWidget()

    def open_record(self, entity: str, row_id: uuid.UUID) -> None:
        key = SCREEN_OF_ENTITY.get(entity)
        if key is None:
            return
        widget = self.show_screen(key)
        if isinstance(widget, TablePage):
            widget.search_edit.clear()
            widget.select(row_id)

    def refresh_all(self) -> None:
        for widget in self.screens.values():
            for name in ("reload", "refresh"):
                if hasattr(widget, name):
                    getattr(widget, name)()
                    break

    # -- shortcuts -------------------------------------------------------------------------------
    def _add_actions(self) -> None:
        menu = self.menuBar().addMenu(tr("操作"))
        for label, shortcut, slot in ((tr("查找"), QKeySequence.StandardKey.Find, self.find),
                                      (tr("新建"), QKeySequence.StandardKey.New, self.new_record),
                                      (tr("保存"), QKeySequence.StandardKey.Save, self.save),
                                      (tr("打印文书"), QKeySequence.StandardKey.Print, self.print_document),
                                      (tr("撤销上次修改"), QKeySequence.StandardKey.Undo, self.undo)):
            action = QAction(label, self)
            action.setShortcut(shortcut)
            action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
            action.triggered.connect(slot)
            menu.addAction(action)
            self.addAction(action)

    def find(self) -> None:
        widget = self.current_screen()
        if hasattr(widget, "focus_search"):
            widget.focus_search()

    def new_record(self) -> None:
        widget = self.current_screen()
        if isinstance(widget, TablePage):
            widget.new_record()

    def save(self) -> None:
        widget = self.current_screen()
        if isinstance(widget, (TablePage, SettingsPage)):
            widget.save()

    def undo(self) -> None:
        widget = self.current_screen()
        if isinstance(widget, TablePage):
            widget.undo_last_edit()

    def print_document(self) -> None:
        widget = self.current_screen()
        if isinstance(widget, SuggestionPage) and widget.current_id is not None:
            widget.actions.preview_document("letter")

    # -- layout and closing ----------------------------------------------------------------------
    def restore_layout(self) -> None:
        settings = window_settings()
        geometry = settings.value("geometry")
        if isinstance(geometry, QByteArray):
            self.restoreGeometry(geometry)
        row = settings.value("screen", 0)
        self.nav.setCurrentRow(int(row) if str(row).isdigit() and int(row) < len(SCREENS) else 0)

    def _restore_splitter(self, widget: QWidget) -> None:
        splitter = getattr(widget, "splitter", None)
        state = window_settings().value(f"splitter/{type(widget).__name__}")
        if isinstance(splitter, QSplitter) and isinstance(state, QByteArray):
            splitter.restoreState(state)

    def save_layout(self) -> None:
        settings = window_settings()
        settings.setValue("geometry", self.saveGeometry())
        settings.setValue("screen", self.nav.currentRow())
        for widget in self.screens.values():
            splitter = getattr(widget, "splitter", None)
            if isinstance(splitter, QSplitter):
                settings.setValue(f"splitter/{type(widget).__name__}", splitter.saveState())
        settings.sync()

    def closeEvent(self, event: QCloseEvent) -> None:
        for widget in self.screens.values():
            confirm = getattr(widget, "confirm_leave", None)
            if confirm is not None and not confirm():
                self.show_screen(next(k for k, w in self.screens.items() if w is widget))
                event.ignore()
                return
        self.save_layout()
        event.accept()
