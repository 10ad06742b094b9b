"""The main window: a navigation list of screens, keyboard shortcuts, remembered size, and a guard
that asks to save an unsaved edit before the window closes. Screens are built on first visit so the
window opens fast, and it always opens on 首页. When records change (AppContext.changed) the screens
that show them refresh, instead of every screen."""
from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable
from pathlib import Path

from PySide6.QtCore import QByteArray, QEvent, QSettings, Qt
from PySide6.QtGui import QAction, QCloseEvent, QFont, QFontMetrics, QKeySequence
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QListWidget,
    QMainWindow,
    QSplitter,
    QStackedWidget,
    QWidget,
)

from models.errors import DomainError
from models.platform import user_data_dir
from models.services.restore import restore_backup
from models.services.setup import backup_now
from models.services.undo import LastEdit, last_local_edit, undo_last_edit
from ui import messages
from ui.accounts_page import AccountsPage
from ui.campaign_page import CampaignPage
from ui.case_page import CasePage
from ui.change_watcher import ChangeWatcher
from ui.context import EVERYTHING, AppContext
from ui.dashboard import Dashboard
from ui.i18n import tr
from ui.info_share_page import InfoSharePage
from ui.meeting_page import MeetingPage
from ui.settings_page import SettingsPage
from ui.suggestion_page import SuggestionPage
from ui.sync_page import SyncPage
from ui.table_page import TablePage
from ui.tasklist_page import TaskListPage
from ui.theme import FONT_EVENTS, points
from ui.transfer_page import TransferPage
from ui.unit_page import UnitPage
from ui.workers import Operation, run_operation, running_operations

SCREENS: tuple[tuple[str, str, Callable[[AppContext], QWidget]], ...] = (
    ("dashboard", tr("首页"), Dashboard), ("case", tr("线索/案件"), CasePage),
    ("suggestion", tr("检察建议"), SuggestionPage), ("tasks", tr("任务清单"), TaskListPage),
    ("meeting", tr("联席会议"), MeetingPage), ("transfer", tr("线索移送"), TransferPage),
    ("campaign", tr("专项活动"), CampaignPage), ("info_share", tr("信息共享"), InfoSharePage),
    ("unit", tr("单位"), UnitPage), ("sync", tr("同步"), SyncPage), ("accounts", tr("账户"), AccountsPage),
    ("settings", tr("设置"), SettingsPage))
NAV_PT = 2   # the navigation list, points above the window font
SCREEN_OF_ENTITY = {"case": "case", "suggestion": "suggestion", "meeting": "meeting", "unit": "unit",
                    "task": "tasks", "measure": "tasks", "transfer": "transfer", "campaign": "campaign",
                    "info_share": "info_share"}
TASK_ENTITIES = frozenset({"task_list", "task_aspect", "task", "measure", "progress_entry"})
# What each screen shows, so a change refreshes only those (a screen may say so itself: `shows`).
# None: everything (首页 counts every kind). 设置 shows this database's office settings, which are no
# records (no ops): only a whole-database change (restore, unlock) refreshes it, so another desk's edit
# never resets what the clerk is typing there; its 回收站 is a dialog read when opened.
SHOWS: dict[str, frozenset[str] | None] = {
    "dashboard": None, "case": frozenset({"case", "suggestion"}),
    "suggestion": frozenset({"suggestion", "suggestion_item", "case", "unit", "attachment"}),
    "tasks": TASK_ENTITIES | {"unit"}, "meeting": frozenset({"meeting", "meeting_decision"}) | TASK_ENTITIES,
    "unit": frozenset({"unit"}), "sync": None, "accounts": frozenset(), "settings": frozenset()}


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
        self._style_nav()
        self.stack = QStackedWidget()
        self.screens: dict[str, QWidget] = {}
        self.idle_lock = None            # ui.idle_lock.IdleLock, attached by ui.app
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
        # Not the database path: the status bar is visible to anyone standing behind the clerk.
        self.statusBar().addPermanentWidget(QLabel(tr("数据库已解锁（加密存储）")))
        ctx.changed.connect(self.data_changed)
        # Other desks' changes (a server's other clients, a CLI import into the same file) refresh the
        # screens that show them; the open records are watched by row for their forms' banner.
        self.watcher = ChangeWatcher(ctx, self, watched=self.open_records)
        self.watcher.start()
        self.resize(1280, 800)
        self.restore_layout()

    def _style_nav(self) -> None:
        """The navigation list: 2 points above the window font (设置 → 字号), wide enough for 4 characters."""
        size = points(NAV_PT)
        self.nav.setStyleSheet(f"QListWidget {{ font-size: {size}pt; }} QListWidget::item {{ padding: 8px; }}")
        font = QFont(self.font())
        font.setPointSize(size)
        self.nav.setFixedWidth(max(130, QFontMetrics(font).horizontalAdvance("信息共享") + 50))

    def event(self, event: QEvent) -> bool:
        if event.type() in FONT_EVENTS:
            self._style_nav()
        return super().event(event)

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
            if isinstance(widget, Dashboard | CasePage | SuggestionPage):
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
        key = SCREENS[row][0]
        fresh = key not in self.screens
        widget = self.screen(key)
        self.stack.setCurrentWidget(widget)
        if isinstance(widget, Dashboard) and not fresh:   # just built: it has read its counts already
            widget.refresh()

    def current_screen(self) -> QWidget:
        return self.stack.currentWidget()

    def open_record(self, entity: str, row_id: uuid.UUID) -> None:
        key = SCREEN_OF_ENTITY.get(entity)
        if key is None:
            return
        widget = self.show_screen(key)
        if isinstance(widget, TablePage):
            widget.open_record(row_id)
        elif isinstance(widget, TaskListPage):
            widget.show_measure(row_id)

    def open_records(self) -> list[tuple[str, object]]:
        """The records shown in the built screens' forms: (entity, row id)."""
        return [(widget.entity, widget.current_id) for widget in self.screens.values()
                if isinstance(widget, TablePage) and widget.entity and widget.current_id is not None]

    def refresh_all(self) -> None:
        self.data_changed({EVERYTHING})

    def data_changed(self, names: Iterable[str]) -> None:
        """AppContext.changed: refresh the built screens that show any of `names` (others are built
        fresh when first visited)."""
        names = frozenset(names)
        for key, widget in self.screens.items():
            shows = getattr(widget, "shows", SHOWS.get(key))
            if EVERYTHING in names or shows is None or names & shows:
                self._refresh(widget)

    @staticmethod
    def _refresh(widget: QWidget) -> None:
        for name in ("reload", "refresh"):
            if hasattr(widget, name):
                getattr(widget, name)()
                break

    # -- menu and shortcuts ----------------------------------------------------------------------
    def _add_actions(self) -> None:
        self.actions_by_name: dict[str, QAction] = {}
        program = self.menuBar().addMenu(tr("系统"))
        for name, label, shortcut, slot in (
                ("backup", tr("立即备份"), None, self.backup_now),
                ("import_ledger", tr("导入原有检察建议台账…"), None, lambda: self.import_records("ledger")),
                ("import_cases", tr("导入原有案件清单…"), None, lambda: self.import_records("cases")),
                ("import_units", tr("导入单位和联络员名录…"), None, lambda: self.import_records("units")),
                ("lock", tr("立即锁定"), QKeySequence("Ctrl+L"), self.lock_now),
                ("quit", tr("退出"), QKeySequence("Ctrl+Q"), self.close)):
            self._action(program, name, label, shortcut, slot)
        menu = self.menuBar().addMenu(tr("操作"))
        for name, label, shortcut, slot in (
                ("find", tr("查找"), QKeySequence.StandardKey.Find, self.find),
                ("new", tr("新建"), QKeySequence.StandardKey.New, self.new_record),
                ("save", tr("保存"), QKeySequence.StandardKey.Save, self.save),
                ("print", tr("打印文书"), QKeySequence.StandardKey.Print, self.print_document),
                ("undo", tr("撤销上次修改"), QKeySequence.StandardKey.Undo, self.undo)):
            self._action(menu, name, label, shortcut, slot)

    def _action(self, menu, name: str, label: str, shortcut, slot: Callable[[], object]) -> QAction:  # type: ignore[no-untyped-def]
        action = QAction(label, self)
        if shortcut is not None:
            action.setShortcut(shortcut)
        action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
        action.triggered.connect(lambda _checked=False: slot())
        menu.addAction(action)
        self.addAction(action)
        self.actions_by_name[name] = action
        return action

    def lock_now(self) -> None:
        """立即锁定: the same lock as after the idle time (password needed to come back)."""
        if self.idle_lock is None:
            return
        if running_operations():
            messages.show_error(self, tr("有操作正在进行，完成后再锁定"))
            return
        self.idle_lock.lock()

    # -- whole-database jobs (generic, so here): backup and restore run as operations --------------
    def backup_now(self) -> None:
        db = self.ctx.db
        run_operation(self, Operation(tr("正在备份…"), lambda _progress, _cancelled: backup_now(db)),
                      lambda path: messages.notify(self, tr("已备份并校验：{name}").format(name=path.name)))

    def import_records(self, kind: str) -> None:
        """An office's existing 台账, case list or unit directory (preview of the column mapping first)."""
        from ui.records_import import open_records_import

        dialog = open_records_import(self, self.ctx.db, kind)
        dialog.finished.connect(lambda _result: self.refresh_all())

    def restore_backup_file(self, path: Path, on_done: Callable[[], None] | None = None) -> None:
        """Replaces the database with a backup off the GUI thread; the window waits meanwhile (every
        screen reads the database), then every screen refreshes."""
        db = self.ctx.db

        def restored(new_db) -> None:  # type: ignore[no-untyped-def]
            self.ctx.db = new_db
            self.ctx.announce({EVERYTHING})
            messages.notify(self, tr("已从备份恢复"))
            if on_done is not None:
                on_done()

        run_operation(self, Operation(tr("正在从备份恢复…"), lambda _progress, _cancelled: restore_backup(db, path),
                                      exclusive=True), restored)

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
        """Ctrl+Z: the last saved edit of the selected record (or, with none selected, the last edit of
        this screen's kind, e.g. a 删除) is reverted from the op log by the core (models.services.undo)."""
        widget = self.current_screen()
        if not isinstance(widget, TablePage) or not widget.entity or not widget.confirm_leave():
            return
        entity, selected = widget.entity, widget.current_id
        undone: list[LastEdit] = []

        def revert(session) -> None:  # type: ignore[no-untyped-def]
            target = selected or getattr(last_local_edit(session, entity), "row_id", None)
            if target is None:
                raise DomainError("nothing_to_undo", tr("没有可以撤销的修改"))
            undone.append(undo_last_edit(session, entity, target))

        if not self.ctx.attempt(self, revert, changes={entity}):
            return
        widget.last_edit, widget.last_deleted = None, None   # the page's own undo button follows
        widget.undo_button.setEnabled(False)
        if widget.select(undone[0].row_id):
            widget.open_record(undone[0].row_id)
        else:
            widget.new_record()
        messages.notify(self, tr("已撤销上次修改"))

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
        self.nav.setCurrentRow(0)   # always 首页: the day starts with what is due

    def _restore_splitter(self, widget: QWidget) -> None:
        splitter = getattr(widget, "splitter", None)
        state = window_settings().value(f"splitter/{type(widget).__name__}")
        if isinstance(splitter, QSplitter) and isinstance(state, QByteArray):
            splitter.restoreState(state)

    def save_layout(self) -> None:
        settings = window_settings()
        settings.setValue("geometry", self.saveGeometry())
        for widget in self.screens.values():
            splitter = getattr(widget, "splitter", None)
            if isinstance(splitter, QSplitter):
                settings.setValue(f"splitter/{type(widget).__name__}", splitter.saveState())
        settings.sync()

    def closeEvent(self, event: QCloseEvent) -> None:
        if any(op.writes or op.exclusive for op in running_operations()):
            messages.show_error(self, tr("有操作正在保存数据，请等它完成后再退出"))
            event.ignore()
            return
        for widget in self.screens.values():
            confirm = getattr(widget, "confirm_leave", None)
            if confirm is not None and not confirm():
                self.show_screen(next(k for k, w in self.screens.items() if w is widget))
                event.ignore()
                return
        self.save_layout()
        self.watcher.stop()
        event.accept()
