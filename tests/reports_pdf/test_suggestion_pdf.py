"""检察建议书: elements, faces, sizes, text fidelity, 禁则 and furniture (documents-spec §6)."""
from __future__ import annotations

import re
import struct
import zlib

import pytest
import samples
from measure import (
    BLOCK_BOTTOM_FROM_TOP,
    body_lines,
    lines_of,
    open_pdf,
    pdffonts,
    poppler_words,
    ps_name,
    strip_subset_tag,
)

from reports.pdf import RenderOptions, render_pdf
from reports.pdf.content import Heading, Paragraph
from reports.pdf.fonts import Face
from reports.pdf.geometry import MM
from reports.pdf.linebreak import NO_LINE_END, NO_LINE_START
from reports.pdf.wording import join_copy_to

DATE_RE = re.compile(r"^(19|20)\d{2}年([1-9]|1[0-2])月([1-9]|[12]\d|3[01])日$")


def all_lines(data: bytes):
    with open_pdf(data) as pdf:
        return [body_lines(page) for page in pdf.pages]


def expected_text(letter) -> str:
    parts = [letter.office_name, letter.title, letter.doc_no, letter.addressee + "："]
    parts += [b.text for b in letter.blocks()]
    parts += [letter.signature.signer, letter.signature.date_text, join_copy_to(letter.copy_to)]
    return "".join(parts)


def test_extracted_text_equals_the_source_including_rare_characters(suggestion_pdf, suggestion_letter):
    extracted = "".join(line.text for page in all_lines(suggestion_pdf.data) for line in page)
    assert extracted == expected_text(suggestion_letter)
    for rare in "堃喆玥䶮𬌗":
        assert rare in extracted


def test_poppler_extracts_the_ext_e_character(suggestion_pdf):
    """reportlab's ToUnicode bug above U+FFFF is patched: 𬌗 survives copy/paste."""
    words = [w.text for page in poppler_words(suggestion_pdf.path) for w in page]
    assert any("陈𬌗" in w for w in words)


def test_every_font_is_embedded_and_subset(suggestion_pdf):
    fonts = pdffonts(suggestion_pdf.path)
    assert fonts
    assert all(f["emb"] == "yes" and f["sub"] == "yes" and f["uni"] == "yes" for f in fonts), fonts
    assert not any("Helvetica" in f["name"] for f in fonts)


def test_header_sizes_and_doc_no(suggestion_pdf, bundled_fonts):
    first_page = all_lines(suggestion_pdf.data)[0]
    office, title, doc_no, addressee = first_page[:4]
    assert (office.text, title.text) == ("临河县人民检察院", "检察建议书")
    assert office.sizes == title.sizes == {22.0}
    assert doc_no.text == "临检行公建〔2024〕3号"  # typed with [ ]: normalised to 六角括号
    assert not set(doc_no.text) & set("[]【】(（")
    assert doc_no.sizes == {16.0}
    assert addressee.text == "临河县生态环境局：" and addressee.x0 / MM == pytest.approx(28, abs=0.05)
    title_font = ps_name(bundled_fonts.primary[Face.TITLE])
    assert {strip_subset_tag(f) for f in office.fonts} == {title_font}
    words = poppler_words(suggestion_pdf.path)[0]
    (doc_no_word,) = [w for w in words if w.text == doc_no.text]
    assert doc_no_word.x_max / MM == pytest.approx(184, abs=1)  # 编号在标题右下方, right-aligned


def test_heading_levels_use_their_faces(suggestion_pdf, suggestion_letter, bundled_fonts):
    faces = {1: Face.HEITI, 2: Face.KAITI, 3: Face.FANGSONG, 4: Face.FANGSONG}
    lines = [line for page in all_lines(suggestion_pdf.data) for line in page]
    headings = [b for b in suggestion_letter.blocks() if isinstance(b, Heading)]
    run_in = [b for b in suggestion_letter.blocks() if isinstance(b, Paragraph) and b.spans[0].heading_level]
    assert {h.level for h in headings} == {1, 2, 3, 4} and run_in
    for heading in headings:
        (line,) = [ln for ln in lines if ln.text == heading.text]
        expected = ps_name(bundled_fonts.primary[faces[heading.level]])
        assert {strip_subset_tag(f) for f in line.fonts} == {expected}, heading.text
        assert line.sizes == {16.0}
        assert line.x0 / MM == pytest.approx(28 + 2 * 156 / 28, abs=0.2)  # 左空二字
    for paragraph in run_in:
        head = paragraph.spans[0]
        (line,) = [ln for ln in lines if ln.text.startswith(head.text)]
        expected = ps_name(bundled_fonts.primary[faces[head.heading_level]])
        assert {strip_subset_tag(f) for f in line.fonts[: len(head.text)]} == {expected}
        body_font = ps_name(bundled_fonts.primary[Face.FANGSONG])
        assert strip_subset_tag(line.fonts[len(head.text)]) == body_font


def test_no_line_starts_with_closing_or_ends_with_opening_punctuation(suggestion_pdf):
    for page in all_lines(suggestion_pdf.data):
        for line in page:
            assert line.text[0] not in NO_LINE_START, line.text
            assert line.text[-1] not in NO_LINE_END, line.text


def test_numbered_items_and_reply_deadline_wording(suggestion_letter):
    items = [p.text for p in suggestion_letter.items]
    # the facts have 一、 section headings: the items are numbered one level down
    assert [i[:3] for i in items] == ["（一）", "（二）", "（三）"]
    assert items[0].endswith("；") and items[-1].endswith("。")
    reply = suggestion_letter.closing[0].text
    assert "两个月内（即2024年5月6日前）" in reply and reply.startswith("请你局")


def test_signature_and_date_sit_right_with_the_seal_area_above(suggestion_pdf, suggestion_letter):
    pages = all_lines(suggestion_pdf.data)
    last = pages[-1]
    (date_line,) = [ln for ln in last if ln.text == suggestion_letter.signature.date_text]
    assert DATE_RE.match(date_line.text) and date_line.text == "2024年3月5日"
    signer_index = last.index(date_line) - 1
    signer = last[signer_index]
    assert signer.text == "临河县人民检察院"
    words = poppler_words(suggestion_pdf.path)[-1]
    (date_word,) = [w for w in words if w.text == date_line.text]
    (signer_word,) = [w for w in words if w.text == signer.text]
    assert date_word.x_max / MM == pytest.approx(184 - 4 * 156 / 28, abs=1)  # 右空四字
    assert (signer_word.x_min + signer_word.x_max) / 2 == pytest.approx(
        (date_word.x_min + date_word.x_max) / 2, abs=1)  # 署名 centred over the date
    body_before = last[signer_index - 1]
    pitch = 225 * MM / 22
    # two free lines for the seal between the body and the 署名; the seal top is within one line
    assert signer.baseline - body_before.baseline == pytest.approx(3 * pitch, abs=0.3)
    assert len(last) >= 4  # the last page is never "signature and date only"


def test_copy_to_sits_between_thick_rules_at_the_bottom_of_the_last_page(suggestion_pdf):
    with open_pdf(suggestion_pdf.data) as pdf:
        page = pdf.pages[-1]
        rules = sorted((r for r in page.lines if r["top"] == r["bottom"]), key=lambda r: r["top"])
        copy_lines = [ln for ln in lines_of(page) if ln.text.startswith("抄送：") or
                      (rules and ln.baseline > rules[0]["top"] and ln.baseline < BLOCK_BOTTOM_FROM_TOP)]
    assert len(rules) == 2
    first, last = rules
    assert last["top"] / MM == pytest.approx(262, abs=0.5)  # on the 版心 bottom edge
    assert first["linewidth"] / MM == pytest.approx(0.35, abs=0.01)
    assert last["linewidth"] / MM == pytest.approx(0.35, abs=0.01)
    assert all(abs(r["x1"] - r["x0"] - 156 * MM) < 1 * MM for r in rules)
    assert copy_lines and all(ln.sizes == {14.0} for ln in copy_lines)
    assert "".join(ln.text for ln in copy_lines) == join_copy_to(samples.COPY_TO)
    assert copy_lines[0].x0 / MM == pytest.approx(28 + 14 / MM, abs=0.5)  # 左空一字


def ring_png(size: int = 64) -> bytes:
    """A red ring on transparency, as a minimal RGBA PNG (no imaging library needed)."""
    rows = b""
    for y in range(size):
        row = bytearray([0])
        for x in range(size):
            r = ((x - size / 2) ** 2 + (y - size / 2) ** 2) ** 0.5
            row += bytes((220, 0, 0, 255)) if size * 0.4 < r < size * 0.48 else bytes(4)
        rows += bytes(row)

    def chunk(kind: bytes, payload: bytes) -> bytes:
        return (struct.pack(">I", len(payload)) + kind + payload
                + struct.pack(">I", zlib.crc32(kind + payload) & 0xFFFFFFFF))
    header = struct.pack(">IIBBBBB", size, size, 8, 6, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b"")


def test_optional_seal_image_is_drawn_over_signature_and_date(tmp_path):
    data = render_pdf(samples.suggestion_letter(), RenderOptions(system_font_dirs=(),
                                                                 seal_image=ring_png()))
    with open_pdf(data) as pdf:
        page = pdf.pages[-1]
        (image,) = page.images
        lines = body_lines(page)
    date = next(ln for ln in lines if ln.text == "2024年3月5日")
    signer = lines[lines.index(date) - 1]
    last_body = lines[lines.index(date) - 2]
    pitch = 225 * MM / 22
    assert image["top"] - (last_body.baseline + 0.12 * 16) <= pitch  # seal top within one line
    assert image["top"] < signer.baseline - 16 and image["bottom"] > date.baseline  # presses both
    assert image["width"] / MM == pytest.approx(42, abs=0.5)


def test_no_seal_image_by_default(suggestion_pdf):
    with open_pdf(suggestion_pdf.data) as pdf:
        assert all(not page.images for page in pdf.pages)
