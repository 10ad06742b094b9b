"""The .docx writer behind reports.docx.render: styles (no theme fonts), paragraphs on the document
grid, 公文 furniture (版头, signature, 版记), ruled tables and the per-document sections."""
from __future__ import annotations

from collections.abc import Iterable, Sequence
from copy import deepcopy
from dataclasses import dataclass
from io import BytesIO
from threading import Lock

import docx
from docx.enum.section import WD_SECTION
from docx.enum.style import WD_STYLE_TYPE
from docx.oxml.ns import qn
from docx.shared import Emu
from docx.table import _Cell

from reports.docx.ooxml import (
    border,
    child,
    element,
    page_field_runs,
    set_fonts,
    set_ppr,
    set_spacing,
    strip_theme_fonts,
    twips,
)
from reports.pdf.content import (
    Block,
    Heading,
    Paragraph,
    Signature,
    Span,
)
from reports.pdf.flow import TextMark
from reports.pdf.fonts import Face, FontSet
from reports.pdf.geometry import (
    BLOCK_WIDTH,
    BODY_SIZE,
    CELL,
    ISSUER_MARK_SIZE,
    ISSUER_MARK_TOP,
    LINE_PITCH,
    LINES_PER_PAGE,
    MM,
    NOTE_SIZE,
    PAGE_NUMBER_DASH_CENTRE,
    PAGE_NUMBER_SIZE,
    RED_RULE,
    THICK_RULE,
    THIN_RULE,
    TITLE_SIZE,
)
from reports.pdf.letters import (
    DATE_RIGHT_CELLS,
    DRAFT_MARK,
    RED_RULE_BELOW_DOC_NO,
    SEAL_GAP_LINES,
    copy_to_footer,
)
from reports.pdf.tables import (
    FORM_VALUE_SIZE,
    OUTER_RULE_WIDTH,
    RULE_WIDTH,
    TABLE_SIZE,
)
from reports.pdf.typeset import Typesetter

RED = "FF0000"
# East Asian font names as an office's Windows/WPS has them (仿宋_GB2312 -> 仿宋, 楷体_GB2312 -> 楷体).
EAST_ASIA_FONTS = {Face.FANGSONG: "仿宋", Face.HEITI: "黑体", Face.KAITI: "楷体", Face.SONG: "宋体"}
DEFAULT_TITLE_FONT = "方正小标宋简体"
HEADING_FACES = {0: Face.FANGSONG, 1: Face.HEITI, 2: Face.KAITI, 3: Face.FANGSONG, 4: Face.FANGSONG}
# Word's grid pitch for 28 characters of 16 pt: 156 mm / 28 = 15.79 pt = 16 pt + charSpace / 4096.
GRID_CHAR_SPACE = round((CELL - BODY_SIZE) * 4096)
GRID_LINE_PITCH = int(LINE_PITCH * 20)  # 579 twips = 28.95 pt, the pitch WPS templates use
# Glyphs 98 % wide: a 16 pt glyph is wider than the 15.79 pt cell, which Word squeezes but
# LibreOffice spreads over two cells; 15.68 pt fits one cell in both.
BODY_WIDTH_PERCENT = 98
# footer distance from the page bottom: the dash's middle sits 0.51 em above the bottom of a single-spaced
# 4号 footer line (measured in the converted file), so the dash lands 28 mm above the bottom (§7.5)
PAGE_NUMBER_FOOTER = PAGE_NUMBER_DASH_CENTRE - 0.51 * PAGE_NUMBER_SIZE
CELL_MARGIN = 2.0
LINE_BREAK = "\v"  # in table cell text: a line break inside the paragraph (w:br), where the PDF broke the line
# Body text keeps to the grid by its own pitches instead of snapping to the character grid: a paragraph
# that snaps rounds every run of digits or Latin up to whole cells (LibreOffice shows "2024 年3 月"), so
# lines break elsewhere than in the PDF and a one-page letter runs onto two. Off the snap, a line is one
# band (exact 28.95 pt) and a full-width character advances 98 % of 16 pt + 0.1 pt = 15.78 pt, so 28 fill
# the 156 mm line as in the PDF, and digits keep their own width as in the PDF. (Word and WPS honour
# autoSpaceDE/DN="0"; LibreOffice ignores them and adds a small gap between CJK and digits.)
BODY_CHAR_SPACING = round((CELL - BODY_SIZE * BODY_WIDTH_PERCENT / 100) * 20)  # twips
BODY_LINES = {"snapToGrid": {"val": "0"}, "spacing": {"line": str(GRID_LINE_PITCH), "lineRule": "exact"}}


def _ruled_lines(lines: int, rules_pt: float) -> dict[str, str]:
    """Exact line spacing for a 版记 part of `lines` lines whose paragraph borders add `rules_pt`:
    the part, rules included, fills exactly `lines` bands as in the PDF, so it never pushes the
    signature above it onto another page."""
    return {"line": str(int((lines * GRID_LINE_PITCH - rules_pt * 20) // lines)), "lineRule": "exact"}


_templates: dict[str, bytes] = {}
_templates_lock = Lock()


@dataclass(frozen=True)
class DocxOptions:
    """`title_font`: the 小标宋 face's name as installed at the office (the configured title font)."""

    title_font: str = DEFAULT_TITLE_FONT


class DocxWriter:
    def __init__(self, options: DocxOptions, fonts: FontSet) -> None:
        self.fonts = fonts
        self.typesetter = Typesetter(fonts)
        self.faces = {**EAST_ASIA_FONTS, Face.TITLE: options.title_font or DEFAULT_TITLE_FONT}
        self.doc = docx.Document(BytesIO(self._template()))
        self.sections = 0

    def _template(self) -> bytes:
        """An empty document with our styles, built once per title font (styles take most of the time)."""
        key = self.faces[Face.TITLE]
        with _templates_lock:
            cached = _templates.get(key)
        if cached is None:
            self.doc = docx.Document()
            body = self.doc.element.body
            for p in list(body.iterchildren(qn("w:p"))):
                body.remove(p)
            self.doc.settings.odd_and_even_pages_header_footer = True
            self._styles()
            buffer = BytesIO()
            self.doc.save(buffer)
            cached = buffer.getvalue()
            with _templates_lock:
                _templates[key] = cached
        return cached

    # ---- styles -------------------------------------------------------------------------------
    def _styles(self) -> None:
        styles = self.doc.styles.element
        strip_theme_fonts(styles)
        defaults = styles.find(qn("w:docDefaults"))
        rpr = defaults.find(qn("w:rPrDefault")).find(qn("w:rPr"))
        set_fonts(rpr, self.faces[Face.FANGSONG], BODY_SIZE)
        child(rpr, "w:lang", val="en-US", eastAsia="zh-CN", bidi="ar-SA")
        ppr = defaults.find(qn("w:pPrDefault")).find(qn("w:pPr"))
        set_ppr(ppr, spacing={"after": "0", "line": "240", "lineRule": "auto"})
        normal = self.doc.styles["Normal"]
        set_fonts(normal.element.get_or_add_rPr(), self.faces[Face.FANGSONG], BODY_SIZE)
        # no punctuation hanging past the 版心 edge, no extra space between CJK and digits
        self._style("FjldBody", "公文正文", Face.FANGSONG, BODY_SIZE, **BODY_LINES, overflowPunct={"val": "0"},
                    autoSpaceDE={"val": "0"}, autoSpaceDN={"val": "0"}, jc={"val": "both"},
                    ind={"firstLineChars": "200", "firstLine": twips(2 * CELL)})
        for level, name in ((1, "公文一级标题"), (2, "公文二级标题"), (3, "公文三级标题"), (4, "公文四级标题")):
            self._style(f"FjldHeading{level}", name, HEADING_FACES[level], BODY_SIZE, **BODY_LINES,
                        jc={"val": "both"}, ind={"firstLineChars": "200", "firstLine": twips(2 * CELL)},
                        overflowPunct={"val": "0"}, keepNext={}, outlineLvl={"val": str(level - 1)})
        # titles are off the character grid (22 pt glyphs would take two cells) but one band high
        self._style("FjldTitle", "公文标题", Face.TITLE, TITLE_SIZE, width=None, jc={"val": "center"},
                    snapToGrid={"val": "0"},
                    spacing={"line": str(GRID_LINE_PITCH), "lineRule": "exact"}, keepNext={})
        self._style("FjldImprint", "版记", Face.FANGSONG, NOTE_SIZE, width=None, snapToGrid={"val": "0"},
                    spacing={"line": str(GRID_LINE_PITCH), "lineRule": "exact"})
        self._style("FjldCell", "表格文字", Face.FANGSONG, TABLE_SIZE, width=None, snapToGrid={"val": "0"},
                    jc={"val": "center"})
        self._style("FjldPageNumber", "页码", Face.SONG, PAGE_NUMBER_SIZE, width=None, latin=self.faces[Face.SONG],
                    snapToGrid={"val": "0"})
        strip_theme_fonts(styles)

    def _style(self, style_id: str, name: str, face: Face, size: float, width: int | None = BODY_WIDTH_PERCENT,
               latin: str | None = None, **ppr: dict[str, str]) -> None:
        style = self.doc.styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
        style.style_id = style_id
        style.base_style = self.doc.styles["Normal"]
        style.quick_style = True
        set_fonts(style.element.get_or_add_rPr(), self.faces[face], size, width_percent=width,
                  **({"latin": latin} if latin else {}))
        if ppr.get("snapToGrid") == BODY_LINES["snapToGrid"] and width == BODY_WIDTH_PERCENT:
            set_spacing(style.element.get_or_add_rPr(), BODY_CHAR_SPACING)  # body text: 28 to a line
        set_ppr(style.element.get_or_add_pPr(), **ppr)

    # ---- paragraphs -------------------------------------------------------------------------
    def para(self, style: str, runs: Iterable[tuple[Face | None, str]] = (), **ppr: dict[str, str] | None):
        paragraph = self.doc.add_paragraph()
        paragraph._p.get_or_add_pPr()
        set_ppr(paragraph._p.pPr, pStyle={"val": style}, **ppr)
        for face, text in runs:
            run = paragraph.add_run(text)
            if face is not None:
                set_fonts(run._r.get_or_add_rPr(), self.faces[face])
        return paragraph

    def run_format(self, paragraph, **kwargs: object) -> None:
        for run in paragraph.runs:
            set_fonts(run._r.get_or_add_rPr(), **kwargs)  # type: ignore[arg-type]

    def blank(self, keep_next: bool = False) -> None:
        self.para("FjldBody", ind={"firstLineChars": "0", "firstLine": "0"},
                  **({"keepNext": {}} if keep_next else {}))

    def block(self, block: Block, keep_next: bool = False) -> None:
        if isinstance(block, Heading):
            self.para(f"FjldHeading{block.level}", [(None, block.text)])
            return
        runs = [(HEADING_FACES[s.heading_level] if s.heading_level else None, s.text) for s in block.spans]
        indent = {} if block.first_indent == 2 else {
            "ind": {"firstLineChars": str(block.first_indent * 100), "firstLine": twips(block.first_indent * CELL)}}
        self.para("FjldBody", runs, **indent, **({"keepNext": {}} if keep_next else {}))

    def title(self, text: str) -> None:
        """2号小标宋, broken where the PDF breaks it (balanced lines, never inside a word the
        typesetter keeps together), so Word does not split "工作" at the line end."""
        lines = ["".join(getattr(m, "text", "") for m in row.marks) for row in self.typesetter.title_rows(text)]
        self.para("FjldTitle", [(None, "\n".join(lines) if len(lines) > 1 else text)])

    def draft(self, draft: bool) -> None:
        if draft:
            self.para("FjldBody", [(Face.HEITI, DRAFT_MARK)], ind={"firstLineChars": "0", "firstLine": "0"},
                      jc={"val": "left"})

    def right_aligned(self, text: str, right_pt: float = 0.0, keep_next: bool = False):
        return self.para("FjldBody", [(None, text)], jc={"val": "right"},
                         ind={"firstLineChars": "0", "firstLine": "0", "right": twips(right_pt)},
                         **({"keepNext": {}} if keep_next else {}))

    def width(self, text: str, size: float = BODY_SIZE) -> float:
        """Advance of a line at the grid pitch: full-width characters take one cell, others their glyph."""
        return sum(CELL if ord(c) > 0x2E7F else self.fonts.width(Face.FANGSONG, c, size) for c in text)

    # ---- furniture ----------------------------------------------------------------------------
    def letter_header(self, office: str, title: str, doc_no: str, draft: bool) -> None:
        self.draft(draft)
        self.title(office)
        self.title(title)
        if doc_no:
            self.right_aligned(doc_no)
        self.blank()

    def official_header(self, issuer: str, doc_no: str, title: str, draft: bool) -> None:
        """公文 版头: red 发文机关标志 35 mm under the 版心 top, 文号 two lines under it with the red
        rule 4 mm below as its bottom border, the title two lines under the rule."""
        self.draft(draft)
        before = LINE_PITCH if draft else 0.0
        mark = self.para("FjldTitle", [(None, issuer)],
                         spacing={"before": twips(ISSUER_MARK_TOP - before), "line": twips(ISSUER_MARK_SIZE * 1.2),
                                  "lineRule": "exact"})
        self.run_format(mark, east_asia=self.faces[Face.TITLE], size_pt=ISSUER_MARK_SIZE, color=RED)
        self.blank()
        self.blank()
        number = self.para("FjldBody", [(None, doc_no)], jc={"val": "center"},
                           ind={"firstLineChars": "0", "firstLine": "0"})
        pbdr = element("w:pBdr")
        pbdr.append(border("bottom", RED_RULE, RED, round(RED_RULE_BELOW_DOC_NO)))
        set_ppr(number._p.pPr, pBdr=None)
        number._p.pPr.append(pbdr)
        set_ppr(number._p.pPr)
        self.blank()
        self.blank()
        self.title(title)
        self.blank()

    def addressee(self, name: str) -> None:
        self.para("FjldBody", [(None, name + "：")], ind={"firstLineChars": "0", "firstLine": "0"})

    def signature(self, signature: Signature, note: str, seal_gap: int = SEAL_GAP_LINES) -> None:
        """Date 右空四字, 署名 centred over it, the seal gap above (tightened where the PDF layout
        tightened it); kept with the last body line."""
        for _ in range(seal_gap):
            self.blank(keep_next=True)
        date_right = DATE_RIGHT_CELLS * CELL
        centre_offset = (self.width(signature.date_text) - self.width(signature.signer)) / 2
        self.right_aligned(signature.signer, max(0.0, date_right + centre_offset), keep_next=True)
        self.right_aligned(signature.date_text, date_right, keep_next=bool(note))
        if note:
            self.block(Paragraph((Span(note),)))

    def imprint(self, copy_to: Sequence[str], printed_by: str = "", printed_on: str = "") -> None:
        """版记 at the foot of the last page: 抄送 and 印发 in 4号仿宋 between 0.35 mm rules, a 0.25 mm rule
        between them (GB/T 9704 §7.4); the rules are paragraph borders. The lines break where the PDF's
        layout breaks them. Each part is a frame: the last one aligned to the bottom margin, so the
        last rule lies on the 版心 bottom edge; the 抄送 frame one band per line above it."""
        rows = copy_to_footer(self.typesetter, copy_to, printed_by, printed_on)
        if not rows:
            return
        texts = [[m.text for m in row.marks if isinstance(m, TextMark)] for row in rows]
        has_printed = bool(printed_on) and texts[-1][-1].endswith("印发")
        copy_lines = [t[0] for t in (texts[:-1] if has_printed else texts)]
        side, label = twips(NOTE_SIZE), twips(3 * NOTE_SIZE)
        frame = {"w": twips(BLOCK_WIDTH), "wrap": "around", "vAnchor": "margin", "hAnchor": "margin",
                 "xAlign": "center"}
        if copy_lines:
            place = ({"y": str(int((LINES_PER_PAGE - len(rows)) * LINE_PITCH * 20))} if has_printed
                     else {"yAlign": "bottom"})
            rules = THICK_RULE if has_printed else 2 * THICK_RULE
            paragraph = self.para("FjldImprint", [(None, "\n".join(copy_lines))], framePr={**frame, **place},
                                  ind={"left": str(int(side) + int(label)), "right": side, "hanging": label},
                                  spacing=_ruled_lines(len(copy_lines), rules))
            edges = element("w:pBdr")
            edges.append(border("top", THICK_RULE))
            if not has_printed:
                edges.append(border("bottom", THICK_RULE))
            paragraph._p.pPr.append(edges)
            set_ppr(paragraph._p.pPr)
        if has_printed:
            if copy_lines:  # keeps LibreOffice from merging the two frames into one
                self.para("FjldImprint", spacing={"line": "20", "lineRule": "exact"})
            paragraph = self.para("FjldImprint", [(None, "\t".join(texts[-1]))], framePr={**frame, "yAlign": "bottom"},
                                  tabs={}, ind={"left": side, "right": side},
                                  spacing=_ruled_lines(1, (THIN_RULE if copy_lines else THICK_RULE) + THICK_RULE))
            ppr = paragraph._p.pPr
            ppr.find(qn("w:tabs")).append(element("w:tab", val="right", pos=twips(BLOCK_WIDTH - 2 * NOTE_SIZE)))
            edges = element("w:pBdr")
            edges.append(border("top", THIN_RULE if copy_lines else THICK_RULE))
            edges.append(border("bottom", THICK_RULE))
            ppr.append(edges)
            set_ppr(ppr)

    # ---- tables -------------------------------------------------------------------------------
    def table(self, widths_pt: Sequence[float], rows: Sequence[Sequence[str]], *, header_rows: int = 0,
              heights: Sequence[int] | None = None, size: float | Sequence[float] = TABLE_SIZE,
              align: Sequence[str] | None = None,
              exact: bool = False, borders: bool = True):
        """A ruled table with explicit gridCol widths (WPS reads those, not tblW); fixed layout; auto
        line spacing in cells; rows never split; header rows repeat on every page."""
        table = self.doc.add_table(rows=len(rows), cols=len(widths_pt))
        tbl = table._tbl
        tbl_pr = tbl.tblPr
        for name in ("w:tblStyle", "w:tblW", "w:tblLook", "w:tblLayout", "w:tblBorders", "w:jc", "w:tblCellMar"):
            for old in tbl_pr.findall(qn(name)):
                tbl_pr.remove(old)
        tbl_pr.append(element("w:tblW", w=str(sum(int(twips(w)) for w in widths_pt)), type="dxa"))
        tbl_pr.append(element("w:jc", val="center"))
        rules = element("w:tblBorders")
        for edge in ("top", "left", "bottom", "right", "insideH", "insideV"):
            if borders:
                rules.append(border(edge, RULE_WIDTH if edge.startswith("inside") else OUTER_RULE_WIDTH))
            else:
                rules.append(element(f"w:{edge}", val="nil"))
        tbl_pr.append(rules)
        tbl_pr.append(element("w:tblLayout", type="fixed"))
        margins = element("w:tblCellMar")
        for edge in ("left", "right"):
            margins.append(element(f"w:{edge}", w=twips(CELL_MARGIN), type="dxa"))
        tbl_pr.append(margins)
        grid = tbl.tblGrid
        for col in list(grid):
            grid.remove(col)
        for width in widths_pt:
            grid.append(element("w:gridCol", w=twips(width)))
        # walk the XML rows and cells directly: python-docx's row.cells rescans the whole grid
        for r, (tr, cells) in enumerate(zip(tbl.tr_lst, rows)):
            tr_pr = tr.get_or_add_trPr()
            tr_pr.append(element("w:cantSplit"))
            bands = heights[r] if heights else 1
            tr_pr.append(element("w:trHeight", val=str(bands * GRID_LINE_PITCH), hRule="exact" if exact else "atLeast"))
            if r < header_rows:
                tr_pr.append(element("w:tblHeader"))
            for c, (tc, text) in enumerate(zip(tr.tc_lst, cells)):
                cell = _Cell(tc, table)
                tc_pr = tc.get_or_add_tcPr()
                child(tc_pr, "w:tcW", w=twips(widths_pt[c]), type="dxa")
                child(tc_pr, "w:vAlign", val="center")
                first = cell.paragraphs[0]
                for n, part in enumerate(text.split("\n")):
                    if not part and n == 0:
                        continue
                    paragraph = first if n == 0 else cell.add_paragraph()
                    set_ppr(paragraph._p.get_or_add_pPr(), pStyle={"val": "FjldCell"},
                            jc={"val": align[c] if align else "center"})
                    for k, piece in enumerate(part.split(LINE_BREAK)):
                        run = paragraph.add_run(piece)
                        if k:
                            run._r.insert(0, element("w:br"))
                        set_fonts(run._r.get_or_add_rPr(), self.faces[Face.FANGSONG],
                                  size if isinstance(size, float) else size[c])
        return table

    def date_blank(self, cell, text: str) -> None:
        """Hand-filled 年 月 日 at the bottom right of a signature cell."""
        child(cell._tc.tcPr, "w:vAlign", val="bottom")
        paragraph = cell.paragraphs[-1]
        if paragraph.text:
            paragraph = cell.add_paragraph()
        set_ppr(paragraph._p.get_or_add_pPr(), pStyle={"val": "FjldCell"}, jc={"val": "right"},
                ind={"right": twips(BODY_SIZE)})
        run = paragraph.add_run(text)
        set_fonts(run._r.get_or_add_rPr(), self.faces[Face.FANGSONG], FORM_VALUE_SIZE)

    # ---- sections -----------------------------------------------------------------------------
    def start_section(self, numbered: bool) -> None:
        """A new section per document: A4, GB/T 9704 margins, the 22 × 28 grid, page numbers from 1."""
        if self.sections:
            section = self.doc.add_section(WD_SECTION.NEW_PAGE)
        else:
            section = self.doc.sections[0]
        self.sections += 1
        section.page_width, section.page_height = Emu(round(210 * 36000)), Emu(round(297 * 36000))
        section.top_margin, section.bottom_margin = Emu(37 * 36000), Emu(35 * 36000)
        section.left_margin, section.right_margin = Emu(28 * 36000), Emu(26 * 36000)
        section.header_distance = Emu(15 * 36000)
        section.footer_distance = Emu(round(PAGE_NUMBER_FOOTER / MM * 36000))
        sect_pr = section._sectPr
        for old in sect_pr.findall(qn("w:docGrid")) + sect_pr.findall(qn("w:pgNumType")):
            sect_pr.remove(old)
        sect_pr.append(element("w:pgNumType", start="1"))
        sect_pr.append(element("w:docGrid", type="linesAndChars", linePitch=str(GRID_LINE_PITCH),
                               charSpace=str(GRID_CHAR_SPACE)))
        # schema order: pgNumType before cols/docGrid
        order = ("w:headerReference", "w:footerReference", "w:footnotePr", "w:endnotePr", "w:type", "w:pgSz",
                 "w:pgMar", "w:paperSrc", "w:pgBorders", "w:lnNumType", "w:pgNumType", "w:cols",
                 "w:formProt", "w:vAlign", "w:noEndnote", "w:titlePg", "w:textDirection", "w:bidi",
                 "w:rtlGutter", "w:docGrid", "w:printerSettings", "w:sectPrChange")
        rank = {qn(t): n for n, t in enumerate(order)}
        items = sorted(sect_pr, key=lambda c: rank.get(c.tag, len(rank)))
        for item in items:
            sect_pr.remove(item)
            sect_pr.append(item)
        for footer, odd in ((section.footer, True), (section.even_page_footer, False)):
            footer.is_linked_to_previous = False
            paragraph = footer.paragraphs[0]
            for r in list(paragraph._p.iterchildren(qn("w:r"))):
                paragraph._p.remove(r)
            if not numbered:
                continue
            # 4号 "— N —", odd pages 居右空一字, even pages 居左空一字 (GB/T 9704 §7.5)
            set_ppr(paragraph._p.get_or_add_pPr(), pStyle={"val": "FjldPageNumber"},
                    jc={"val": "right" if odd else "left"},
                    ind={"right" if odd else "left": twips(PAGE_NUMBER_SIZE)})
            rpr = element("w:rPr")
            set_fonts(rpr, self.faces[Face.SONG], PAGE_NUMBER_SIZE, latin=self.faces[Face.SONG])
            dash = paragraph.add_run("— ")
            dash._r.insert(0, deepcopy(rpr))
            page_field_runs(paragraph, rpr)
            tail = paragraph.add_run(" —")
            tail._r.insert(0, deepcopy(rpr))

    def finish(self) -> bytes:
        strip_theme_fonts(self.doc.element)
        buffer = BytesIO()
        self.doc.save(buffer)
        return buffer.getvalue()


