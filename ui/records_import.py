"""导入已有台账/案件/单位: pick a file and what it holds, see which column goes to which field (found from
the header names and their variants) and what will not be imported, then import it in one transaction.
Reading and importing run off the GUI thread (models/services/records_import.py does the work)."""
from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from models.errors import DomainError
from models.services.records_import import (
    RECORD_KINDS,
    RecordsImportReport,
    RecordsPreview,
    import_records_file,
    preview_records_file,
)
from models.storage import Database
from reports.xlsx.records_import import IGNORED, KIND_NAMES
from ui import files, messages
from ui.i18n import tr
from ui.workers import IsCancelled, Progress, run_in_background

XLSX = tr("Excel 工作簿 (*.xlsx)")
NOTES_SHOWN = 200


class RecordsImportDialog(QDialog):
    """Preview first (nothing written), then 导入. `imported` carries the RecordsImportReport."""

    imported = Signal(object)
    preview_ready = Signal()  # the preview (or its error) is shown: tests wait on it

    def __init__(self, db: Database, parent: QWidget | None = None, kind: str = "ledger",
                 path: Path | None = None) -> None:
        super().__init__(parent)
        self.db = db
        self.path = path
        self.preview: RecordsPreview | None = None
        self._request = 0  # a preview that finishes after a newer one was asked for is dropped
        self.setWindowTitle(tr("导入已有记录"))
        self.resize(760, 560)
        self.kind_combo = QComboBox()
        for record_kind in RECORD_KINDS:
            self.kind_combo.addItem(tr(KIND_NAMES[record_kind]), record_kind)
        self.kind_combo.setCurrentIndex(RECORD_KINDS.index(kind))
        self.file_label = QLabel(tr("（未选择文件）"))
        self.choose_button = QPushButton(tr("选择文件…"))
        self.sheet_combo = QComboBox()
        self.sheet_combo.setEnabled(False)
        self.mapping_table = QTableWidget(0, 3)
        self.mapping_table.setHorizontalHeaderLabels([tr("列"), tr("表中的表头"), tr("导入为")])
        self.mapping_table.horizontalHeader().setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        self.mapping_table.verticalHeader().setVisible(False)
        self.status_label = QLabel()
        self.status_label.setWordWrap(True)
        self.notes_edit = QPlainTextEdit()
        self.notes_edit.setReadOnly(True)
        self.import_button = QPushButton(tr("导入"))
        self.import_button.setEnabled(False)
        self.close_button = QPushButton(tr("关闭"))

        form = QFormLayout()
        form.addRow(tr("表格内容"), self.kind_combo)
        file_row = QHBoxLayout()
        file_row.addWidget(self.file_label, 1)
        file_row.addWidget(self.choose_button)
        form.addRow(tr("文件"), file_row)
        form.addRow(tr("工作表"), self.sheet_combo)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.import_button)
        buttons.addWidget(self.close_button)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(QLabel(tr("列对应关系（按表头名称及常见写法识别）")))
        layout.addWidget(self.mapping_table, 2)
        layout.addWidget(self.status_label)
        layout.addWidget(QLabel(tr("提示（不导入的内容、需核对之处）")))
        layout.addWidget(self.notes_edit, 1)
        layout.addLayout(buttons)

        self.choose_button.clicked.connect(self.choose_file)
        self.kind_combo.currentIndexChanged.connect(lambda _index: self.load_preview(keep_sheet=False))
        self.sheet_combo.activated.connect(lambda _index: self.load_preview(keep_sheet=True))
        self.import_button.clicked.connect(self.start_import)
        self.close_button.clicked.connect(self.reject)
        if path is not None:
            self.set_file(path)

    # -- choosing ------------------------------------------------------------------------------------------
    def kind(self) -> str:
        return str(self.kind_combo.currentData())

    def sheet(self) -> str | None:
        return self.sheet_combo.currentText() if self.sheet_combo.isEnabled() and self.sheet_combo.count() else None

    def choose_file(self) -> None:
        path = files.ask_open_path(self, tr("选择要导入的 Excel 文件"), XLSX)
        if path is not None:
            self.set_file(path)

    def set_file(self, path: Path) -> None:
        self.path = path
        self.file_label.setText(path.name)
        self.sheet_combo.clear()
        self.sheet_combo.setEnabled(False)
        self.load_preview(keep_sheet=False)

    # -- preview -------------------------------------------------------------------------------------------
    def load_preview(self, keep_sheet: bool) -> None:
        if self.path is None:
            return
        if not keep_sheet:
            self.sheet_combo.clear()
            self.sheet_combo.setEnabled(False)
        self.preview = None
        self.import_button.setEnabled(False)
        self.status_label.setText(tr("正在读取…"))
        path, kind, sheet = self.path, self.kind(), self.sheet()
        self._request += 1
        request = self._request

        def job(_progress: Progress, _cancelled: IsCancelled) -> RecordsPreview:
            return preview_records_file(path, kind, sheet)

        def done(result: object) -> None:
            if request == self._request:
                self.show_preview(result)

        def failed(exc: BaseException) -> None:
            if request == self._request:
                self.show_problem(exc)

        run_in_background(self, tr("正在读取表格…"), job, done, failed)

    def show_preview(self, result: object) -> None:
        assert isinstance(result, RecordsPreview)
        self.preview = result
        imported = result.imported
        self.mapping_table.setRowCount(len(imported.mapping))
        for row, mapping in enumerate(imported.mapping):
            if mapping.field == IGNORED:
                target = tr("（本软件自动计算或编号，不导入）")
            else:
                target = mapping.label or tr("（未识别，不导入）")
            for column, text in enumerate((mapping.letter, mapping.header, target)):
                self.mapping_table.setItem(row, column, QTableWidgetItem(text))
        self.mapping_table.resizeColumnsToContents()
        self.status_label.setText(tr("工作表“{sheet}”，表头在第{row}行，共{n}条记录。核对无误后点“导入”；"
                                     "导入前自动备份，已有的记录（按文号、案号、单位名称识别）不会重复。").format(
            sheet=imported.sheet, row=imported.header_row, n=len(imported.rows)))
        self.show_notes(list(result.notes))
        self.import_button.setEnabled(True)
        self.preview_ready.emit()

    def show_problem(self, exc: BaseException) -> None:
        self.mapping_table.setRowCount(0)
        self.notes_edit.clear()
        if isinstance(exc, DomainError) and exc.code == "xlsx_choose_sheet":
            self.sheet_combo.clear()
            self.sheet_combo.addItems([str(name) for name in exc.fields.get("sheets", ())])
            self.sheet_combo.setEnabled(True)
            self.sheet_combo.setCurrentIndex(-1)
            self.status_label.setText(tr("工作簿中有多个工作表像要导入的表格，请在“工作表”中选择一个。"))
        else:
            self.status_label.setText(messages.error_text(exc))
        self.preview_ready.emit()

    def show_notes(self, notes: list[str]) -> None:
        shown = notes[:NOTES_SHOWN]
        if len(notes) > NOTES_SHOWN:
            shown.append(tr("……另有{n}条提示").format(n=len(notes) - NOTES_SHOWN))
        self.notes_edit.setPlainText("\n".join(shown))

    # -- import --------------------------------------------------------------------------------------------
    def start_import(self) -> None:
        if self.preview is None or self.path is None:
            return
        self.import_button.setEnabled(False)
        db, path, kind, sheet = self.db, self.path, self.kind(), self.sheet()

        def job(_progress: Progress, _cancelled: IsCancelled) -> RecordsImportReport:
            return import_records_file(db, path, kind, sheet)

        run_in_background(self, tr("正在导入…"), job, self.show_result, self.show_import_problem, writes=True)

    def show_result(self, result: object) -> None:
        assert isinstance(result, RecordsImportReport)
        self.status_label.setText(tr("已导入 {summary}").format(summary=result.summary()))
        differences = [tr("回复期限不一致：") + line for line in result.deadline_differences]
        self.show_notes(differences + result.notes)
        self.imported.emit(result)

    def show_import_problem(self, exc: BaseException) -> None:
        self.status_label.setText(messages.error_text(exc))
        self.import_button.setEnabled(True)
        self.preview_ready.emit()


def open_records_import(parent: QWidget, db: Database, kind: str = "ledger") -> RecordsImportDialog:
    """The menu entry's action (wired by the main window): a modeless dialog, reloads are the caller's."""
    dialog = RecordsImportDialog(db, parent, kind)
    dialog.show()
    return dialog
