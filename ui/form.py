"""A detail form built from field specs: plain values in and out, and a validation message shown in
red right under the field it concerns (DomainError codes are mapped to field names by the caller)."""
from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from models.errors import DomainError
from ui.i18n import tr

ERROR_STYLE = "color: #c0392b;"


@dataclass(frozen=True)
class FieldSpec:
    name: str
    label: str
    kind: str = "text"                 # text | multiline | date | choice | bool | password
    choices: Sequence[str] = field(default_factory=tuple)
    editable_choice: bool = False      # a combo the clerk may also type into
    read_only: bool = False
    placeholder: str = ""


def parse_date(text: str, label: str) -> dt.date | None:
    text = text.strip()
    if not text:
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise DomainError("bad_date", tr("{label}格式应为 年-月-日，例如 2026-03-01").format(label=label)) from None


class FormWidget(QWidget):
    changed = Signal()

    def __init__(self, specs: Sequence[FieldSpec], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.specs = {s.name: s for s in specs}
        self.editors: dict[str, QWidget] = {}
        self.error_labels: dict[str, QLabel] = {}
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        self.general_error = self._error_label()
        outer.addWidget(self.general_error)
        layout = QFormLayout()
        outer.addLayout(layout)
        for spec in specs:
            editor = self._editor(spec)
            box = QVBoxLayout()
            box.setSpacing(1)
            box.addWidget(editor)
            label = self._error_label()
            box.addWidget(label)
            layout.addRow(spec.label, box)
            self.editors[spec.name] = editor
            self.error_labels[spec.name] = label
        outer.addStretch(1)
        self._dirty = False
        self.changed.connect(self._mark_dirty)

    def _error_label(self) -> QLabel:
        label = QLabel()
        label.setStyleSheet(ERROR_STYLE)
        label.setWordWrap(True)
        label.hide()
        return label

    def _editor(self, spec: FieldSpec) -> QWidget:
        if spec.kind == "multiline":
            editor = QPlainTextEdit()
            editor.setFixedHeight(70)
            editor.textChanged.connect(self.changed)
        elif spec.kind == "choice":
            editor = QComboBox()
            editor.setEditable(spec.editable_choice)
            editor.addItems(list(spec.choices))
            editor.currentTextChanged.connect(self.changed)
        elif spec.kind == "bool":
            editor = QCheckBox()
            editor.toggled.connect(self.changed)
        else:
            editor = QLineEdit()
            if spec.kind == "password":
                editor.setEchoMode(QLineEdit.EchoMode.Password)
            editor.setPlaceholderText(spec.placeholder or (tr("年-月-日") if spec.kind == "date" else ""))
            editor.textEdited.connect(self.changed)
        editor.setEnabled(not spec.read_only)
        editor.setObjectName(spec.name)
        editor.setAccessibleName(spec.label)
        return editor

    # -- values ----------------------------------------------------------------------------------
    def set_values(self, values: dict[str, object]) -> None:
        for name, value in values.items():
            editor = self.editors.get(name)
            if editor is None:
                continue
            editor.blockSignals(True)
            if isinstance(editor, QPlainTextEdit):
                editor.setPlainText(str(value or ""))
            elif isinstance(editor, QComboBox):
                text = str(value or "")
                if editor.findText(text) < 0:
                    editor.addItem(text)
                editor.setCurrentText(text)
            elif isinstance(editor, QCheckBox):
                editor.setChecked(bool(value))
            elif isinstance(editor, QLineEdit):
                editor.setText(value.isoformat() if isinstance(value, dt.date) else str(value or ""))
            editor.blockSignals(False)
        self.clear_errors()
        self._dirty = False

    def values(self) -> dict[str, object]:
        """Plain values; a malformed date raises DomainError shown next to its field."""
        result: dict[str, object] = {}
        for name, editor in self.editors.items():
            spec = self.specs[name]
            if spec.read_only:
                continue
            if isinstance(editor, QPlainTextEdit):
                result[name] = editor.toPlainText().strip()
            elif isinstance(editor, QComboBox):
                result[name] = editor.currentText().strip()
            elif isinstance(editor, QCheckBox):
                result[name] = editor.isChecked()
            elif isinstance(editor, QLineEdit):
                if spec.kind == "date":
                    try:
                        result[name] = parse_date(editor.text(), spec.label)
                    except DomainError as exc:
                        raise DomainError(exc.code, exc.message, field=name) from None
                else:
                    result[name] = editor.text().strip()
        return result

    # -- state -----------------------------------------------------------------------------------
    def is_dirty(self) -> bool:
        return self._dirty

    def _mark_dirty(self) -> None:
        self._dirty = True

    def mark_clean(self) -> None:
        self._dirty = False

    def clear_errors(self) -> None:
        for label in (*self.error_labels.values(), self.general_error):
            label.clear()
            label.hide()

    def show_error(self, message: str, field_name: str | None = None) -> None:
        label = self.error_labels.get(field_name or "", self.general_error)
        label.setText(message)
        label.show()
        editor = self.editors.get(field_name or "")
        if editor is not None:
            editor.setFocus()

    def show_domain_error(self, exc: DomainError, field_of_code: dict[str, str] | None = None) -> None:
        """Next to the field the error names (or the caller maps its code to), else above the form."""
        name = exc.fields.get("field") or (field_of_code or {}).get(exc.code)
        self.show_error(exc.message, str(name) if name in self.editors else None)

    def error_text(self, field_name: str | None = None) -> str:
        label = self.error_labels.get(field_name or "", self.general_error)
        return label.text() if not label.isHidden() else ""
