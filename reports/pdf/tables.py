"""Ruled tables on the line grid: every text line of a cell takes one 28.99 pt band, so a table
continues the page grid; rows never split; header rows repeat after a page break."""
from __future__ import annotations

from collections.abc import Sequence

from reports.pdf.content import FormRow, Table
from reports.pdf.flow import Block, Mark, Row, RuleMark, TextMark
from reports.pdf.fonts import Face
from reports.pdf.geometry import BLOCK_LEFT, BLOCK_RIGHT, BLOCK_WIDTH, BODY_SIZE, LINE_PITCH, NOTE_SIZE
from reports.pdf.typeset import Align, Typesetter

TABLE_SIZE = 12.0  # 小四: ten statistics columns do not fit 156 mm at 4号
CELL_PADDING = 2.0
RULE_WIDTH = 0.75
OUTER_RULE_WIDTH = 1.0
LABEL_COLUMN = 42 * 72 / 25.4  # 送达回证 label column (documents-spec §4)


def _cell_lines(ts: Typesetter, text: str, left: float, width: float, size: float, align: Align,
                band: int = 0) -> list[TextMark]:
    """Explicit newlines start new lines; each paragraph is wrapped into balanced lines."""
    marks: list[TextMark] = []
    for part in text.split("\n"):
        if part:
            marks += ts.lines([(Face.FANGSONG, part)], size=size, left=left + CELL_PADDING,
                              width=width - 2 * CELL_PADDING, justify=False, align=align,
                              centre_in=LINE_PITCH, balance=True)
    # line n goes into band n of the row
    return [TextMark(m.x, m.dy + (band + n) * LINE_PITCH, m.runs, m.size, m.char_space)
            for n, m in enumerate(marks)]


def _ruled_row(marks: list[Mark], edges: Sequence[float], bands: int, top_width: float = RULE_WIDTH,
               bottom_width: float = RULE_WIDTH) -> Row:
    height = bands * LINE_PITCH
    rules: list[Mark] = [RuleMark(edges[0], 0.0, edges[-1], 0.0, top_width),
                         RuleMark(edges[0], height, edges[-1], height, bottom_width)]
    for n, x in enumerate(edges):
        outer = n in (0, len(edges) - 1)
        rules.append(RuleMark(x, 0.0, x, height, OUTER_RULE_WIDTH if outer else RULE_WIDTH))
    return Row(rules + marks, bands=bands)


def column_edges(weights: Sequence[float]) -> list[float]:
    total = sum(weights)
    edges = [BLOCK_LEFT]
    for weight in weights:
        edges.append(edges[-1] + BLOCK_WIDTH * weight / total)
    edges[-1] = BLOCK_RIGHT
    return edges


def _row_cells(ts: Typesetter, cells: Sequence[str], edges: Sequence[float]) -> list[list[TextMark]]:
    return [_cell_lines(ts, text, edges[i], edges[i + 1] - edges[i], TABLE_SIZE, Align.CENTRE)
            for i, text in enumerate(cells)]


def table_cell_lines(ts: Typesetter, table: Table) -> list[list[list[str]]]:
    """Per row (header rows first), per cell: the text lines as the PDF breaks them. The .docx
    writer breaks its cells at the same places and gives each row as many bands, so a table takes
    the same lines (and the document the same pages) in Word as in the PDF."""
    edges = column_edges(table.column_weights)
    return [[[mark.text for mark in cell] for cell in _row_cells(ts, cells, edges)]
            for cells in [*table.header, *table.rows]]


def table_block(ts: Typesetter, table: Table) -> Block:
    """Statistics table, centred cells; the header repeats at the top of each continued page."""
    edges = column_edges(table.column_weights)

    def build(cells: Sequence[str], top_width: float) -> Row:
        per_cell = _row_cells(ts, cells, edges)
        bands = max(1, *(len(m) for m in per_cell))
        # vertical centring of cells shorter than the row
        marks: list[Mark] = []
        for cell_marks in per_cell:
            shift = (bands - len(cell_marks)) * LINE_PITCH / 2
            marks.extend(TextMark(m.x, m.dy + shift, m.runs, m.size, m.char_space) for m in cell_marks)
        return _ruled_row(marks, edges, bands, top_width=top_width)

    header = [build(cells, OUTER_RULE_WIDTH) for cells in table.header]
    body = [build(cells, RULE_WIDTH) for cells in table.rows]
    return Block([*header, *body], keep_first=len(header) + 1, repeat_rows=header)


def form_block(ts: Typesetter, rows: Sequence[FormRow]) -> Block:
    """Two-column ruled form (送达回证): label column 42 mm; one size per role: labels 3号 centred
    (broken only where the label says), values 4号; a hand-fill date blank sits at the bottom right
    of signature rows."""
    edges = [BLOCK_LEFT, BLOCK_LEFT + LABEL_COLUMN, BLOCK_RIGHT]
    value_width = edges[2] - edges[1]
    built: list[Row] = []
    for n, row in enumerate(rows):
        label = _centred(ts, row.label, edges[0], LABEL_COLUMN, row.lines, FORM_LABEL_SIZE, Align.CENTRE)
        value = _centred(ts, row.value, edges[1], value_width, row.lines - (1 if row.date_blank else 0),
                         FORM_VALUE_SIZE, Align.LEFT)
        marks: list[Mark] = [*label, *value]
        if row.date_blank:
            marks += _cell_lines(ts, row.date_blank, edges[1], value_width - BODY_SIZE, FORM_VALUE_SIZE,
                                 Align.RIGHT, band=row.lines - 1)
        top = OUTER_RULE_WIDTH if n == 0 else RULE_WIDTH
        bottom = OUTER_RULE_WIDTH if n == len(rows) - 1 else RULE_WIDTH
        built.append(_ruled_row(marks, edges, row.lines, top, bottom))
    return Block(built, keep_together=True)


FORM_LABEL_SIZE = BODY_SIZE  # 3号
FORM_VALUE_SIZE = NOTE_SIZE  # 4号


def _centred(ts: Typesetter, text: str, left: float, width: float, bands: int, size: float,
             align: Align) -> list[TextMark]:
    """Cell lines centred vertically in the row's `bands` lines."""
    if not text:
        return []
    marks = _cell_lines(ts, text, left, width, size, align)
    shift = max(0, bands - len(marks)) * LINE_PITCH / 2
    return [TextMark(m.x, m.dy + shift, m.runs, m.size, m.char_space) for m in marks]
