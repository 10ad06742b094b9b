"""The import dialog: the column mapping is shown before anything is written, a workbook with several
candidate sheets asks for one, and 导入 brings the rows in (headless, pytest-qt)."""
from __future__ import annotations

from openpyxl import Workbook
from PySide6.QtCore import Qt

from models.services.dump import dump_text
from tests.reports_xlsx.builders import workbook_bytes
from tests.reports_xlsx.records_fixtures import ledger_xlsx, units_xlsx
from ui.records_import import RecordsImportDialog


def dump(db) -> str:
    with db.read_scope() as session:
        return dump_text(session)


def mapping_rows(dialog: RecordsImportDialog) -> dict[str, str]:
    table = dialog.mapping_table
    return {table.item(row, 1).text(): table.item(row, 2).text() for row in range(table.rowCount())}


def test_preview_shows_the_mapping_then_import_writes(qtbot, new_db, tmp_path):
    path = tmp_path / "台账.xlsx"
    path.write_bytes(ledger_xlsx())
    before = dump(new_db)
    dialog = RecordsImportDialog(new_db)
    qtbot.addWidget(dialog)
    with qtbot.waitSignal(dialog.preview_ready, timeout=20000):
        dialog.set_file(path)
    rows = mapping_rows(dialog)
    assert rows["建议书文号"] == "文号" and rows["建议对象"] == "被建议单位" and rows["签收日期"] == "送达日期"
    assert rows["序号"].startswith("（本软件自动计算")
    assert "共25条记录" in dialog.status_label.text() and dialog.import_button.isEnabled()
    assert "整行文字" in dialog.notes_edit.toPlainText()
    assert dump(new_db) == before  # the preview writes nothing
    with qtbot.waitSignal(dialog.imported, timeout=30000) as blocker:
        qtbot.mouseClick(dialog.import_button, Qt.MouseButton.LeftButton)
    assert blocker.args[0].added == 25
    assert "新增25条" in dialog.status_label.text() and "回复期限不一致" in dialog.notes_edit.toPlainText()


def test_wrong_kind_shows_one_sentence_and_several_sheets_ask(qtbot, new_db, tmp_path):
    path = tmp_path / "名录.xlsx"
    path.write_bytes(units_xlsx())
    dialog = RecordsImportDialog(new_db, kind="ledger")
    qtbot.addWidget(dialog)
    with qtbot.waitSignal(dialog.preview_ready, timeout=20000):
        dialog.set_file(path)
    assert "未找到检察建议台账的表头" in dialog.status_label.text() and not dialog.import_button.isEnabled()
    with qtbot.waitSignal(dialog.preview_ready, timeout=20000):
        dialog.kind_combo.setCurrentIndex(dialog.kind_combo.findData("units"))
    assert mapping_rows(dialog)["联络员"] == "联络员" and dialog.import_button.isEnabled()

    book = Workbook()
    for title in ("甲", "乙"):
        sheet = book.create_sheet(title)
        sheet.append(["文号", "被建议单位"])
        sheet.append([f"宿检行公建〔2023〕{len(title)}号", f"县{title}局"])
    del book["Sheet"]
    two = tmp_path / "两张表.xlsx"
    two.write_bytes(workbook_bytes(book))
    dialog.kind_combo.setCurrentIndex(dialog.kind_combo.findData("ledger"))
    qtbot.waitUntil(lambda: dialog.status_label.text() != "正在读取…", timeout=20000)
    with qtbot.waitSignal(dialog.preview_ready, timeout=20000):
        dialog.set_file(two)
    assert dialog.sheet_combo.isEnabled() and [dialog.sheet_combo.itemText(i) for i in range(2)] == ["甲", "乙"]
    with qtbot.waitSignal(dialog.preview_ready, timeout=20000):
        dialog.sheet_combo.setCurrentIndex(1)
        dialog.sheet_combo.activated.emit(1)
    assert "工作表“乙”" in dialog.status_label.text() and dialog.import_button.isEnabled()
