"""The clerk's Excel and report workflows from the screens: fill-in sheets out and back, importing a
published list, the 台账 with its 季度统计, and the quarterly 通报 preview."""
from __future__ import annotations

import io

import openpyxl

from models.services.tasks import latest_progress
from tests.reports_xlsx.builders import seed_published_xlsx
from ui import files, messages, suggestion_reports, tasklist_excel


def _infos(monkeypatch) -> list[str]:
    shown: list[str] = []
    monkeypatch.setattr(messages, "show_info", lambda parent, text: shown.append(text))
    return shown


def test_fill_sheets_go_out_and_the_returns_merge_back(qtbot, window, tmp_path, monkeypatch):
    page = window.show_screen("tasks")
    shown = _infos(monkeypatch)
    monkeypatch.setattr(tasklist_excel, "ask_values", lambda *a, **k: {"period": "2022Q4", "as_of": None})
    monkeypatch.setattr(files, "ask_folder", lambda *a: tmp_path)
    page.sheets_button.click()
    qtbot.waitUntil(lambda: bool(shown), timeout=20000)
    sheets = sorted(tmp_path.glob("2022年任务清单进展填报表_2022Q4_*.xlsx"))
    # only the directory's real units get a sheet (12 members; 各成员单位 expanded to them); names that are
    # not in the directory, such as 市卫生健康委员会, are listed as 未生成
    assert len(sheets) == 12 and "生成填报表" in shown[0] and "未生成：市卫生健康委员会" in shown[0]
    justice = next(p for p in sheets if p.name.endswith("宿州市司法局.xlsx"))
    book = openpyxl.load_workbook(justice)
    sheet = book["进展填报"]
    sheet["G4"], sheet["H4"], sheet["I4"] = "已协调化解行政争议3件", "推进中", "张三"
    book.save(justice)
    monkeypatch.setattr(files, "ask_open_paths", lambda *a: [justice])
    page.collect_button.click()
    qtbot.waitUntil(lambda: len(shown) == 2, timeout=20000)
    assert "新增进展 1 条" in shown[1]
    with window.ctx.db.session_scope() as session:
        texts = {e.text for e in latest_progress(session).values()}
    assert "已协调化解行政争议3件" in texts


def test_a_published_list_is_imported_from_the_screen(qtbot, window, tmp_path, monkeypatch):
    page = window.show_screen("tasks")
    shown = _infos(monkeypatch)
    source = tmp_path / "2022清单.xlsx"
    source.write_bytes(seed_published_xlsx())
    monkeypatch.setattr(files, "ask_open_path", lambda *a: source)
    page.import_button.click()
    qtbot.waitUntil(lambda: bool(shown), timeout=20000)
    assert "5 个方面，14 项任务，45 条措施" in shown[0]
    assert page.list_combo.count() == 2


def test_ledger_and_quarterly_bulletin_from_the_suggestion_screen(qtbot, window, tmp_path, monkeypatch):
    page = window.show_screen("suggestion")
    target = tmp_path / "台账.xlsx"
    monkeypatch.setattr(suggestion_reports, "ask_values",
                        lambda *a, **k: {"year": "2026", "domain": "全部", "unit": "", "status": "全部"})
    monkeypatch.setattr(files, "ask_save_path", lambda *a: target)
    page.ledger_button.click()
    qtbot.waitUntil(target.exists, timeout=20000)
    qtbot.wait(50)
    book = openpyxl.load_workbook(io.BytesIO(target.read_bytes()))
    assert book.sheetnames == ["检察建议台账", "季度统计", "单位考核统计", "线索移送统计"]
    previews: list[bytes] = []
    monkeypatch.setattr(suggestion_reports, "ask_values", lambda *a, **k: {"year": "2026", "quarter": "3"})
    word_jobs: list = []
    monkeypatch.setattr(suggestion_reports, "show_pdf",
                        lambda parent, data, name, docx_job=None: (previews.append(data), word_jobs.append(docx_job)))
    page.bulletin_button.click()
    qtbot.waitUntil(lambda: bool(previews), timeout=20000)
    assert previews[0].startswith(b"%PDF")
    assert word_jobs[0]().startswith(b"PK")  # 导出Word: the same 通报 as a .docx
