"""导出Excel and 打印 of any on-screen list, exactly as filtered and sorted: the rows come from the
screen's RowTableModel, the 院名 from the settings. Every TablePage has both buttons; the 首页 due list
calls `export_model` / `print_model` with its own model.

Printing goes through QPrintPreviewDialog (A4 landscape) over a QTextDocument table with the 院名, the
list name, the filter and the date; the header row repeats on every page and pages are numbered."""
from __future__ import annotations

import datetime as dt
import html
from collections.abc import Callable, Iterable
from pathlib import Path

from PySide6.QtGui import QPageLayout, QPageSize, QTextDocument
from PySide6.QtPrintSupport import QPrinter, QPrintPreviewDialog
from PySide6.QtWidgets import QWidget

from models.services.office_settings import load_office_settings
from reports.xlsx.list_table import ListTable, date_text, heading, list_table_xlsx, plain_name
from ui import files, messages
from ui.context import AppContext
from ui.fonts import font_family
from ui.i18n import tr
from ui.row_model import RowTableModel
from ui.workers import run_in_background

LARGE_PRINT = 3000   # rows; above this the preview takes a while, so the clerk is asked first
PRINT_POINT_SIZE = 10


def office_name(ctx: AppContext) -> str:
    with ctx.db.read_scope() as session:
        return load_office_settings(session).office_name


def table_of(model: RowTableModel, title: str, office: str, today: dt.date, filter_text: str = "") -> ListTable:
    """The model's rows as shown (filter and sort applied, every batch, not only the loaded ones)."""
    fills = {n: color.name().lstrip("#").upper() for n, color in model.visible_colors().items()}
    return ListTable(title=title, office=office, headers=model.headers(), rows=model.visible_texts(),
                     today=today, filter_text=filter_text, fills=fills)


def list_html(table: ListTable) -> str:
    def cells(tag: str, texts: Iterable[object]) -> str:
        return "".join(f"<{tag}>{html.escape(str(text)).replace(chr(10), '<br/>')}</{tag}>" for text in texts)

    subtitle = "　".join(part for part in (table.filter_text, tr("共 {n} 条").format(n=len(table.rows)),
                                          tr("打印日期：{date}").format(date=date_text(table.today))) if part)
    body = []
    for index, row in enumerate(table.rows):
        colour = table.fills.get(index)
        style = f' style="background-color:#{colour};"' if colour else ""
        body.append(f"<tr{style}>{cells('td', row)}</tr>")
    return ("<html><body>"
            f'<h2 align="center">{html.escape(heading(table))}</h2>'
            f"<p>{html.escape(subtitle)}</p>"
            '<table border="1" cellspacing="0" cellpadding="3" width="100%" style="border-collapse:collapse;">'
            f"<thead><tr style=\"background-color:#e8e8e8;\">{cells('th', table.headers)}</tr></thead>"
            f"<tbody>{''.join(body)}</tbody></table></body></html>")


def list_document(table: ListTable) -> QTextDocument:
    document = QTextDocument()
    font = document.defaultFont()
    font.setFamily(font_family())
    font.setPointSize(PRINT_POINT_SIZE)
    document.setDefaultFont(font)
    document.setHtml(list_html(table))
    return document


def landscape_printer() -> QPrinter:
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    printer.setPageSize(QPageSize(QPageSize.PageSizeId.A4))
    printer.setPageOrientation(QPageLayout.Orientation.Landscape)
    return printer


def preview_dialog(parent: QWidget | None, table: ListTable) -> QPrintPreviewDialog:
    """The print preview (not yet shown); its 打印 button prints the same document."""
    document = list_document(table)
    printer = landscape_printer()
    dialog = QPrintPreviewDialog(printer, parent)
    dialog.setWindowTitle(tr("打印预览：{title}").format(title=table.title))
    # The dialog only points at the printer and the document: both must live as long as it does.
    dialog.printer = printer     # type: ignore[attr-defined]
    dialog.document = document   # type: ignore[attr-defined]
    dialog.paintRequested.connect(document.print_)
    dialog.resize(1000, 760)
    return dialog


def print_table(parent: QWidget, table: ListTable) -> None:
    if not table.rows:
        messages.show_info(parent, tr("列表中没有记录可打印"))
        return
    if len(table.rows) > LARGE_PRINT and not messages.confirm(
            parent, tr("共 {n} 条记录，生成打印预览需要一些时间。可先用搜索或筛选缩小范围。仍要继续吗？")
            .format(n=len(table.rows))):
        return
    preview_dialog(parent, table).exec()


def export_table(parent: QWidget, table: ListTable, on_saved: Callable[[Path], None] | None = None) -> None:
    """Asks where to save, then writes the workbook in the background (large lists take seconds)."""
    if not table.rows:
        messages.show_info(parent, tr("列表中没有记录可导出"))
        return
    suggested = f"{plain_name(table.title, 80)}-{table.today.isoformat()}.xlsx"
    target = files.ask_save_path(parent, tr("导出Excel"), suggested, tr("Excel 工作簿 (*.xlsx)"))
    if target is None:
        return
    if target.suffix.lower() != ".xlsx":
        target = target.with_name(target.name + ".xlsx")

    def job(_progress: Callable[[int, int], None], _cancelled: Callable[[], bool]) -> Path:
        files.save_bytes(target, list_table_xlsx(table))
        return target

    def done(path: object) -> None:
        messages.notify(parent, tr("已导出 {n} 条：{path}").format(n=len(table.rows), path=path))
        if on_saved is not None:
            on_saved(Path(str(path)))

    run_in_background(parent, tr("正在导出Excel…"), job, done, lambda exc: messages.show_error(parent, exc))


def export_model(parent: QWidget, ctx: AppContext, title: str, model: RowTableModel, filter_text: str = "") -> None:
    """导出Excel for any list on screen (the 首页 due list uses this)."""
    export_table(parent, table_of(model, title, office_name(ctx), ctx.today(), filter_text))


def print_model(parent: QWidget, ctx: AppContext, title: str, model: RowTableModel, filter_text: str = "") -> None:
    """打印 (print preview) for any list on screen (the 首页 due list uses this)."""
    print_table(parent, table_of(model, title, office_name(ctx), ctx.today(), filter_text))
