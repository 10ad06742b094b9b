"""Text -> rows of TextMarks on the character grid (line breaking, justification, alignment)."""
from __future__ import annotations

from collections.abc import Sequence
from enum import Enum

from models.errors import DomainError
from reports.pdf.content import Block, Heading, Paragraph
from reports.pdf.flow import Block as FlowBlock
from reports.pdf.flow import Row, TextMark
from reports.pdf.fonts import Face, FontSet
from reports.pdf.geometry import (
    BLOCK_LEFT,
    BLOCK_WIDTH,
    BODY_SIZE,
    CELL,
    EM_ASCENT,
    TITLE_SIZE,
    centred_baseline,
)
from reports.pdf.linebreak import break_lines

HEADING_FACES = {0: Face.FANGSONG, 1: Face.HEITI, 2: Face.KAITI, 3: Face.FANGSONG, 4: Face.FANGSONG}
TITLE_STROKE_EM = 0.025  # synthetic weight for a substitute 小标宋


class Align(Enum):
    LEFT = "left"
    CENTRE = "centre"
    RIGHT = "right"


class Typesetter:
    def __init__(self, fonts: FontSet) -> None:
        self.fonts = fonts

    def check_glyphs(self, face: Face, text: str) -> None:
        missing = self.fonts.missing_chars(face, text)
        if missing:
            raise DomainError("glyph_missing", f"以下字符在所有可用字体中都没有字形：{missing}。"
                              "请安装包含这些字的TrueType字体，并在字体设置中指定为“补字字体”。",
                              chars=missing)

    def lines(self, styled: Sequence[tuple[Face, str]], *, size: float = BODY_SIZE, cell: float | None = None,
              left: float = BLOCK_LEFT, width: float = BLOCK_WIDTH, first_indent: float = 0.0,
              rest_indent: float = 0.0, justify: bool = True, align: Align = Align.LEFT,
              char_space: float | None = None, centre_in: float | None = None,
              stroke: float = 0.0, balance: bool = False) -> list[TextMark]:
        """Break styled text into lines; one TextMark per line with dy for a top-aligned em box
        (or centred in a box `centre_in` high). `cell` is the full-width character pitch."""
        text = "".join(t for _, t in styled)
        faces: list[Face] = []
        for face, part in styled:
            self.check_glyphs(face, part)
            faces.extend([face] * len(part))
        pitch = size if cell is None else cell
        spacing = pitch - size if char_space is None else char_space
        glyphs = [self.fonts.width(f, c, size) for f, c in zip(faces, text)]
        advances = [g + spacing for g in glyphs]
        spans = break_lines(text, advances, width - first_indent, width - rest_indent)
        if balance and len(spans) > 1:
            # same number of lines, evenly filled (table cells, titles): narrow until one more line
            # would be needed, in steps of the widest character
            step = max(advances)
            narrowed = width - rest_indent - step
            while narrowed > step:
                trial = break_lines(text, advances, narrowed, narrowed)
                if len(trial) > len(spans):
                    break
                spans = trial
                narrowed -= step
        dy = EM_ASCENT * size if centre_in is None else -centred_baseline(0.0, centre_in, size)
        marks: list[TextMark] = []
        for number, (start, end) in enumerate(spans):
            indent = first_indent if number == 0 else rest_indent
            available = width - indent
            glyph_sum = sum(glyphs[start:end])
            line_space = spacing
            last = number == len(spans) - 1
            if justify and not last and end - start > 1:
                # right edge where a full line of grid cells ends, whatever the mix of widths
                line_space = (available - spacing - glyph_sum) / (end - start - 1)
            visual = glyph_sum + line_space * (end - start - 1)
            x = left + indent
            if align is Align.CENTRE:
                x = left + (width - visual) / 2
            elif align is Align.RIGHT:
                x = left + width - visual
            marks.append(TextMark(x, dy, _runs(faces[start:end], text[start:end]), size, line_space, stroke))
        return marks

    def visual_width(self, mark: TextMark) -> float:
        """Ink advance of a line: glyph advances plus the spacing between (not after) characters."""
        glyphs = [self.fonts.width(face, c, mark.size) for face, text in mark.runs for c in text]
        return sum(glyphs) + mark.char_space * (len(glyphs) - 1)

    def rows(self, marks: list[TextMark]) -> list[Row]:
        return [Row([m]) for m in marks]

    def block_rows(self, block: Block) -> FlowBlock:
        """Body paragraph or heading, 3号 on the 28-character grid, 左空二字, 回行顶格."""
        if isinstance(block, Heading):
            marks = self.lines([(HEADING_FACES[block.level], block.text)], cell=CELL, first_indent=2 * CELL)
            return FlowBlock(self.rows(marks), keep_with_next=True)
        styled = [(HEADING_FACES[s.heading_level], s.text) for s in block.spans if s.text]
        marks = self.lines(styled, cell=CELL, first_indent=block.first_indent * CELL)
        return FlowBlock(self.rows(marks))

    def paragraph(self, paragraph: Paragraph) -> FlowBlock:
        return self.block_rows(paragraph)

    def title_stroke(self, size: float) -> float:
        """Synthetic weight when 小标宋 is drawn by a light substitute face."""
        return TITLE_STROKE_EM * size if Face.TITLE in self.fonts.substituted else 0.0

    def title_rows(self, text: str) -> list[Row]:
        """2号小标宋, centred; a long title breaks into balanced lines (梯形)."""
        stroke = TITLE_STROKE_EM * TITLE_SIZE if Face.TITLE in self.fonts.substituted else 0.0
        natural = sum(self.fonts.width(Face.TITLE, c, TITLE_SIZE) for c in text)
        line_count = max(1, -int(-natural // BLOCK_WIDTH))
        width = min(BLOCK_WIDTH, natural / line_count + 2 * TITLE_SIZE)
        left = BLOCK_LEFT + (BLOCK_WIDTH - width) / 2
        marks = self.lines([(Face.TITLE, text)], size=TITLE_SIZE, left=left, width=width, justify=False,
                           align=Align.CENTRE, stroke=stroke)
        return [Row([m]) for m in marks]

    def spaced_title_row(self, text: str, spacing_em: float) -> Row:
        stroke = TITLE_STROKE_EM * TITLE_SIZE if Face.TITLE in self.fonts.substituted else 0.0
        marks = self.lines([(Face.TITLE, text)], size=TITLE_SIZE, justify=False, align=Align.CENTRE,
                           char_space=spacing_em * TITLE_SIZE, stroke=stroke)
        return Row([marks[0]])

    def aligned_row(self, text: str, align: Align, *, face: Face = Face.FANGSONG, size: float = BODY_SIZE,
                    right_space: float = 0.0) -> list[Row]:
        marks = self.lines([(face, text)], size=size, cell=CELL if size == BODY_SIZE else None,
                           width=BLOCK_WIDTH - right_space, justify=False, align=align)
        return self.rows(marks)


def blank_row() -> Row:
    return Row([], is_body=False)


def _runs(faces: Sequence[Face], text: str) -> tuple[tuple[Face, str], ...]:
    runs: list[tuple[Face, str]] = []
    start = 0
    for index in range(1, len(text) + 1):
        if index == len(text) or faces[index] != faces[start]:
            runs.append((faces[start], text[start:index]))
            start = index
    return tuple(runs)

