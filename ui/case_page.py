"""线索/案件 screen: the register table and one case's form."""
from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy.orm import Session

from models.case import CASE_KINDS, CASE_SOURCES, CASE_STATUSES, DEFAULT_DOMAINS, Case
from models.services.cases import edit_case, list_cases, register_case
from models.services.common import get_live
from ui.form import FieldSpec
from ui.i18n import tr
from ui.row_model import Column
from ui.table_page import Rows, TablePage

FIELDS = ("case_no", "title", "kind", "source", "domain", "received_on", "filed_on", "closed_on", "handler",
          "status", "related_units", "summary")


class CasePage(TablePage):
    title = tr("线索/案件")
    entity = "case"
    columns = (Column(tr("案号")), Column(tr("案件名称"), pinyin=True), Column(tr("类型"), filterable=True),
               Column(tr("来源"), filterable=True), Column(tr("领域"), filterable=True), Column(tr("受理日期")),
               Column(tr("状态"), filterable=True), Column(tr("承办人"), pinyin=True))
    specs = (FieldSpec("case_no", tr("案号")), FieldSpec("title", tr("案件名称")),
             FieldSpec("kind", tr("类型"), "choice", CASE_KINDS),
             FieldSpec("source", tr("线索来源"), "choice", CASE_SOURCES),
             FieldSpec("domain", tr("领域"), "choice", DEFAULT_DOMAINS, editable_choice=True),
             FieldSpec("received_on", tr("受理日期"), "date"), FieldSpec("filed_on", tr("立案日期"), "date"),
             FieldSpec("closed_on", tr("结案日期"), "date"), FieldSpec("handler", tr("承办人")),
             FieldSpec("status", tr("办理状态"), "choice", CASE_STATUSES),
             FieldSpec("related_units", tr("涉及单位")), FieldSpec("summary", tr("案情摘要"), "multiline"))
    error_fields = {"case_title_empty": "title", "case_kind": "kind", "case_source": "source",
                    "case_status": "status", "case_dates": "filed_on"}

    def load_rows(self, session: Session) -> Rows:
        return [(r.id, (r.case_no, r.title, r.kind, r.source, r.domain, r.received_on, r.status, r.handler))
                for r in list_cases(session)]

    def load_record(self, session: Session, row_id: uuid.UUID) -> dict[str, object]:
        case = get_live(session, Case, row_id)
        return {name: getattr(case, name) for name in FIELDS}

    def default_values(self) -> dict[str, object]:
        return {**{name: "" for name in FIELDS}, "kind": CASE_KINDS[0], "source": "自行发现", "domain": "其他",
                "status": CASE_STATUSES[0], "received_on": self.ctx.today()}

    def create_record(self, session: Session, values: dict[str, Any]) -> uuid.UUID:
        title = str(values.pop("title", ""))
        return register_case(session, title, **values).id

    def update_record(self, session: Session, row_id: uuid.UUID, changes: dict[str, Any]) -> None:
        edit_case(session, row_id, **changes)

    def record_heading(self, values: dict[str, object]) -> str:
        return f"{values.get('case_no') or ''} {values.get('title') or ''}".strip()
