"""Small WordprocessingML helpers on top of python-docx: elements with w: attributes, East Asian
fonts without theme fonts, paragraph borders, the document grid and odd/even page-number footers.

Units: twips (1/20 pt) for lengths, eighths of a point for border widths, half-points for sizes.
"""
from __future__ import annotations

from collections.abc import Iterable

from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.oxml.xmlchemy import BaseOxmlElement

LATIN_FONT = "Times New Roman"  # Arabic numerals and Latin text (最高检 公文处理实施细则)


def twips(points: float) -> str:
    return str(round(points * 20))


def element(tag: str, **attrs: str) -> BaseOxmlElement:
    node = OxmlElement(tag)
    for name, value in attrs.items():
        node.set(qn(f"w:{name}"), value)
    return node


def child(parent: BaseOxmlElement, tag: str, **attrs: str) -> BaseOxmlElement:
    """The parent's single `tag` child (replaced if present), with these attributes."""
    for old in parent.findall(qn(tag)):
        parent.remove(old)
    node = element(tag, **attrs)
    parent.append(node)
    return node


# Schema order of the pPr / rPr children we write (Word refuses out-of-order elements).
_PPR_ORDER = ("w:pStyle", "w:keepNext", "w:keepLines", "w:pageBreakBefore", "w:framePr", "w:widowControl",
              "w:pBdr", "w:shd", "w:tabs", "w:suppressAutoHyphens", "w:kinsoku", "w:wordWrap",
              "w:overflowPunct", "w:topLinePunct", "w:autoSpaceDE", "w:autoSpaceDN", "w:bidi",
              "w:adjustRightInd", "w:snapToGrid", "w:spacing", "w:ind", "w:contextualSpacing",
              "w:mirrorIndents", "w:suppressOverlap", "w:jc", "w:textDirection", "w:textAlignment",
              "w:textboxTightWrap", "w:outlineLvl", "w:divId", "w:cnfStyle", "w:rPr", "w:sectPr",
              "w:pPrChange")
_RPR_ORDER = ("w:rStyle", "w:rFonts", "w:b", "w:bCs", "w:i", "w:iCs", "w:caps", "w:smallCaps", "w:strike",
              "w:dstrike", "w:outline", "w:shadow", "w:emboss", "w:imprint", "w:noProof", "w:snapToGrid",
              "w:vanish", "w:webHidden", "w:color", "w:spacing", "w:w", "w:kern", "w:position", "w:sz",
              "w:szCs", "w:highlight", "w:u", "w:effect", "w:bdr", "w:shd", "w:fitText", "w:vertAlign",
              "w:rtl", "w:cs", "w:em", "w:lang", "w:eastAsianLayout", "w:specVanish", "w:oMath")


def ordered(parent: BaseOxmlElement, order: Iterable[str]) -> None:
    """Re-sort the children of a pPr/rPr into schema order."""
    rank = {qn(tag): n for n, tag in enumerate(order)}
    children = list(parent)
    children.sort(key=lambda c: rank.get(c.tag, len(rank)))
    for c in children:
        parent.remove(c)
        parent.append(c)


def set_ppr(ppr: BaseOxmlElement, **props: dict[str, str] | None) -> None:
    """Set pPr children by name: set_ppr(ppr, jc={"val": "both"}, keepNext={})."""
    for name, attrs in props.items():
        if attrs is None:
            for old in ppr.findall(qn(f"w:{name}")):
                ppr.remove(old)
        else:
            child(ppr, f"w:{name}", **attrs)
    ordered(ppr, _PPR_ORDER)


def set_fonts(rpr: BaseOxmlElement, east_asia: str, size_pt: float | None = None, latin: str = LATIN_FONT,
              color: str | None = None, width_percent: int | None = None) -> None:
    """Explicit font names for every script (no theme attributes): Latin and digits in Times New
    Roman, CJK in `east_asia`; hint=eastAsia so shared punctuation (“” — …) takes the CJK face."""
    child(rpr, "w:rFonts", ascii=latin, hAnsi=latin, cs=latin, eastAsia=east_asia, hint="eastAsia")
    if size_pt is not None:
        child(rpr, "w:sz", val=str(round(size_pt * 2)))
        child(rpr, "w:szCs", val=str(round(size_pt * 2)))
    if color is not None:
        child(rpr, "w:color", val=color)
    if width_percent is not None:
        child(rpr, "w:w", val=str(width_percent))
    ordered(rpr, _RPR_ORDER)


def set_spacing(rpr: BaseOxmlElement, twentieths: int) -> None:
    """Extra advance after every character (w:spacing in twips; may be negative)."""
    child(rpr, "w:spacing", val=str(twentieths))
    ordered(rpr, _RPR_ORDER)


def border(edge: str, width_pt: float, color: str = "000000", space_pt: int = 0) -> BaseOxmlElement:
    return element(f"w:{edge}", val="single", sz=str(round(width_pt * 8)), space=str(space_pt), color=color)


def strip_theme_fonts(root: BaseOxmlElement) -> None:
    """Remove every theme-font reference (asciiTheme, eastAsiaTheme, …): WPS warns about theme fonts
    an office PC does not have, and explicit names are what GB/T 9704 asks for."""
    for fonts in root.iter(qn("w:rFonts")):
        for name in list(fonts.attrib):
            if name.lower().endswith("theme"):
                del fonts.attrib[name]


def page_field_runs(paragraph, rpr_template: BaseOxmlElement) -> None:
    """Append a PAGE field (fldChar begin / instrText / separate / 1 / end) to the paragraph."""
    from copy import deepcopy

    def run(*children: BaseOxmlElement) -> None:
        r = OxmlElement("w:r")
        r.append(deepcopy(rpr_template))
        for c in children:
            r.append(c)
        paragraph._p.append(r)

    run(element("w:fldChar", fldCharType="begin"))
    instr = element("w:instrText")
    instr.set(qn("xml:space"), "preserve")
    instr.text = " PAGE "
    run(instr)
    run(element("w:fldChar", fldCharType="separate"))
    text = element("w:t")
    text.text = "1"
    run(text)
    run(element("w:fldChar", fldCharType="end"))
