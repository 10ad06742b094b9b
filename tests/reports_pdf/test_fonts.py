"""Font resolution, per-character fallback and the ToUnicode fix."""
from __future__ import annotations

import shutil

import pytest
import samples
from fontTools.fontBuilder import FontBuilder
from fontTools.pens.t2CharStringPen import T2CharStringPen
from measure import open_pdf, pdffonts, ps_name, strip_subset_tag

from models.errors import DomainError
from models.platform import resources_dir
from reports.pdf import RenderOptions, render_pdf
from reports.pdf.fonts import BUNDLED_FALLBACK_FILES, Face, load_fonts

RARE = "堃喆玥䶮𬌗"


def test_rare_characters_fall_back_per_character(bundled_fonts):
    body = bundled_fonts.primary[Face.FANGSONG]
    assert bundled_fonts.font_for(Face.FANGSONG, "国") == body
    for char in RARE:
        name = bundled_fonts.font_for(Face.FANGSONG, char)
        assert name is not None and name != body
    runs = bundled_fonts.runs(Face.FANGSONG, "陈𬌗同志")
    assert [text for _, text in runs] == ["陈", "𬌗", "同志"]


def test_bundled_fonts_stay_small_and_carry_licences():
    folder = resources_dir() / "fonts"
    total = sum(p.stat().st_size for p in folder.glob("*.tt?"))
    assert total < 45 * 1024 * 1024
    assert (folder / "README.md").exists() and (folder / "licenses" / "ARPHICPL.txt").exists()
    assert all((folder / f.path).exists() for f in BUNDLED_FALLBACK_FILES)


def test_office_fonts_are_found_by_windows_file_name(tmp_path):
    """A folder laid out like C:\\Windows\\Fonts (any letter case) wins over the bundled fonts."""
    shutil.copy(resources_dir() / "fonts" / "gkai00mp.ttf", tmp_path / "SIMFANG.TTF")
    fonts = load_fonts(system_dirs=[tmp_path])
    assert ps_name(fonts.primary[Face.FANGSONG]) == "GBZenKai-Medium"
    assert Face.FANGSONG not in fonts.substituted and Face.HEITI in fonts.substituted


def test_override_mapping_changes_a_face_in_the_pdf(tmp_path):
    kai = resources_dir() / "fonts" / "gkai00mp.ttf"
    options = RenderOptions(font_overrides={"heiti": str(kai)}, system_font_dirs=())
    data = render_pdf(samples.suggestion_letter(), options)
    with open_pdf(data) as pdf:
        heading = [c for c in pdf.pages[0].chars if c["text"] == "基"]
    assert {strip_subset_tag(c["fontname"]) for c in heading} == {"GBZenKai-Medium"}


def _cff_font(path) -> None:
    builder = FontBuilder(1000, isTTF=False)
    builder.setupGlyphOrder([".notdef", "A"])
    builder.setupCharacterMap({ord("A"): "A"})
    pen = T2CharStringPen(500, None)
    pen.moveTo((0, 0))
    pen.lineTo((500, 0))
    pen.lineTo((250, 700))
    pen.closePath()
    glyph = pen.getCharString()
    builder.setupCFF("TestCFF", {"FullName": "TestCFF"}, {".notdef": glyph, "A": glyph}, {})
    builder.setupHorizontalMetrics({".notdef": (500, 0), "A": (500, 0)})
    builder.setupHorizontalHeader(ascent=800, descent=-200)
    builder.setupNameTable({"familyName": "TestCFF", "styleName": "Regular"})
    builder.setupOS2()
    builder.setupPost()
    builder.save(str(path))


def test_cff_fonts_are_refused_with_a_chinese_message(tmp_path):
    cff = tmp_path / "思源宋体.otf"
    _cff_font(cff)
    with pytest.raises(DomainError) as raised:
        load_fonts({"fangsong": cff}, system_dirs=())
    assert raised.value.code == "font_cff" and "TrueType" in raised.value.message


def test_unknown_font_role_is_refused():
    with pytest.raises(DomainError) as raised:
        load_fonts({"bold": "x.ttf"}, system_dirs=())
    assert raised.value.code == "font_role_unknown"


def test_a_character_no_font_has_is_a_clear_error_not_a_blank(tmp_path):
    letter = samples.suggestion_letter(items=("保护\U000E0100字",))  # variation selector: no glyph anywhere
    with pytest.raises(DomainError) as raised:
        render_pdf(letter, RenderOptions(system_font_dirs=()))
    assert raised.value.code == "glyph_missing"


@pytest.mark.parametrize("name", ["receipt_pdf", "reminder_pdf", "quarterly_pdf"])
def test_all_documents_embed_every_font(name, request):
    fonts = pdffonts(request.getfixturevalue(name).path)
    assert fonts and all(f["emb"] == "yes" and f["sub"] == "yes" for f in fonts)


def test_a_missing_or_broken_font_file_is_a_clear_error(tmp_path):
    from models.errors import DomainError
    from reports.pdf.fonts import load_fonts
    with pytest.raises(DomainError) as missing:
        load_fonts({"fangsong": tmp_path / "仿宋_GB2312.ttf"}, system_dirs=())
    assert missing.value.code == "font_unreadable" and "仿宋_GB2312.ttf" in missing.value.message
    broken = tmp_path / "坏字体.ttf"
    broken.write_bytes(b"not a font at all" * 10)
    with pytest.raises(DomainError) as unreadable:
        load_fonts({"heiti": broken}, system_dirs=())
    assert unreadable.value.code == "font_unreadable" and "坏字体.ttf" in unreadable.value.message
