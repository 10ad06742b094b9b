"""The application font: Microsoft YaHei UI on Windows, else the bundled WenQuanYi Micro Hei, so
Chinese text has the same metrics in tests, screenshots and on clerks' PCs without a CJK font."""
from __future__ import annotations

import sys

from PySide6.QtGui import QFont, QFontDatabase

from models.platform import resources_dir

WINDOWS_FAMILIES = ("Microsoft YaHei UI", "Microsoft YaHei")
BUNDLED_FONT = "wqy-microhei.ttc"
POINT_SIZE = 10


def app_font(point_size: int = POINT_SIZE) -> QFont:
    families = set(QFontDatabase.families())
    if sys.platform == "win32":
        for family in WINDOWS_FAMILIES:
            if family in families:
                return QFont(family, point_size)
    font_id = QFontDatabase.addApplicationFont(str(resources_dir() / "fonts" / BUNDLED_FONT))
    loaded = QFontDatabase.applicationFontFamilies(font_id) if font_id >= 0 else []
    font = QFont(loaded[0] if loaded else "Noto Sans CJK SC", point_size)
    return font
