"""The application font: Microsoft YaHei UI on Windows, else the bundled WenQuanYi Micro Hei, so
Chinese text has the same metrics in tests, screenshots and on clerks' PCs without a CJK font.

Its size is a per-workstation choice (设置 → 本机显示 → 字号, 10–16 pt), kept in window.ini next to the
window layout rather than in the database: one clerk's eyesight is not the office's setting, and it
must be known before the database is unlocked (the first dialogs already use it)."""
from __future__ import annotations

import sys
from functools import cache

from PySide6.QtCore import QSettings
from PySide6.QtGui import QFont, QFontDatabase
from PySide6.QtWidgets import QApplication

from models.platform import resources_dir, user_data_dir

WINDOWS_FAMILIES = ("Microsoft YaHei UI", "Microsoft YaHei")
BUNDLED_FONT = "wqy-microhei.ttc"
POINT_SIZE = 10                  # the default
SMALLEST, LARGEST = 10, 16       # the range offered in 设置
SIZE_KEY = "display/font_point_size"


def workstation_settings() -> QSettings:
    """This computer's display settings (window.ini in the user data folder)."""
    return QSettings(str(user_data_dir() / "window.ini"), QSettings.Format.IniFormat)


def saved_point_size() -> int:
    value = workstation_settings().value(SIZE_KEY, POINT_SIZE)
    size = int(value) if str(value).isdigit() else POINT_SIZE
    return min(max(size, SMALLEST), LARGEST)


@cache
def font_family() -> str:
    families = set(QFontDatabase.families())
    if sys.platform == "win32":
        for family in WINDOWS_FAMILIES:
            if family in families:
                return family
    font_id = QFontDatabase.addApplicationFont(str(resources_dir() / "fonts" / BUNDLED_FONT))
    loaded = QFontDatabase.applicationFontFamilies(font_id) if font_id >= 0 else []
    return loaded[0] if loaded else "Noto Sans CJK SC"


def app_font(point_size: int | None = None) -> QFont:
    """The window font at `point_size`, or at the size saved on this workstation."""
    return QFont(font_family(), saved_point_size() if point_size is None else point_size)


def apply_point_size(point_size: int) -> int:
    """Saves the size for this workstation and applies it to every open window at once."""
    size = min(max(int(point_size), SMALLEST), LARGEST)
    settings = workstation_settings()
    settings.setValue(SIZE_KEY, size)
    settings.sync()
    app = QApplication.instance()
    if isinstance(app, QApplication):
        app.setFont(app_font(size))
    return size
