"""The 检察建议 lifecycle buttons (制发 → 送达 → 回复 → 整改/跟进 → 结案 or 提起诉讼) and its documents.
Each step asks for its values in a small dialog, runs the core service (its DomainError is shown next
to the field), and is remembered as the page's last edit so 撤销 can write the previous values back.
A recorded step is corrected in its section of the form; the buttons only move the record forward."""
from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from PySide6.QtWidgets import QDialog, QLineEdit

from models.errors import DomainError
from models.services import documents
from models.services import suggestions as svc
from models.suggestion import ADOPTIONS, RECTIFICATIONS, SERVICE_METHODS, Suggestion
from ui import messages
from ui.form import EditGuard, FieldSpec
from ui.i18n import tr
from ui.pdf_preview import show_pdf
from ui.values_dialog import ValuesDialog
from ui.workers import run_in_background

if TYPE_CHECKING:
    from ui.suggestion_page import SuggestionPage

LIFECYCLE_ACTIONS = (("issue", tr("制发")), ("serve", tr("送达")), ("reply", tr("登记回复")),
                     ("rectify", tr("整改/跟进")), ("close", tr("结案")), ("litigate", tr("提起诉讼")))
DOCUMENT_BUTTONS = (("letter", tr("检察建议书")), ("receipt", tr("送达回证")), ("reminder", tr("督促回复函")))

Step = Callable[[Any, uuid.UUID, dict[str, Any], Any], object]   # (session, row id, values, edit base)


def _steps() -> dict[str, tuple[str, tuple[FieldSpec, ...], Step]]:
    return {
        "issue": (tr("制发检察建议"), (FieldSpec("doc_no", tr("文号")), FieldSpec("issued_on", tr("制发日期"), "date")),
                  lambda s, i, v, b: svc.issue(s, i, str(v["doc_no"]), _required(v, "issued_on", tr("制发日期")),
                                               base=b)),
        "serve": (tr("登记送达"), (FieldSpec("served_on", tr("送达日期"), "date"),
                                   FieldSpec("method", tr("送达方式"), "choice", SERVICE_METHODS)),
                  lambda s, i, v, b: svc.mark_served(s, i, _required(v, "served_on", tr("送达日期")), str(v["method"]),
                                                     base=b)),
        "reply": (tr("登记回复"), (FieldSpec("replied_on", tr("回复日期"), "date"),
                                   FieldSpec("reply_doc_no", tr("回复文号")),
                                   FieldSpec("adoption", tr("采纳情况"), "choice", ADOPTIONS[1:]),
                                   FieldSpec("content", tr("回复内容"), "multiline")),
                  lambda s, i, v, b: svc.record_reply(s, i, _required(v, "replied_on", tr("回复日期")), str(v["content"]),
                                                      reply_doc_no=str(v["reply_doc_no"]), adoption=str(v["adoption"]),
                                                      base=b)),
        "rectify": (tr("整改与跟进"), (FieldSpec("status", tr("整改情况"), "choice", RECTIFICATIONS[1:]),
                                      FieldSpec("detail", tr("整改详情"), "multiline"),
                                      FieldSpec("follow_up", tr("跟进调查/回头看"), "multiline"),
                                      FieldSpec("follow_up_due", tr("下次回头看日期"), "date")),
                    _rectify),
        "close": (tr("结案"), (FieldSpec("closed_on", tr("结案日期"), "date"),),
                  lambda s, i, v, b: svc.close_suggestion(s, i, _required(v, "closed_on", tr("结案日期")), base=b)),
        "litigate": (tr("提起诉讼"), (FieldSpec("closed_on", tr("起诉日期"), "date"),),
                     lambda s, i, v, b: svc.close_suggestion(s, i, _required(v, "closed_on", tr("起诉日期")),
                                                             litigation=True, base=b)),
    }


def _required(values: dict[str, Any], name: str, label: str) -> dt.date:
    day = values.get(name)
    if not isinstance(day, dt.date):
        raise DomainError("date_required", tr("请填写{label}").format(label=label), field=name)
    return day


def _rectify(session: Any, row_id: uuid.UUID, values: dict[str, Any], base: Any) -> None:
    due = values.get("follow_up_due")
    svc.record_rectification(session, row_id, str(values["status"]), str(values["detail"]),
                             follow_up=str(values["follow_up"]) if values.get("follow_up") else None,
                             follow_up_due=due if isinstance(due, dt.date) else None, base=base)


def _initial(key: str, current: dict[str, object], today: dt.date, defaults: dict[str, object]) -> dict[str, object]:
    """A step's dialog starts from what is already recorded (so it never hides a saved value)."""
    if key == "issue":
        return defaults
    if key == "rectify":
        return {"status": current.get("rectification") or RECTIFICATIONS[2],
                "detail": current.get("rectification_detail") or "", "follow_up": current.get("follow_up") or "",
                "follow_up_due": current.get("follow_up_due")}
    if key == "serve":
        return {"served_on": today, "method": current.get("service_method") or SERVICE_METHODS[0]}
    if key == "reply":
        return {"replied_on": today, "reply_doc_no": current.get("reply_doc_no") or "",
                "adoption": current.get("adoption") or ADOPTIONS[1], "content": current.get("reply_content") or ""}
    return {name: today for name in ("closed_on",)}


class SuggestionActions:
    def __init__(self, page: SuggestionPage) -> None:
        self.page = page
        self.last_pdf: bytes | None = None
        self.last_dialog: ValuesDialog | None = None

    def run(self, key: str) -> bool:
        page = self.page
        row_id = page.current_id
        if row_id is None or not page.confirm_leave():
            return False
        today = page.ctx.today()
        title, specs, step = _steps()[key]
        guard = EditGuard(Suggestion)   # a step saved meanwhile at another desk is not overwritten
        with page.ctx.db.read_scope() as session:
            before = svc.suggestion_view(session, row_id, today).values
            defaults = svc.issue_defaults(session, row_id, today) if key == "issue" else {}
            guard.load(session, row_id)

        def write(values: dict[str, object], base: dict[str, tuple[str, ...]] | None) -> None:
            with page.ctx.db.write_scope() as session:
                step(session, row_id, values, base)

        def apply(values: dict[str, object]) -> None:
            guard.save_in_dialog(page, page.ctx.db.read_scope, lambda base: write(values, base))

        error_fields = {"doc_no_empty": "doc_no", "doc_no_format": "doc_no", "suggestion_dates": specs[0].name}
        dialog = ValuesDialog(page, title, specs, _initial(key, before, today, defaults), check=apply,
                              error_fields=error_fields)
        if key == "issue":
            self._warn_duplicates(dialog, row_id)
        self.last_dialog = dialog
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return False
        page.last_edit = (row_id, {})   # 撤销 reverts it from the op log (models.services.undo)
        page.undo_button.setEnabled(True)
        page.reload()
        page.open_record(row_id)
        return True

    def _warn_duplicates(self, dialog: ValuesDialog, row_id: uuid.UUID) -> None:
        """Warn as the 文号 is typed (and at once for the proposed one) when another suggestion has it."""
        from ui.suggestion_page import add_field_note, show_duplicates

        note = add_field_note(dialog.form, "doc_no")
        editor = dialog.form.editors["doc_no"]
        assert isinstance(editor, QLineEdit)

        def check(text: str) -> None:
            with self.page.ctx.db.read_scope() as session:
                show_duplicates(note, svc.doc_no_duplicates(session, text, row_id))

        editor.textChanged.connect(check)
        check(editor.text())

    def preview_document(self, kind: str) -> None:
        page = self.page
        row_id, db, today = page.current_id, page.ctx.db, page.ctx.today()
        if row_id is None:
            return

        def render(fmt: str) -> bytes:
            with db.session_scope() as session:   # this worker's own session (the audit entry is a write)
                if kind == "letter":
                    doc: Any = documents.suggestion_letter(session, row_id, today)
                elif kind == "receipt":
                    doc = documents.service_receipt(session, row_id)
                else:
                    doc = documents.reminder_letter(session, row_id, today)
                return documents.render_documents(session, [doc], fmt)

        def job(progress: Callable[[int, int], None], _cancelled: Callable[[], bool]) -> bytes:
            progress(1, 2)
            return render("pdf")

        name = {"letter": tr("检察建议书"), "receipt": tr("送达回证"), "reminder": tr("督促回复函")}[kind]

        def done(data: object) -> None:
            self.last_pdf = data  # type: ignore[assignment]
            # 导出Word: the same document as an editable .docx, made when the clerk asks for it.
            show_pdf(page, data, f"{name}-{page.heading.text()}.pdf",  # type: ignore[arg-type]
                     docx_job=lambda: render("docx"))

        run_in_background(page, tr("正在生成{name}…").format(name=name), job, done,
                          lambda exc: messages.show_error(page, exc), writes=True)  # audited: a write
