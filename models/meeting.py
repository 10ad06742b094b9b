"""联席会议 and their 议定事项 (which can become tasks)."""
from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import ForeignKey, String, Text, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, SyncedMixin

MEETING_KINDS = ("年度联席会议", "专题会议", "联络员会议")


class Meeting(SyncedMixin, Base):
    __tablename__ = "meeting"
    entity_name = "meeting"

    held_on: Mapped[dt.date | None] = mapped_column(default=None)
    kind: Mapped[str] = mapped_column(String(20), default="年度联席会议")
    title: Mapped[str] = mapped_column(String(300), default="")
    attendees: Mapped[str] = mapped_column(Text, default="")
    topics: Mapped[str] = mapped_column(Text, default="")
    minutes: Mapped[str] = mapped_column(Text, default="")                     # 纪要


class MeetingDecision(SyncedMixin, Base):
    __tablename__ = "meeting_decision"
    entity_name = "meeting_decision"

    meeting_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("meeting.id"), index=True)
    sort_key: Mapped[str] = mapped_column(String(40), default="")
    text: Mapped[str] = mapped_column(Text, default="")
    task_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, ForeignKey("task.id"), default=None)
