"""A small modal dialog over FormWidget that returns plain values (or None when cancelled).
`check` runs before the dialog closes; a DomainError it raises is shown next to its field."""
from __future__ import annotations

from collections.abc import Callable, Sequence

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QVBoxLayout, QWidget

from models.errors import DomainError
from ui.form import FieldSpec, FormWidget
from ui.i18n import tr

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
