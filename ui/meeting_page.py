"""联席会议 screen: meetings, their 议定事项, and turning a 议定事项 into a task of a year's list."""
from __future__ import annotations

import uuid
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QGroupBox,
    QHBoxLayout,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)
from sqlalchemy import select
from sqlalchemy.orm import Session

from models.meeting import MEETING_KINDS, Meeting
from models.services.common import get_live
from models.services.meetings import add_decision, add_meeting, decision_to_task, decisions_of, edit_meeting
from models.tasklist import TaskAspect, TaskList
from ui import messages
from ui.form import FieldSpec
from ui.i18n import tr
from ui.row_model import Column
from ui.table_page import Rows, TablePage
from ui.values_dialog import ask_values

FIELDS = ("title", "held_on", "kind", "attendees", "topics", "minutes")
DECISION_ROLE = Qt.ItemDataRole.UserRole + 4


def aspect_choices(session: Session) -> dict[str, uuid.UUID]:
    rows = session.execute(select(TaskAspect.id, TaskAspect.title, TaskList.year)
                           .join(TaskList, TaskAspect.list_id == TaskList.id)
                           .where(TaskAspect.deleted.is_(False), TaskList.deleted.is_(False))
                           .order_by(TaskList.year.desc(), TaskAspect.sort_key)).all()
    return {f"{year}年 {title}": aspect_id for aspect_id, title, year in rows}


class MeetingPage(TablePage):
    title = tr("联席会议")
    entity = "meeting"
    columns = (Column(tr("会议日期")), Column(tr("类型"), filterable=True), Column(tr("会议名称"), pinyin=True),
               Column(tr("议题")))
    specs = (FieldSpec("title", tr("会议名称")), FieldSpec("held_on", tr("会议日期"), "date"),
             FieldSpec("kind", tr("会议类型"), "choice", MEETING_KINDS), FieldSpec("attendees", tr("参会单位")),
             FieldSpec("topics", tr("议题"), "multiline"), FieldSpec("minutes", tr("会议纪要"), "multiline"))
    error_fields = {"meeting_title_empty": "title", "meeting_kind": "kind", "date_required": "held_on"}

    def extra_panel(self) -> QWidget:
        box = QGroupBox(tr("议定事项"))
        layout = QVBoxLayout(box)
        self.decisions = QListWidget()
        self.decisions.setWordWrap(True)
        self.decisions.setMaximumHeight(140)
        add = QPushButton(tr("新增议定事项…"))
        to_task = QPushButton(tr("转为任务…"))
        add.clicked.connect(self.add_decision)
        to_task.clicked.connect(self.decision_to_task)
        buttons = QHBoxLayout()
        buttons.addWidget(add)
        buttons.addWidget(to_task)
        buttons.addStretch(1)
        layout.addLayout(buttons)
        layout.addWidget(self.decisions)
        self.record_changed.connect(self.show_decisions)
        return box

    def load_rows(self, session: Session) -> Rows:
        meetings = session.scalars(select(Meeting).where(Meeting.deleted.is_(False))
                                   .order_by(Meeting.held_on.desc())).all()
        return [(m.id, (m.held_on, m.kind, m.title, m.topics.replace("\n", " ")[:60])) for m in meetings]

    def load_record(self, session: Session, row_id: uuid.UUID) -> dict[str, object]:
        meeting = get_live(session, Meeting, row_id)
        return {name: getattr(meeting, name) for name in FIELDS}

    def default_values(self) -> dict[str, object]:
        return {**{name: "" for name in FIELDS}, "kind": MEETING_KINDS[0], "held_on": self.ctx.today()}

    def create_record(self, session: Session, values: dict[str, Any]) -> uuid.UUID:
        return add_meeting(session, str(values.pop("title")), values.pop("held_on"), **values).id

    def update_record(self, session: Session, row_id: uuid.UUID, changes: dict[str, Any]) -> None:
        edit_meeting(session, row_id, **changes)

    def show_decisions(self) -> None:
        self.decisions.clear()
        if self.current_id is None:
            return
        with self.ctx.db.session_scope() as session:
            for n, decision in enumerate(decisions_of(session, self.current_id), 1):
                done = tr("（已转为任务）") if decision.task_id else ""
                item = QListWidgetItem(f"{n}. {decision.text}{done}")
                item.setData(DECISION_ROLE, decision.id)
                self.decisions.addItem(item)

    def add_decision(self) -> None:
        meeting_id = self.current_id
        if meeting_id is None:
            messages.show_error(self, tr("请先选择或保存一次会议"))
            return

        def apply(values: dict[str, object]) -> None:
            with self.ctx.db.session_scope() as session:
                add_decision(session, meeting_id, str(values["text"]))

        if ask_values(self, tr("新增议定事项"), (FieldSpec("text", tr("议定事项"), "multiline"),), check=apply,
                      error_fields={"decision_empty": "text"}) is not None:
            self.show_decisions()

    def decision_to_task(self) -> None:
        item = self.decisions.currentItem()
        if item is None or item.data(DECISION_ROLE) is None:
            messages.show_error(self, tr("请先在列表中选择一条议定事项"))
            return
        decision_id = item.data(DECISION_ROLE)
        with self.ctx.db.session_scope() as session:
            aspects = aspect_choices(session)
        if not aspects:
            messages.show_error(self, tr("还没有任务清单，请先在“任务清单”中建立或导入"))
            return
        specs = (FieldSpec("aspect", tr("放入方面"), "choice", tuple(aspects)),
                 FieldSpec("deadline", tr("完成时限"), placeholder=tr("如：2026年12月底前")),
                 FieldSpec("units", tr("责任单位")))

        def apply(values: dict[str, object]) -> None:
            with self.ctx.db.session_scope() as session:
                decision_to_task(session, decision_id, aspects[str(values["aspect"])],
                                 deadline=str(values["deadline"]), units=str(values["units"]))

        if ask_values(self, tr("议定事项转为任务"), specs, check=apply) is not None:
            self.show_decisions()
