"""Colours that carry meaning (the 红黄绿 warning levels), and text sizes that follow the 字号 setting."""
from __future__ import annotations

from PySide6.QtCore import QEvent
from PySide6.QtGui import QColor, QGuiApplication

from models.rules.warning import WarningLevel

LEVEL_COLORS = {WarningLevel.RED: QColor("#f8c9c4"), WarningLevel.YELLOW: QColor("#fbe7a1"),
                WarningLevel.GREEN: QColor("#cdebc5")}


def points(larger_by: int) -> int:
    """A text size `larger_by` points above the window font (设置 → 字号), for style sheets: 首页's tiles
    and counts, the navigation list and the reply clock grow with the font the clerk chose."""
    return QGuiApplication.font().pointSize() + larger_by


# what a widget receives when the window font changes (a window: the first; its children: the second)
FONT_EVENTS = (QEvent.Type.ApplicationFontChange, QEvent.Type.FontChange)
