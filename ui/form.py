"""A detail form built from field specs: plain values in and out, and a validation message shown in
red right under the field it concerns (DomainError codes are mapped to field names by the caller).

Editors by kind: text/password → QLineEdit, multiline → QPlainTextEdit, choice → QComboBox, bool →
QCheckBox, date → ui.date_edit.DateEdit (calendar popup, typed dates, may be empty), int → QSpinBox
(minimum..maximum), file/folder → QLineEdit with a 浏览… button (ui.files dialogs)."""
from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QSizePolicy,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from models.errors import DomainError
from models.services.edit_guard import record_base
from ui import files
from ui.date_edit import BadDate, DateEdit, parse_date_text
from ui.i18n import tr

ERROR_STYLE = "color: #c0392b;"
HINT_STYLE = "color: #555555;"


@dataclass(frozen=True)
class FieldSpec:
    name: str
    label: str
    kind: str = "text"                 # text | multiline | date | int | choice | bool | password | file | folder
    choices: Sequence[str] = field(default_factory=tuple)
    editable_choice: bool = False      # a combo the clerk may also type into
    read_only: bool = False
    placeholder: str = ""
    minimum: int = 0                   # int: the spin box range
    maximum: int = 999999
    suffix: str = ""                   # int: unit shown after the number (" 天", " 分钟")
    hint: str = ""                     # a grey, word-wrapped note under the field (rules, examples)
    file_filter: str = ""              # file: the 浏览… dialog's filter, e.g. "字体文件 (*.ttf *.otf)"


def bad_date_message(label: str) -> str:
    return tr("{label}格式应为 年-月-日，例如 2026-03-01").format(label=label)


def parse_date(text: str, label: str) -> dt.date | None:
    """A typed date in any accepted form (see ui.date_edit); DomainError("bad_date") otherwise."""
    try:
        return parse_date_text(text)
    except BadDate:
        raise DomainError("bad_date", bad_date_message(label)) from None


class FormWidget(QWidget):
    changed = Signal()
    messages_shown = Signal()   # an error appeared: a dialog around the form may need to grow

    def __init__(self, specs: Sequence[FieldSpec], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.specs = {s.name: s for s in specs}
        self.editors: dict[str, QWidget] = {}
        self.error_labels: dict[str, QLabel] = {}
        self.browse_buttons: dict[str, QPushButton] = {}
        self.hints: dict[str, QLabel] = {}
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        self.general_error = self._error_label()
        outer.addWidget(self.general_error)
        layout = QFormLayout()
        layout.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)   # large fonts: field under its label
        layout.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        outer.addLayout(layout)
        for spec in specs:
            editor = self._editor(spec)
            box = QVBoxLayout()
            box.setSpacing(1)
            if spec.kind in ("file", "folder"):
                box.addLayout(self._with_browse(spec, editor))
            else:
                box.addWidget(editor)
            if spec.hint:
                hint = QLabel(spec.hint)
                hint.setObjectName(f"hint_{spec.name}")
                hint.setWordWrap(True)
                hint.setStyleSheet(HINT_STYLE)
                box.addWidget(hint)
                self.hints[spec.name] = hint
            label = self._error_label()
            box.addWidget(label)
            layout.addRow("" if spec.kind == "bool" else spec.label, box)   # a check box carries its own text
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
        editor: QWidget
        if spec.kind == "multiline":
            editor = QPlainTextEdit()
            editor.setFixedHeight(70)
            editor.setTabChangesFocus(True)
            editor.textChanged.connect(self.changed)
        elif spec.kind == "choice":
            editor = QComboBox()
            editor.setEditable(spec.editable_choice)
            editor.addItems(list(spec.choices))
            editor.currentTextChanged.connect(self.changed)
        elif spec.kind == "bool":
            editor = QCheckBox(spec.label)
            editor.toggled.connect(self.changed)
        elif spec.kind == "date":
            editor = DateEdit()
            editor.setMinimumWidth(150)
            editor.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)
            editor.lineEdit().textEdited.connect(self.changed)
            editor.dateChanged.connect(self.changed)
            editor.cleared.connect(self.changed)
            editor.invalid_text.connect(lambda _text, name=spec.name, label=spec.label:
                                        self.show_error(bad_date_message(label), name, focus=False))
        elif spec.kind == "int":
            editor = QSpinBox()
            editor.setRange(spec.minimum, spec.maximum)
            editor.setSuffix(spec.suffix)
            editor.setMinimumWidth(120)
            editor.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)   # a number, not a text line
            editor.valueChanged.connect(self.changed)
        else:
            editor = QLineEdit()
            if spec.kind == "password":
                editor.setEchoMode(QLineEdit.EchoMode.Password)
            editor.textEdited.connect(self.changed)
        if spec.placeholder and isinstance(editor, QLineEdit | QPlainTextEdit):
            editor.setPlaceholderText(spec.placeholder)
        editor.setEnabled(not spec.read_only)
        editor.setObjectName(spec.name)
        editor.setAccessibleName(spec.label)
        return editor

    def _with_browse(self, spec: FieldSpec, editor: QWidget) -> QHBoxLayout:
        row = QHBoxLayout()
        row.setSpacing(4)
        row.addWidget(editor, 1)
        button = QPushButton(tr("浏览…"))
        button.setObjectName(f"browse_{spec.name}")
        button.setEnabled(not spec.read_only)
        button.clicked.connect(lambda _=False, s=spec: self.browse(s.name))
        row.addWidget(button)
        self.browse_buttons[spec.name] = button
        return row

    def browse(self, name: str) -> None:
        """浏览… next to a file or folder field: the dialog opens where the current value points."""
        spec, editor = self.specs[name], self.editors[name]
        assert isinstance(editor, QLineEdit)
        current = Path(editor.text().strip()) if editor.text().strip() else None
        if spec.kind == "folder":
            chosen = files.ask_folder(self, tr("选择{label}").format(label=spec.label), current)
        else:
            chosen = files.ask_open_path(self, tr("选择{label}").format(label=spec.label),
                                         spec.file_filter or tr("所有文件 (*)"),
                                         current.parent if current is not None else None)
        if chosen is not None:
            editor.setText(str(chosen))
            self.changed.emit()

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
            elif isinstance(editor, DateEdit):
                editor.lineEdit().blockSignals(True)
                editor.set_value(value if isinstance(value, dt.date) else self._date_or_none(str(value or "")))
                editor.lineEdit().blockSignals(False)
            elif isinstance(editor, QSpinBox):
                editor.setValue(int(str(value)) if str(value or "").strip().lstrip("-").isdigit() else 0)
            elif isinstance(editor, QLineEdit):
                editor.setText(value.isoformat() if isinstance(value, dt.date) else str(value or ""))
            editor.blockSignals(False)
        self.clear_errors()
        self._dirty = False

    @staticmethod
    def _date_or_none(text: str) -> dt.date | None:
        try:
            return parse_date_text(text)
        except BadDate:
            return None

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
            elif isinstance(editor, DateEdit):
                try:
                    result[name] = editor.typed_date()
                except BadDate:
                    raise DomainError("bad_date", bad_date_message(spec.label), field=name) from None
            elif isinstance(editor, QSpinBox):
                result[name] = editor.value()
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

    def first_editor(self) -> QWidget | None:
        return next((e for name, e in self.editors.items() if not self.specs[name].read_only), None)

    def focus_first(self) -> None:
        """Ctrl+N / 新建: the cursor goes to the first field the clerk can type in."""
        editor = self.first_editor()
        if editor is not None:
            editor.setFocus()
            if isinstance(editor, QLineEdit):
                editor.selectAll()

    def clear_errors(self) -> None:
        for label in (*self.error_labels.values(), self.general_error):
            label.clear()
            label.hide()
        for hint in self.hints.values():
            hint.show()

    def show_error(self, message: str, field_name: str | None = None, *, focus: bool = True) -> None:
        label = self.error_labels.get(field_name or "", self.general_error)
        label.setText(message)
        label.show()
        hint = self.hints.get(field_name or "")
        if hint is not None and hint.text() == message:
            hint.hide()   # the same rule in red replaces the grey note
        editor = self.editors.get(field_name or "")
        if editor is not None and focus:
            editor.setFocus()
        self.messages_shown.emit()

    def show_domain_error(self, exc: DomainError, field_of_code: dict[str, str] | None = None) -> None:
        """Next to the field the error names (or the caller maps its code to), else above the form."""
        name = exc.fields.get("field") or (field_of_code or {}).get(exc.code)
        self.show_error(exc.message, str(name) if name in self.editors else None)

    def error_text(self, field_name: str | None = None) -> str:
        label = self.error_labels.get(field_name or "", self.general_error)
        return label.text() if not label.isHidden() else ""


# -- two clerks editing one record at once (models/services/edit_guard.py) ------------------------------
class EditConflictDialog(QDialog):
    """The fields a save would have overwritten, side by side: what this clerk typed, what is stored now
    and who stored it. 用我填写的内容覆盖 = save again knowingly; 取消 keeps the typed text in the form."""

    def __init__(self, parent: QWidget | None, exc: DomainError) -> None:
        super().__init__(parent)
        self.setWindowTitle(tr("保存冲突"))
        layout = QVBoxLayout(self)
        intro = QLabel(tr("您打开这条记录后，别人已修改并保存了下列字段。您填写的内容仍保留在表单中。"))
        intro.setWordWrap(True)
        layout.addWidget(intro)
        grid = QGridLayout()
        for column, heading in enumerate((tr("字段"), tr("您填写的"), tr("已保存的"), tr("修改人"))):
            grid.addWidget(QLabel(f"<b>{heading}</b>"), 0, column)
        self.rows: list[tuple[str, str, str, str]] = []
        for row, conflict in enumerate(exc.fields.get("conflicts", ()), start=1):
            cells = (conflict.label, value_text(conflict.mine), value_text(conflict.theirs), "、".join(conflict.by))
            self.rows.append(cells)
            for column, text in enumerate(cells):
                label = QLabel(text)
                label.setWordWrap(True)
                label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
                grid.addWidget(label, row, column)
        layout.addLayout(grid)
        buttons = QDialogButtonBox()
        self.overwrite_button = buttons.addButton(tr("用我填写的内容覆盖"), QDialogButtonBox.ButtonRole.AcceptRole)
        buttons.addButton(tr("取消（保留我填写的内容）"), QDialogButtonBox.ButtonRole.RejectRole)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)


def ask_overwrite(parent: QWidget | None, exc: DomainError) -> bool:
    """Shows the conflict; True when the clerk chooses to overwrite (tests replace this function)."""
    return EditConflictDialog(parent, exc).exec() == QDialog.DialogCode.Accepted


def value_text(value: object) -> str:
    if value is None or value == "":
        return tr("（空）")
    if isinstance(value, bool):
        return tr("是") if value else tr("否")
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


class EditGuard:
    """What a record form loaded of its record's field heads (models/services/edit_guard.py): its save
    hands `base_for(row_id)` to the service, which refuses to overwrite someone else's newer edit of a
    field with edit_conflict; `resolve` then shows both values and, on 覆盖, saves again knowingly."""

    def __init__(self, cls: type, fields: Sequence[str] | None = None) -> None:
        self.cls = cls
        self.fields = tuple(fields) if fields is not None else None   # None: every replicated field
        self.row_id: object = None
        self.base: dict[str, tuple[str, ...]] | None = None

    def load(self, session: object, row_id: object) -> None:
        """In the read snapshot the form's values come from."""
        self.row_id, self.base = row_id, record_base(session, self.cls, row_id, self.fields)  # type: ignore[arg-type]

    def clear(self) -> None:
        self.row_id, self.base = None, None

    def base_for(self, row_id: object) -> dict[str, tuple[str, ...]] | None:
        return self.base if row_id is not None and row_id == self.row_id else None

    def resolve(self, parent: QWidget, exc: DomainError, read_scope: Callable[[], Any],
                save: Callable[[], bool]) -> bool:
        """After a refused save (its write transaction closed): both values side by side; on 覆盖 the
        conflicting fields take what is stored now as their base and `save` runs again."""
        if exc.code != "edit_conflict" or not ask_overwrite(parent, exc):
            return False
        with read_scope() as session:
            fresh = record_base(session, self.cls, self.row_id, self.fields)  # type: ignore[arg-type]
        names = {conflict.field for conflict in exc.fields.get("conflicts", ())}
        self.base = {**(self.base or {}), **{name: fresh[name] for name in names if name in fresh}}
        return save()

    def save_in_dialog(self, parent: QWidget, read_scope: Callable[[], Any],
                       save: Callable[[dict[str, tuple[str, ...]] | None], object]) -> object:
        """A dialog's check (ui.values_dialog): `save(base)` in its own write transaction; a conflict is
        shown side by side and, on 覆盖, saved again; refused, the error stays next to its field."""
        try:
            return save(self.base_for(self.row_id))
        except DomainError as exc:
            if exc.code != "edit_conflict":
                raise
            result: list[object] = []
            if self.resolve(parent, exc, read_scope, lambda: result.append(save(self.base)) is None):
                return result[0]
            raise
