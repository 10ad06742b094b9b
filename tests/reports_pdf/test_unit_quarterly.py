"""The 通报's 四、分单位情况: the hand-counted per-unit figures of tests/core/test_unit_statistics.py as a
table in the PDF (pdftotext) and in the .docx (python-docx), with the definitions under it."""
from __future__ import annotations

import datetime as dt
import subprocess
from io import BytesIO

import docx
import pytest

from models.services.documents import quarterly_report, render_documents
from reports.docx import render_docx
from reports.pdf import RenderOptions, render_pdf
from reports.pdf.builders import build_quarterly_report
from reports.statistics import UNIT_COLUMNS
from tests.core.test_unit_statistics import build_fixture

TODAY = dt.date(2024, 7, 15)
TABLE = [
    ["市环境局", "1", "2", "2", "1", "100.0%", "50.0%", "0", "2", "2", "0"],
    ["市市场监管局", "2", "1", "0", "0", "0.0%", "—", "1", "2", "2", "0"],
    ["市住建局", "0", "0", "0", "0", "—", "—", "0", "3", "1", "2"],
    ["某某村民委员会", "1", "0", "0", "0", "—", "—", "0", "0", "0", "0"],
    ["合计", "4", "3", "2", "1", "66.7%", "50.0%", "1", "7", "5", "2"],
]


@pytest.fixture(scope="module")
def bulletin(tmp_path_factory):
    """The Q2 2024 通报 of the fixture as PDF text and as a .docx."""
    from models.services.setup import initialize
    from tests.conftest import TEST_PASSWORD

    folder = tmp_path_factory.mktemp("通报")
    db = initialize(folder / "fjld.db", TEST_PASSWORD, office_name="宿州市人民检察院", office_code="宿检",
                    user="测试员").db
    try:
        build_fixture(db)
        with db.write_scope() as session:
            report = quarterly_report(session, 2024, 2, TODAY)
            pdf = render_documents(session, [report], "pdf")
            word = render_documents(session, [report], "docx")
    finally:
        db.close()
    (folder / "q.pdf").write_bytes(pdf)
    text = subprocess.run(["pdftotext", "-layout", str(folder / "q.pdf"), "-"], capture_output=True, text=True,
                          check=True).stdout
    return report, text, docx.Document(BytesIO(word))


def test_content_has_the_section_after_the_overdue_list(bulletin):
    report, _, _ = bulletin
    section, transfers = report.sections
    assert transfers.before[0].text == "五、线索移送情况" and transfers.table is None  # none in the fixture
    assert section.before[0].text == "四、分单位情况"
    assert "到期措施7项，按期完成5项，逾期2项" in section.before[1].text
    assert section.caption == "2024年第二季度各单位检察建议回复和任务落实情况"
    assert section.table is not None and section.table.header == (UNIT_COLUMNS,)
    assert [list(r) for r in section.table.rows] == TABLE
    note = section.after[0].text
    assert "回复率＝已回复÷到期应回复" in note and "逾期措施＝到期措施－按期完成" in note
    assert note.endswith("各项数据统计至2024年6月30日。")


def test_pdf_text_shows_every_row(bulletin):
    _, text, _ = bulletin
    assert "四、分单位情况" in text and "2024年第二季度各单位检察建议回复和任务落实情况" in text
    lines = [line.split() for line in text.splitlines()]
    for expected in TABLE:
        if expected[0] == "某某村民委员会":  # the name breaks inside its cell; the figures stay on one line
            assert expected[1:] in lines
        else:
            assert expected in lines, expected
    assert text.index("三、逾期未回复情况") < text.index("四、分单位情况") < text.index("市环境局")


def test_docx_has_the_same_table(bulletin):
    _, _, document = bulletin
    # cells break their lines where the PDF breaks them (a w:br inside the cell's one paragraph)
    tables = [[[cell.text.replace("\n", "") for cell in row.cells] for row in t.rows] for t in document.tables]
    unit_table = next(t for t in tables if t[0][0] == "单位")
    assert unit_table == [list(UNIT_COLUMNS), *TABLE]
    header_cell = next(t for t in document.tables if t.rows[0].cells[0].text == "单位").rows[0].cells[1]
    assert len(header_cell.paragraphs) == 1 and header_cell.text == "收到\n建议"
    paragraphs = [p.text for p in document.paragraphs]
    assert "四、分单位情况" in paragraphs
    assert "2024年第二季度各单位检察建议回复和任务落实情况" in paragraphs
    assert any(p.startswith("注：按被建议单位统计检察建议") for p in paragraphs)


def test_without_unit_rows_there_is_no_section_and_an_empty_quarter_says_so():
    common = dict(office_name="某县人民检察院", government_name="某县人民政府", year=2024, quarter=1, rows=(),
                  overdue=(), signed_on=dt.date(2024, 4, 2))
    assert build_quarterly_report(**common).sections == ()
    report = build_quarterly_report(**common, unit_rows=())
    [section] = report.sections
    assert section.table is None
    assert section.after[0].text == "2024年第一季度没有应按单位统计的检察建议和任务措施。"
    # both renderers draw a section without a table
    pdf = render_pdf(report, RenderOptions(system_font_dirs=()))
    assert pdf.startswith(b"%PDF")
    paragraphs = [p.text for p in docx.Document(BytesIO(render_docx(report))).paragraphs]
    assert "四、分单位情况" in paragraphs and section.after[0].text in paragraphs
