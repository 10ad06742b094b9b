"""Local settings of this workstation (office name, 院代字, warning days...). Not replicated."""
from __future__ import annotations

import json
from typing import Any

from sqlalchemy import String, Text
from sqlalchemy.orm import Mapped, Session, mapped_column

from models.base import Base

DEFAULTS: dict[str, Any] = {
    "office_name": "××县人民检察院",
    "office_code": "××检",            # 院代字
    "near_days": 7,                   # 黄色预警: due within N days
    "backup_dir": "",                 # empty: <data folder>/backups
    "backup_interval_hours": 2,
    "font_overrides": {},             # role -> font file path
    "idle_lock_minutes": 15,          # lock the window after this long without input (0: never)
}


class Setting(Base):
    __tablename__ = "setting"

    key: Mapped[str] = mapped_column(String(60), primary_key=True)
    value: Mapped[str] = mapped_column(Text)


def get_setting(session: Session, key: str) -> Any:
    row = session.get(Setting, key)
    return json.loads(row.value) if row else DEFAULTS.get(key)


def set_setting(session: Session, key: str, value: Any) -> None:
    text = json.dumps(value, ensure_ascii=False)
    row = session.get(Setting, key)
    if row is None:
        session.add(Setting(key=key, value=text))
    else:
        row.value = text
