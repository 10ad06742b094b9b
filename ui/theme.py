"""Colours that carry meaning: the 红黄绿 warning levels."""
from __future__ import annotations

from PySide6.QtGui import QColor

from models.rules.warning import WarningLevel

LEVEL_COLORS = {WarningLevel.RED: QColor("#f8c9c4"), WarningLevel.YELLOW: QColor("#fbe7a1"),
                WarningLevel.GREEN: QColor("#cdebc5")}
