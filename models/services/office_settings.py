"""设置 as one use case: validated together, saved in one transaction (the GUI shows the message next
to the field named in the error)."""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy.orm import Session

from models.errors import DomainError
from models.permissions import require
from models.settings import get_setting, set_setting
from reports.pdf.fonts import Face

FONT_ROLES = tuple(face.value for face in Face)  # the document typefaces an office may point at its own files


@dataclass(frozen=True)
class OfficeSettings:
    office_name: str
    office_code: str
    near_days: int
    idle_lock_minutes: int
    backup_dir: str = ""
    font_overrides: dict[str, str] = field(default_factory=dict)  # role -> font file


def load_office_settings(session: Session) -> OfficeSettings:
    return OfficeSettings(str(get_setting(session, "office_name")), str(get_setting(session, "office_code")),
                          int(get_setting(session, "near_days")), int(get_setting(session, "idle_lock_minutes")),
                          str(get_setting(session, "backup_dir") or ""), dict(get_setting(session, "font_overrides") or {}))


def _whole_number(text: object, low: int, high: int, code: str, field_name: str, message: str) -> int:
    value = str(text).strip()
    if not value.isdigit() or not low <= int(value) <= high:
        raise DomainError(code, message, field=field_name)
    return int(value)


def parse_office_settings(values: dict[str, object]) -> OfficeSettings:
    """From the form's text values; raises DomainError(field=…) for the first wrong one."""
    name = str(values.get("office_name", "")).strip()
    if not name:
        raise DomainError("office_name", "请填写院名", field="office_name")
    near = _whole_number(values.get("near_days"), 1, 90, "near_days", "near_days", "临期预警天数应为 1 到 90 之间的整数")
    idle = _whole_number(values.get("idle_lock_minutes"), 0, 240, "idle_lock", "idle_lock_minutes",
                         "自动锁定时间应为 0 到 240 之间的整数（分钟）")
    backup_dir = str(values.get("backup_dir", "")).strip()
    if backup_dir and not Path(backup_dir).is_dir():
        raise DomainError("backup_dir", f"备份文件夹不存在：{backup_dir}", field="backup_dir")
    fonts = {role: str(values[f"font_{role}"]).strip() for role in FONT_ROLES if str(values.get(f"font_{role}", "")).strip()}
    for role, path in fonts.items():
        if not Path(path).is_file():
            raise DomainError("font_missing", f"找不到字体文件：{path}", field=f"font_{role}")
    return OfficeSettings(name, str(values.get("office_code", "")).strip(), near, idle, backup_dir, fonts)


def save_office_settings(session: Session, settings: OfficeSettings) -> None:
    require(session, "settings")
    for key in ("office_name", "office_code", "near_days", "idle_lock_minutes", "backup_dir", "font_overrides"):
        set_setting(session, key, getattr(settings, key))
