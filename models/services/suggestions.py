"""检察建议 lifecycle use cases: 起草/制发 → 送达 → 回复 → 整改/跟进 → 结案 or 提起诉讼."""
from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from models.errors import DomainError
from models.oplog import tombstone
from models.registry import fill_defaults
from models.rules.doc_number import check_doc_number
from models.services.common import get_live, next_sort_key, update_fields
from models.suggestion import (
    ADOPTIONS,
    RECTIFICATIONS,
    SERVICE_METHODS,
    SUGGESTION_KINDS,
    Suggestion,
    SuggestionItem,
)


@dataclass(frozen=True)
class SuggestionRow:
    id: uuid.UUID
    doc_no: str
    kind: str
    addressee_name: str
    issued_on: dt.date | None
    served_on: dt.date | None
    reply_due: dt.date | None
    replied_on: dt.date | None
    stage: str
    urgent: bool


def stage_of(s: Suggestion) -> str:
    """Where the suggestion stands, as a clerk says it."""
    if s.litigation:
        return "已起诉"
    if s.closed_on:
        return "已结案"
    if s.rectification in ("整改中", "已整改", "未整改") and s.replied_on:
        return "整改跟进"
    if s.replied_on:
        return "已回复"
    if s.served_on:
        return "待回复"
    if s.issued_on:
        return "已制发"
    return "草稿"


def _validate(s: Suggestion) -> None:
    if s.kind not in SUGGESTION_KINDS:
        raise DomainError("suggestion_kind", f"建议类型只能是：{'、'.join(SUGGESTION_KINDS)}")
    if s.doc_no:
        check_doc_number(s.doc_no)
    if not s.addressee_name.strip():
        raise DomainError("addressee_empty", "请填写被建议单位")
    if s.service_method and s.service_method not in SERVICE_METHODS:
        raise DomainError("service_method", f"送达方式只能是：{'、'.join(SERVICE_METHODS)}")
    if s.adoption not in ADOPTIONS or s.rectification not in RECTIFICATIONS:
        raise DomainError("suggestion_status", "采纳情况或整改情况的取值不对")
    order = [("制发日期", s.issued_on), ("送达日期", s.served_on), ("回复日期", s.replied_on),
             ("结案日期", s.closed_on)]
    known = [(label, day) for label, day in order if day is not None]
    for (label_a, day_a), (label_b, day_b) in zip(known, known[1:]):
        if day_b < day_a:
            raise DomainError("suggestion_dates", f"{label_b}不能早于{label_a}")


def draft_suggestion(session: Session, addressee_name: str, *, items: list[str] | None = None,
                     **fields: object) -> Suggestion:
    suggestion = Suggestion(addressee_name=addressee_name.strip())
    update_fields(suggestion, fields)
    fill_defaults(suggestion)
    _validate(suggestion)
    session.add(suggestion)
    session.flush()
    for text in items or []:
        add_item(session, suggestion.id, text)
    return suggestion


def edit_suggestion(session: Session, suggestion_id: uuid.UUID | str, **changes: object) -> Suggestion:
    suggestion = get_live(session, Suggestion, suggestion_id)
    update_fields(suggestion, changes)
    _validate(suggestion)
    session.flush()
    return suggestion


# Type codes commonly used in 检察建议 文号 (documents-spec §2.3); the office's own numbers win.
KIND_CODES = {"诉前检察建议": "行公建", "社会治理检察建议": "建", "纠正违法检察建议": "行建", "再审检察建议": "民建",
              "其他检察建议": "建"}


def next_doc_number(session: Session, kind: str, year: int) -> str:
    """The 文号 to propose when issuing: the prefix this office last used for this kind of suggestion
    (else 院代字 + the usual type code) with the year's next serial. Only a proposal: numbers issued by
    the 统一业务应用系统 are authoritative and the clerk may type them instead."""
    from models.rules.doc_number import format_doc_number, is_valid_doc_number, parse_doc_number
    from models.settings import get_setting

    prefix = ""
    serials: dict[str, int] = {}
    numbered = session.scalars(select(Suggestion).where(Suggestion.deleted.is_(False), Suggestion.doc_no != "")
                               .order_by(Suggestion.issued_on.desc().nulls_last()))
    for s in numbered:
        if not is_valid_doc_number(s.doc_no):
            continue
        used_prefix, used_year, serial = parse_doc_number(s.doc_no)
        if not prefix and s.kind == kind:
            prefix = used_prefix
        if used_year == year:
            serials[used_prefix] = max(serials.get(used_prefix, 0), serial)
    prefix = prefix or f"{get_setting(session, 'office_code')}{KIND_CODES.get(kind, '建')}"
    return format_doc_number(prefix, year, serials.get(prefix, 0) + 1)


def issue(session: Session, suggestion_id: uuid.UUID | str, doc_no: str, issued_on: dt.date) -> Suggestion:
    if not doc_no.strip():
        raise DomainError("doc_no_empty", "制发检察建议须填写文号")
    return edit_suggestion(session, suggestion_id, doc_no=doc_no.strip(), issued_on=issued_on)


def mark_served(session: Session, suggestion_id: uuid.UUID | str, served_on: dt.date,
                method: str = "直接送达") -> Suggestion:
    suggestion = get_live(session, Suggestion, suggestion_id)
    if suggestion.issued_on is None:
        raise DomainError("not_issued", "该检察建议尚未制发，不能登记送达")
    return edit_suggestion(session, suggestion_id, served_on=served_on, service_method=method)


def record_reply(session: Session, suggestion_id: uuid.UUID | str, replied_on: dt.date, content: str,
                 *, reply_doc_no: str = "", adoption: str = "采纳") -> Suggestion:
    suggestion = get_live(session, Suggestion, suggestion_id)
    if suggestion.served_on is None:
        raise DomainError("not_served", "该检察建议尚未送达，不能登记回复")
    return edit_suggestion(session, suggestion_id, replied_on=replied_on, reply_content=content.strip(),
                           reply_doc_no=reply_doc_no.strip(), adoption=adoption)


def record_rectification(session: Session, suggestion_id: uuid.UUID | str, status: str, detail: str = "", *,
                         follow_up: str | None = None, follow_up_due: dt.date | None = None) -> Suggestion:
    """整改 and 跟进: the state of rectification, what the follow-up found, and when to look again
    (回头看; the date then shows on the dashboard until the suggestion is closed)."""
    changes: dict[str, object] = {"rectification": status, "rectification_detail": detail}
    if follow_up is not None:
        changes["follow_up"] = follow_up
    if follow_up_due is not None:
        changes["follow_up_due"] = follow_up_due
    return edit_suggestion(session, suggestion_id, **changes)


def close_suggestion(session: Session, suggestion_id: uuid.UUID | str, closed_on: dt.date, *,
                     litigation: bool = False) -> Suggestion:
    return edit_suggestion(session, suggestion_id, closed_on=closed_on, litigation=litigation)


def items_of(session: Session, suggestion_id: uuid.UUID) -> list[SuggestionItem]:
    return list(session.scalars(select(SuggestionItem).where(
        SuggestionItem.suggestion_id == suggestion_id, SuggestionItem.deleted.is_(False))
        .order_by(SuggestionItem.sort_key, SuggestionItem.id)))


def add_item(session: Session, suggestion_id: uuid.UUID, text: str) -> SuggestionItem:
    if not text.strip():
        raise DomainError("item_empty", "建议内容不能为空")
    keys = [i.sort_key for i in items_of(session, suggestion_id)]
    item = SuggestionItem(suggestion_id=suggestion_id, sort_key=next_sort_key(keys), text=text.strip())
    session.add(item)
    session.flush()
    return item


def replace_items(session: Session, suggestion_id: uuid.UUID, lines: list[str]) -> None:
    """Set the 建议内容 items to `lines`: unchanged items stay (so concurrent edits elsewhere merge),
    dropped ones are tombstoned, new ones appended."""
    wanted = [line.strip() for line in lines if line.strip()]
    existing = items_of(session, suggestion_id)
    for item in existing:
        if item.text not in wanted:
            tombstone(session, item)
    kept = {item.text for item in existing}
    for line in wanted:
        if line not in kept:
            add_item(session, suggestion_id, line)


def list_suggestions(session: Session) -> list[SuggestionRow]:
    rows = session.scalars(select(Suggestion).where(Suggestion.deleted.is_(False))
                           .order_by(Suggestion.issued_on.desc(), Suggestion.doc_no))
    return [SuggestionRow(s.id, s.doc_no, s.kind, s.addressee_name, s.issued_on, s.served_on, s.reply_due,
                          s.replied_on, stage_of(s), s.urgent) for s in rows]
