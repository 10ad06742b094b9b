"""Three-colour warning (三色预警) of a deadline, as 督查督办 systems show it.

Levels follow the schemes in use (宿迁 三色督办单, 瓯海 三色预警): red = overdue and not done,
yellow = due soon, green = on track or done; grey marks items without a date (长期坚持), which are
never overdue and only need periodic progress.

`warning_level(due, today, done=…, near_days=…)` is THE colour rule: 首页, the 检察建议 list, the 任务清单
tree and the Excel export all call it with the office's 临期天数 setting (`near_days`); the one colour
mapping for the window is ui/theme.LEVEL_COLORS.
"""
from __future__ import annotations

from datetime import date
from enum import StrEnum

from models.errors import DomainError

DEFAULT_NEAR_DAYS = 7  # a user setting: how many days before the due date an item turns yellow


class WarningLevel(StrEnum):
    RED = "red"
    YELLOW = "yellow"
    GREEN = "green"
    GREY = "grey"

    @property
    def label(self) -> str:
        return _LABELS[self]

    @property
    def urgency(self) -> int:
        """Sort key: most urgent first (red 0 … grey 3)."""
        return _ORDER.index(self)


_LABELS = {
    WarningLevel.RED: "逾期",
    WarningLevel.YELLOW: "临期",
    WarningLevel.GREEN: "正常",
    WarningLevel.GREY: "无期限",
}
ALERT_LEVELS = frozenset({WarningLevel.RED, WarningLevel.YELLOW})  # what 首页 lists and lists highlight
_ORDER = (WarningLevel.RED, WarningLevel.YELLOW, WarningLevel.GREEN, WarningLevel.GREY)


def warning_level(due: date | None, today: date, *, done: bool, near_days: int = DEFAULT_NEAR_DAYS) -> WarningLevel:
    """Red = past `due` and not done; yellow = due within `near_days` days (today included); green =
    done (whatever the date) or further off; grey = no date (长期坚持). An item due today is yellow."""
    if near_days < 0:
        raise DomainError("near_days_invalid", "临期提醒天数不能为负数", near_days=near_days)
    if done:
        return WarningLevel.GREEN
    if due is None:
        return WarningLevel.GREY
    days_to_due = (due - today).days
    if days_to_due < 0:
        return WarningLevel.RED
    if days_to_due <= near_days:
        return WarningLevel.YELLOW
    return WarningLevel.GREEN
