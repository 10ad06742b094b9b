"""信息共享 register: what the government side sends the procuratorate (行政复议 and 行政诉讼 figures,
规范性文件 备案, major 行政处罚 information) and what the procuratorate sends back, one row per period
sent, with the period's recurrence ("每季度首月10日前") and the next due date it gives."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import String, Text
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, SyncedMixin

FROM_GOVERNMENT = "政府方报送检察院"
FROM_PROCURATORATE = "检察院报送政府方"
SHARE_DIRECTIONS = (FROM_GOVERNMENT, FROM_PROCURATORATE)
SHARE_CATEGORIES = ("行政复议数据", "行政诉讼数据", "规范性文件备案", "重大行政处罚信息", "法律监督数据", "其他")


class InfoShare(SyncedMixin, Base):
    __tablename__ = "info_share"
    entity_name = "info_share"

    direction: Mapped[str] = mapped_column(String(20), default=FROM_GOVERNMENT)
    category: Mapped[str] = mapped_column(String(40), default="行政复议数据")
    provider: Mapped[str] = mapped_column(String(200), default="")     # 报送单位
    period: Mapped[str] = mapped_column(String(60), default="")        # 所属期间, e.g. 2026年第三季度
    sent_on: Mapped[dt.date | None] = mapped_column(default=None)      # 报送日期
    schedule: Mapped[str] = mapped_column(String(100), default="")     # 报送频次, e.g. 每季度首月10日前
    next_due: Mapped[dt.date | None] = mapped_column(default=None)     # 下次报送期限
    content: Mapped[str] = mapped_column(Text, default="")             # 主要内容 / 数据
    note: Mapped[str] = mapped_column(Text, default="")
