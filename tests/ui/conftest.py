"""GUI fixtures: a context on the demo database as of DEMO_TODAY, the main window, and a helper that
fills in the next modal dialog (modal dialogs block in exec(), so the filling is scheduled first)."""
from __future__ import annotations

from collections.abc import Callable

import pytest
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QCheckBox, QComboBox, QLineEdit, QPlainTextEdit, QSpinBox, QWidget

from tests.conftest import DEMO_TODAY
from ui.app import make_application
from ui.context import AppContext
from ui.date_edit import DateEdit


@pytest.fixture(scope="session", autouse=True)
def qt_application():
    return make_application([])   # the app font and translator, as run_gui sets them


@pytest.fixture
def demo_ctx(demo_db) -> AppContext:
    return AppContext(demo_db, lambda: DEMO_TODAY)


@pytest.fixture
def new_ctx(new_db) -> AppContext:
    return AppContext(new_db, lambda: DEMO_TODAY)


@pytest.fixture
def window(qtbot, demo_ctx):
    from ui.main_window import MainWindow

    win = MainWindow(demo_ctx)
    qtbot.addWidget(win)
    win.show()
    win.activateWindow()                       # shortcuts reach only the active window
    qtbot.waitUntil(win.isActiveWindow)
    return win


def set_fields(dialog: QWidget, values: dict[str, object]) -> None:
    """Types values into a FormWidget-based dialog's editors (found by field name)."""
    for name, value in values.items():
        editor = dialog.findChild(QWidget, name)
        assert editor is not None, f"no field {name} in {dialog.windowTitle()}"
        if isinstance(editor, QLineEdit | DateEdit):   # a date field takes typed text too
            editor.setText("" if value is None else str(value))
        elif isinstance(editor, QSpinBox):
            editor.setValue(int(value))
        elif isinstance(editor, QPlainTextEdit):
            editor.setPlainText(str(value))
        elif isinstance(editor, QComboBox):
            editor.setCurrentText(str(value))
        elif isinstance(editor, QCheckBox):
            editor.setChecked(bool(value))


def submit(qtbot, dialog: QWidget) -> None:
    """Clicks 确定 and waits until the dialog's work off the GUI thread (a WorkingDialog's key derivation
    or server login) has reported: the dialog is closed, or shows why not."""
    dialog.accept()  # type: ignore[attr-defined]
    qtbot.waitUntil(lambda: not getattr(dialog, "busy", False), timeout=10_000)


class ModalDriver:
    """Queue handlers for the modal dialogs that will open, in order."""

    def __init__(self) -> None:
        self.handlers: list[Callable[[QWidget], None]] = []
        self.seen: list[str] = []

    def then(self, handler: Callable[[QWidget], None]) -> ModalDriver:
        self.handlers.append(handler)
        self._poll()
        return self

    def _poll(self) -> None:
        QTimer.singleShot(20, self._tick)

    def _tick(self) -> None:
        dialog = QApplication.activeModalWidget()
        if dialog is None or getattr(dialog, "busy", False) or not self.handlers:   # busy: still working
            if self.handlers:
                self._poll()
            return
        handler = self.handlers.pop(0)
        self.seen.append(dialog.windowTitle())
        handler(dialog)
        if self.handlers:
            self._poll()


@pytest.fixture
def modal() -> ModalDriver:
    return ModalDriver()


def fill_and_accept(values: dict[str, object]) -> Callable[[QWidget], None]:
    def handler(dialog: QWidget) -> None:
        set_fields(dialog, values)
        dialog.accept()  # type: ignore[attr-defined]
    return handler
