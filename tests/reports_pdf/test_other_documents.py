"""送达回证, 督促回复函, quarterly 通报 and batch files, measured in the PDFs."""
from __future__ import annotations

import re

import pytest
import samples
from measure import body_lines, lines_of, open_pdf, poppler_words

from reports.pdf import RenderOptions, render_batch
from reports.pdf.geometry import MM
from reports.statistics import COLUMNS as QUARTERLY_HEADER


def page_lines(data: bytes):
    with open_pdf(data) as pdf:
        return [body_lines(page) for page in pdf.pages]


def test_receipt_is_one_unnumbered_page_with_every_row(receipt_pdf):
    (page,) = page_lines(receipt_pdf.data)
    text = "".join(line.text for line in page)
    labels = "".join(row.label.replace("\n", "") for row in samples.service_receipt().rows)
    with open_pdf(receipt_pdf.data) as pdf:
        in_label_column = [c for c in pdf.pages[0].chars if c["x0"] < (28 + 42) * MM and c["top"] > 50 * MM]
        in_label_column.sort(key=lambda c: (round(c["matrix"][5] * -1, 1), c["x0"]))
    assert "".join(c["text"] for c in in_label_column).startswith(labels)  # every label, in order
    assert "检察建议书（临检行公建〔2024〕3号）共1份" in text
    assert "■宣告送达" in text and "□直接送达" in text
    assert text.count("年　　月　　日　　时") == 2
    with open_pdf(receipt_pdf.data) as pdf:
        assert not any(re.fullmatch(r"— \d+ —", ln.text) for ln in lines_of(pdf.pages[0]))
        widths = {round(r["x1"] - r["x0"], 1) for r in pdf.pages[0].lines if r["top"] == r["bottom"]}
    assert max(widths) == pytest.approx(156 * MM, abs=1 * MM)  # full 版心 width


def test_reminder_states_the_overdue_days_and_never_leaves_a_copy_to_only_page(reminder_pdf):
    pages = page_lines(reminder_pdf.data)
    text = "".join(line.text for page in pages for line in page)
    assert "（即2024年5月6日前）" in text and "已逾期14日" in text and "十日内" in text
    assert text.startswith("临河县人民检察院督促回复函临检行公函〔2024〕12号临河县生态环境局：")
    last = pages[-1]
    assert any(line.text == "2024年5月20日" for line in last)
    assert any(line.text.startswith("抄送：") for line in last)
    assert any(line.sizes == {16.0} and len(line.text) > 3 and line.text != "2024年5月20日" for line in last)
    footer = [w for w in poppler_words(reminder_pdf.path)[-1] if w.y_min / MM > 262]
    assert " ".join(w.text for w in footer) == f"— {len(pages)} —"


def test_quarterly_table_repeats_its_header_on_every_page_it_spans(quarterly_pdf, quarterly_report):
    header_text = "".join(QUARTERLY_HEADER)
    pages = page_lines(quarterly_pdf.data)
    assert len(pages) >= 2
    row_pages = [n for n, page in enumerate(pages) if any(line.sizes == {12.0} for line in page)]
    assert len(row_pages) >= 2  # the table breaks across pages
    for n in row_pages:
        table_text = "".join(line.text for line in pages[n] if line.sizes == {12.0})
        # header cells wrap inside their columns; their characters come first on every page
        assert sorted(table_text[: len(header_text)]) == sorted(header_text)
    totals = quarterly_report.table.rows[-1]
    assert any(line.text == "".join(totals) for line in pages[row_pages[-1]])  # 合计 row, one line


def test_quarterly_writes_rates_with_denominators_last_year_and_overdue_units(quarterly_report):
    text = "".join(block.text for block in (*quarterly_report.before_table, *quarterly_report.after_table))
    assert re.search(r"回复率\d+\.\d%（已回复\d+件/到期应回复\d+件）", text)
    assert re.search(r"整改率\d+\.\d%（已整改\d+件/已回复\d+件）", text)
    assert "去年同期" in text and "同比" in text
    assert "1.临河县生态环境局：临检行公建〔2024〕3号，回复期限2024年5月6日，已逾期14日。" in text
    totals = quarterly_report.table.rows[-1]
    assert totals[0] == "合计"


def test_a_batch_file_numbers_each_document_from_one(tmp_path):
    letters = [samples.suggestion_letter(doc_no=f"临检行公建〔2024〕{n}号") for n in (1, 2)]
    path = tmp_path / "batch.pdf"
    path.write_bytes(render_batch(letters, RenderOptions(system_font_dirs=())))
    numbers = [" ".join(w.text for w in page if w.y_min / MM > 262) for page in poppler_words(path)]
    half = len(numbers) // 2
    assert numbers[:half] == numbers[half:] == [f"— {n} —" for n in range(1, half + 1)]
