"""A PDF preview window (QtPdf) with 打印 (QPrintDialog), 另存为 and 导出Word (the same document
as an editable .docx, made off the GUI thread by the caller's `docx_job`)."""
from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QSize, Qt
from PySide6.QtGui import QKeySequence, QPainter, QShortcut
from PySide6.QtPdf import QPdfDocument
from PySide6.QtPdfWidgets import QPdfView
from PySide6.QtPrintSupport import QPrintDialog, QPrinter
from PySide6.QtWidgets import QDialog, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from ui import files, messages
from ui.i18n import tr
from ui.workers import IsCancelled, Progress, run_in_background

DocxJob = Callable[[], bytes]  # runs in a worker: opens its own session, returns the .docx bytes

_open: list[QDialog] = []  # non-modal previews stay alive until closed


class PdfPreviewDialog(QDialog):
    def __init__(self, parent: QWidget | None, data: bytes, filename: str, docx_job: DocxJob | None = None) -> None:
        super().__init__(parent)
        self.docx_job = docx_job
        self.setWindowTitle(tr("预览：{name}").format(name=filename))
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.resize(820, 960)
        self.data = data
        self.filename = filename
        self._bytes = QByteArray(data)
        self._buffer = QBuffer(self._bytes, self)
        self._buffer.open(QIODevice.OpenModeFlag.ReadOnly)
        self.document = QPdfDocument(self)
        self.document.load(self._buffer)
        self.view = QPdfView(self)
        self.view.setDocument(self.document)
        self.view.setPageMode(QPdfView.PageMode.MultiPage)
        self.view.setZoomMode(QPdfView.ZoomMode.FitToWidth)
        print_button = QPushButton(tr("打印…"))
        save_button = QPushButton(tr("另存为…"))
        self.word_button = QPushButton(tr("导出Word…"))
        self.word_button.setToolTip(tr("导出可编辑的 Word 文件（.docx），版式与 PDF 相同"))
        self.word_button.setVisible(docx_job is not None)
        self.word_button.clicked.connect(self.export_word)
        close_button = QPushButton(tr("关闭"))
        print_button.clicked.connect(self.print_document)
        save_button.clicked.connect(self.save_as)
        close_button.clicked.connect(self.close)
        QShortcut(QKeySequence.StandardKey.Print, self, self.print_document)
        QShortcut(QKeySequence.StandardKey.Save, self, self.save_as)
        bar = QHBoxLayout()
        bar.addWidget(QLabel(tr("共 {n} 页").format(n=self.document.pageCount())))
        bar.addStretch(1)
        for button in (print_button, save_button, self.word_button, close_button):
            bar.addWidget(button)
        layout = QVBoxLayout(self)
        layout.addLayout(bar)
        layout.addWidget(self.view, 1)

    def page_count(self) -> int:
        return self.document.pageCount()

    def save_as(self) -> None:
        path = files.ask_save_path(self, tr("另存为"), self.filename, tr("PDF 文件 (*.pdf)"))
        if path is None:
            return
        try:
            files.save_bytes(path, self.data)
        except OSError as exc:
            messages.show_error(self, exc)

    def export_word(self) -> None:
        if self.docx_job is None:
            return
        path = files.ask_save_path(self, tr("导出Word"), str(Path(self.filename).with_suffix(".docx")),
                                   tr("Word 文档 (*.docx)"))
        if path is None:
            return
        self.save_word_to(path)

    def save_word_to(self, path: Path) -> None:
        """Make the .docx in a worker and write it (all or nothing); errors as one message."""
        job = self.docx_job
        assert job is not None

        def work(_progress: Progress, _cancelled: IsCancelled) -> str:
            files.save_bytes(path, job())
            return str(path)

        run_in_background(self, tr("正在导出Word…"), work,
                          lambda saved: messages.notify(self, tr("已导出：{path}").format(path=saved)),
                          lambda exc: messages.show_error(self, exc), writes=True)  # the render is audited

    def print_document(self) -> None:
        printer = QPrinter(QPrinter.PrinterMode.HighResolution)
        dialog = QPrintDialog(printer, self)
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return
        self.print_to(printer)

    def print_to(self, printer: QPrinter) -> None:
        """Each PDF page rendered at the printer's resolution, scaled to the printable area."""
        painter = QPainter(printer)
        try:
            for page in range(self.document.pageCount()):
                if page:
                    printer.newPage()
                area = painter.viewport()
                size = self.document.pagePointSize(page)
                scale = min(area.width() / size.width(), area.height() / size.height())
                target = QSize(int(size.width() * scale), int(size.height() * scale))
                image = self.document.render(page, target)
                painter.drawImage(0, 0, image)
        finally:
            painter.end()


def show_pdf(parent: QWidget | None, data: bytes, filename: str, docx_job: DocxJob | None = None) -> PdfPreviewDialog:
    dialog = PdfPreviewDialog(parent, data, filename, docx_job)
    _open.append(dialog)
    dialog.destroyed.connect(lambda *_: _open.remove(dialog) if dialog in _open else None)
    dialog.show()
    return dialog
