"""专项活动 screen: the campaign's form, its phases with dates (动员部署 … 总结提高) and the cases and
suggestions linked to it."""
from __future__ import annotations

import uuid
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QGroupBox,
    QHBoxLayout,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from models.campaign import PHASE_NAMES, Campaign, CampaignPhase
from models.errors import DomainError
from models.services.campaigns import (
    CAMPAIGN_FIELDS,
    add_campaign,
    add_phase,
    campaign_values,
    edit_campaign,
    edit_phase,
    link_choices,
    link_record,
    link_rows,
    list_campaigns,
    phase_rows,
    phase_values,
    remove_phase,
    unlink_record,
)
from ui import messages
from ui.form import EditGuard, FieldSpec
from ui.i18n import tr
from ui.row_model import Column
from ui.table_page import Rows, Session, TablePage
from ui.values_dialog import ask_values

ID_ROLE = Qt.ItemDataRole.UserRole + 7   # the phase or link id on its row
PHASE_SPECS = (FieldSpec("name", tr("阶段"), "choice", PHASE_NAMES, editable_choice=True),
               FieldSpec("start_on", tr("开始日期"), "date"), FieldSpec("end_on", tr("结束日期"), "date"),
               FieldSpec("done_on", tr("完成日期"), "date", hint=tr("阶段完成后填写，首页不再提醒该阶段")))
PHASE_ERRORS = {"phase_name_empty": "name", "phase_end_before_start": "end_on"}


def _date_text(value: object) -> str:
    return value.isoformat() if value is not None and hasattr(value, "isoformat") else ""


class CampaignPage(TablePage):
    title = tr("专项活动")
    entity = "campaign"
    shows = frozenset({"campaign", "campaign_phase", "campaign_link", "case", "suggestion"})
    columns = (Column(tr("活动名称"), pinyin=True), Column(tr("牵头单位"), pinyin=True), Column(tr("启动日期")),
               Column(tr("当前阶段"), filterable=True), Column(tr("总结报送期限")), Column(tr("总结报送日期")),
               Column(tr("关联案件/建议")))
    specs = (FieldSpec("name", tr("活动名称")), FieldSpec("lead_units", tr("牵头单位")),
             FieldSpec("member_units", tr("参与单位"), "multiline"), FieldSpec("started_on", tr("启动日期"), "date"),
             FieldSpec("summary_due", tr("总结报送期限"), "date"), FieldSpec("summary_on", tr("总结报送日期"), "date",
                                                                         hint=tr("报送总结后填写，活动不再提醒")),
             FieldSpec("content", tr("活动内容"), "multiline"), FieldSpec("summary", tr("工作总结"), "multiline"))
    error_fields = {"campaign_name_empty": "name", "campaign_summary_before_start": "summary_due"}
    record_class = Campaign   # saves refuse to overwrite another desk's newer edit (edit_conflict)

    def extra_panel(self) -> QWidget:
        panel = QWidget()
        column = QVBoxLayout(panel)
        column.setContentsMargins(0, 0, 0, 0)
        phases_box = QGroupBox(tr("活动阶段"))
        phases_layout = QVBoxLayout(phases_box)
        self.phases = QTableWidget(0, 4)
        self.phases.setHorizontalHeaderLabels([tr("阶段"), tr("开始日期"), tr("结束日期"), tr("完成日期")])
        self.phases.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.phases.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.phases.verticalHeader().hide()
        self.phases.horizontalHeader().setStretchLastSection(True)
        self.phases.setMaximumHeight(170)
        self.phases.doubleClicked.connect(lambda _index: self.edit_phase())
        buttons = QHBoxLayout()
        for text, name, slot in ((tr("新增阶段…"), "add_phase", self.add_phase),
                                 (tr("修改阶段…"), "edit_phase", self.edit_phase),
                                 (tr("删除阶段"), "remove_phase", self.remove_phase)):
            button = QPushButton(text)
            button.setObjectName(name)
            button.clicked.connect(slot)
            buttons.addWidget(button)
        buttons.addStretch(1)
        phases_layout.addLayout(buttons)
        phases_layout.addWidget(self.phases)
        links_box = QGroupBox(tr("关联案件和检察建议"))
        links_layout = QVBoxLayout(links_box)
        self.links = QListWidget()
        self.links.setMaximumHeight(110)
        link_buttons = QHBoxLayout()
        for text, name, slot in ((tr("关联案件/检察建议…"), "add_link", self.add_link),
                                 (tr("取消关联"), "remove_link", self.remove_link)):
            button = QPushButton(text)
            button.setObjectName(name)
            button.clicked.connect(slot)
            link_buttons.addWidget(button)
        link_buttons.addStretch(1)
        links_layout.addLayout(link_buttons)
        links_layout.addWidget(self.links)
        column.addWidget(phases_box)
        column.addWidget(links_box)
        self.record_changed.connect(self.show_children)
        return panel

    def load_rows(self, session: Session) -> Rows:
        return [(r.id, (r.name, r.lead_units, r.started_on, r.current_phase, r.summary_due, r.summary_on, r.links))
                for r in list_campaigns(session)]

    def load_record(self, session: Session, row_id: uuid.UUID) -> dict[str, object]:
        return campaign_values(session, row_id)

    def default_values(self) -> dict[str, object]:
        return {**{name: "" for name in CAMPAIGN_FIELDS}, "started_on": self.ctx.today()}

    def create_record(self, session: Session, values: dict[str, Any]) -> uuid.UUID:
        return add_campaign(session, str(values.pop("name", "")), **values).id

    def update_record(self, session: Session, row_id: uuid.UUID, changes: dict[str, Any]) -> None:
        edit_campaign(session, row_id, base=self.edit_base(row_id), **changes)

    # -- phases and links ------------------------------------------------------------------------
    def show_children(self) -> None:
        self.phases.setRowCount(0)
        self.links.clear()
        campaign_id = self.current_id
        if campaign_id is None:
            return
        phases, links = self.ctx.read(lambda s: (phase_rows(s, campaign_id), link_rows(s, campaign_id)))
        self.phases.setRowCount(len(phases))
        for row, phase in enumerate(phases):
            for column, value in enumerate((phase.name, _date_text(phase.start_on), _date_text(phase.end_on),
                                            _date_text(phase.done_on))):
                item = QTableWidgetItem(value)
                item.setData(ID_ROLE, phase.id)
                self.phases.setItem(row, column, item)
        self.phases.resizeColumnsToContents()
        for link in links:
            item = QListWidgetItem(link.label)
            item.setData(ID_ROLE, link.id)
            self.links.addItem(item)

    def _campaign_or_warn(self) -> uuid.UUID | None:
        if self.current_id is None:
            messages.show_error(self, tr("请先选择或保存一次专项活动"))
        return self.current_id

    def _selected_phase(self) -> uuid.UUID | None:
        item = self.phases.item(self.phases.currentRow(), 0) if self.phases.currentRow() >= 0 else None
        if item is None:
            messages.show_error(self, tr("请先在阶段列表中选择一个阶段"))
            return None
        return item.data(ID_ROLE)

    def _after_child_change(self, entity: str) -> None:
        self.show_children()
        self.reload()
        self.ctx.announce({entity})

    def add_phase(self) -> None:
        campaign_id = self._campaign_or_warn()
        if campaign_id is None:
            return

        def apply(values: dict[str, object]) -> None:
            with self.ctx.db.write_scope() as session:
                phase = add_phase(session, campaign_id, str(values["name"]), values["start_on"],  # type: ignore[arg-type]
                                  values["end_on"])  # type: ignore[arg-type]
                if values.get("done_on"):
                    edit_phase(session, phase.id, done_on=values["done_on"])

        if ask_values(self, tr("新增阶段"), PHASE_SPECS, {"name": ""}, check=apply,
                      error_fields=PHASE_ERRORS) is not None:
            self._after_child_change("campaign_phase")

    def edit_phase(self) -> None:
        phase_id = self._selected_phase()
        if phase_id is None:
            return
        guard = EditGuard(CampaignPhase, [spec.name for spec in PHASE_SPECS])

        def read(session: Session) -> dict[str, object]:
            guard.load(session, phase_id)   # the values shown and their heads, in one snapshot
            return phase_values(session, phase_id)

        current = self.ctx.read(read)

        def write(base: dict[str, tuple[str, ...]] | None, values: dict[str, object]) -> None:
            with self.ctx.db.write_scope() as session:
                edit_phase(session, phase_id, base=base, **{k: v for k, v in values.items() if current.get(k) != v})

        def apply(values: dict[str, object]) -> None:
            guard.save_in_dialog(self, self.ctx.db.read_scope, lambda base: write(base, values))

        if ask_values(self, tr("修改阶段"), PHASE_SPECS, current, check=apply,
                      error_fields=PHASE_ERRORS) is not None:
            self._after_child_change("campaign_phase")

    def remove_phase(self) -> None:
        phase_id = self._selected_phase()
        if phase_id is None or not messages.confirm(self, tr("删除所选阶段吗？")):
            return
        if self.ctx.attempt(self, lambda session: remove_phase(session, phase_id)):
            self._after_child_change("campaign_phase")

    def add_link(self) -> None:
        campaign_id = self._campaign_or_warn()
        if campaign_id is None:
            return
        choices = self.ctx.read(link_choices)
        if not choices:
            messages.show_error(self, tr("还没有案件或检察建议可以关联"))
            return
        specs = (FieldSpec("target", tr("案件或检察建议"), "choice", tuple(choices), editable_choice=True),)

        def apply(values: dict[str, object]) -> None:
            picked = choices.get(str(values["target"]))
            if picked is None:
                raise DomainError("campaign_link_unknown", "请从下拉列表中选择案件或检察建议")
            with self.ctx.db.write_scope() as session:
                link_record(session, campaign_id, *picked)

        if ask_values(self, tr("关联案件/检察建议"), specs, check=apply,
                      error_fields={"campaign_link_unknown": "target", "campaign_link_exists": "target"}) is not None:
            self._after_child_change("campaign_link")

    def remove_link(self) -> None:
        item = self.links.currentItem()
        if item is None:
            messages.show_error(self, tr("请先在列表中选择一条关联记录"))
            return
        link_id = item.data(ID_ROLE)
        if self.ctx.attempt(self, lambda session: unlink_record(session, link_id)):
            self._after_child_change("campaign_link")
