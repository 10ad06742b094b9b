"""线索移送 register, both directions: 行政机关 → 检察院 (公益诉讼线索 etc.), 检察院 → 行政机关 (反向衔接:
不起诉 → 行政处罚), and the 两法衔接 监督移送 / 立案监督. The receiver feeds back within a period (7 日 by
default, set per kind in the office settings) counted from 接收 (or 移送 while 接收 is not recorded)."""
from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import ForeignKey, String, Text, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, SyncedMixin

TRANSFER_KINDS = ("线索移送", "反向衔接", "监督移送", "立案监督")
TO_PROCURATORATE = "行政机关移送检察院"
TO_ADMINISTRATION = "检察院移送行政机关"
TRANSFER_DIRECTIONS = (TO_PROCURATORATE, TO_ADMINISTRATION)
DEFAULT_FEEDBACK_DAYS = 7  # "7日内反馈办理情况" (seeds: 线索移送、案件协查 mechanisms)


class Transfer(SyncedMixin, Base):
    __tablename__ = "clue_transfer"
    entity_name = "transfer"

    kind: Mapped[str] = mapped_column(String(20), default="线索移送")
    direction: Mapped[str] = mapped_column(String(20), default=TO_PROCURATORATE)
    doc_no: Mapped[str] = mapped_column(String(100), default="")              # 移送函文号
    title: Mapped[str] = mapped_column(String(300), default="")               # 线索/案件名称
    from_unit: Mapped[str] = mapped_column(String(200), default="")           # 移送单位
    to_unit: Mapped[str] = mapped_column(String(200), default="")             # 接收单位
    sent_on: Mapped[dt.date | None] = mapped_column(default=None)             # 移送日期
    received_on: Mapped[dt.date | None] = mapped_column(default=None)         # 接收日期
    feedback_days: Mapped[int] = mapped_column(default=DEFAULT_FEEDBACK_DAYS)  # 反馈期限（日）
    feedback_on: Mapped[dt.date | None] = mapped_column(default=None)         # 反馈日期
    feedback: Mapped[str] = mapped_column(Text, default="")                   # 反馈情况（办理结果）
    summary: Mapped[str] = mapped_column(Text, default="")                    # 线索内容
    case_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, ForeignKey("case_record.id"), default=None)
    to_government: Mapped[bool] = mapped_column(default=False)                # 送政府方 (gov_view sync)
