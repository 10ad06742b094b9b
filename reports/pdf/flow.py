"""Grid flow: rows of marks occupy whole 28.99 pt bands; blocks are paginated 22 bands a page.

Marks are positioned in points: x absolute, y as an offset below the top of their row, so a row
can be placed on any band of any page. Pagination rules: headings keep with the next line, table
headers repeat, the signature block never stands alone (it pulls the last body lines along),
and the 版记 sits at the bottom of the last page together with the signature block (on a page of
its own, unnumbered, only if even that cannot fit).
"""
from __future__ import annotations

from dataclasses import dataclass, field

from reports.pdf.fonts import Face
from reports.pdf.geometry import LINES_PER_PAGE


@dataclass(frozen=True)
class TextMark:
    x: float
    dy: float  # baseline below the row top
    runs: tuple[tuple[Face, str], ...]
    size: float
    char_space: float = 0.0
    stroke: float = 0.0  # synthetic-bold outline width (substitute 小标宋)
    rgb: tuple[float, float, float] = (0.0, 0.0, 0.0)  # red for the 发文机关标志

    @property
    def text(self) -> str:
        return "".join(text for _, text in self.runs)


@dataclass(frozen=True)
class RuleMark:
    """A straight line from (x0, dy0) to (x1, dy1), offsets below the row top."""

    x0: float
    dy0: float
    x1: float
    dy1: float
    width: float
    rgb: tuple[float, float, float] = (0.0, 0.0, 0.0)


@dataclass(frozen=True)
class ImageMark:
    x: float
    dy: float  # top edge below the row top
    width: float
    height: float
    data: bytes


Mark = TextMark | RuleMark | ImageMark


@dataclass
class Row:
    marks: list[Mark]
    bands: int = 1
    is_body: bool = True  # False for blank/furniture rows (the 版记-only page test uses this)


@dataclass
class Block:
    rows: list[Row]
    keep_together: bool = False
    keep_with_next: bool = False  # headings: never last on a page
    keep_first: int = 1  # leading rows that must share a page (table header + first row)
    repeat_rows: list[Row] = field(default_factory=list)  # table header, repeated after a break
    pull_previous: int = 0  # rows of the previous block moved along when this block must move


@dataclass
class Page:
    rows: list[tuple[int, Row]] = field(default_factory=list)  # (first band, row)
    numbered: bool = True
    used: int = 0  # bands filled from the top

    def place(self, row: Row) -> None:
        self.rows.append((self.used, row))
        self.used += row.bands


def _bands(rows: list[Row]) -> int:
    return sum(r.bands for r in rows)


def paginate(blocks: list[Block], footer: list[Row] | None = None,
             lines_per_page: int = LINES_PER_PAGE) -> list[Page]:
    pages = [Page()]
    for index, block in enumerate(blocks):
        if not block.rows:
            continue
        page = pages[-1]
        needed = _bands(block.rows) if block.keep_together else _bands(block.rows[: block.keep_first])
        if block.keep_with_next and index + 1 < len(blocks) and blocks[index + 1].rows:
            needed = _bands(block.rows) + _bands(blocks[index + 1].rows[:1])
        if footer and index == len(blocks) - 1 and block.keep_together:
            # the closing block (signature) takes the 版记 along rather than leave it a page of its own
            needed += _bands(footer)
        if page.used + needed > lines_per_page and page.used > 0:
            carried: list[Row] = []
            body_rows = sum(1 for _, r in page.rows if r.is_body)
            if block.pull_previous and body_rows > block.pull_previous:
                for _ in range(block.pull_previous):
                    carried.insert(0, page.rows.pop()[1])
            page = Page()
            pages.append(page)
            for row in carried:
                page.place(row)
        for row in block.rows:
            if page.used + row.bands > lines_per_page:
                page = Page()
                pages.append(page)
                for header_row in block.repeat_rows:
                    page.place(header_row)
            page.place(row)
    if footer:
        needed = _bands(footer)
        page = pages[-1]
        if page.used + needed > lines_per_page:
            page = Page(numbered=False)  # GB/T 9704 §7.5: no number on a 版记-only page
            pages.append(page)
        page.used = lines_per_page - needed
        for row in footer:
            page.place(row)
    return pages
