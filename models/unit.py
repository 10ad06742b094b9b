"""单位 directory: government bodies, procuratorates, courts and their 联络员."""
from __future__ import annotations

import uuid

from sqlalchemy import ForeignKey, String, Text, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, SyncedMixin

UNIT_KINDS = ("行政机关", "检察院", "法院", "其他")


class Unit(SyncedMixin, Base):
    __tablename__ = "unit"
    entity_name = "unit"

    name: Mapped[str] = mapped_column(String(200), default="")            # 全称
    short_name: Mapped[str] = mapped_column(String(100), default="")      # 简称
    code: Mapped[str] = mapped_column(String(40), default="")             # 代字, e.g. 宿检
    kind: Mapped[str] = mapped_column(String(20), default="行政机关")
    parent_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, ForeignKey("unit.id"), default=None)
    liaison_name: Mapped[str] = mapped_column(String(100), default="")    # 联络员
    liaison_phone: Mapped[str] = mapped_column(String(50), default="")
    note: Mapped[str] = mapped_column(Text, default="")
    # Other names lists use for this unit (市市场监督管理局 for 市市场监管局), separated by 、，,；; or new lines.
    aliases: Mapped[str] = mapped_column(Text, default="")
