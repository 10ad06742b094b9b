"""Returned 填报表 -> rows checked against their HMACs, then reviewed against the current state.

Progress belongs to (measure, reporting unit, period), so a row is reviewed against the state of *its own
unit* only: units returning a shared measure on different days never make each other stale.

Outcomes per row:
- 新增进展: a new text, or a changed status (a status-only return);
- 无变化: an untouched row (no text, status as exported) or a text already recorded for this unit and period;
  an untouched row is never a conflict;
- 冲突: a second, *different* text of the same unit for the same period after the sheet was exported (the
  unit's newest entry for this period is not the one the sheet was exported from); the service keeps both
  texts and a person chooses;
- 拒收: a row that cannot be trusted or read (locked cell or hidden id edited, unknown status, a sheet of
  another period or unit);
- 无法匹配: the measure is no longer in the database.
Nothing here writes anywhere: the service turns 新增进展 and 冲突 rows into ProgressEntry rows.
"""
from __future__ import annotations

import datetime as dt
import hmac
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from models.errors import DomainError
from reports.xlsx.data import STATUS_CHOICES
from reports.xlsx.fill_sheets import (
    BASE_COLUMN,
    HEADER_ROW,
    HEADERS,
    ID_COLUMN,
    LOCKED_COLUMNS,
    MAC_COLUMN,
    META_SHEET,
    PROGRESS_COLUMN,
    REPORTER_COLUMN,
    SHEET_TITLE,
    STATUS_COLUMN,
    mac,
    row_mac,
)
from reports.xlsx.grid import cell_text, where
from reports.xlsx.safety import open_workbook

NEW, UNCHANGED, CONFLICT, REFUSED, UNMATCHED = "新增进展", "无变化", "冲突", "拒收", "无法匹配"


@dataclass(frozen=True)
class ReturnedRow:
    row: int
    measure_id: str
    base_progress_id: str
    locked: tuple[str, ...]  # 序号 … 上次进展 as read back
    row_mac: str
    progress: str
    status: str
    reporter: str


@dataclass(frozen=True)
class ReturnedSheet:
    export_id: str
    unit: str
    period: str
    as_of: dt.date
    year: int
    identity: tuple[str, ...]
    rows: tuple[ReturnedRow, ...]


@dataclass(frozen=True)
class CurrentMeasure:
    """What the database holds now for one measure from the returning unit."""

    id: str
    latest_progress_id: str  # the unit's newest entry ("" when none yet)
    latest_progress: str = ""  # the unit's newest text
    latest_period: str = ""  # period of the unit's newest entry
    status: str = ""  # the unit's newest status
    base_status: str = ""  # status of the entry the row was exported from (what column H was filled with)
    recorded: frozenset[tuple[str, str]] = frozenset()  # (period, text) the unit already returned


@dataclass(frozen=True)
class RowOutcome:
    row: int
    measure_id: str
    kind: str  # NEW / UNCHANGED / CONFLICT / UNMATCHED
    reason: str = ""
    progress: str = ""
    status: str = ""
    reporter: str = ""
    measure_text: str = ""


def read_fill_sheet(source: bytes | Path | str, key: bytes) -> ReturnedSheet:
    workbook = open_workbook(source)
    if META_SHEET not in workbook.sheetnames or SHEET_TITLE not in workbook.sheetnames:
        raise DomainError("fill_not_ours", "该文件不是本系统导出的进展情况填报表（缺少填报表标识）")
    meta = workbook[META_SHEET]
    values = {cell_text(meta.cell(row, 1).value): cell_text(meta.cell(row, 2).value) for row in range(1, 9)}
    identity = [values.get(name, "") for name in ("format", "export_id", "unit", "period", "as_of", "year")]
    if not hmac.compare_digest(values.get("mac", ""), mac(key, ["meta", *identity])):
        raise DomainError("fill_meta_tampered", "填报表标识校验失败：文件不是本系统导出的，或隐藏的标识信息已被改动")
    sheet = workbook[SHEET_TITLE]
    header = [cell_text(sheet.cell(HEADER_ROW, column).value) for column in range(1, len(HEADERS) + 1)]
    if header != list(HEADERS):
        column = next(index for index, (a, b) in enumerate(zip(header, HEADERS), start=1) if a != b)
        raise DomainError("fill_header_changed", f"{where(HEADER_ROW, column)}：表头被改动（应为“{HEADERS[column - 1]}”），"
                          "请勿增删或移动列", row=HEADER_ROW, column=column)
    rows = []
    for row in range(HEADER_ROW + 1, sheet.max_row + 1):
        texts = [cell_text(sheet.cell(row, column).value) for column in range(1, len(HEADERS) + 1)]
        if not any(texts):
            continue
        rows.append(ReturnedRow(row, texts[ID_COLUMN - 1], texts[BASE_COLUMN - 1], tuple(texts[:LOCKED_COLUMNS]), texts[MAC_COLUMN - 1],
                                texts[PROGRESS_COLUMN - 1], texts[STATUS_COLUMN - 1], texts[REPORTER_COLUMN - 1]))
    return ReturnedSheet(identity[1], identity[2], identity[3], dt.date.fromisoformat(identity[4]), int(identity[5]),
                         tuple(identity), tuple(rows))


def review_returns(sheet: ReturnedSheet, key: bytes, current: Mapping[str, CurrentMeasure],
                   expected_period: str | None = None,
                   expected_units: frozenset[str] | None = None) -> list[RowOutcome]:
    """Classify every returned row; a sheet of another period or unit makes every row refused."""
    return [_review_row(sheet, key, row, current, sheet_problem(sheet, expected_period, expected_units))
            for row in sheet.rows]


def sheet_problem(sheet: ReturnedSheet, expected_period: str | None = None,
                  expected_units: frozenset[str] | None = None) -> str:
    if expected_period is not None and sheet.period != expected_period:
        return f"表格属于{sheet.period}期次，不是本次收集的{expected_period}期次"
    if expected_units is not None and sheet.unit not in expected_units:
        return f"表格属于“{sheet.unit}”，不是本次收集的单位"
    return ""


def _review_row(sheet: ReturnedSheet, key: bytes, row: ReturnedRow, current: Mapping[str, CurrentMeasure],
                sheet_problem: str) -> RowOutcome:
    def outcome(kind: str, reason: str = "") -> RowOutcome:
        return RowOutcome(row.row, row.measure_id, kind, reason, row.progress, row.status, row.reporter,
                          row.locked[2] if len(row.locked) > 2 else "")

    if sheet_problem:
        return outcome(REFUSED, f"{where(row.row)}：{sheet_problem}")
    expected_mac = row_mac(key, list(sheet.identity), row.measure_id, row.base_progress_id, list(row.locked))
    if not hmac.compare_digest(row.row_mac, expected_mac):
        return outcome(REFUSED, f"{where(row.row)}：锁定列（序号至上次进展）或隐藏标识被改动，本行未导入")
    state = current.get(row.measure_id)
    if state is None:
        return outcome(UNMATCHED, f"{where(row.row)}：数据库中找不到该措施（可能已删除）")
    if row.status and row.status not in STATUS_CHOICES:
        return outcome(REFUSED, f"{where(row.row, STATUS_COLUMN)}：无法识别的完成状态“{row.status}”")
    if not row.progress:
        if not row.status or row.status in (state.base_status, state.status):
            return outcome(UNCHANGED)
        return outcome(NEW)  # a status-only return
    if (sheet.period, row.progress) in state.recorded or (
            state.latest_progress == row.progress and state.latest_period == sheet.period):
        if row.status and row.status != state.status:  # the same text again with a new status
            return RowOutcome(row.row, row.measure_id, NEW, "", "", row.status, row.reporter,
                              row.locked[2] if len(row.locked) > 2 else "")
        return outcome(UNCHANGED, "该进展已导入过")
    if (state.latest_progress_id and state.latest_progress_id != row.base_progress_id
            and state.latest_period == sheet.period and state.latest_progress):
        return outcome(CONFLICT, f"{where(row.row)}：本单位本期已交回过不同的进展（“{_short(state.latest_progress)}”），"
                                 "两份都已保存，请选择采用哪一份")
    return outcome(NEW)


def _short(text: str, limit: int = 20) -> str:
    return text if len(text) <= limit else text[:limit] + "…"
