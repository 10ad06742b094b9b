"""Paginated rows -> PDF bytes with reportlab's canvas (fonts embedded and subset)."""
from __future__ import annotations

from io import BytesIO

from reportlab.lib.utils import ImageReader
from reportlab.pdfgen.canvas import Canvas

from reports.pdf.flow import ImageMark, Page, RuleMark, TextMark
from reports.pdf.fonts import Face, FontSet
from reports.pdf.geometry import (
    BLOCK_LEFT,
    BLOCK_RIGHT,
    PAGE_HEIGHT,
    PAGE_NUMBER_DASH_CENTRE,
    PAGE_NUMBER_SIZE,
    PAGE_WIDTH,
    band_top,
)

PAGE_NUMBER_DASH = "—"  # U+2014 一字线


def page_number_text(number: int) -> str:
    return f"{PAGE_NUMBER_DASH} {number} {PAGE_NUMBER_DASH}"


class PdfWriter:
    """One output file; documents are appended page by page (batch mode puts many in one file)."""

    def __init__(self, fonts: FontSet, title: str = "", author: str = "") -> None:
        self.fonts = fonts
        self.buffer = BytesIO()
        # initialFontName: otherwise reportlab leaves an unembedded Helvetica in the resources.
        self.canvas = Canvas(self.buffer, pagesize=(PAGE_WIDTH, PAGE_HEIGHT), initialFontName=fonts.primary[Face.FANGSONG],
                             initialFontSize=16, pageCompression=1)
        self.canvas.setTitle(title)
        self.canvas.setAuthor(author)
        self.canvas.setCreator("府检联动工作台")
        dash_low, dash_high = fonts.glyph_extent(Face.SONG, PAGE_NUMBER_DASH)
        # baseline that puts the middle of the dash's ink 28 mm above the page bottom (§7.5)
        self._page_number_baseline = PAGE_NUMBER_DASH_CENTRE - (dash_low + dash_high) / 2 * PAGE_NUMBER_SIZE

    def add_pages(self, pages: list[Page]) -> None:
        """Draw pages; page numbers restart at 1 for each document added."""
        for number, page in enumerate(pages, start=1):
            for band, row in page.rows:
                top = band_top(band)
                for mark in row.marks:
                    if isinstance(mark, TextMark):
                        self._text(mark, top)
                    elif isinstance(mark, RuleMark):
                        self._rule(mark, top)
                    else:
                        self._image(mark, top)
            if page.numbered:
                self._page_number(number)
            self.canvas.showPage()

    def finish(self) -> bytes:
        self.canvas.save()
        return self.buffer.getvalue()

    def _text(self, mark: TextMark, top: float) -> None:
        text = self.canvas.beginText(mark.x, top - mark.dy)
        text.setCharSpace(mark.char_space)
        text.setFillColorRGB(*mark.rgb)
        if mark.stroke:
            self.canvas.setStrokeColorRGB(*mark.rgb)
            text.setTextRenderMode(2)  # fill then stroke: a heavier face from a light one
            self.canvas.setLineWidth(mark.stroke)
        for face, chunk in mark.runs:
            for font_name, piece in self.fonts.runs(face, chunk):
                text.setFont(font_name, mark.size)
                text.textOut(piece)
        if mark.stroke:
            text.setTextRenderMode(0)  # render mode is graphics state: do not leak it
        text.setFillColorRGB(0, 0, 0)
        self.canvas.drawText(text)
        self.canvas.setStrokeColorRGB(0, 0, 0)

    def _rule(self, mark: RuleMark, top: float) -> None:
        self.canvas.setStrokeColorRGB(*mark.rgb)
        self.canvas.setLineWidth(mark.width)
        self.canvas.line(mark.x0, top - mark.dy0, mark.x1, top - mark.dy1)
        self.canvas.setStrokeColorRGB(0, 0, 0)

    def _image(self, mark: ImageMark, top: float) -> None:
        self.canvas.drawImage(ImageReader(BytesIO(mark.data)), mark.x, top - mark.dy - mark.height,
                              mark.width, mark.height, mask="auto", preserveAspectRatio=True)

    def _page_number(self, number: int) -> None:
        """4号 digits; odd pages 居右空一字, even pages 居左空一字 (§7.5)."""
        label = page_number_text(number)
        width = sum(self.fonts.width(Face.SONG, c, PAGE_NUMBER_SIZE) for c in label)
        if number % 2:
            x = BLOCK_RIGHT - PAGE_NUMBER_SIZE - width
        else:
            x = BLOCK_LEFT + PAGE_NUMBER_SIZE
        text = self.canvas.beginText(x, self._page_number_baseline)
        for font_name, piece in self.fonts.runs(Face.SONG, label):
            text.setFont(font_name, PAGE_NUMBER_SIZE)
            text.textOut(piece)
        self.canvas.drawText(text)
