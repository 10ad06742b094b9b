"""检察建议 screen: the ledger with 红黄绿 reply deadlines and one suggestion's form. The form shows the
whole lifecycle as sections (制发, 送达, 回复, 异议与复核, 整改, 跟进/回头看, 结案/提起诉讼), each with its
values and editable; the 回复期限 with the days left sits on top in the warning colour. The case is
picked by search-as-you-type, the 被建议单位 from the unit directory (free text allowed). The lifecycle
buttons (ui.suggestion_actions) are enabled only where the stage allows, with a tooltip saying why not."""
from __future__ import annotations

import uuid
from typing import Any

from PySide6.QtCore import QEvent, QStringListModel, Qt, Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QComboBox,
    QCompleter,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLayout,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from models.case import DEFAULT_DOMAINS
from models.labels import field_label
from models.rules.warning import WarningLevel, warning_level
from models.services.cases import CaseChoice, find_cases
from models.services.suggestions import (
    FOLLOW_CASE,
    SuggestionView,
    doc_no_duplicates,
    list_suggestions,
    save_suggestion,
    suggestion_view,
)
from models.services.units import list_units
from models.suggestion import ADOPTIONS, RECTIFICATIONS, SERVICE_METHODS, SUGGESTION_KINDS, Suggestion
from ui import suggestion_reports
from ui.attachments import AttachmentList
from ui.context import AppContext
from ui.form import FieldSpec, FormWidget
from ui.i18n import tr
from ui.row_model import Column
from ui.suggestion_actions import DOCUMENT_BUTTONS, LIFECYCLE_ACTIONS, SuggestionActions
from ui.table_page import Rows, TablePage
from ui.theme import FONT_EVENTS, LEVEL_COLORS, points

NOTE_STYLE = "color: #9a5b00;"          # a hint or warning next to a field (not an error: saving is allowed)
CLOCK_STYLE = "QLabel {{ background: {background}; border: 1px solid #b0b0b0; padding: 6px; font-size: {size}pt; " \
              "font-weight: bold; }}"
CLOCK_PT = 2   # points above the window font (设置 → 字号)
NO_RECORD = tr("请先在左侧选择一条检察建议，或填写后保存")


def _label(name: str) -> str:
    return tr(field_label("suggestion", name))


def _spec(name: str, kind: str = "text", choices: tuple[str, ...] = (), **options: Any) -> FieldSpec:
    return FieldSpec(name, _label(name), kind, choices, **options)


# (section title, its fields): the form reads top to bottom as the suggestion's life.
SECTIONS: tuple[tuple[str, tuple[FieldSpec, ...]], ...] = (
    (tr("基本信息"), (
        FieldSpec("stage", tr("当前阶段"), read_only=True), _spec("kind", "choice", SUGGESTION_KINDS),
        FieldSpec("case", tr("关联案件"), placeholder=tr("输入案号或案件名称的任意几个字，从列表中选择")),
        _spec("domain", "choice", (FOLLOW_CASE, *DEFAULT_DOMAINS), editable_choice=True),
        _spec("addressee_name", "choice", (), editable_choice=True), _spec("urgent", "bool"),
        _spec("reply_period_days", placeholder=tr("留空按法定期限：两个月，紧急的十五日")))),
    (tr("制发"), (_spec("doc_no", placeholder="宿检行公建〔2026〕1号"), _spec("issued_on", "date"))),
    (tr("送达"), (_spec("served_on", "date"), _spec("service_method", "choice", ("", *SERVICE_METHODS)),
                 FieldSpec("reply_due", tr("回复期限（自动计算）"), read_only=True))),
    (tr("回复"), (_spec("replied_on", "date"), _spec("reply_doc_no"), _spec("reply_content", "multiline"),
                 _spec("adoption", "choice", ADOPTIONS))),
    (tr("异议与复核"), (_spec("objection", "multiline"), _spec("review_result", "multiline"))),
    (tr("整改"), (_spec("rectification", "choice", RECTIFICATIONS), _spec("rectification_detail", "multiline"))),
    (tr("跟进/回头看"), (_spec("follow_up", "multiline"), _spec("follow_up_due", "date"))),
    (tr("结案/提起诉讼"), (_spec("closed_on", "date"), _spec("litigation", "bool"))),
    (tr("建议书内容"), (
        _spec("origin", "multiline"), _spec("facts", "multiline"), _spec("legal_basis", "multiline"),
        FieldSpec("items", tr("建议内容（每行一项）"), "multiline"), _spec("reply_requirement", "multiline"),
        _spec("copy_to"))),
)


def field_row(form: FormWidget, name: str) -> int:
    """The row of the form's QFormLayout that holds field `name`."""
    layout = form_layout(form)
    editor = form.editors[name]
    for row in range(layout.rowCount()):
        item = layout.itemAt(row, QFormLayout.ItemRole.FieldRole)
        if item is None:
            continue
        if item.widget() is editor or (item.layout() is not None and _contains(item.layout(), editor)):
            return row
    raise LookupError(name)


def _contains(layout: QLayout, widget: QWidget) -> bool:
    for index in range(layout.count()):
        item = layout.itemAt(index)
        if item.widget() is widget or (item.layout() is not None and _contains(item.layout(), widget)):
            return True
    return False


def form_layout(form: FormWidget) -> QFormLayout:
    layout = form.findChild(QFormLayout)
    assert layout is not None
    return layout


def add_field_note(form: FormWidget, name: str) -> QLabel:
    """A hint line under a field (brown, not the red of an error: it does not stop saving)."""
    note = QLabel()
    note.setObjectName(f"note_{name}")
    note.setStyleSheet(NOTE_STYLE)
    note.setWordWrap(True)
    note.hide()
    layout = form_layout(form)
    item = layout.itemAt(field_row(form, name), QFormLayout.ItemRole.FieldRole)
    if item.layout() is not None:
        item.layout().addWidget(note)
    else:
        layout.insertRow(field_row(form, name) + 1, "", note)
    return note


def add_section_headings(form: FormWidget) -> dict[str, QLabel]:
    """A heading row above the first field of each section."""
    headings = {}
    for title, specs in SECTIONS:
        heading = QLabel(f"【{title}】")
        heading.setObjectName(f"section_{title}")
        heading.setStyleSheet("font-weight: bold; color: #1f4e79; padding-top: 8px;")
        form_layout(form).insertRow(field_row(form, specs[0].name), heading)
        headings[title] = heading
    return headings


def show_duplicates(note: QLabel, duplicates: list[str]) -> None:
    note.setText(tr("注意：文号与已有检察建议重复：{list}").format(list="、".join(duplicates)) if duplicates else "")
    note.setVisible(bool(duplicates))


class SuggestionPage(TablePage):
    title = tr("检察建议")
    entity = "suggestion"
    record_class = Suggestion   # saves refuse to overwrite another desk's newer edit (edit_conflict)
    columns = (Column(tr("文号")), Column(tr("类型"), filterable=True), Column(tr("被建议单位"), pinyin=True),
               Column(tr("制发日期")), Column(tr("送达日期")), Column(tr("回复期限")), Column(tr("回复日期")),
               Column(tr("阶段"), filterable=True), Column(tr("紧急")))
    specs = tuple(spec for _, section in SECTIONS for spec in section)
    error_fields = {"suggestion_kind": "kind", "addressee_empty": "addressee_name", "item_empty": "items",
                    "doc_no_format": "doc_no", "suggestion_dates": "issued_on", "service_method": "service_method",
                    "suggestion_status": "adoption"}
    open_requested = Signal(str, object)   # entity name, row id (the main window opens it)

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(ctx, parent)
        self.ledger_button = QPushButton(tr("导出台账…"))
        self.ledger_button.clicked.connect(lambda: suggestion_reports.export_ledger(self))
        self.bulletin_button = QPushButton(tr("季度通报…"))
        self.bulletin_button.clicked.connect(lambda: suggestion_reports.quarterly_bulletin(self))
        self.top_bar.addWidget(self.ledger_button)
        self.top_bar.addWidget(self.bulletin_button)

    # -- the panel above the form: reply clock, lifecycle and document buttons, attachments ----------
    def extra_panel(self) -> QWidget:
        self._view: SuggestionView | None = None
        self._cases: dict[str, CaseChoice] = {}
        self._unit_names: set[str] = set()
        box = QGroupBox(tr("办理流程与文书"))
        layout = QVBoxLayout(box)
        self.clock_label = QLabel()
        self.clock_label.setObjectName("reply_clock")
        self.clock_label.setWordWrap(True)
        layout.addWidget(self.clock_label)
        self.actions = SuggestionActions(self)
        self.step_buttons: dict[str, QPushButton] = {}
        row = QHBoxLayout()
        for key, label in LIFECYCLE_ACTIONS:
            button = QPushButton(label)
            button.setObjectName(f"action_{key}")
            button.clicked.connect(lambda _=False, k=key: self.actions.run(k))
            row.addWidget(button)
            self.step_buttons[key] = button
        layout.addLayout(row)
        docs = QHBoxLayout()
        for key, label in DOCUMENT_BUTTONS:
            button = QPushButton(tr("预览/打印{doc}").format(doc=label))
            button.setObjectName(f"pdf_{key}")
            button.clicked.connect(lambda _=False, k=key: self.actions.preview_document(k))
            docs.addWidget(button)
            self.step_buttons[key] = button
        layout.addLayout(docs)
        self.case_button = QPushButton(tr("查看关联案件"))
        self.case_button.setObjectName("open_case")
        self.case_button.clicked.connect(self._open_case)
        links = QHBoxLayout()
        links.addWidget(self.case_button)
        links.addStretch(1)
        layout.addLayout(links)
        layout.addWidget(QLabel(tr("附件（把文件拖到下面的框里）：")))
        self.attachments = AttachmentList(self.ctx, "suggestion")
        self.attachments.setMaximumHeight(80)   # the lifecycle sections below matter more on this form
        layout.addWidget(self.attachments)
        self._decorate_form()
        self.record_changed.connect(self._record_changed)
        return box

    def _decorate_form(self) -> None:
        self.section_headings = add_section_headings(self.form)
        self.addressee_note = add_field_note(self.form, "addressee_name")
        self.doc_no_note = add_field_note(self.form, "doc_no")
        self.case_note = add_field_note(self.form, "case")
        case_edit = self.form.editors["case"]
        assert isinstance(case_edit, QLineEdit)
        self.case_model = QStringListModel(self)
        completer = QCompleter(self.case_model, self)
        completer.setFilterMode(Qt.MatchFlag.MatchContains)
        completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        completer.setMaxVisibleItems(12)
        case_edit.setCompleter(completer)
        self.case_completer = completer
        case_edit.textEdited.connect(self.search_cases)
        completer.activated.connect(self._case_picked)
        addressee = self.form.editors["addressee_name"]
        assert isinstance(addressee, QComboBox)
        addressee.completer().setFilterMode(Qt.MatchFlag.MatchContains)
        addressee.currentTextChanged.connect(self._check_addressee)
        doc_no = self.form.editors["doc_no"]
        assert isinstance(doc_no, QLineEdit)
        doc_no.textChanged.connect(self._check_doc_no)

    # -- case picker ----------------------------------------------------------------------------------
    def search_cases(self, text: str) -> list[str]:
        """Offer the cases whose 案号 or 案件名称 contain `text` (called as the clerk types)."""
        with self.ctx.db.read_scope() as session:
            found = find_cases(session, text, limit=30)
        self._cases = {c.label: c for c in found}
        labels = list(self._cases)
        self.case_model.setStringList(labels)
        self._show_case_note(text)
        return labels

    def _case_picked(self, label: str) -> None:
        editor = self.form.editors["case"]
        assert isinstance(editor, QLineEdit)
        if editor.text() != label:
            editor.setText(label)
            self.form.changed.emit()
        self._show_case_note(label)

    def _show_case_note(self, text: str) -> None:
        choice = self._cases.get(text.strip())
        if choice is not None:
            self.case_note.setText(tr("案件领域：{domain}").format(domain=choice.domain or tr("其他")))
        elif text.strip():
            self.case_note.setText(tr("请从下拉列表中选择案件；找不到时可先在【线索/案件】中登记"))
        self.case_note.setVisible(bool(text.strip()))

    def _open_case(self) -> None:
        if self._view is not None and self._view.case_id is not None:
            self.open_requested.emit("case", self._view.case_id)

    # -- 被建议单位 and 文号 hints --------------------------------------------------------------------------
    def _load_units(self) -> None:
        with self.ctx.db.read_scope() as session:
            units = list_units(session)
        self._unit_names = {name for u in units for name in (u.name, u.short_name) if name}
        combo = self.form.editors["addressee_name"]
        assert isinstance(combo, QComboBox)
        current = combo.currentText()
        combo.blockSignals(True)
        combo.clear()
        combo.addItems([""] + [u.name for u in units])
        combo.setCurrentText(current)
        combo.blockSignals(False)

    def _check_addressee(self, text: str) -> None:
        unknown = bool(text.strip()) and text.strip() not in self._unit_names
        self.addressee_note.setText(tr("该单位不在单位名录中，可在【单位】中添加") if unknown else "")
        self.addressee_note.setVisible(unknown)

    def _check_doc_no(self, text: str) -> None:
        with self.ctx.db.read_scope() as session:
            duplicates = doc_no_duplicates(session, text, self.current_id)
        show_duplicates(self.doc_no_note, duplicates)

    # -- record state: clock, buttons, hints ----------------------------------------------------------
    def _record_changed(self) -> None:
        self.attachments.set_owner(self.current_id)
        view = self._view if self.current_id is not None else None
        if view is None:
            self.clock_label.setText(tr("新建检察建议：保存后可制发、送达；回复期限在送达后自动计算"))
            self._set_clock_colour(None)
        else:
            self.clock_label.setText(view.clock.text)
            self._set_clock_colour(view.clock.level)
        for key, button in self.step_buttons.items():
            reason = NO_RECORD if view is None else view.blocked.get(key, "")
            button.setEnabled(not reason)
            button.setToolTip(reason)
        self.case_button.setEnabled(view is not None and view.case_id is not None)
        self.case_button.setToolTip("" if self.case_button.isEnabled() else tr("尚未关联案件"))
        editor = self.form.editors["case"]
        assert isinstance(editor, QLineEdit)
        if view is not None and view.case_id is not None:
            self.case_note.setText(tr("领域：{domain}").format(domain=view.domain))
            self.case_note.show()
        else:
            self.case_note.hide()
        self._check_addressee(str(self.form.editors["addressee_name"].currentText()))  # type: ignore[attr-defined]
        self._check_doc_no(self.form.editors["doc_no"].text())  # type: ignore[attr-defined]

    def _set_clock_colour(self, level: WarningLevel | None) -> None:
        colour = LEVEL_COLORS.get(level) if level is not None else None
        self.clock_label.setStyleSheet(CLOCK_STYLE.format(background=(colour or QColor("#eeeeee")).name(),
                                                         size=points(CLOCK_PT)))
        self.clock_label.setProperty("level", str(level or ""))
        self._clock_level = level

    def event(self, event: QEvent) -> bool:
        if event.type() in FONT_EVENTS and hasattr(self, "_clock_level"):
            self._set_clock_colour(self._clock_level)   # 设置 → 字号 changed: the clock grows with it
        return super().event(event)

    # -- TablePage hooks ------------------------------------------------------------------------------
    def load_rows(self, session: Any) -> Rows:
        self._load_units()
        self._rows = list_suggestions(session)
        return [(r.id, (r.doc_no, r.kind, r.addressee_name, r.issued_on, r.served_on, r.reply_due, r.replied_on,
                        r.stage, r.urgent)) for r in self._rows]

    def row_colors(self, session: Any) -> dict[uuid.UUID, QColor]:
        today = self.ctx.today()
        colors = {}
        for r in self._rows:
            level = warning_level(r.reply_due, today, done=r.replied_on is not None or r.stage in ("已结案", "已起诉"))
            if level in (WarningLevel.RED, WarningLevel.YELLOW):
                colors[r.id] = LEVEL_COLORS[level]
        return colors

    def load_record(self, session: Any, row_id: uuid.UUID) -> dict[str, object]:
        self._view = suggestion_view(session, row_id, self.ctx.today())
        return dict(self._view.values)

    def default_values(self) -> dict[str, object]:
        return {**{spec.name: "" for spec in self.specs}, "kind": SUGGESTION_KINDS[0], "urgent": False,
                "litigation": False, "domain": FOLLOW_CASE, "stage": tr("草稿"), "issued_on": None,
                "served_on": None, "replied_on": None, "follow_up_due": None, "closed_on": None}

    def create_record(self, session: Any, values: dict[str, Any]) -> uuid.UUID:
        return save_suggestion(session, None, values)

    def update_record(self, session: Any, row_id: uuid.UUID, changes: dict[str, Any]) -> None:
        save_suggestion(session, row_id, changes, base=self.edit_base(row_id))

    def record_heading(self, values: dict[str, object]) -> str:
        return f"{values.get('doc_no') or tr('（未编号）')} {values.get('addressee_name') or ''}".strip()

