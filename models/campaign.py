"""专项活动: a campaign run jointly by a 牵头 unit and 参与 units, in phases (动员部署, 自查自纠, 集中整治,
总结提高 …) with dates, a 总结 deadline, and the cases and suggestions it produced."""
from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import ForeignKey, String, Text, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, SyncedMixin

PHASE_NAMES = ("动员部署", "自查自纠", "集中整治", "总结提高")
LINK_ENTITIES = ("case", "suggestion")


class Campaign(SyncedMixin, Base):
    __tablename__ = "campaign"
    entity_name = "campaign"

    name: Mapped[str] = mapped_column(String(300), default="")
    lead_units: Mapped[str] = mapped_column(Text, default="")        # 牵头单位
    member_units: Mapped[str] = mapped_column(Text, default="")      # 参与单位
    started_on: Mapped[dt.date | None] = mapped_column(default=None)
    summary_due: Mapped[dt.date | None] = mapped_column(default=None)  # 总结报送期限
    summary_on: Mapped[dt.date | None] = mapped_column(default=None)   # 总结报送日期
    content: Mapped[str] = mapped_column(Text, default="")           # 活动内容
    summary: Mapped[str] = mapped_column(Text, default="")           # 工作总结


class CampaignPhase(SyncedMixin, Base):
    __tablename__ = "campaign_phase"
    entity_name = "campaign_phase"

    campaign_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("campaign.id"), index=True)
    sort_key: Mapped[str] = mapped_column(String(40), default="")
    name: Mapped[str] = mapped_column(String(100), default="")
    start_on: Mapped[dt.date | None] = mapped_column(default=None)
    end_on: Mapped[dt.date | None] = mapped_column(default=None)
    done_on: Mapped[dt.date | None] = mapped_column(default=None)    # 阶段完成日期


class CampaignLink(SyncedMixin, Base):
    """A case or suggestion the campaign produced (one row per link, so two sites linking never clash)."""
    __tablename__ = "campaign_link"
    entity_name = "campaign_link"

    campaign_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("campaign.id"), index=True)
    target_entity: Mapped[str] = mapped_column(String(20), default="case")
    target_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, default=None)
