"""The 检察建议 lifecycle buttons (制发 → 送达 → 回复 → 整改/跟进 → 结案 or 提起诉讼) and its documents.
Each step asks for its values in a small dialog, runs the core service (its DomainError is shown next
to the field), and is remembered as the page's last edit so 撤销 can write the previous values back."""
from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from sqlalchemy.orm import Session

from models.services import documents
from models.services import suggestions as svc
from models.services.common import get_live
from models.suggestion import ADOPTIONS, RECTIFICATIONS, SERVICE_METHODS, Suggestion
from ui import messages
from ui.form import FieldSpec
from ui.i18n import tr
from ui.pdf_preview import show_pdf
from ui.values_dialog import ask_values
from ui.workers import run_in_background

if TYPE_CHECKING:
    from ui.suggestion_page import SuggestionPage

LIFECYCLE_ACTIONS = (("issue", tr("制发")), ("serve", tr("送达")), ("reply", tr("登记回复")),
                     ("rectify", tr("整改/跟进")), ("close", tr("结案")), ("litigate", tr("提起诉讼")))
# What a lifecycle step may change: the snapshot that undo writes back.
UNDO_FIELDS = ("doc_no", "issued_on", "served_on", "service_method", "replied_on", "reply_content", "reply_doc_no",
               "adoption", "rectification", "rectification_detail", "follow_up", "follow_up_due", "closed_on",
               "litigation")

Step = Callable[[Session, uuid.UUID, dict[str, Any]], object]


def _steps(today: dt.date) -> dict[str, tuple[str, tuple[FieldSpec, ...], dict[str, object], Step]]:
    return {
        "issue": (tr("制发检察建议"), (FieldSpec("doc_no", tr("文号")), FieldSpec("issued_on", tr("制发日期"), "date")),
                  {"issued_on": today},
                  lambda s, i, v: svc.issue(s, i, str(v["doc_no"]), _required(v, "issued_on", tr("制发日期")))),
        "serve": (tr("登记送达"), (FieldSpec("served_on", tr("送达日期"), "date"),
                                   FieldSpec("method", tr("送达方式"), "choice", SERVICE_METHODS)),
                  {"served_on": today},
                  lambda s, i, v: svc.mark_served(s, i, _required(v, "served_on", tr("送达日期")), str(v["method"]))),
        "reply": (tr("登记回复"), (FieldSpec("replied_on", tr("回复日期"), "date"),
                                   FieldSpec("reply_doc_no", tr("回复文号")),
                                   FieldSpec("adoption", tr("采纳情况"), "choice", ADOPTIONS[1:]),
                                   FieldSpec("content", tr("回复内容"), "multiline")),
                  {"replied_on": today},
                  lambda s, i, v: svc.record_reply(s, i, _required(v, "replied_on", tr("回复日期")), str(v["content"]),
                                                   reply_doc_no=str(v["reply_doc_no"]), adoption=str(v["adoption"]))),
        "rectify": (tr("整改与跟进"), (FieldSpec("status", tr("整改情况"), "choice", RECTIFICATIONS[1:]),
                                      FieldSpec("detail", tr("整改详情"), "multiline"),
                                      FieldSpec("follow_up", tr("跟进调查/回头看"), "multiline"),
                                      FieldSpec("follow_up_due", tr("下次回头看日期"), "date")),
                    {}, _rectify),
        "close": (tr("结案"), (FieldSpec("closed_on", tr("结案日期"), "date"),), {"closed_on": today},
                  lambda s, i, v: svc.close_suggestion(s, i, _required(v, "closed_on", tr("结案日期")))),
        "litigate": (tr("提起诉讼"), (FieldSpec("closed_on", tr("起诉日期"), "date"),), {"closed_on": today},
                     lambda s, i, v: svc.close_suggestion(s, i, _required(v, "closed_on", tr("起诉日期")),
                                                          litigation=True)),
    }


def _required(values: dict[str, Any], name: str, label: str) -> dt.date:
    from models.errors import DomainError

    day = values.get(name)
    if not isinstance(day, dt.date):
        raise DomainError("date_required", tr("请填写{label}").format(label=label), field=name)
    return day


def _rectify(session: Session, row_id: uuid.UUID, values: dict[str, Any]) -> None:
    due = values.get("follow_up_due")
    svc.record_rectification(session, row_id, str(values["status"]), str(values["detail"]),
                             follow_up=str(values["follow_up"]) if values.get("follow_up") else None,
                             follow_up_due=due if isinstance(due, dt.date) else None)


def _snapshot(session: Session, row_id: uuid.UUID) -> dict[str, object]:
    s = get_live(session, Suggestion, row_id)
    return {name: getattr(s, name) for name in UNDO_FIELDS}


class SuggestionActions:
    def __init__(self, page: SuggestionPage) -> None:
        self.page = page
        self.last_pdf: bytes | None = None

    def run(self, key: str) -> bool:
        page = self.page
        row_id = page.current_id
        if row_id is None or not page.confirm_leave():
            return False
        title, specs, initial, step = _steps(page.ctx.today())[key]
        with page.ctx.db.session_scope() as session:
            before = _snapshot(session, row_id)
            if key == "issue" and not before["doc_no"]:
                kind = get_live(session, Suggestion, row_id).kind
                initial = {**initial, "doc_no": svc.next_doc_number(session, kind, page.ctx.today().year)}

        def apply(values: dict[str, object]) -> None:
            with page.ctx.db.session_scope() as session:
                step(session, row_id, values)

        error_fields = {"doc_no_empty": "doc_no", "doc_no_format": "doc_no", "suggestion_dates": next(iter(initial), "")}
        if ask_values(page, title, specs, initial, check=apply, error_fields=error_fields) is None:
            return False
        with page.ctx.db.session_scope() as session:
            after = _snapshot(session, row_id)
        page.last_edit = (row_id, {k: v for k, v in before.items() if after[k] != v})
        page.undo_button.setEnabled(True)
        page.reload()
        page.open_record(row_id)
        return True

    def preview_document(self, kind: str) -> None:
        page = self.page
        row_id, db, today = page.current_id, page.ctx.db, page.ctx.today()
        if row_id is None:
            return

        def job(progress: Callable[[int, int], None], _cancelled: Callable[[], bool]) -> bytes:
            with db.session_scope() as session:   # this worker's own session
                if kind == "letter":
                    doc: Any = documents.suggestion_letter(session, row_id, today)
                elif kind == "receipt":
                    doc = documents.service_receipt(session, row_id)
                else:
                    doc = documents.reminder_letter(session, row_id, today)
                progress(1, 2)
                return documents.render_documents(session, [doc])

        name = {"letter": tr("检察建议书"), "receipt": tr("送达回证"), "reminder": tr("督促回复函")}[kind]

        def done(data: object) -> None:
            self.last_pdf = data  # type: ignore[assignment]
            show_pdf(page, data, f"{name}-{page.heading.text()}.pdf")  # type: ignore[arg-type]

        run_in_background(page, tr("正在生成{name}…").format(name=name), job, done,
                          lambda exc: messages.show_error(page, exc))
