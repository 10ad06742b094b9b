"""A small modal dialog over FormWidget that returns plain values (or None when cancelled).
`check` runs before the dialog closes; a DomainError it raises is shown next to its field.
WorkingDialog adds a slow step (a password's key derivation, a server login) run off the GUI thread."""
from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QVBoxLayout, QWidget

from models.errors import DomainError
from ui.form import FieldSpec, FormWidget
from ui.i18n import tr
from ui.messages import error_text
from ui.workers import Operation, run_without_dialog

Check = Callable[[dict[str, object]], None]


class ValuesDialog(QDialog):
    def __init__(self, parent: QWidget | None, title: str, specs: Sequence[FieldSpec],
                 initial: dict[str, object] | None = None, *, note: str = "", check: Check | None = None,
                 error_fields: dict[str, str] | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        # about 32 characters wide at any window font size (字号 setting) and scaling
        self.setMinimumWidth(max(460, self.fontMetrics().horizontalAdvance("汉") * 32))
        layout = QVBoxLayout(self)
        if note:
            label = QLabel(note)
            label.setWordWrap(True)
            layout.addWidget(label)
        self.form = FormWidget(specs, self)
        self.form.set_values(initial or {})
        self.form.messages_shown.connect(lambda: QTimer.singleShot(0, self, self.fit_height))
        layout.addWidget(self.form)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText(tr("确定"))
        buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(tr("取消"))
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self._check = check
        self._error_fields = error_fields or {}
        self.result_values: dict[str, object] | None = None

    def fit_height(self) -> None:
        """Grows the dialog so wrapped messages under the fields are shown whole (a dialog's minimum
        size ignores the height that word-wrapped labels need at its current width)."""
        layout = self.layout()
        layout.activate()
        needed = layout.heightForWidth(self.width()) if layout.hasHeightForWidth() else layout.sizeHint().height()
        if needed > self.height():
            self.resize(self.width(), needed)

    def accept(self) -> None:
        self.form.clear_errors()
        try:
            values = self.form.values()
            if self._check is not None:
                self._check(values)
        except DomainError as exc:
            self.form.show_domain_error(exc, self._error_fields)
            return
        self.result_values = values
        super().accept()


def ask_values(parent: QWidget | None, title: str, specs: Sequence[FieldSpec],
               initial: dict[str, object] | None = None, **options: object) -> dict[str, object] | None:
    dialog = ValuesDialog(parent, title, specs, initial, **options)  # type: ignore[arg-type]
    return dialog.result_values if dialog.exec() == QDialog.DialogCode.Accepted else None


class WorkingDialog(ValuesDialog):
    """A ValuesDialog whose slow step `work(values)` (a key derivation, a server login) runs off the GUI
    thread once `check` passed: the window keeps painting while the fields and buttons are disabled and
    the dialog cannot be closed (a second 确定 does nothing); a DomainError from `work` is shown next to
    its field as a `check` error is, and success closes the dialog. `writes`: the work writes to the open
    database, so it queues behind a running import instead of racing it for the lock."""

    def __init__(self, parent: QWidget | None, title: str, specs: Sequence[FieldSpec],
                 initial: dict[str, object] | None = None, *, work: Check, writes: bool = False,
                 busy_text: str = tr("正在处理，请稍候…"), **options: Any) -> None:
        super().__init__(parent, title, specs, initial, **options)
        self._work, self._writes = work, writes
        self._submitted: dict[str, object] = {}   # the values being worked on
        self.busy = False
        self._busy_text = busy_text
        self.busy_label = QLabel()
        self.busy_label.setObjectName("busy")
        # Its line is kept while idle: shown only when busy, it squeezed the form's wrapped hints together.
        self.busy_label.setMinimumHeight(self.busy_label.fontMetrics().height())
        self.layout().insertWidget(self.layout().count() - 1, self.busy_label)   # just above the buttons

    def done(self, result: int) -> None:
        # Every way out passes here: 确定 (after `check`), 取消, Esc, the close box, 忘记密码.
        if self.busy:
            return
        if result != QDialog.DialogCode.Accepted:
            super().done(result)
            return
        values, work = dict(self.result_values or {}), self._work
        self.result_values, self._submitted = None, values   # none until the work succeeded
        self._set_busy(True)
        run_without_dialog(Operation(self.windowTitle(), lambda _progress, _cancelled: work(values),
                                     writes=self._writes), self._worked, self._failed)

    def _worked(self, _result: object) -> None:
        self._set_busy(False)
        self.result_values = self._submitted
        super().done(QDialog.DialogCode.Accepted)

    def _failed(self, exc: BaseException) -> None:
        self._set_busy(False)
        if isinstance(exc, DomainError):
            self.form.show_domain_error(exc, self._error_fields)
        else:   # a broken connection, a full disk: one line (the details go to the log)
            self.form.show_error(error_text(exc))

    def _set_busy(self, busy: bool) -> None:
        self.busy = busy
        self.busy_label.setText(self._busy_text if busy else "")
        for child in self.findChildren(QWidget, options=Qt.FindChildOption.FindDirectChildrenOnly):
            if not isinstance(child, QLabel):   # the form, 确定/取消, 忘记密码; the notes stay readable
                child.setEnabled(not busy)
        if busy:
            self.setCursor(Qt.CursorShape.BusyCursor)
        else:
            self.unsetCursor()
