"""检察建议 and its lifecycle: 制发 → 送达 → 回复 → 整改/跟进 → 结案 or 提起诉讼."""
from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import ForeignKey, Index, String, Text, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, SyncedMixin, derived

SUGGESTION_KINDS = ("诉前检察建议", "社会治理检察建议", "纠正违法检察建议", "再审检察建议", "其他检察建议")
SERVICE_METHODS = ("直接送达", "宣告送达", "留置送达", "邮寄送达（检察专递）", "委托送达", "其他")
ADOPTIONS = ("", "采纳", "部分采纳", "未采纳")
RECTIFICATIONS = ("", "已整改", "整改中", "未整改")


class Suggestion(SyncedMixin, Base):
    __tablename__ = "suggestion"
    # 首页 counts suggestions by stage (models.services.dashboard.STAGE_CONDITIONS) from this index alone.
    # Its due list and tile counts (models.services.due) read the open replies and 回头看 dates in date
    # order from the next two, without visiting the rows.
    __table_args__ = (Index("ix_suggestion_live_stage", "deleted", "litigation", "closed_on", "replied_on",
                            "rectification", "served_on", "issued_on"),
                      Index("ix_suggestion_open_reply", "deleted", "closed_on", "replied_on", "reply_due"),
                      Index("ix_suggestion_open_follow_up", "deleted", "closed_on", "follow_up_due"))
    entity_name = "suggestion"

    doc_no: Mapped[str] = mapped_column(String(100), default="", index=True)    # 文号, 〔〕 validated
    kind: Mapped[str] = mapped_column(String(40), default="诉前检察建议")
    case_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, ForeignKey("case_record.id"), default=None)
    addressee_unit_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, ForeignKey("unit.id"), default=None)
    addressee_name: Mapped[str] = mapped_column(String(200), default="")       # 被建议单位
    domain: Mapped[str] = mapped_column(String(40), default="")                 # 领域; "" = that of the case
    origin: Mapped[str] = mapped_column(Text, default="")                       # 案件来源
    facts: Mapped[str] = mapped_column(Text, default="")                        # 查明的事实
    legal_basis: Mapped[str] = mapped_column(Text, default="")                  # 认定依据
    reply_requirement: Mapped[str] = mapped_column(Text, default="")            # 回复要求
    issued_on: Mapped[dt.date | None] = mapped_column(default=None)             # 制发日期
    service_method: Mapped[str] = mapped_column(String(40), default="")         # 送达方式
    served_on: Mapped[dt.date | None] = mapped_column(default=None)             # 送达日期 (签收日期)
    urgent: Mapped[bool] = mapped_column(default=False)                         # 紧急: 15 days
    # 回复期限（日） the 建议书 set itself ("可以根据实际情况确定相应的回复期限"); None = the legal default
    reply_period_days: Mapped[int | None] = mapped_column(default=None)
    reply_due: Mapped[dt.date | None] = mapped_column(default=None, index=True, info=derived())
    replied_on: Mapped[dt.date | None] = mapped_column(default=None)
    reply_doc_no: Mapped[str] = mapped_column(String(100), default="")
    reply_content: Mapped[str] = mapped_column(Text, default="")
    adoption: Mapped[str] = mapped_column(String(20), default="")               # 采纳情况
    objection: Mapped[str] = mapped_column(Text, default="")                    # 异议
    review_result: Mapped[str] = mapped_column(Text, default="")                # 复核
    rectification: Mapped[str] = mapped_column(String(20), default="")         # 整改情况
    rectification_detail: Mapped[str] = mapped_column(Text, default="")
    follow_up: Mapped[str] = mapped_column(Text, default="")                    # 跟进调查/回头看
    follow_up_due: Mapped[dt.date | None] = mapped_column(default=None)         # 下次跟进/回头看日期
    litigation: Mapped[bool] = mapped_column(default=False)                     # 是否提起诉讼
    closed_on: Mapped[dt.date | None] = mapped_column(default=None)             # 结案
    copy_to: Mapped[str] = mapped_column(Text, default="")                      # 抄送
    to_government: Mapped[bool] = mapped_column(default=True)                   # 送政府方 (gov view)
    department: Mapped[str] = mapped_column(String(100), default="")            # 办案部门 (else the case's)


class SuggestionItem(SyncedMixin, Base):
    """One 建议内容 item; child rows (not a JSON list) so two offices can add items concurrently."""

    __tablename__ = "suggestion_item"
    entity_name = "suggestion_item"

    suggestion_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("suggestion.id"), index=True)
    sort_key: Mapped[str] = mapped_column(String(40), default="")
    text: Mapped[str] = mapped_column(Text, default="")
