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

from models.meeting import MEETING_KINDS, Meeting
from models.services.meetings import (
    MEETING_FIELDS,
    add_decision,
    add_meeting,
    aspect_choices,
    decision_rows,
    decision_to_task,
    edit_meeting,
    list_meetings,
    meeting_values,
)
from ui import messages
from ui.form import FieldSpec
from ui.i18n import tr
from ui.row_model import Column
from ui.table_page import Rows, TablePage
from ui.values_dialog import ask_values

DECISION_ROLE = Qt.ItemDataRole.UserRole + 4


class MeetingPage(TablePage):
    title = tr("联席会议")
    entity = "meeting"
    columns = (Column(tr("会议日期")), Column(tr("类型"), filterable=True), Column(tr("会议名称"), pinyin=True),
               Column(tr("议题")))
    specs = (FieldSpec("title", tr("会议名称")), FieldSpec("held_on", tr("会议日期"), "date"),
             FieldSpec("kind", tr("会议类型"), "choice", MEETING_KINDS), FieldSpec("attendees", tr("参会单位")),
             FieldSpec("topics", tr("议题"), "multiline"), FieldSpec("minutes", tr("会议纪要"), "multiline"))
    error_fields = {"meeting_title_empty": "title", "meeting_kind": "kind", "date_required": "held_on"}
    record_class = Meeting   # saves refuse to overwrite another desk's newer edit (edit_conflict)

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

    # TablePage hands in the session of its read or write scope; the page only calls services with it.
    def load_rows(self, session: Any) -> Rows:
        return [(m.id, (m.held_on, m.kind, m.title, m.topics.replace("\n", " ")[:60]))
                for m in list_meetings(session)]

    def load_record(self, session: Any, row_id: uuid.UUID) -> dict[str, object]:
        return meeting_values(session, row_id)

    def default_values(self) -> dict[str, object]:
        return {**{name: "" for name in MEETING_FIELDS}, "kind": MEETING_KINDS[0], "held_on": self.ctx.today()}

    def create_record(self, session: Any, values: dict[str, Any]) -> uuid.UUID:
        return add_meeting(session, str(values.pop("title")), values.pop("held_on"), **values).id

    def update_record(self, session: Any, row_id: uuid.UUID, changes: dict[str, Any]) -> None:
        edit_meeting(session, row_id, base=self.edit_base(row_id), **changes)

    def show_decisions(self) -> None:
        self.decisions.clear()
        meeting_id = self.current_id
        if meeting_id is None:
            return
        for n, decision in enumerate(self.ctx.read(lambda session: decision_rows(session, meeting_id)), 1):
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
            with self.ctx.db.write_scope() as session:
                add_decision(session, meeting_id, str(values["text"]))

        if ask_values(self, tr("新增议定事项"), (FieldSpec("text", tr("议定事项"), "multiline"),), check=apply,
                      error_fields={"decision_empty": "text"}) is not None:
            self.show_decisions()
            self.ctx.announce({"meeting_decision"})

    def decision_to_task(self) -> None:
        item = self.decisions.currentItem()
        if item is None or item.data(DECISION_ROLE) is None:
            messages.show_error(self, tr("请先在列表中选择一条议定事项"))
            return
        decision_id = item.data(DECISION_ROLE)
        aspects = self.ctx.read(aspect_choices)
        if not aspects:
            messages.show_error(self, tr("还没有任务清单，请先在“任务清单”中建立或导入"))
            return
        specs = (FieldSpec("aspect", tr("放入方面"), "choice", tuple(aspects)),
                 FieldSpec("deadline", tr("完成时限"), placeholder=tr("如：2026年12月底前")),
                 FieldSpec("units", tr("责任单位")))

        def apply(values: dict[str, object]) -> None:
            with self.ctx.db.write_scope() as session:
                decision_to_task(session, decision_id, aspects[str(values["aspect"])],
                                 deadline=str(values["deadline"]), units=str(values["units"]))

        if ask_values(self, tr("议定事项转为任务"), specs, check=apply) is not None:
            self.show_decisions()
            self.ctx.announce({"meeting_decision", "task", "measure"})
