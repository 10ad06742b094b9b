"""GB/T 9704 geometry measured in the produced PDFs (documents-spec §6 items 1-4, 9)."""
from __future__ import annotations

import re
import subprocess

import pytest
from measure import body_lines, lines_of, open_pdf, poppler_words
from pypdf import PdfReader

from reports.pdf.geometry import MM

PITCH = 225 * MM / 22
ADVANCE = 156 * MM / 28


@pytest.mark.parametrize("name", ["suggestion_pdf", "receipt_pdf", "reminder_pdf", "quarterly_pdf"])
def test_every_page_is_portrait_a4(name, request):
    reader = PdfReader(request.getfixturevalue(name).path)
    for page in reader.pages:
        assert float(page.mediabox.width) == pytest.approx(595.28, abs=0.5)
        assert float(page.mediabox.height) == pytest.approx(841.89, abs=0.5)


def test_a_full_page_has_22_baselines_at_the_grid_pitch(plain_pdf):
    with open_pdf(plain_pdf.data) as pdf:
        assert len(pdf.pages) >= 3
        lines = body_lines(pdf.pages[1])  # page 2: nothing but body text
    assert len(lines) == 22
    gaps = [b.baseline - a.baseline for a, b in zip(lines, lines[1:])]
    assert all(abs(g - PITCH) < 0.3 for g in gaps), gaps
    assert abs(PITCH - 28.99) < 0.01


def test_full_lines_hold_28_characters_at_the_grid_advance(plain_pdf):
    for page_words in poppler_words(plain_pdf.path)[1:2]:
        full = [w for w in page_words if len(w.text) >= 27]
        assert len(full) >= 21
        for word in full[:-1]:
            assert len(word.text) == 28
            advance = (word.x_max - word.x_min - 16) / 27
            assert advance == pytest.approx(ADVANCE, abs=0.2)
            assert word.x_min / MM == pytest.approx(28, abs=1)  # 订口
            assert word.x_max / MM == pytest.approx(184, abs=1)  # 版心 right edge


def test_first_line_of_page_two_is_in_the_first_band(plain_pdf):
    with open_pdf(plain_pdf.data) as pdf:
        first = body_lines(pdf.pages[1])[0]
    em_top = first.baseline - 0.88 * 16
    assert em_top / MM == pytest.approx(37, abs=0.05)  # 天头: em box at the top of band 1


@pytest.mark.parametrize("name", ["suggestion_pdf", "reminder_pdf", "quarterly_pdf", "receipt_pdf"])
def test_nothing_but_page_numbers_outside_the_text_block(name, request):
    with open_pdf(request.getfixturevalue(name).data) as pdf:
        for page in pdf.pages:
            for line in lines_of(page):
                if re.fullmatch(r"— \d+ —", line.text):
                    continue
                size = max(line.sizes)
                assert (line.baseline - 0.88 * size) / MM >= 37 - 0.05
                assert (line.baseline + 0.12 * size) / MM <= 262 + 0.05
                assert line.x0 / MM >= 28 - 0.05
            for rect in page.lines:
                assert 28 - 0.2 <= rect["x0"] / MM and rect["x1"] / MM <= 184 + 0.2


def test_page_numbers_odd_right_even_left_28mm_above_the_bottom(suggestion_pdf):
    pages = poppler_words(suggestion_pdf.path)
    assert len(pages) >= 2
    for number, words in enumerate(pages, start=1):
        footer = [w for w in words if w.y_min / MM > 262]
        assert " ".join(w.text for w in footer) == f"— {number} —"
        if number % 2:
            assert footer[-1].x_max / MM == pytest.approx(184 - 4.94, abs=1)
        else:
            assert footer[0].x_min / MM == pytest.approx(28 + 4.94, abs=1)
        assert {round(w.y_max - w.y_min, 1) for w in footer} == {14.0}  # 4号


def test_page_number_dash_ink_is_centred_28mm_above_the_bottom(suggestion_pdf, tmp_path):
    """Rasterise page 1 and find the dash's ink rows: the standard fixes the dash, not the box."""
    dpi = 288
    subprocess.run(["pdftoppm", "-r", str(dpi), "-f", "1", "-l", "1", "-gray", "-x", "0",
                    "-y", str(int(264 * MM * dpi / 72)), "-W", str(int(210 * MM * dpi / 72)),
                    "-H", str(int(16 * MM * dpi / 72)), str(suggestion_pdf.path), str(tmp_path / "foot")],
                   check=True)
    (image_path,) = tmp_path.glob("foot*.pgm")
    raw = image_path.read_bytes()
    header_end = raw.index(b"255\n") + 4
    width, height = map(int, raw.split(b"\n")[1].split())
    pixels = raw[header_end:]
    ink_rows = [y for y in range(height) if min(pixels[y * width:(y + 1) * width]) < 128]
    assert ink_rows
    # the dashes make the widest ink rows (the digit is narrow)
    row_ink = {y: sum(1 for p in pixels[y * width:(y + 1) * width] if p < 128) for y in ink_rows}
    widest = max(row_ink.values())
    dash_rows = [y for y, n in row_ink.items() if n >= widest * 0.8]
    centre_px = (dash_rows[0] + dash_rows[-1]) / 2
    from_top_mm = 264 + centre_px / dpi * 25.4
    assert 297 - from_top_mm == pytest.approx(28, abs=1)
