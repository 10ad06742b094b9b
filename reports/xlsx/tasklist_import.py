"""An existing 任务清单 xlsx -> TaskListData. Reads the published layout (①②③ in one cell, grouped
完成时限/责任单位) and the common variants: a 序号 column, 牵头单位/配合单位 columns, one row per measure
with the task cell merged (or left blank) below it, blank rows, note rows, the header on rows 1–8.

Anything it cannot place raises a DomainError naming row and column; it never returns half a list.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from openpyxl.worksheet.worksheet import Worksheet

from models.errors import DomainError
from reports.xlsx.cells import is_aspect_heading, parse_progress_line, split_task_heading, strip_aspect_prefix
from reports.xlsx.circled import (
    CIRCLED,
    circled,
    has_circled,
    join_grouped,
    normalise_cell,
    split_grouped,
    split_measures,
)
from reports.xlsx.data import (
    STATUS_CHOICES,
    AspectData,
    ImportedTaskList,
    MeasureData,
    TaskData,
    TaskListData,
)
from reports.xlsx.grid import Grid, column_name, where
from reports.xlsx.safety import TimeBudget, choose_sheet, open_workbook
from reports.xlsx.tasklist_header import HEADER_SEARCH_ROWS, Header, find_header, is_header_row

MEASURE_ROLES = ("deadline", "units", "lead", "support", "progress", "status")
NOTE_PREFIXES = ("注", "备注", "说明", "填表说明", "填报说明", "制表", "填报人", "联系人", "审核人", "抄送", "附：")
_YEAR = re.compile(r"(20\d{2})\s*年")
_LEADING_NUMBER = re.compile(rf"^\s*([{CIRCLED}])\s*")
MAX_TASK_NUMBER = 9999


@dataclass
class _TaskRows:
    """The rows one task occupies while reading; turned into a TaskData when the task ends."""

    first_row: int
    number: int | None
    text: str
    rows: list[int] = field(default_factory=list)


class TaskListReader:
    def __init__(self, grid: Grid, header: Header, budget: TimeBudget | None = None) -> None:
        self.grid = grid
        self.header = header
        self.budget = budget or TimeBudget()
        self.aspects: list[tuple[str, list[TaskData]]] = []
        self.notes: list[str] = []
        self.current: _TaskRows | None = None
        self.row_owner: dict[int, int] = {}  # row -> first row of the task it belongs to

    # -- cells -------------------------------------------------------------------------------------------
    def own(self, row: int, role: str) -> str:
        column = self.header.column(role)
        return self.grid.text(row, column) if column else ""

    def continued(self, row: int, role: str) -> bool:
        """The role's cell is a lower part of a vertical merge that started on an earlier row."""
        column = self.header.column(role)
        merge = self.grid.merge_at(row, column) if column else None
        return merge is not None and merge.is_vertical and merge.first_row < row

    def measure_cell(self, row: int, role: str) -> str:
        """A per-measure cell; a vertical merge inside the same task gives every row the merged text."""
        column = self.header.column(role)
        if not column:
            return ""
        merge = self.grid.merge_at(row, column)
        if merge is not None and merge.is_vertical and merge.first_row < row:
            owner = self.row_owner.get(merge.first_row)
            if self.current is None or owner != self.current.first_row:
                raise DomainError("tasklist_merge_across_tasks",
                                  f"{where(row, column)}：合并单元格跨越了两项任务，无法判断归属",
                                  row=row, column=column)
            return self.grid.text(merge.first_row, merge.first_column)
        return self.grid.text(row, column)

    # -- rows --------------------------------------------------------------------------------------------
    def read(self) -> None:
        for row in range(self.header.last_row + 1, self.grid.rows + 1):
            if row % 200 == 0:
                self.budget.check()
            self.read_row(row)
        self.finish_task()

    def read_row(self, row: int) -> None:
        texts = self.unlabeled_to_notes(row, self.grid.row_texts(row))
        task_continues = self.continued(row, "task")
        self.check_horizontal_merges(row, texts)
        if not texts and not task_continues:
            return
        if texts == self.unlabeled_free(self.header.first_row):
            return  # a header row repeated by hand after a page break
        for role, column in self.header.columns.items():
            if role.startswith("ignored:") and self.grid.text(row, column):
                header_text = self.grid.text(self.header.first_row, column)
                self.notes.append(f"{where(row, column)}（{header_text}，未导入）：{self.grid.text(row, column)}")
        texts = [(column, text) for column, text in texts
                 if not self.header.columns.get(f"ignored:{column}")]
        if not texts and not task_continues:
            return
        task_text = "" if task_continues else self.own(row, "task")
        measures_text = self.own(row, "measures")
        if task_text and measures_text:
            self.start_task(row, task_text)
            self.current.rows.append(row)  # type: ignore[union-attr]
            self.row_owner[row] = self.current.first_row  # type: ignore[union-attr]
        elif measures_text and self.current is not None:
            self.current.rows.append(row)
            self.row_owner[row] = self.current.first_row
        elif len(texts) == 1 or self.is_wide_row(row, texts):
            self.read_single_text_row(row, texts[0][1])
        else:
            column = self.header.column("measures") or texts[0][0]
            problem = "具体措施为空" if task_text else "找不到所属的重点任务"
            raise DomainError("tasklist_unplaced_row", f"{where(row, column)}：{problem}，无法导入该行", row=row,
                              column=column)

    def unlabeled_to_notes(self, row: int, texts: list[tuple[int, str]]) -> list[tuple[int, str]]:
        """Text in a column without a header is kept as a note (never dropped silently): right of the table
        always, inside it when the row has other text (a lone text is a heading or note row)."""
        labeled = set(self.header.columns.values())
        kept = []
        for column, text in texts:
            outside = column > self.last_role_column()
            stray = (column not in labeled and self.grid.merge_at(row, column) is None
                     and any(other in labeled for other, _ in texts))
            if outside or stray:
                self.notes.append(f"{where(row, column)}（无表头，未导入）：{text}")
            else:
                kept.append((column, text))
        return kept

    def is_wide_row(self, row: int, texts: list[tuple[int, str]]) -> bool:
        merge = self.grid.merge_at(row, texts[0][0])
        return merge is not None and len({text for _, text in texts}) == 1

    def check_horizontal_merges(self, row: int, texts: list[tuple[int, str]]) -> None:
        """A merge across several columns is only meaningful as a whole-row heading or note."""
        for column in range(1, self.grid.columns + 1):
            merge = self.grid.merge_at(row, column)
            if merge is None or not merge.is_horizontal or merge.first_column != column:
                continue
            is_heading_like = merge.first_column == 1 and merge.last_column >= self.last_role_column() - 1
            if not is_heading_like or len(texts) > 1:
                raise DomainError("tasklist_bad_merge",
                                  f"{where(row, column)}至{column_name(merge.last_column)}列：合并单元格无法识别，"
                                  "请取消合并后再导入", row=row, column=column)

    def unlabeled_free(self, row: int) -> list[tuple[int, str]]:
        labeled = set(self.header.columns.values())
        return [(column, text) for column, text in self.grid.row_texts(row) if column in labeled]

    def last_role_column(self) -> int:
        return max(self.header.columns.values())

    def read_single_text_row(self, row: int, text: str) -> None:
        if is_aspect_heading(text):
            self.finish_task()
            title = strip_aspect_prefix(text)
            if not self.aspects or self.aspects[-1][0] != title:  # repeats after page breaks are not new
                self.aspects.append((title, []))
            return
        if text.startswith(NOTE_PREFIXES):
            self.finish_task()
            self.notes.append(f"{where(row)}：{text}")
            return
        raise DomainError("tasklist_unknown_row", f"{where(row)}：无法识别的行“{text[:30]}”——既不是“一、……方面”"
                          "标题，也不是带具体措施的任务", row=row)

    def start_task(self, row: int, cell: str) -> None:
        self.finish_task()
        number, text = split_task_heading(cell)
        if number is None:
            number = self.serial(row)
        if number is not None and not 0 < number <= MAX_TASK_NUMBER:
            column = self.header.column("task") or 1
            raise DomainError("tasklist_bad_number", f"{where(row, column)}：任务编号{number}超出范围（1至{MAX_TASK_NUMBER}）",
                              row=row, column=column)
        self.current = _TaskRows(row, number, text)

    def serial(self, row: int) -> int | None:
        """序号 in ASCII digits (circled ①, superscript ² or full-width digits are typing accidents, named)."""
        serial = self.own(row, "number").rstrip(".、")
        if not serial:
            return None
        column = self.header.column("number") or 1
        if not (serial.isascii() and serial.isdigit()) or not 0 < int(serial) <= MAX_TASK_NUMBER:
            raise DomainError("tasklist_bad_number", f"{where(row, column)}：序号“{serial[:12]}”不是1至{MAX_TASK_NUMBER}的数字，"
                              "请改为阿拉伯数字后再导入", row=row, column=column)
        return int(serial)

    # -- tasks -------------------------------------------------------------------------------------------
    def finish_task(self) -> None:
        task_rows, self.current = self.current, None
        if task_rows is None:
            return
        self.current = task_rows  # measure_cell checks merges against the task being finished
        published: dict[str, str | None] = {"deadline": None, "units": None}
        try:
            if len(task_rows.rows) == 1:
                measures = self.measures_in_one_cell(task_rows.rows[0])
                published = {role: self.published_grouping(task_rows.rows[0], role, measures) for role in published}
            else:
                measures = [self.measure_of_row(row, index, len(task_rows.rows))
                            for index, row in enumerate(task_rows.rows)]
        finally:
            self.current = None
        if not self.aspects:
            self.aspects.append(("", []))
        tasks = self.aspects[-1][1]
        number = task_rows.number if task_rows.number is not None else sum(len(t) for _, t in self.aspects) + 1
        tasks.append(TaskData(number, task_rows.text, tuple(measures), published["deadline"], published["units"]))

    def published_grouping(self, row: int, role: str, measures: list[MeasureData]) -> str | None:
        """Keep the clerk's grouping when it is not the one export would write (see TaskData)."""
        if not self.header.column(role):
            return None
        cell = self.measure_cell(row, role)
        values = [measure.deadline if role == "deadline" else measure.units for measure in measures]
        return None if normalise_cell(join_grouped(values)) == normalise_cell(cell) else cell

    def split_role(self, row: int, role: str, count: int) -> list[str]:
        text = self.measure_cell(row, role)
        try:
            return split_grouped(text, count, allow_missing=role in ("progress", "status"))
        except DomainError as error:
            raise self.at(row, role, error) from error

    def at(self, row: int, role: str, error: DomainError) -> DomainError:
        column = self.header.column(role) or 1
        return DomainError(error.code, f"{where(row, column)}：{error.message}", row=row, column=column,
                           **error.fields)

    def measures_in_one_cell(self, row: int) -> list[MeasureData]:
        try:
            texts = split_measures(self.measure_cell(row, "measures"))
        except DomainError as error:
            raise self.at(row, "measures", error) from error
        per_role = {role: self.split_role(row, role, len(texts)) for role in MEASURE_ROLES}
        return [self.build_measure(row, text, {role: values[index] for role, values in per_role.items()})
                for index, text in enumerate(texts)]

    def measure_of_row(self, row: int, index: int, count: int) -> MeasureData:
        """One-row-per-measure layout: an optional leading ① must match the row's position. A grouped
        cell pasted (or merged) over the task's rows, "①8月底前 ②4月底前", gives each row its own part."""
        values = {"measures": self.measure_cell(row, "measures")}
        values.update({role: self.measure_cell(row, role) for role in MEASURE_ROLES})
        for role, text in values.items():
            match = _LEADING_NUMBER.match(text)
            if match and CIRCLED.index(match.group(1)) == index and not has_circled(text[match.end():]):
                text = text[match.end():]
            elif role != "measures" and has_circled(text):
                text = self.own_part(row, role, text, index, count)
            if role == "measures" and has_circled(text):
                column = self.header.column(role) or 1
                raise DomainError("tasklist_mixed_layout", f"{where(row, column)}：每条措施占一行的表格中，"
                                  "该单元格含有多条编号措施", row=row, column=column)
            values[role] = text
        return self.build_measure(row, values["measures"], values)

    def own_part(self, row: int, role: str, text: str, index: int, count: int) -> str:
        optional = role in ("progress", "status")
        try:
            part = split_grouped(text, count, allow_missing=True)[index]
        except DomainError as error:
            raise self.at(row, role, error) from error
        if not part and not optional:
            column = self.header.column(role) or 1
            raise DomainError("grouped_number_missing", f"{where(row, column)}：单元格中没有本行措施{circled(index + 1)}的内容",
                              row=row, column=column)
        return part

    def build_measure(self, row: int, text: str, values: dict[str, str]) -> MeasureData:
        status = values.get("status", "")
        if status and status not in STATUS_CHOICES:
            column = self.header.column("status") or 1
            raise DomainError("tasklist_bad_status", f"{where(row, column)}：状态“{status}”不在可选范围"
                              f"（{'、'.join(STATUS_CHOICES)}）内", row=row, column=column)
        reported_on, progress = parse_progress_line(values.get("progress", ""))
        return MeasureData(text=text, deadline=values.get("deadline", ""),
                           units=combine_units(values.get("units", ""), values.get("lead", ""),
                                               values.get("support", "")),
                           latest_progress=progress, progress_on=reported_on, status=status)


def combine_units(units: str, lead: str, support: str) -> str:
    """牵头/配合 columns fold into the one 责任单位 text, 牵头 first: "市检察院牵头，市公安局配合"."""
    if units:
        return units
    if lead and support:
        return f"{lead}牵头，{support}配合"
    return lead or support


def find_title(grid: Grid, header: Header) -> str:
    for row in range(1, header.first_row):
        texts = [text for _, text in grid.row_texts(row)]
        if texts and not texts[0].startswith("附件"):
            return texts[0]
    return ""


def _has_header(sheet: Worksheet) -> bool:
    grid = Grid(sheet)
    return any(is_header_row(grid, row) for row in range(1, min(grid.rows, HEADER_SEARCH_ROWS) + 1))


def import_task_list(source: bytes | Path | str, year: int | None = None, sheet_name: str | None = None
                     ) -> ImportedTaskList:
    """Read the visible worksheet that has a task-list header (or the one named)."""
    budget = TimeBudget()
    workbook = open_workbook(source, budget)
    no_header = DomainError("tasklist_no_header", f"前{HEADER_SEARCH_ROWS}行中未找到表头：应有“重点任务”“具体措施”"
                            "“完成时限”“责任单位”等列")
    sheet = choose_sheet(workbook, _has_header, sheet_name, none_found=no_header)
    grid = Grid(sheet)
    header = find_header(grid)
    reader = TaskListReader(grid, header, budget)
    reader.read()
    title = find_title(grid, header)
    match = _YEAR.search(title)
    list_year = int(match.group(1)) if match else year
    if list_year is None:
        raise DomainError("tasklist_no_year", "标题中没有年度（如“2022年度……”），请指定年度后再导入")
    aspects = tuple(AspectData(name, tuple(tasks)) for name, tasks in reader.aspects)
    if not any(aspect.tasks for aspect in aspects):
        raise DomainError("tasklist_empty", f"{where(header.last_row)}：表头下方没有任何任务")
    layout = ("每条措施一行" if any(len(rows) > 1 for rows in _rows_per_task(reader)) else "单元格内编号")
    return ImportedTaskList(TaskListData(list_year, title, aspects), header.first_row, layout,
                            tuple(reader.notes))


def _rows_per_task(reader: TaskListReader) -> list[list[int]]:
    owners: dict[int, list[int]] = {}
    for row, owner in reader.row_owner.items():
        owners.setdefault(owner, []).append(row)
    return list(owners.values())
