"""The .docx, converted by LibreOffice, measured like the PDF (GB/T 9704 grid within tolerance),
its text equal to our PDF's, and its XML as WPS/Word need it (fonts, grid, footers, tables)."""
from __future__ import annotations

import re
import subprocess
import zipfile

import docx
import pytest
from docx.oxml.ns import qn
from measure import poppler_words

from reports.pdf.geometry import MM
from reports.pdf.linebreak import NO_LINE_START

NAMES = ["suggestion", "receipt", "reminder", "quarterly", "long"]
PAGE_NUMBER = re.compile(r"—\d+—")


def pdf_pages(pdf_path) -> int:
    info = subprocess.run(["pdfinfo", str(pdf_path)], capture_output=True, text=True, check=True).stdout
    return int(re.search(r"^Pages:\s+(\d+)", info, re.M).group(1))


def reading_text(pdf_path) -> list[str]:
    """Per page, the text in reading order: poppler's words grouped into lines by their vertical centre
    (within 4 pt), lines top to bottom, words left to right, joined without whitespace.

    Normalisation, and why: whitespace and line breaks are dropped (CJK text has no spaces; the two
    writers break lines at slightly different places, and LibreOffice's gap between CJK and digits comes
    out as a space); the page number "— N —" is dropped (furniture). Nothing else is touched."""
    pages = []
    for words in poppler_words(pdf_path):
        words = [w for w in words if not (w.y_min / MM > 262 and re.fullmatch(r"—?\d*—?", w.text))]
        lines: list[tuple[float, list]] = []
        for word in sorted(words, key=lambda w: (w.y_min + w.y_max) / 2):
            centre = (word.y_min + word.y_max) / 2
            if lines and centre - lines[-1][0] <= 4:
                lines[-1][1].append(word)
            else:
                lines.append((centre, [word]))
        pages.append("".join(w.text for _, line in lines for w in sorted(line, key=lambda w: w.x_min)))
    return pages


def header_reading(table) -> str:
    """A statistics table's header rows as reading_text reads them: each cell line sits at its centre
    band (cells centred vertically in the row), read band by band, left to right."""
    from reports.pdf.fonts import load_fonts
    from reports.pdf.tables import table_cell_lines
    from reports.pdf.typeset import Typesetter

    rows = table_cell_lines(Typesetter(load_fonts(system_dirs=())), table)[: len(table.header)]
    text = ""
    for row in rows:
        bands = max(1, *(len(cell) for cell in row))
        by_centre: dict[float, str] = {}
        for cell in row:
            for n, line in enumerate(cell):
                centre = (bands - len(cell)) / 2 + n
                by_centre[centre] = by_centre.get(centre, "") + line
        text += "".join(by_centre[c] for c in sorted(by_centre))
    return text


def test_full_lines_hold_28_characters_on_the_grid_pitch_within_the_margins(converted):
    pages = poppler_words(converted["long"].pdf)
    assert len(pages) >= 2
    words = [w for w in pages[1] if w.y_max / MM < 262]  # page 2: nothing but body text
    full = [w for w in words if len(w.text) >= 20]
    assert len(full) >= 20
    for word in full[:-1]:
        assert len(word.text) == 28, word.text
        assert word.x_min / MM == pytest.approx(28, abs=1.5)
        assert word.x_max / MM == pytest.approx(184, abs=1.5)
    gaps = [b.y_min - a.y_min for a, b in zip(full, full[1:])]
    assert all(abs(g - 28.99) <= 0.6 for g in gaps), gaps
    assert full[0].y_min / MM >= 37 - 1.5


@pytest.mark.parametrize("name", NAMES)
def test_every_page_is_a4_and_text_stays_in_the_text_block(converted, name):
    pages = poppler_words(converted[name].pdf)
    for words in pages:
        for w in words:
            if PAGE_NUMBER.fullmatch(w.text) or w.text in ("—",) or w.text.isdigit():
                continue  # the page number sits 7 mm under the 版心
            # LibreOffice hangs a closing punctuation mark past the edge (it ignores w:overflowPunct="0",
            # which Word and WPS honour): allow that one mark, nothing else
            hanging = 156 / 28 if w.text[-1] in NO_LINE_START else 0.0
            assert w.x_min / MM >= 28 - 1.5 and w.x_max / MM <= 184 + 1.5 + hanging, w
            assert w.y_min / MM >= 37 - 1.5 and w.y_max / MM <= 262 + 1.5, w
    info = subprocess.run(["pdfinfo", str(converted[name].pdf)], capture_output=True, text=True).stdout
    assert "595.3" in info and "841.89" in info or "A4" in info


@pytest.mark.parametrize("name", NAMES)
def test_the_converted_docx_has_as_many_pages_as_the_pdf(converted, name):
    """Same page breaks: the seal gap tightened where the PDF tightened it (letters.fitted_pages), body
    lines as long as the PDF's, table rows broken and as high as the PDF's, the 版记 exactly its bands."""
    assert pdf_pages(converted[name].pdf) == pdf_pages(converted[name].reference)


@pytest.mark.parametrize("name", NAMES)
def test_text_in_reading_order_equals_the_pdf_text(converted, name):
    """The whole text, in order. A table's header rows repeat on each page the table reaches, and the
    two files may break the table at different rows: the repeats (after the first) are dropped on both
    sides; the count of pages stays checked by the page-count test."""
    docx_text, pdf_text = "".join(reading_text(converted[name].pdf)), "".join(reading_text(converted[name].reference))
    content = converted[name].content
    if name == "quarterly":
        header = header_reading(content.table)
        assert docx_text.count(header) >= 1 and pdf_text.count(header) >= 1

        def first_only(text: str) -> str:
            head, _, rest = text.partition(header)
            return head + header + rest.replace(header, "")

        docx_text, pdf_text = first_only(docx_text), first_only(pdf_text)
    assert docx_text == pdf_text
    assert "临河县" in pdf_text and len(pdf_text) > 150  # the comparison compares something


def test_rare_characters_survive(converted):
    text = "".join(reading_text(converted["long"].pdf))
    for char in "堃喆玥䶮𬌗":
        assert char in text


def _xml(path, part: str) -> str:
    with zipfile.ZipFile(path) as archive:
        return archive.read(part).decode("utf-8")


@pytest.mark.parametrize("name", NAMES)
def test_no_theme_fonts_anywhere(converted, name):
    for part in ("word/document.xml", "word/styles.xml"):
        assert not re.search(r"w:(ascii|hAnsi|eastAsia|cs)Theme=|w:cstheme=", _xml(converted[name].docx, part)), part


def test_python_docx_reads_the_east_asian_font_names(converted):
    document = docx.Document(str(converted["suggestion"].docx))

    def east_asia(style_id: str) -> str:
        style = next(s for s in document.styles if s.style_id == style_id)
        return style.element.rPr.rFonts.get(qn("w:eastAsia"))

    assert east_asia("FjldBody") == "仿宋"
    assert east_asia("FjldHeading1") == "黑体"
    assert east_asia("FjldHeading2") == "楷体"
    assert east_asia("FjldHeading3") == east_asia("FjldHeading4") == "仿宋"
    assert east_asia("FjldTitle") == "方正小标宋简体"
    body = next(s for s in document.styles if s.style_id == "FjldBody").element.rPr.rFonts
    assert body.get(qn("w:ascii")) == body.get(qn("w:hAnsi")) == "Times New Roman"  # digits and Latin
    heading_paragraphs = [p for p in document.paragraphs if p.style.style_id.startswith("FjldHeading")]
    assert heading_paragraphs and all(p.style.paragraph_format.keep_with_next for p in heading_paragraphs)
    run_in = [r for p in document.paragraphs for r in p.runs
              if r._r.rPr is not None and r._r.rPr.rFonts is not None
              and r._r.rPr.rFonts.get(qn("w:eastAsia")) == "楷体"]
    assert run_in  # a run-in （一） heading keeps its 楷体 inside a body paragraph


def test_page_setup_grid_and_odd_even_footers(converted):
    document = docx.Document(str(converted["suggestion"].docx))
    section = document.sections[0]
    assert (round(section.page_width.mm), round(section.page_height.mm)) == (210, 297)
    margins = [round(m.mm) for m in (section.top_margin, section.bottom_margin, section.left_margin,
                                     section.right_margin)]
    assert margins == [37, 35, 28, 26]
    grid = section._sectPr.find(qn("w:docGrid"))
    assert grid.get(qn("w:type")) == "linesAndChars" and grid.get(qn("w:linePitch")) == "579"
    assert int(grid.get(qn("w:charSpace"))) == pytest.approx(-849, abs=2)  # 16 pt - 0.207 pt = 156 mm / 28
    assert document.settings.odd_and_even_pages_header_footer
    odd, even = section.footer.paragraphs[0], section.even_page_footer.paragraphs[0]
    assert odd.alignment == 2 and even.alignment == 0  # right / left
    for paragraph in (odd, even):
        xml = paragraph._p.xml
        assert "PAGE" in xml and paragraph.text.startswith("— ") and paragraph.text.endswith(" —")
        assert 'w:sz w:val="28"' in xml  # 4号


def test_page_numbers_in_the_converted_pdf(converted):
    pages = poppler_words(converted["suggestion"].pdf)
    for number, words in enumerate(pages, start=1):
        footer = [w for w in words if w.y_min / MM > 262]
        assert "".join(w.text for w in footer) == f"—{number}—"
        if number % 2:
            assert footer[-1].x_max / MM == pytest.approx(184 - 4.94, abs=1.5)
        else:
            assert footer[0].x_min / MM == pytest.approx(28 + 4.94, abs=1.5)


def test_tables_have_explicit_grid_columns_and_no_exact_line_spacing_in_cells(converted):
    document = docx.Document(str(converted["quarterly"].docx))
    (table,) = document.tables
    cols = table._tbl.tblGrid.findall(qn("w:gridCol"))
    assert len(cols) == 10
    assert sum(int(c.get(qn("w:w"))) for c in cols) / 20 == pytest.approx(156 * MM, abs=2)
    assert 'w:lineRule="exact"' not in table._tbl.xml
    assert table.rows[0]._tr.trPr.find(qn("w:tblHeader")) is not None


def test_imprint_rules_are_paragraph_borders(converted):
    xml = _xml(converted["quarterly"].docx, "word/document.xml")
    imprint = [p for p in re.findall(r"<w:p>(?:(?!</w:p>).)*?FjldImprint.*?</w:p>", xml) if "<w:t>" in p]
    assert all("w:framePr" in p for p in imprint)  # anchored to the foot of the 版心, not the flow
    assert [bool(re.search("抄送：", p)) for p in imprint][:1] == [True]
    assert any("印发" in p for p in imprint)
    assert 'w:top w:val="single" w:sz="8"' in imprint[0]  # 0.35 mm
    assert 'w:bottom w:val="single" w:sz="8"' in imprint[-1]
    assert 'w:top w:val="single" w:sz="6"' in imprint[-1]  # 0.25 mm between 抄送 and 印发
    assert 'w:color="FF0000"' in xml  # red 发文机关标志 and rule


@pytest.mark.parametrize("name", ["suggestion", "reminder", "quarterly"])
def test_imprint_sits_in_the_last_bands_of_the_last_page(converted, name):
    def imprint(pdf_path):
        last_page = poppler_words(pdf_path)[-1]
        words = [w for w in last_page if w.text.startswith("抄送：") or w.text.endswith("印发")]
        assert words
        return words

    for docx_word, pdf_word in zip(imprint(converted[name].pdf), imprint(converted[name].reference)):
        # the PDF centres the 4号 line in the last band(s); poppler's box spans the face's ascent and
        # descent, which differ between the two files' fonts: compare the box centres
        assert (docx_word.y_min + docx_word.y_max) / 2 / MM == pytest.approx((pdf_word.y_min + pdf_word.y_max) / 2 / MM,
                                                                            abs=2)
        assert docx_word.y_max / MM <= 262 + 0.5


def test_a_batch_file_has_one_section_per_document_each_numbered_from_one():
    import io

    import samples

    from reports.docx import render_docx_batch

    letters = [samples.suggestion_letter(doc_no=f"临检行公建〔2024〕{n}号") for n in (1, 2)]
    document = docx.Document(io.BytesIO(render_docx_batch([*letters, samples.service_receipt()])))
    sections = document.sections
    assert len(sections) == 3
    for section in sections:
        assert section._sectPr.find(qn("w:pgNumType")).get(qn("w:start")) == "1"
        assert section._sectPr.find(qn("w:docGrid")).get(qn("w:type")) == "linesAndChars"
    assert "PAGE" in sections[0].footer.paragraphs[0]._p.xml
    assert "PAGE" not in sections[2].footer.paragraphs[0]._p.xml  # the 送达回证 is a form: no number
    text = "\n".join(p.text for p in document.paragraphs)
    assert text.count("临检行公建〔2024〕1号") == 1 and text.count("临检行公建〔2024〕2号") == 1


def test_page_number_dash_ink_is_28mm_above_the_bottom(converted, tmp_path):
    dpi = 288
    subprocess.run(["pdftoppm", "-r", str(dpi), "-f", "1", "-l", "1", "-gray", "-x", "0",
                    "-y", str(int(264 * MM * dpi / 72)), "-W", str(int(210 * MM * dpi / 72)),
                    "-H", str(int(16 * MM * dpi / 72)), str(converted["suggestion"].pdf), str(tmp_path / "foot")],
                   check=True)
    (image_path,) = tmp_path.glob("foot*.pgm")
    raw = image_path.read_bytes()
    width, height = map(int, raw.split(b"\n")[1].split())
    pixels = raw[raw.index(b"255\n") + 4:]
    row_ink = {y: n for y in range(height) if (n := sum(1 for p in pixels[y * width:(y + 1) * width] if p < 128))}
    widest = max(row_ink.values())
    dash_rows = [y for y, n in row_ink.items() if n >= widest * 0.8]
    from_top_mm = 264 + (dash_rows[0] + dash_rows[-1]) / 2 / dpi * 25.4
    assert 297 - from_top_mm == pytest.approx(28, abs=1)
