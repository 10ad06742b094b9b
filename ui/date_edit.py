"""The date field of every form: a QDateEdit with a calendar popup that also takes typed dates the way
clerks write them (2026-03-05, 2026.3.5, 2026/3/5, 2026年3月5日, 20260305) and can be left empty ("no date").

An empty field holds the sentinel EMPTY (the minimum date) and shows "（未填）". The text in the box is
what counts: `typed_date()` parses it, so a date typed but not yet confirmed (no Enter, no focus change)
is still the one saved, and an impossible date such as 2026-02-30 is reported instead of silently
replaced by the previous value (which is what QDateEdit itself would do)."""
from __future__ import annotations

import datetime as dt
import re
import unicodedata

from PySide6.QtCore import QDate, QDateTime, QLocale, QTime, Signal
from PySide6.QtGui import QFocusEvent, QMouseEvent, QValidator
from PySide6.QtWidgets import QDateEdit, QWidget

from ui.i18n import tr

EMPTY = QDate(1900, 1, 1)
LATEST = QDate(2099, 12, 31)
DISPLAY_FORMAT = "yyyy-MM-dd"
_DATE = re.compile(r"^(\d{4})\s*[-./年]\s*(\d{1,2})\s*[-./月]\s*(\d{1,2})\s*日?$")
_COMPACT = re.compile(r"^(\d{4})(\d{2})(\d{2})$")
_PARTIAL = re.compile(r"^[\d\s\-./年月日]*$")


class BadDate(ValueError):
    """The text is not a date in any of the accepted ways of writing one."""


def parse_date_text(text: str) -> dt.date | None:
    """None for an empty text; raises BadDate for anything that is not a real calendar date."""
    cleaned = unicodedata.normalize("NFKC", text).strip()   # full-width digits and ．／ from Chinese input
    if not cleaned:
        return None
    match = _DATE.match(cleaned) or _COMPACT.match(cleaned)
    if match is None:
        raise BadDate(text)
    try:
        return dt.date(*(int(part) for part in match.groups()))
    except ValueError:
        raise BadDate(text) from None


class DateEdit(QDateEdit):
    invalid_text = Signal(str)   # the clerk left the field with text that is not a date

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setLocale(QLocale(QLocale.Language.Chinese, QLocale.Country.China))  # 一月…, 周一… in the popup
        self.setCalendarPopup(True)
        self.setDisplayFormat(DISPLAY_FORMAT)
        self.setDateRange(EMPTY, LATEST)
        self.setSpecialValueText(tr("（未填）"))
        self.setKeyboardTracking(False)    # interpret on Enter or leaving, not half-way through typing
        self.setDate(EMPTY)
        self.lineEdit().setClearButtonEnabled(True)   # the small ✕ empties the date (for mouse users)
        self.lineEdit().textChanged.connect(self._cleared)
        self.setToolTip(tr("可直接输入，如 2026-03-05、2026.3.5、2026年3月5日；清空即为不填"))

    cleared = Signal()   # the clerk emptied the field (✕ or deleting the text)

    def _cleared(self, text: str) -> None:
        if text or self.signalsBlocked():
            return
        if not self.hasFocus():
            # ✕ clicked on a field without focus: QDateTimeEdit has just put the old date back
            self.setDate(EMPTY)
        self.cleared.emit()

    # -- plain values ----------------------------------------------------------------------------
    def set_value(self, value: dt.date | None) -> None:
        self.setDate(QDate(value.year, value.month, value.day) if value else EMPTY)

    def typed_date(self) -> dt.date | None:
        """The date the box shows (None when empty); raises BadDate for text that is not a date."""
        text = self.lineEdit().text()
        if text == self.specialValueText():
            return None
        return parse_date_text(text)

    def setText(self, text: str) -> None:  # noqa: N802 - same name as QLineEdit's, for code that types
        """Puts text in the box as if typed (it is interpreted when the field is left or read)."""
        self.lineEdit().setText(text)
        if self.lineEdit().text() != text:
            # Without focus QDateTimeEdit re-reads the text at once and puts the old date back over an
            # impossible one; keep it, as typing would, so reading the form reports it.
            self._keep_text(text)

    def text(self) -> str:
        text = self.lineEdit().text()
        return "" if text == self.specialValueText() else text

    # -- Qt overrides ----------------------------------------------------------------------------
    def validate(self, text: str, pos: int) -> object:
        cleaned = unicodedata.normalize("NFKC", text).strip()
        if text == self.specialValueText() or not cleaned:
            return QValidator.State.Acceptable, text, pos
        try:
            parse_date_text(cleaned)
        except BadDate:
            state = QValidator.State.Intermediate if _PARTIAL.match(cleaned) else QValidator.State.Invalid
            return state, text, pos
        return QValidator.State.Acceptable, text, pos

    def fixup(self, text: str) -> str:
        return text

    def dateTimeFromText(self, text: str) -> QDateTime:  # noqa: N802 - Qt override
        try:
            value = parse_date_text(text)
        except BadDate:
            value = None
        return QDateTime(QDate(value.year, value.month, value.day) if value else EMPTY, QTime(0, 0))

    def textFromDateTime(self, value: QDateTime) -> str:  # noqa: N802 - Qt override
        return value.date().toString(DISPLAY_FORMAT)

    def focusNextPrevChild(self, forward: bool) -> bool:  # noqa: N802 - Qt override
        # Tab leaves the field (QDateTimeEdit would walk through year, month and day first).
        return QWidget.focusNextPrevChild(self, forward)

    def _is_bad(self, text: str) -> bool:
        if text == self.specialValueText():
            return False
        try:
            parse_date_text(text)
        except BadDate:
            return True
        return False

    def _keep_text(self, text: str) -> None:
        edit = self.lineEdit()
        edit.blockSignals(True)
        edit.setText(text)
        edit.blockSignals(False)

    def focusInEvent(self, event: QFocusEvent) -> None:  # noqa: N802 - Qt override
        text = self.lineEdit().text()
        super().focusInEvent(event)
        if self.lineEdit().text() != text and self._is_bad(text):
            self._keep_text(text)     # QDateTimeEdit shows its last good date again; keep what needs correcting
        self.lineEdit().selectAll()   # typing replaces the whole date

    def focusOutEvent(self, event: QFocusEvent) -> None:  # noqa: N802 - Qt override
        text = self.lineEdit().text()
        try:
            self.typed_date()
        except BadDate:
            super().focusOutEvent(event)
            self._keep_text(text)   # keep what was typed so the clerk sees what to correct
            self.invalid_text.emit(text)
            return
        super().focusOutEvent(event)

    def stepBy(self, steps: int) -> None:  # noqa: N802 - Qt override
        if self.date() == EMPTY:   # arrow keys on an empty field start from today, not from 1900
            self.setDate(QDate.currentDate())
            return
        super().stepBy(steps)

    def mousePressEvent(self, event: QMouseEvent) -> None:  # noqa: N802 - Qt override
        super().mousePressEvent(event)
        if self.date() == EMPTY:   # the popup opens on this month, not on January 1900
            today = QDate.currentDate()
            self.calendarWidget().setCurrentPage(today.year(), today.month())
