"""What a clerk found wrong in the wording and layout (issue 13 §3-5): item numbering, lead-in,
line breaks, the 通报's one as-of date and level-aware wording, 草稿, 附注, the 公文 版头 and 版记,
the 送达回证 form, and short letters that fit."""
from __future__ import annotations

from datetime import date

import pytest
import samples
from measure import body_lines, lines_of, open_pdf, poppler_words

from reports.pdf import RenderOptions, render_pdf
from reports.pdf.builders import build_quarterly_report, government_level, numbered_items
from reports.pdf.content import Heading
from reports.pdf.geometry import MM

BUNDLED = RenderOptions(system_font_dirs=())


def texts(blocks) -> list[str]:
    return [b.text for b in blocks]


def pdf_lines(document):
    with open_pdf(render_pdf(document, BUNDLED)) as pdf:
        return [lines_of(page) for page in pdf.pages]


# ---- items -------------------------------------------------------------------------------------

def test_items_numbered_by_the_clerk_keep_their_numbers():
    items = numbered_items(["1.依法查处违法养殖行为；", "2.建立长效监管机制。"])
    assert texts(items) == ["1.依法查处违法养殖行为；", "2.建立长效监管机制。"]


def test_items_under_section_headings_go_one_level_down():
    letter = samples.suggestion_letter()  # the facts have 一、基本情况 / 二、存在的问题
    assert any(isinstance(b, Heading) and b.level == 1 for b in letter.body)
    assert [t[:3] for t in texts(letter.items)] == ["（一）", "（二）", "（三）"]


def test_items_without_section_headings_are_numbered_at_the_first_level():
    letter = samples.suggestion_letter(facts="经调查查明：水源地保护区内有养殖场3家。")
    assert [t[:2] for t in texts(letter.items)] == ["一、", "二、", "三、"]
    assert texts(letter.items)[-1].endswith("。") and texts(letter.items)[0].endswith("；")


def test_a_multi_line_item_keeps_its_lines_as_paragraphs():
    items = numbered_items(["依法查处违法养殖行为\n对已查处的养殖场逐一登记", "建立长效监管机制"])
    assert texts(items) == ["一、依法查处违法养殖行为", "对已查处的养殖场逐一登记；", "二、建立长效监管机制。"]


# ---- lead-in and line breaks -----------------------------------------------------------------

@pytest.mark.parametrize("basis", [
    "根据《中华人民共和国行政诉讼法》第二十五条第四款的规定，提出如下检察建议：",
    "根据《中华人民共和国行政诉讼法》第二十五条第四款的规定，提出如下检察建议。",
    "根据《中华人民共和国行政诉讼法》第二十五条第四款的规定，特提出检察建议",
])
def test_exactly_one_lead_in_sentence(basis):
    letter = samples.suggestion_letter(legal_basis=basis)
    body = texts(letter.body)
    assert sum("检察建议" in t and t.endswith("：") for t in body) == 1
    assert body[-1].endswith("：") and not any(t.startswith("现向") for t in body)


def test_the_standard_lead_in_is_added_when_the_clerk_wrote_none():
    letter = samples.suggestion_letter(legal_basis="根据《中华人民共和国行政诉讼法》第二十五条第四款的规定。")
    assert texts(letter.body)[-1] == "现向你局提出如下检察建议："


def test_line_breaks_in_the_reply_requirement_are_kept_as_paragraphs():
    letter = samples.suggestion_letter(reply_requirement="请你局在两个月内书面回复本院。\n联系人：王检察官，电话：0557-1234567")
    closing = texts(letter.closing)
    assert closing[0] == "请你局在两个月内书面回复本院。"
    assert closing[1] == "联系人：王检察官，电话：0557-1234567（回复期限：2024年5月6日）"
    lines = [ln.text for page in pdf_lines(letter) for ln in page]
    assert any(ln.startswith("联系人：王检察官") for ln in lines)  # starts its own line


# ---- 草稿 and 附注 -----------------------------------------------------------------------------

def test_a_letter_without_doc_no_prints_a_draft_mark_and_a_numbered_one_does_not():
    draft = samples.suggestion_letter(doc_no="")
    assert draft.draft and not samples.suggestion_letter().draft
    first = pdf_lines(draft)[0]
    assert first[0].text == "草稿" and first[0].x0 / MM == pytest.approx(28, abs=0.1)
    assert all(ln.text != "草稿" for page in pdf_lines(samples.suggestion_letter()) for ln in page)


def test_a_note_is_printed_in_brackets_under_the_date():
    letter = samples.suggestion_letter(note="此件依申请公开")
    assert letter.note == "（此件依申请公开）"
    last = [ln.text for ln in pdf_lines(letter)[-1]]
    assert last[last.index("2024年3月5日") + 1] == "（此件依申请公开）"


# ---- the 通报 ----------------------------------------------------------------------------------

def quarterly(**changes):
    values = dict(office_name="宿州市人民检察院", government_name="宿州市人民政府", year=2024, quarter=2,
                  rows=(), overdue=(), signed_on=date(2024, 5, 20), doc_no="宿检〔2024〕7号")
    values.update(changes)
    return build_quarterly_report(**values)  # type: ignore[arg-type]


def test_a_bulletin_made_before_the_quarter_ends_counts_to_its_date_and_says_so():
    report = quarterly(as_of=date(2024, 5, 20))
    text = "".join(texts((*report.before_table, *report.after_table)))
    assert report.as_of_text == "2024年5月20日"
    assert "4月1日至5月20日" in text and "各项数据均统计至2024年5月20日" in text
    assert "截至2024年5月20日" in text and "6月30日" not in text


def test_a_bulletin_after_the_quarter_counts_to_the_quarter_end():
    report = quarterly(signed_on=date(2024, 7, 5), as_of=date(2024, 7, 5))
    text = "".join(texts((*report.before_table, *report.after_table)))
    assert report.as_of_text == "2024年6月30日" and "4月1日至6月30日" in text and "统计至2024年6月30日" in text


@pytest.mark.parametrize(("government", "level"), [("宿州市人民政府", "市"), ("埇桥区人民政府", "区"),
                                                   ("砀山县人民政府", "县"), ("阿拉善左旗人民政府", "旗")])
def test_wording_follows_the_level_of_the_addressed_government(government, level):
    from reports.pdf.builders import OverdueSuggestion

    assert government_level(government) == level
    report = quarterly(government_name=government,
                       overdue=(OverdueSuggestion("某局", "宿检行公建〔2024〕3号", date(2024, 4, 2), 10),))
    text = "".join(texts(report.after_table))
    assert f"建议{level}人民政府督促" in text
    assert ("县人民政府" in text) == (level == "县")


def test_the_bulletin_is_a_gongwen_with_red_issuer_mark_rule_and_imprint(tmp_path):
    report = samples.quarterly_report()
    path = tmp_path / "q.pdf"
    path.write_bytes(render_pdf(report, BUNDLED))
    with open_pdf(path.read_bytes()) as pdf:
        first = pdf.pages[0]
        mark = [c for c in first.chars if c["size"] > 30]
        red_rules = [r for r in first.lines if r.get("stroking_color") in ((1, 0, 0), [1, 0, 0], (1.0, 0.0, 0.0))]
        last = pdf.pages[-1]
        rules = sorted((r for r in last.lines if r["top"] == r["bottom"]), key=lambda r: r["top"])
    assert "".join(c["text"] for c in mark) == "临河县人民检察院"
    assert all(c["non_stroking_color"] in ((1, 0, 0), [1, 0, 0], (1.0, 0.0, 0.0)) for c in mark)
    top = min(c["top"] for c in mark)
    assert top / MM == pytest.approx(72, abs=1.5)  # 35 mm under the 版心 top (glyph box)
    (rule,) = red_rules
    assert (rule["x1"] - rule["x0"]) / MM == pytest.approx(156, abs=1)
    words = poppler_words(path)[0]
    (doc_no,) = [w for w in words if w.text == "临检〔2024〕21号"]
    assert (rule["top"] - doc_no.y_max) / MM == pytest.approx(4, abs=1)
    assert abs((doc_no.x_min + doc_no.x_max) / 2 / MM - 105) < 1  # 文号 centred
    # 版记: thick first and last rules, a thin one between 抄送 and 印发, last on the 版心 bottom edge
    widths = [round(r["linewidth"] / MM, 2) for r in rules[-3:]]
    assert widths == [0.35, 0.25, 0.35]
    assert rules[-1]["top"] / MM == pytest.approx(262, abs=0.5)
    last_text = [ln.text for ln in body_lines_of(path)[-1]]
    assert "抄送：临河市人民检察院。" in last_text
    assert any(t.startswith("临河县人民检察院") and t.endswith("2024年4月10日印发") for t in last_text)


def body_lines_of(path):
    with open_pdf(path.read_bytes()) as pdf:
        return [body_lines(page) for page in pdf.pages]


# ---- 送达回证 ----------------------------------------------------------------------------------

def test_receipt_labels_break_between_words_one_size_per_role_and_rows_are_tall_enough(tmp_path):
    receipt = samples.service_receipt()
    assert all(row.lines >= 2 for row in receipt.rows)  # >= 20 mm: room to sign
    with open_pdf(render_pdf(receipt, BUNDLED)) as pdf:
        page = pdf.pages[0]
        table_bottom = max(r["top"] for r in page.lines if r["top"] == r["bottom"])
        label_chars = [c for c in page.chars if c["x0"] < (28 + 42) * MM and 37 * MM < c["top"] < table_bottom]
        value_chars = [c for c in page.chars if c["x0"] > (28 + 42) * MM and c["top"] > 60 * MM
                       and c["top"] < 255 * MM]
        horizontal = sorted({round(r["top"], 1) for r in page.lines if r["top"] == r["bottom"]})
    assert {round(c["size"]) for c in label_chars} == {16}
    assert {round(c["size"]) for c in value_chars} == {14}
    by_line: dict[float, str] = {}
    for c in sorted(label_chars, key=lambda c: c["x0"]):
        by_line[round(c["top"], 0)] = by_line.get(round(c["top"], 0), "") + c["text"]
    label_lines = set(by_line.values())
    assert {"送达文书", "名称及文号", "受送达人", "签名（盖章）", "代收人及", "代收理由"} <= label_lines
    gaps = [(b - a) / MM for a, b in zip(horizontal, horizontal[1:])]
    assert min(gaps) >= 12


def test_receipt_address_comes_from_the_unit_directory(new_db):
    import datetime as dt

    from models.services import documents
    from models.services.suggestions import draft_suggestion, issue
    from models.services.units import add_unit, edit_unit

    with new_db.session_scope() as session:
        unit = add_unit(session, "宿州市生态环境局")
        edit_unit(session, unit.id, note="联络科室：法规科\n地址：宿州市汴河路88号")
        s = draft_suggestion(session, "宿州市生态环境局", addressee_unit_id=unit.id, items=["依法查处"])
        issue(session, s.id, "宿检行公建〔2024〕3号", dt.date(2024, 1, 10))
        receipt = documents.service_receipt(session, s.id)
    assert {r.label: r.value for r in receipt.rows}["送达地点"] == "宿州市汴河路88号"


# ---- short documents -----------------------------------------------------------------------

def test_a_letter_whose_signature_would_stand_alone_is_tightened_onto_the_previous_page():
    """Grow the body line by line: where the signature block would have to start a page, the seal gap
    is tightened to one line so the letter ends a page earlier (GB/T 9704 §7.3.5.5); on every length
    the signature page still carries body text."""
    import io

    import docx

    from reports.docx import render_docx
    from reports.pdf.fonts import load_fonts
    from reports.pdf.letters import SEAL_GAP_LINES, seal_gap, suggestion_layout, suggestion_pages
    from reports.pdf.typeset import Typesetter

    ts = Typesetter(load_fonts(system_dirs=()))
    gaps_seen = []
    for extra in range(0, 10):
        letter = samples.suggestion_letter(origin="", facts="经调查查明：" + "水源地保护区内有养殖场三家。" * extra,
                                           copy_to=(), objection_days=None)
        pages = suggestion_pages(ts, letter)
        rows = [r for _, r in pages[-1].rows]
        texts_ = ["".join(getattr(m, "text", "") for m in r.marks) for r in rows]
        signer = len(texts_) - 1 - texts_[::-1].index("临河县人民检察院")
        gap = 0
        while not rows[signer - 1 - gap].marks:
            gap += 1
        gaps_seen.append((len(pages), gap))
        assert seal_gap(suggestion_layout(ts, letter)) == gap  # the one rule, as the PDF applied it
        paragraphs = [p.text for p in docx.Document(io.BytesIO(render_docx(letter, fonts=ts.fonts))).paragraphs]
        at = paragraphs.index("临河县人民检察院", 3)  # the 署名 (the first lines hold the 院名 title)
        blanks = len(paragraphs[:at]) - len("".join("x" if t else " " for t in paragraphs[:at]).rstrip())
        assert blanks == gap  # the .docx leaves the same seal gap
        assert any(r.is_body and r.marks for r in rows[:signer - gap])  # body text above the signature
    assert (1, 1) in gaps_seen  # tightened to end on page 1
    assert (1, SEAL_GAP_LINES) in gaps_seen and (2, SEAL_GAP_LINES) in gaps_seen  # otherwise untouched
