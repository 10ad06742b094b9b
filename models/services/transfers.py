"""线索移送 register use cases. Every function takes a Session first: the write scope for add/edit and
the 反馈期限 setting, any scope for reads. The 反馈期限 is counted from 接收 (from 移送 while 接收 is not
recorded) by the office's period for the kind (7 日 by default); a period ending on a rest day or
holiday ends on the next working day, as every other legal clock (models.rules.deadlines)."""
from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from models.case import Case
from models.errors import DomainError
from models.rules.deadlines import reply_due
from models.rules.holidays import HolidayCalendar
from models.rules.warning import WarningLevel, warning_level
from models.services.common import get_live, update_fields
from models.services.edit_guard import EditBase
from models.settings import get_setting, set_setting
from models.transfer import (
    DEFAULT_FEEDBACK_DAYS,
    TO_ADMINISTRATION,
    TRANSFER_DIRECTIONS,
    TRANSFER_KINDS,
    Transfer,
)

FEEDBACK_DAYS_SETTING = "transfer_feedback_days"   # {kind: days}, office-wide, not replicated
MAX_FEEDBACK_DAYS = 365
TRANSFER_FIELDS = ("kind", "direction", "doc_no", "title", "from_unit", "to_unit", "sent_on", "received_on",
                   "feedback_days", "feedback_on", "feedback", "summary", "case_id", "to_government")


@dataclass(frozen=True)
class TransferRow:
    id: uuid.UUID
    kind: str
    direction: str
    doc_no: str
    title: str
    from_unit: str
    to_unit: str
    sent_on: dt.date | None
    received_on: dt.date | None
    feedback_due: dt.date | None
    feedback_on: dt.date | None
    level: WarningLevel

    @property
    def state(self) -> str:
        if self.feedback_on is not None:
            return "已反馈"
        return "待反馈" if self.feedback_due is not None else "未移送"


def _check_days(days: object) -> int:
    try:
        value = int(str(days).strip())
    except ValueError:
        value = 0
    if not 1 <= value <= MAX_FEEDBACK_DAYS:
        raise DomainError("transfer_feedback_days", f"反馈期限应为 1 到 {MAX_FEEDBACK_DAYS} 之间的天数")
    return value


def feedback_days_by_kind(session: Session) -> dict[str, int]:
    """The office's 反馈期限 (days) for each kind of transfer; 7 日 where none is set."""
    stored = get_setting(session, FEEDBACK_DAYS_SETTING) or {}
    return {kind: int(stored.get(kind, DEFAULT_FEEDBACK_DAYS)) for kind in TRANSFER_KINDS}


def set_feedback_days(session: Session, days_by_kind: dict[str, object]) -> None:
    """Sets the default 反馈期限 of new transfers per kind (existing transfers keep their own)."""
    current = feedback_days_by_kind(session)
    for kind, days in days_by_kind.items():
        if kind not in TRANSFER_KINDS:
            raise DomainError("transfer_kind", f"移送类型只能是：{'、'.join(TRANSFER_KINDS)}")
        current[kind] = _check_days(days)
    set_setting(session, FEEDBACK_DAYS_SETTING, current)


def feedback_due(transfer: Transfer, calendar: HolidayCalendar) -> dt.date | None:
    """Last day for the 反馈: 接收 (or 移送) + the transfer's period, moved off rest days and holidays."""
    start = transfer.received_on or transfer.sent_on
    if start is None:
        return None
    return reply_due(start, custom_days=transfer.feedback_days, calendar=calendar)


def _validate(session: Session, transfer: Transfer) -> None:
    if not transfer.title.strip():
        raise DomainError("transfer_title_empty", "请填写线索名称")
    if transfer.kind not in TRANSFER_KINDS:
        raise DomainError("transfer_kind", f"移送类型只能是：{'、'.join(TRANSFER_KINDS)}")
    if transfer.direction not in TRANSFER_DIRECTIONS:
        raise DomainError("transfer_direction", f"移送方向只能是：{'、'.join(TRANSFER_DIRECTIONS)}")
    if transfer.kind == "反向衔接" and transfer.direction != TO_ADMINISTRATION:
        raise DomainError("transfer_direction", "反向衔接是检察院（不起诉后）移送行政机关给予行政处罚，方向应为“检察院移送行政机关”")
    _check_days(transfer.feedback_days)
    if transfer.sent_on and transfer.received_on and transfer.received_on < transfer.sent_on:
        raise DomainError("transfer_received_before_sent", "接收日期不能早于移送日期")
    start = transfer.received_on or transfer.sent_on
    if transfer.feedback_on and start and transfer.feedback_on < start:
        raise DomainError("transfer_feedback_before_start", "反馈日期不能早于接收（移送）日期")
    if transfer.feedback_on and start is None:
        raise DomainError("transfer_feedback_before_start", "请先填写移送日期，再填写反馈日期")
    if transfer.case_id is not None:
        get_live(session, Case, transfer.case_id)


def add_transfer(session: Session, title: str, *, kind: str = "线索移送", direction: str = "",
                 feedback_days: int | None = None, **fields: object) -> Transfer:
    """A new 移送; its 反馈期限 defaults to the office's period for the kind."""
    if kind not in TRANSFER_KINDS:
        raise DomainError("transfer_kind", f"移送类型只能是：{'、'.join(TRANSFER_KINDS)}")
    days = feedback_days if feedback_days is not None else feedback_days_by_kind(session)[kind]
    default_direction = TO_ADMINISTRATION if kind == "反向衔接" else TRANSFER_DIRECTIONS[0]
    transfer = Transfer(title=title.strip(), kind=kind, direction=direction or default_direction,
                        feedback_days=_check_days(days))
    update_fields(transfer, {k: v for k, v in fields.items() if v is not None})
    _validate(session, transfer)
    session.add(transfer)
    session.flush()
    return transfer


def edit_transfer(session: Session, transfer_id: uuid.UUID | str, *, base: EditBase | None = None,
                  **changes: object) -> Transfer:
    """`base`: the field heads the form loaded (edit_guard); someone else's newer edit is not overwritten."""
    transfer = get_live(session, Transfer, transfer_id)
    if "feedback_days" in changes:
        changes = {**changes, "feedback_days": _check_days(changes["feedback_days"])}
    update_fields(transfer, changes, base)
    _validate(session, transfer)
    session.flush()
    return transfer


def transfer_values(session: Session, transfer_id: uuid.UUID | str) -> dict[str, object]:
    transfer = get_live(session, Transfer, transfer_id)
    return {name: getattr(transfer, name) for name in TRANSFER_FIELDS}


def list_transfers(session: Session, today: dt.date, near_days: int, calendar: HolidayCalendar) -> list[TransferRow]:
    rows = []
    for t in session.scalars(select(Transfer).where(Transfer.deleted.is_(False))
                             .order_by(Transfer.sent_on.desc(), Transfer.created_hlc.desc())):
        due = feedback_due(t, calendar)
        level = warning_level(due, today, done=t.feedback_on is not None, near_days=near_days)
        rows.append(TransferRow(t.id, t.kind, t.direction, t.doc_no, t.title, t.from_unit, t.to_unit, t.sent_on,
                                t.received_on, due, t.feedback_on, level))
    return rows


@dataclass(frozen=True)
class OpenDeadline:
    """A date some party still has to meet (the due list makes its colour and days left)."""
    ref_id: uuid.UUID
    title: str
    party: str
    due: dt.date
    open_id: uuid.UUID | None = None   # the record to open, when it is not ref_id


def awaiting_feedback(session: Session, calendar: HolidayCalendar) -> list[OpenDeadline]:
    """Transfers sent and not yet answered, with their 反馈期限."""
    found = []
    for t in session.scalars(select(Transfer).where(Transfer.deleted.is_(False), Transfer.feedback_on.is_(None))):
        due = feedback_due(t, calendar)
        if due is not None:
            label = f"{t.kind} {t.doc_no} {t.title}".replace("  ", " ")
            found.append(OpenDeadline(t.id, f"{label[:40]} 待反馈", t.to_unit, due))
    return found

