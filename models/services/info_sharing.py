"""信息共享 register use cases. One row is one period's submission (what was sent, by whom, when); its
报送频次 phrase ("每季度首月10日前", "每月5日前") gives the next due date, read by the 完成时限 parser
(models.rules.deadline_phrase). The due list holds, per series (direction, category, 报送单位), the
next due date of the latest submission. Every function takes a Session first (write scope for changes)."""
from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from models.errors import DomainError
from models.info_share import SHARE_CATEGORIES, SHARE_DIRECTIONS, InfoShare
from models.rules.deadline_phrase import (
    DEFAULT_WEEKDAY,
    PhraseKind,
    Recurrence,
    occurrences_in_year,
    parse_deadline_phrase,
)
from models.services.common import get_live, update_fields
from models.services.edit_guard import EditBase
from models.services.transfers import OpenDeadline

SHARE_FIELDS = ("direction", "category", "provider", "period", "sent_on", "schedule", "next_due", "content", "note")
_RECURRING = (PhraseKind.RECURRING, PhraseKind.FIXED_THEN_RECURRING)


@dataclass(frozen=True)
class ShareRow:
    id: uuid.UUID
    direction: str
    category: str
    provider: str
    period: str
    sent_on: dt.date | None
    schedule: str
    next_due: dt.date | None
    superseded: bool      # a later submission of the same series exists: its next due date no longer counts


def _occurrences(schedule: str, around: dt.date) -> list[dt.date]:
    parsed = parse_deadline_phrase(schedule, around.year)
    if parsed.kind not in _RECURRING or parsed.recurrence is None:
        return [parsed.due_on] if parsed.due_on else []
    if parsed.recurrence is Recurrence.WEEKLY:
        weekday = (parsed.day_of_period or DEFAULT_WEEKDAY) - 1
        first = around - dt.timedelta(days=21)
        first += dt.timedelta(days=(weekday - first.weekday()) % 7)
        return [first + dt.timedelta(weeks=n) for n in range(8)]
    anchor = ((parsed.checkpoints[0].month, parsed.checkpoints[0].day)
              if parsed.recurrence is Recurrence.YEARLY and parsed.checkpoints else None)
    return [day for year in (around.year - 1, around.year, around.year + 1)
            for day in occurrences_in_year(parsed.recurrence, year, parsed.day_of_period, anchor,
                                           parsed.month_of_period)]


def next_report_due(schedule: str, sent_on: dt.date | None) -> dt.date | None:
    """The due date after the one a submission on `sent_on` answered. A submission answers the report
    date nearest to it (early or a few days late, the earlier on a tie); None when the phrase names no
    recurrence the parser can read (the clerk then types the date)."""
    if sent_on is None or not schedule.strip():
        return None
    parsed = parse_deadline_phrase(schedule, sent_on.year)
    if parsed.kind not in _RECURRING:
        return parsed.due_on if parsed.due_on and parsed.due_on > sent_on else None
    dates = sorted(set(_occurrences(schedule, sent_on)))
    if not dates:
        return None
    answered = min(dates, key=lambda day: (abs((day - sent_on).days), day))
    later = [day for day in dates if day > answered]
    return later[0] if later else None


def _validate(share: InfoShare) -> None:
    if share.direction not in SHARE_DIRECTIONS:
        raise DomainError("share_direction", f"报送方向只能是：{'、'.join(SHARE_DIRECTIONS)}")
    if not share.category.strip():
        raise DomainError("share_category_empty", f"请填写信息类别（如：{'、'.join(SHARE_CATEGORIES[:4])}）")
    if not share.provider.strip():
        raise DomainError("share_provider_empty", "请填写报送单位")
    if (share.schedule or "").strip() and parse_deadline_phrase(share.schedule, dt.date.today().year).kind is PhraseKind.UNKNOWN:
        raise DomainError("share_schedule", "报送频次无法识别，请写成如“每季度首月10日前”“每月5日前”“每年1月31日前”")
    if share.next_due and share.sent_on and share.next_due <= share.sent_on:
        raise DomainError("share_next_due", "下次报送期限应晚于本次报送日期")


def add_info_share(session: Session, *, provider: str, category: str = SHARE_CATEGORIES[0],
                   direction: str = SHARE_DIRECTIONS[0], next_due: dt.date | None = None,
                   **fields: object) -> InfoShare:
    """One period's submission; the next due date follows from 报送频次 unless given."""
    share = InfoShare(provider=provider.strip(), category=category.strip(), direction=direction)
    update_fields(share, {k: v for k, v in fields.items() if v is not None})
    share.next_due = next_due or next_report_due(share.schedule or "", share.sent_on)
    _validate(share)
    session.add(share)
    session.flush()
    return share


def edit_info_share(session: Session, share_id: uuid.UUID | str, *, base: EditBase | None = None,
                    **changes: object) -> InfoShare:
    """Changing 报送日期 or 报送频次 recomputes the next due date, unless the clerk sets it in the same edit.
    `base`: the field heads the form loaded (edit_guard); someone else's newer edit is not overwritten."""
    share = get_live(session, InfoShare, share_id)
    update_fields(share, changes, base)
    if ("sent_on" in changes or "schedule" in changes) and "next_due" not in changes:
        share.next_due = next_report_due(share.schedule, share.sent_on) or share.next_due
    _validate(share)
    session.flush()
    return share


def info_share_values(session: Session, share_id: uuid.UUID | str) -> dict[str, object]:
    share = get_live(session, InfoShare, share_id)
    return {name: getattr(share, name) for name in SHARE_FIELDS}


def _series(share: InfoShare) -> tuple[str, str, str]:
    return share.direction, share.category.strip(), share.provider.strip()


def _live(session: Session) -> list[InfoShare]:
    return list(session.scalars(select(InfoShare).where(InfoShare.deleted.is_(False))))


def _latest_by_series(shares: list[InfoShare]) -> dict[tuple[str, str, str], InfoShare]:
    latest: dict[tuple[str, str, str], InfoShare] = {}
    for share in sorted(shares, key=lambda s: (s.sent_on or dt.date.min, s.created_hlc)):
        latest[_series(share)] = share
    return latest


def list_info_shares(session: Session) -> list[ShareRow]:
    shares = _live(session)
    latest = {s.id for s in _latest_by_series(shares).values()}
    ordered = sorted(shares, key=lambda s: (s.sent_on or dt.date.max, s.created_hlc), reverse=True)
    return [ShareRow(s.id, s.direction, s.category, s.provider, s.period, s.sent_on, s.schedule, s.next_due,
                     s.id not in latest) for s in ordered]


def share_deadlines(session: Session) -> list[OpenDeadline]:
    """The next submission due in each series (latest submission's 下次报送期限)."""
    return [OpenDeadline(s.id, f"信息共享：{s.category}（{s.direction}）下次报送", s.provider, s.next_due)
            for s in _latest_by_series(_live(session)).values() if s.next_due is not None]
