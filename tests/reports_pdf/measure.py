"""Read back what a PDF really contains: pdfplumber for glyphs, baselines, sizes and fonts;
poppler (`pdftotext -bbox`) for horizontal extents, which pdfplumber gets wrong on grid-spaced
text (pdfminer drops the character spacing at font-subset switches, tech-stack §6.3)."""
from __future__ import annotations

import io
import re
import subprocess
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path

import pdfplumber
from reportlab.pdfbase import pdfmetrics

from reports.pdf.geometry import MM, PAGE_HEIGHT

BLOCK_BOTTOM_FROM_TOP = (37 + 225) * MM


@dataclass(frozen=True)
class Line:
    baseline: float  # from the page top, in points
    text: str
    sizes: frozenset[float]
    fonts: tuple[str, ...]  # per character
    x0: float  # pdfplumber's left edge of the first glyph (exact: no spacing before it)


def lines_of(page) -> list[Line]:
    """Characters grouped by baseline (not by top: glyph tops differ between fonts)."""
    by_baseline: dict[float, list[dict]] = {}
    for char in page.chars:
        baseline = round(PAGE_HEIGHT - char["matrix"][5], 1)
        by_baseline.setdefault(baseline, []).append(char)
    result = []
    for baseline in sorted(by_baseline):
        chars = by_baseline[baseline]
        chars.sort(key=lambda c: c["x0"])
        result.append(Line(baseline, "".join(c["text"] for c in chars),
                           frozenset(round(c["size"], 1) for c in chars),
                           tuple(c["fontname"] for c in chars), chars[0]["x0"]))
    return result


def body_lines(page) -> list[Line]:
    """Lines inside the 版心 (drops the page number)."""
    return [ln for ln in lines_of(page) if ln.baseline < BLOCK_BOTTOM_FROM_TOP]


def open_pdf(data: bytes):
    return pdfplumber.open(io.BytesIO(data))


@dataclass(frozen=True)
class Word:
    text: str
    x_min: float
    y_min: float
    x_max: float
    y_max: float


def poppler_words(path: Path) -> list[list[Word]]:
    """Per page, poppler's words (a CJK line without spaces is one word)."""
    xhtml = subprocess.run(["pdftotext", "-bbox", str(path), "-"], capture_output=True, text=True,
                           check=True).stdout
    xhtml = re.sub(r"<!DOCTYPE[^>]*>", "", xhtml)
    root = ET.fromstring(xhtml)
    pages = []
    for page in root.iter("{http://www.w3.org/1999/xhtml}page"):
        pages.append([Word(w.text or "", float(w.get("xMin")), float(w.get("yMin")), float(w.get("xMax")),
                           float(w.get("yMax")))
                      for w in page.iter("{http://www.w3.org/1999/xhtml}word")])
    return pages


def pdffonts(path: Path) -> list[dict[str, str]]:
    out = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True, check=True).stdout
    rows = []
    for line in out.splitlines()[2:]:
        parts = line.split()
        # name type... encoding emb sub uni objectID gen
        rows.append({"name": parts[0], "emb": parts[-5], "sub": parts[-4], "uni": parts[-3]})
    return rows


def ps_name(registered_name: str) -> str:
    """PostScript name reportlab writes (after the AAAAAA+ subset tag) for a registered font."""
    face = pdfmetrics.getFont(registered_name).face
    name = face.name
    return (name.decode() if isinstance(name, bytes) else name) + (
        face.subfontNameX.decode() if isinstance(face.subfontNameX, bytes) else face.subfontNameX)


def strip_subset_tag(fontname: str) -> str:
    return fontname.split("+", 1)[-1]
