"""线索/案件 register (公益诉讼 and 行政检察). Only what may leave the 检察专网: a side ledger with
案号 cross-references, not case files."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, SyncedMixin

CASE_SOURCES = ("12345热线", "信访", "两法衔接平台", "行政机关移送", "自行发现", "益心为公平台", "其他")
CASE_KINDS = ("线索", "行政公益诉讼", "民事公益诉讼", "行政检察", "行政违法行为监督", "行政非诉执行监督", "反向衔接")
CASE_STATUSES = ("线索登记", "初核", "立案", "诉前程序", "提起诉讼", "结案", "不立案")
# 公益诉讼 fields: a starting list; offices extend it in settings (the statutory list keeps growing).
DEFAULT_DOMAINS = (
    "生态环境和资源保护", "食品药品安全", "国有财产保护", "国有土地使用权出让", "英烈权益保护",
    "未成年人保护", "安全生产", "个人信息保护", "文物和文化遗产保护", "其他",
)


class Case(SyncedMixin, Base):
    __tablename__ = "case_record"
    # 首页 counts cases by 办理状态 from this index alone, not by reading every (encrypted) case page.
    __table_args__ = (Index("ix_case_record_live_status", "deleted", "status"),)
    entity_name = "case"

    case_no: Mapped[str] = mapped_column(String(100), default="", index=True)   # 案号 (not unique: merges)
    title: Mapped[str] = mapped_column(String(300), default="")
    kind: Mapped[str] = mapped_column(String(40), default="线索")
    source: Mapped[str] = mapped_column(String(40), default="自行发现")
    domain: Mapped[str] = mapped_column(String(40), default="其他")              # 领域
    received_on: Mapped[dt.date | None] = mapped_column(default=None)           # 受理
    filed_on: Mapped[dt.date | None] = mapped_column(default=None)              # 立案
    closed_on: Mapped[dt.date | None] = mapped_column(default=None)             # 结案
    handler: Mapped[str] = mapped_column(String(100), default="")               # 承办人
    department: Mapped[str] = mapped_column(String(100), default="")            # 办案部门
    status: Mapped[str] = mapped_column(String(20), default="线索登记")
    summary: Mapped[str] = mapped_column(Text, default="")
    related_units: Mapped[str] = mapped_column(Text, default="")                # names joined by 、
