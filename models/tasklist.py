"""重点工作任务清单: list (year) → 方面 → 任务 → 措施 ①②③, with append-only 进展情况 entries."""
from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import ForeignKey, String, Text, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, SyncedMixin, derived

PROGRESS_STATUSES = ("未启动", "推进中", "已完成", "滞后", "已完成并长期坚持", "长期坚持", "已调整或取消")
DONE_STATUSES = frozenset({"已完成", "已完成并长期坚持", "已调整或取消"})


class TaskList(SyncedMixin, Base):
    __tablename__ = "task_list"
    entity_name = "task_list"

    year: Mapped[int] = mapped_column(default=0, index=True)
    title: Mapped[str] = mapped_column(String(300), default="")


class TaskAspect(SyncedMixin, Base):
    """方面, e.g. 重大改革推进方面 (its 一、 number comes from the order)."""

    __tablename__ = "task_aspect"
    entity_name = "task_aspect"

    list_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("task_list.id"), index=True)
    sort_key: Mapped[str] = mapped_column(String(40), default="")
    title: Mapped[str] = mapped_column(String(300), default="")


class Task(SyncedMixin, Base):
    __tablename__ = "task"
    entity_name = "task"

    aspect_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("task_aspect.id"), index=True)
    number: Mapped[int] = mapped_column(default=0)
    text: Mapped[str] = mapped_column(Text, default="")
    # The 完成时限 / 责任单位 cells as published when their grouping is not the canonical one
    # (seed 001's task 2 writes "②市检察院、市公安局 ③市检察院、市公安局"); "" = canonical grouping.
    # The xlsx export reuses them only while they still split to the measures' current values.
    deadlines_cell: Mapped[str] = mapped_column(Text, default="")
    units_cell: Mapped[str] = mapped_column(Text, default="")


class Measure(SyncedMixin, Base):
    """具体措施. The 完成时限 and 责任单位 phrases are kept verbatim (clerks expect their wording back);
    the due date is derived from the phrase locally."""

    __tablename__ = "measure"
    entity_name = "measure"

    task_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("task.id"), index=True)
    sort_key: Mapped[str] = mapped_column(String(40), default="")
    text: Mapped[str] = mapped_column(Text, default="")
    # The measure of last year's list this one continues (year roll-over: 长期坚持, recurring, unfinished).
    carried_from: Mapped[uuid.UUID | None] = mapped_column(Uuid, default=None)
    deadline_phrase: Mapped[str] = mapped_column(String(100), default="")
    due_on: Mapped[dt.date | None] = mapped_column(default=None, index=True, info=derived())
    recurrence: Mapped[str] = mapped_column(String(20), default="", info=derived())
    units_text: Mapped[str] = mapped_column(Text, default="")                  # 责任单位 (牵头 first)


# ProgressEntry.review: "" = counts; PENDING = a second, different return of the same unit for the same
# period, kept with its typed text until a person chooses; REPLACED = the text a person chose against.
REVIEW_PENDING = "待确认"
REVIEW_REPLACED = "已替换"


class ProgressEntry(SyncedMixin, Base):
    """进展情况 of one measure as one reporting unit gave it for one period (measure, unit, period).

    Append-only: a correction is a new entry, so units never overwrite each other and merging is a plain
    union. unit_name is the reporting unit as named on its 填报表 ("" = entered for the measure as a whole,
    e.g. by the office or by an import); unit_id is set when that name matched the unit directory.
    An entry with text "" is a status-only return: it changes the unit's status, never its last text."""

    __tablename__ = "progress_entry"
    entity_name = "progress_entry"

    measure_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("measure.id"), index=True)
    reported_on: Mapped[dt.date | None] = mapped_column(default=None)
    period: Mapped[str] = mapped_column(String(20), default="")                # e.g. 2022Q2
    status: Mapped[str] = mapped_column(String(20), default="推进中")
    text: Mapped[str] = mapped_column(Text, default="")
    reporter: Mapped[str] = mapped_column(String(200), default="")
    unit_name: Mapped[str] = mapped_column(String(200), default="")
    unit_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, default=None)
    review: Mapped[str] = mapped_column(String(20), default="")
