"""The 检察建议 screen's reports over all suggestions: the 检察建议台账 (xlsx, with its 季度统计 sheet)
and the quarterly 通报 to the government (PDF preview, print, save)."""
from __future__ import annotations

from typing import TYPE_CHECKING

from models.case import DEFAULT_DOMAINS
from models.services import documents
from models.services.excel_files import write_ledger
from reports.xlsx.ledger import REPLY_STATUSES, LedgerFilter
from ui import files, messages
from ui.form import FieldSpec
from ui.i18n import tr
from ui.pdf_preview import show_pdf
from ui.values_dialog import ask_values
from ui.workers import IsCancelled, Progress, run_in_background

if TYPE_CHECKING:
    from ui.suggestion_page import SuggestionPage

ALL = tr("全部")


def export_ledger(page: SuggestionPage) -> None:
    today = page.ctx.today()
    values = ask_values(page, tr("导出检察建议台账"), (
        FieldSpec("year", tr("年度（含季度统计）")), FieldSpec("domain", tr("领域"), "choice", (ALL, *DEFAULT_DOMAINS)),
        FieldSpec("unit", tr("被建议单位包含")), FieldSpec("status", tr("回复情况"), "choice", (ALL, *REPLY_STATUSES))),
        {"year": str(today.year), "domain": ALL, "status": ALL, "unit": ""})
    if values is None:
        return
    year_text = str(values["year"]).strip()
    if year_text and not year_text.isdigit():
        messages.show_error(page, tr("年度应为四位数字，或留空导出全部年度"))
        return
    row_filter = LedgerFilter(int(year_text) if year_text else None,
                              None if values["domain"] == ALL else str(values["domain"]),
                              str(values["unit"]).strip() or None, None if values["status"] == ALL else str(values["status"]))
    target = files.ask_save_path(page, tr("保存台账"), f"{year_text}检察建议台账.xlsx", tr("Excel 工作簿 (*.xlsx)"))
    if target is None:
        return
    db = page.ctx.db

    def job(_progress: Progress, _cancelled: IsCancelled) -> str:
        write_ledger(db, target, row_filter, today)
        return str(target)

    run_in_background(page, tr("正在导出台账…"), job,
                      lambda path: messages.notify(page, tr("已导出：{path}").format(path=path)),
                      lambda exc: messages.show_error(page, exc), writes=True)  # each export is audited


def quarterly_bulletin(page: SuggestionPage) -> None:
    """The 通报 as a 公文: the clerk confirms 文号 (proposed from the last one), 主送, 抄送, 印发机关
    and 附注; PDF preview with 打印 and 导出Word."""
    today = page.ctx.today()
    db = page.ctx.db
    with db.read_scope() as session:
        proposed = documents.bulletin_defaults(session, today.year)
    values = ask_values(page, tr("季度通报"), (
        FieldSpec("year", tr("年度")), FieldSpec("quarter", tr("季度"), "choice", ("1", "2", "3", "4")),
        FieldSpec("doc_no", tr("文号"), placeholder=tr("不填则印“草稿”")), FieldSpec("government", tr("主送")),
        FieldSpec("copy_to", tr("抄送"), placeholder=tr("多个单位用顿号分隔")), FieldSpec("printed_by", tr("印发机关")),
        FieldSpec("note", tr("附注"))),
        {"year": str(today.year), "quarter": str((today.month - 1) // 3 + 1), **proposed, "note": ""})
    if values is None or not str(values["year"]).strip().isdigit():
        return
    year, quarter = int(str(values["year"]).strip()), int(str(values["quarter"]))
    texts = {key: str(values.get(key, proposed.get(key, ""))).strip()
             for key in ("doc_no", "government", "copy_to", "printed_by", "note")}

    def make(fmt: str, remember: bool) -> bytes:
        with db.session_scope() as session:
            report = documents.quarterly_report(session, year, quarter, today, texts["government"],
                                                doc_no=texts["doc_no"], copy_to=texts["copy_to"],
                                                printed_by=texts["printed_by"], note=texts["note"], remember=remember)
            return documents.render_documents(session, [report], fmt)

    def job(_progress: Progress, _cancelled: IsCancelled) -> bytes:
        return make("pdf", True)

    run_in_background(page, tr("正在生成季度通报…"), job,
                      lambda data: show_pdf(page, data, f"{year}年第{quarter}季度通报.pdf",  # type: ignore[arg-type]
                                            docx_job=lambda: make("docx", False)),
                      lambda exc: messages.show_error(page, exc), writes=True)  # audited: a write
