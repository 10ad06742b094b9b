"""检察建议 lifecycle use cases: 起草/制发 → 送达 → 回复 → 整改/跟进 → 结案 or 提起诉讼."""
from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from models.errors import DomainError
from models.labels import field_label
from models.oplog import tombstone
from models.registry import fill_defaults
from models.rules.deadlines import days_left, reply_period_text
from models.rules.doc_number import check_doc_number
from models.rules.warning import WarningLevel, warning_level
from models.services.common import get_live, next_sort_key, update_fields
from models.services.edit_guard import EditBase
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


MAX_REPLY_PERIOD_DAYS = 365


def _validate(s: Suggestion) -> None:
    if s.kind not in SUGGESTION_KINDS:
        raise DomainError("suggestion_kind", f"建议类型只能是：{'、'.join(SUGGESTION_KINDS)}")
    if s.doc_no:
        try:
            check_doc_number(s.doc_no)
        except DomainError as exc:
            raise DomainError(exc.code, exc.message, **{**exc.fields, "field": "doc_no"}) from None
    if not s.addressee_name.strip():
        raise DomainError("addressee_empty", "请填写被建议单位")
    period = s.reply_period_days
    if period is not None and (isinstance(period, bool) or not isinstance(period, int)
                               or not 1 <= period <= MAX_REPLY_PERIOD_DAYS):
        raise DomainError("reply_period_days", f"建议书规定的回复期限应为1至{MAX_REPLY_PERIOD_DAYS}之间的天数，"
                          "或留空按法定期限（两个月，紧急的十五日）", field="reply_period_days")
    if len(s.domain) > 40:
        raise DomainError("domain_too_long", "领域名称过长", field="domain")
    if s.service_method and s.service_method not in SERVICE_METHODS:
        raise DomainError("service_method", f"送达方式只能是：{'、'.join(SERVICE_METHODS)}")
    if s.adoption not in ADOPTIONS or s.rectification not in RECTIFICATIONS:
        raise DomainError("suggestion_status", "采纳情况或整改情况的取值不对")
    order = [("issued_on", s.issued_on), ("served_on", s.served_on), ("replied_on", s.replied_on),
             ("closed_on", s.closed_on)]
    known = [(name, day) for name, day in order if day is not None]
    for (name_a, day_a), (name_b, day_b) in zip(known, known[1:]):
        if day_b < day_a:
            raise DomainError("suggestion_dates", f"{field_label('suggestion', name_b)}不能早于"
                              f"{field_label('suggestion', name_a)}", field=name_b)


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


def edit_suggestion(session: Session, suggestion_id: uuid.UUID | str, *, base: EditBase | None = None,
                    **changes: object) -> Suggestion:
    """`base`: the field heads the form loaded (edit_guard); someone else's newer edit is not overwritten."""
    suggestion = get_live(session, Suggestion, suggestion_id)
    update_fields(suggestion, changes, base)
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


# The lifecycle steps below take the `base` their dialog loaded, like edit_suggestion (edit_guard).
def issue(session: Session, suggestion_id: uuid.UUID | str, doc_no: str, issued_on: dt.date, *,
          base: EditBase | None = None) -> Suggestion:
    if not doc_no.strip():
        raise DomainError("doc_no_empty", "制发检察建议须填写文号")
    return edit_suggestion(session, suggestion_id, base=base, doc_no=doc_no.strip(), issued_on=issued_on)


def mark_served(session: Session, suggestion_id: uuid.UUID | str, served_on: dt.date,
                method: str = "直接送达", *, base: EditBase | None = None) -> Suggestion:
    suggestion = get_live(session, Suggestion, suggestion_id)
    if suggestion.issued_on is None:
        raise DomainError("not_issued", "该检察建议尚未制发，不能登记送达")
    return edit_suggestion(session, suggestion_id, base=base, served_on=served_on, service_method=method)


def record_reply(session: Session, suggestion_id: uuid.UUID | str, replied_on: dt.date, content: str,
                 *, reply_doc_no: str = "", adoption: str = "采纳", base: EditBase | None = None) -> Suggestion:
    suggestion = get_live(session, Suggestion, suggestion_id)
    if suggestion.served_on is None:
        raise DomainError("not_served", "该检察建议尚未送达，不能登记回复")
    return edit_suggestion(session, suggestion_id, base=base, replied_on=replied_on, reply_content=content.strip(),
                           reply_doc_no=reply_doc_no.strip(), adoption=adoption)


def record_rectification(session: Session, suggestion_id: uuid.UUID | str, status: str, detail: str = "", *,
                         follow_up: str | None = None, follow_up_due: dt.date | None = None,
                         base: EditBase | None = None) -> Suggestion:
    """整改 and 跟进: the state of rectification, what the follow-up found, and when to look again
    (回头看; the date then shows on the dashboard until the suggestion is closed)."""
    changes: dict[str, object] = {"rectification": status, "rectification_detail": detail}
    if follow_up is not None:
        changes["follow_up"] = follow_up
    if follow_up_due is not None:
        changes["follow_up_due"] = follow_up_due
    return edit_suggestion(session, suggestion_id, base=base, **changes)


def close_suggestion(session: Session, suggestion_id: uuid.UUID | str, closed_on: dt.date, *,
                     litigation: bool = False, base: EditBase | None = None) -> Suggestion:
    return edit_suggestion(session, suggestion_id, base=base, closed_on=closed_on, litigation=litigation)


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


def suggestions_of_case(session: Session, case_id: uuid.UUID) -> list[SuggestionRow]:
    """The 检察建议 made in one case (for the case form)."""
    rows = session.scalars(select(Suggestion).where(Suggestion.deleted.is_(False), Suggestion.case_id == case_id)
                           .order_by(Suggestion.issued_on.desc().nulls_first(), Suggestion.doc_no))
    return [SuggestionRow(s.id, s.doc_no, s.kind, s.addressee_name, s.issued_on, s.served_on, s.reply_due,
                          s.replied_on, stage_of(s), s.urgent) for s in rows]


def doc_no_duplicates(session: Session, doc_no: str, exclude_id: uuid.UUID | None = None) -> list[str]:
    """Other live suggestions already carrying this 文号, as "文号（被建议单位）" (a warning, not a refusal:
    two workstations may have used one number offline, which a person sorts out)."""
    doc_no = doc_no.strip()
    if not doc_no:
        return []
    query = select(Suggestion.addressee_name).where(Suggestion.deleted.is_(False), Suggestion.doc_no == doc_no)
    if exclude_id is not None:
        query = query.where(Suggestion.id != exclude_id)
    return [f"{doc_no}（{name or '未填被建议单位'}）" for name in session.scalars(query)]


def issue_defaults(session: Session, suggestion_id: uuid.UUID, today: dt.date) -> dict[str, object]:
    """What the 制发 dialog starts with: the 文号 and date already saved, else the next 文号 and today."""
    s = get_live(session, Suggestion, suggestion_id)
    return {"doc_no": s.doc_no or next_doc_number(session, s.kind, (s.issued_on or today).year),
            "issued_on": s.issued_on or today}


# -- the reply clock shown at the top of the form -------------------------------------------------
@dataclass(frozen=True)
class ReplyClock:
    due: dt.date | None
    days_left: int | None
    level: WarningLevel
    text: str          # e.g. "回复期限：2026年11月25日（还剩2天）"


def _cn_date(day: dt.date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def reply_clock(s: Suggestion, today: dt.date, near_days: int) -> ReplyClock:
    """回复期限 and the days left, coloured by the one 红黄绿 rule (done = replied or closed)."""
    period = reply_period_text(bool(s.urgent), custom_days=s.reply_period_days or None)
    if s.reply_due is None:
        text = f"回复期限：送达后起算（{period}）" if s.issued_on or s.doc_no else f"回复期限：制发送达后起算（{period}）"
        return ReplyClock(None, None, warning_level(None, today, done=bool(s.closed_on), near_days=near_days),
                          text)
    done = s.replied_on is not None or s.closed_on is not None
    left = days_left(s.reply_due, today)
    level = warning_level(s.reply_due, today, done=done, near_days=near_days)
    if s.replied_on is not None:
        late = (s.replied_on - s.reply_due).days
        state = f"已于{_cn_date(s.replied_on)}回复" + (f"，逾期{late}天" if late > 0 else "，按期")
    elif s.closed_on is not None:
        state = "未回复"
    elif left < 0:
        state = f"已逾期{-left}天"
    elif left == 0:
        state = "今天到期"
    else:
        state = f"还剩{left}天"
    if s.closed_on is not None:
        state += f"；{'已提起诉讼' if s.litigation else '已结案'}（{_cn_date(s.closed_on)}）"
    due_text = _cn_date(s.reply_due)
    return ReplyClock(s.reply_due, left, level, f"回复期限：{due_text}（{period}，{state}）")


# -- which lifecycle step may run now -------------------------------------------------------------
LIFECYCLE_STEPS = ("issue", "serve", "reply", "rectify", "close", "litigate")
DOCUMENTS = ("letter", "receipt", "reminder")


def blocked_steps(s: Suggestion) -> dict[str, str]:
    """For each lifecycle step and document: "" when the stage allows it, else why not (a tooltip)."""
    closed = ("已提起诉讼" if s.litigation else "已结案") if s.closed_on else ""
    why: dict[str, str] = {}
    why["issue"] = (f"该检察建议{closed}" if closed else
                    f"已于{s.issued_on.isoformat()}制发；如需更正文号或日期，请在下方【制发】栏修改后保存"
                    if s.issued_on else "")
    why["serve"] = (f"该检察建议{closed}" if closed else "尚未制发，请先制发" if s.issued_on is None else
                    f"已于{s.served_on.isoformat()}送达；如需更正，请在下方【送达】栏修改后保存"
                    if s.served_on else "")
    why["reply"] = (f"该检察建议{closed}" if closed else "尚未送达，送达后才能登记回复" if s.served_on is None else
                    f"已于{s.replied_on.isoformat()}登记回复；如需更正，请在下方【回复】栏修改后保存"
                    if s.replied_on else "")
    why["rectify"] = (f"该检察建议{closed}" if closed else
                      "尚未送达，送达后才能登记整改与跟进" if s.served_on is None else "")
    why["close"] = (f"该检察建议{closed}" if closed else "尚未制发，不能结案" if s.issued_on is None else "")
    why["litigate"] = (f"该检察建议{closed}" if closed else
                       "尚未送达，送达后才能提起诉讼" if s.served_on is None else "")
    why["letter"] = ""
    why["receipt"] = "尚未制发，没有送达回证" if s.issued_on is None else ""
    why["reminder"] = ("尚未送达，还不需要督促回复" if s.served_on is None else
                       "已回复，不需要督促" if s.replied_on else f"该检察建议{closed}" if closed else "")
    return why


# -- the form: one record's values in, changes out -------------------------------------------------
FOLLOW_CASE = "随关联案件"   # what the 领域 field shows when the suggestion follows its case
FORM_FIELDS = ("doc_no", "kind", "addressee_name", "urgent", "reply_period_days", "domain", "origin", "facts",
               "legal_basis", "reply_requirement", "copy_to", "issued_on", "service_method", "served_on",
               "replied_on", "reply_doc_no", "reply_content", "adoption", "objection", "review_result",
               "rectification", "rectification_detail", "follow_up", "follow_up_due", "closed_on", "litigation")


@dataclass(frozen=True)
class SuggestionView:
    values: dict[str, object]       # the form's values, as the form shows them
    clock: ReplyClock
    blocked: dict[str, str]          # step -> why not ("" = allowed)
    case_id: uuid.UUID | None
    domain: str                      # the 领域 that applies (own, else the case's, else 其他)


def suggestion_view(session: Session, suggestion_id: uuid.UUID, today: dt.date) -> SuggestionView:
    from models.derived import suggestion_domain
    from models.services.cases import case_choice
    from models.settings import get_setting

    s = get_live(session, Suggestion, suggestion_id)
    case = case_choice(session, s.case_id)
    values: dict[str, object] = {name: getattr(s, name) for name in FORM_FIELDS}
    values["reply_period_days"] = str(s.reply_period_days) if s.reply_period_days else ""
    values["domain"] = s.domain or FOLLOW_CASE
    values["case"] = case.label if case else ""
    values["items"] = "\n".join(i.text for i in items_of(session, s.id))
    values["stage"] = stage_of(s)
    values["reply_due"] = s.reply_due
    near_days = int(get_setting(session, "near_days"))
    return SuggestionView(values, reply_clock(s, today, near_days), blocked_steps(s), s.case_id,
                          suggestion_domain(s.domain, case.domain if case else None))


def _period_days(value: object) -> int | None:
    if value is None or value == "" or value == 0:
        return None
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    text = str(value).strip().removesuffix("日").removesuffix("天").strip()
    if not text or text == "0":
        return None
    if not text.isdigit():
        raise DomainError("reply_period_days", "建议书规定的回复期限请填写天数（如 30），或留空按法定期限",
                          field="reply_period_days")
    return int(text)


def _record_fields(session: Session, values: dict[str, object]) -> tuple[dict[str, object], list[str] | None]:
    """Form values -> model fields: the picked case and directory unit become ids, 随关联案件 an empty
    领域, the period text a number; the 建议内容 lines come back separately."""
    from models.services.cases import resolve_case
    from models.services.units import find_unit_by_name

    fields = {k: v for k, v in values.items() if k in FORM_FIELDS}
    if "case" in values:
        fields["case_id"] = resolve_case(session, str(values["case"] or ""))
    if "addressee_name" in fields:
        name = str(fields["addressee_name"] or "").strip()
        fields["addressee_name"] = name
        unit = find_unit_by_name(session, name) if name else None
        fields["addressee_unit_id"] = unit.id if unit else None
    if "domain" in fields:
        domain = str(fields["domain"] or "").strip()
        fields["domain"] = "" if domain == FOLLOW_CASE else domain
    if "reply_period_days" in fields:
        fields["reply_period_days"] = _period_days(fields["reply_period_days"])
    for name in ("doc_no", "reply_doc_no"):
        if name in fields:
            fields[name] = str(fields[name] or "").strip()
    items = None
    if "items" in values:
        items = [line for line in str(values["items"] or "").splitlines() if line.strip()]
    return fields, items


def save_suggestion(session: Session, suggestion_id: uuid.UUID | None, values: dict[str, object], *,
                    base: EditBase | None = None) -> uuid.UUID:
    """The suggestion form's 保存: a new draft, or the changed fields of an existing record (every stage
    included; each change is a field op, so 修改记录 shows who corrected what)."""
    fields, items = _record_fields(session, values)
    if suggestion_id is None:
        addressee = str(fields.pop("addressee_name", ""))
        return draft_suggestion(session, addressee, items=items, **fields).id
    if items is not None:
        replace_items(session, suggestion_id, items)
    if fields:
        edit_suggestion(session, suggestion_id, base=base, **fields)
    return suggestion_id
