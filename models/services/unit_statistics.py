"""Statistics per unit for 考核 (Session first, read scope is enough): each 被建议单位's 检察建议 and each
责任单位's task measures over a period. Every figure is defined once, in the docstring of
models/services/statistics.py; the table's columns and rates in reports/statistics.py."""
from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import select
from sqlalchemy.orm import Session

from models.services.due import live_measures_query
from models.services.statistics import NO_UNIT, is_overdue_at
from models.services.tasks import derive_status, entry_order, responsible_keys, unit_key
from models.services.units import UnitDirectory, UnitRef
from models.suggestion import Suggestion
from models.tasklist import DONE_STATUSES, Measure, ProgressEntry
from reports.statistics import UnitStatisticsRow

CANCELLED = "已调整或取消"
# column order of the counts in UnitStatisticsRow after the unit label
RECEIVED, DUE, REPLIED, ON_TIME, RECTIFIED, OVERDUE, MEASURES_DUE, MEASURES_ON_TIME = range(8)


def _suggestion_key(directory: UnitDirectory, by_id: dict[uuid.UUID, UnitRef], s: Suggestion) -> str:
    unit = (by_id.get(s.addressee_unit_id) if s.addressee_unit_id else None) or directory.match(s.addressee_name)
    if unit is not None:
        return str(unit.id)
    name = s.addressee_name.strip()
    return f"name:{name}" if name else f"name:{NO_UNIT}"


def _done_since(directory: UnitDirectory, entries: list[ProgressEntry], responsible: list[str],
                key: str) -> tuple[dt.date | None, bool]:
    """(the day from which the unit has been done without a break, None if not done at the end;
    whether the measure or the unit stands 已调整或取消 at the end). `entries`: counted, up to the end."""
    newest_of_unit: dict[str, str] = {}
    since: dt.date | None = None
    cancelled = False
    for entry in sorted(entries, key=entry_order):
        entry_key = unit_key(directory, entry.unit_id, entry.unit_name)
        newest_of_unit[entry_key] = entry.status
        overall = derive_status(newest_of_unit, responsible, entry_key == "", entry.status)
        own = newest_of_unit.get(key)
        done = own in DONE_STATUSES or overall in DONE_STATUSES
        cancelled = CANCELLED in (own, overall)
        if not done:
            since = None
        elif since is None:
            since = entry.reported_on
    return since, cancelled


def unit_statistics(session: Session, first: dt.date, last: dt.date, today: dt.date) -> list[UnitStatisticsRow]:
    """One row per unit with anything to count in [first, min(last, today)], units of the directory first
    (in directory order), then addressees not in the directory by name."""
    end = min(last, today)
    directory = UnitDirectory.load(session)
    by_id = {u.id: u for u in directory.units}
    counts: dict[str, list[int]] = {}

    def bump(key: str, column: int) -> None:
        counts.setdefault(key, [0] * 8)[column] += 1

    for s in session.scalars(select(Suggestion).where(Suggestion.deleted.is_(False))):
        key = _suggestion_key(directory, by_id, s)
        if s.issued_on is not None and first <= s.issued_on <= end:
            bump(key, RECEIVED)
        if s.reply_due is not None and first <= s.reply_due <= end:
            bump(key, DUE)
            if s.replied_on is not None and s.replied_on <= end:
                bump(key, REPLIED)
                if s.replied_on <= s.reply_due:
                    bump(key, ON_TIME)
                if s.rectification == "已整改":
                    bump(key, RECTIFIED)
        if is_overdue_at(s, end):
            bump(key, OVERDUE)

    measures = [m for m, _ in session.execute(live_measures_query().where(Measure.due_on.between(first, end))).all()]
    entries: dict[uuid.UUID, list[ProgressEntry]] = {}
    if measures:
        for entry in session.scalars(select(ProgressEntry).where(
                ProgressEntry.measure_id.in_([m.id for m in measures]), ProgressEntry.deleted.is_(False),
                ProgressEntry.review == "", ProgressEntry.reported_on.is_not(None), ProgressEntry.reported_on <= end)):
            entries.setdefault(entry.measure_id, []).append(entry)
    for measure in measures:
        responsible = responsible_keys(directory, measure.units_text)
        for key in responsible:
            since, cancelled = _done_since(directory, entries.get(measure.id, []), responsible, key)
            if cancelled:
                continue
            bump(key, MEASURES_DUE)
            if since is not None and measure.due_on is not None and since <= measure.due_on:
                bump(key, MEASURES_ON_TIME)

    order = {str(u.id): n for n, u in enumerate(directory.units)}
    labels = {str(u.id): u.short_name or u.name for u in directory.units}
    keys = sorted(counts, key=lambda k: (k not in order, order.get(k, 0), k == f"name:{NO_UNIT}", k))
    return [UnitStatisticsRow(labels.get(k, k.removeprefix("name:")), *counts[k]) for k in keys]

