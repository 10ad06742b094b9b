"""Plain, frozen data the Excel functions read and return. No ORM objects cross into reports/."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

# Same vocabulary as models.tasklist.PROGRESS_STATUSES (a test keeps them equal; reports/ stays ORM-free).
STATUS_CHOICES = ("未启动", "推进中", "已完成", "滞后", "已完成并长期坚持", "长期坚持", "已调整或取消")


@dataclass(frozen=True)
class UnitProgressData:
    """One reporting unit's newest text for a measure (unit "" = the measure as a whole)."""

    unit: str
    text: str
    reported_on: dt.date | None = None
    status: str = ""


@dataclass(frozen=True)
class MeasureData:
    text: str  # without the ① prefix
    deadline: str  # verbatim phrase, e.g. "5月底前完成并长期坚持"
    units: str  # verbatim 责任单位, e.g. "市检察院、市公安局"
    id: str = ""  # stable id (the Measure UUID as text); "" for data not from the database
    latest_progress: str = ""
    progress_on: dt.date | None = None
    status: str = ""  # one of STATUS_CHOICES or ""
    progress_id: str = ""  # id of the ProgressEntry behind latest_progress ("" = none yet)
    # Each unit's newest text, 牵头 first; when given, the export prints these instead of latest_progress.
    unit_progress: tuple[UnitProgressData, ...] = ()


@dataclass(frozen=True)
class TaskData:
    number: int
    text: str  # without the "1." prefix
    measures: tuple[MeasureData, ...]
    # The published grouping of the 完成时限/责任单位 cells when it is not the canonical one (e.g. the seed's
    # "②市检察院、市公安局 ③市检察院、市公安局"). Used on export only while it still splits to the
    # measures' current values; an edit falls back to the canonical grouping.
    deadlines_cell: str | None = None
    units_cell: str | None = None


@dataclass(frozen=True)
class AspectData:
    title: str  # without the "一、" prefix
    tasks: tuple[TaskData, ...]


@dataclass(frozen=True)
class TaskListData:
    year: int
    title: str
    aspects: tuple[AspectData, ...]

    def measures(self) -> list[tuple[AspectData, TaskData, MeasureData]]:
        return [(aspect, task, measure) for aspect in self.aspects for task in aspect.tasks
                for measure in task.measures]


@dataclass(frozen=True)
class ImportedTaskList:
    """What an import found: the list plus the rows it skipped on purpose, so nothing is dropped silently."""

    data: TaskListData
    header_row: int
    layout: str  # "单元格内编号" (①②③ in one cell) or "每条措施一行"
    notes: tuple[str, ...] = field(default_factory=tuple)  # "第20行：注：……" rows kept aside


@dataclass(frozen=True)
class LedgerRow:
    """One 检察建议 in the 台账 (domain-notes §2.4), as far as the database records it."""

    doc_no: str
    kind: str
    addressee: str
    issued_on: dt.date | None
    case_no: str = ""
    case_title: str = ""
    domain: str = ""  # 领域
    department: str = ""  # 办案部门
    items: tuple[str, ...] = ()  # 建议内容
    service_method: str = ""
    served_on: dt.date | None = None
    urgent: bool = False
    reply_due: dt.date | None = None
    replied_on: dt.date | None = None
    reply_doc_no: str = ""
    reply_content: str = ""
    adoption: str = ""
    objection: str = ""
    review_result: str = ""
    rectification: str = ""
    rectification_detail: str = ""
    follow_up: str = ""
    follow_up_due: dt.date | None = None
    litigation: bool = False
    closed_on: dt.date | None = None
    copy_to: str = ""
