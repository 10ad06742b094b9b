"""Finding and reading the header row of a task-list sheet (it may sit on row 1–8, span two rows as
责任单位 over 牵头单位｜配合单位, and use any of the usual synonyms)."""
from __future__ import annotations

import re
from dataclasses import dataclass

from models.errors import DomainError
from reports.xlsx.grid import Grid, column_name, where

# Role -> header texts seen in published lists (domain-notes §1.2–1.3). Matching ignores spaces and line breaks.
HEADER_ALIASES: dict[str, tuple[str, ...]] = {
    "number": ("序号", "编号"),
    "task": ("重点任务", "工作任务", "主要任务", "重点工作", "重点工作任务", "任务", "任务名称", "工作内容"),
    "measures": ("具体措施", "工作措施", "主要措施", "措施", "具体举措", "工作举措", "具体工作措施"),
    "deadline": ("完成时限", "完成时间", "时限", "时间节点", "完成期限", "时限要求"),
    "units": ("责任单位", "责任部门"),
    "lead": ("牵头单位", "牵头责任单位", "牵头部门"),
    "support": ("配合单位", "协同单位", "协同责任单位", "配合责任单位", "配合部门", "协办单位"),
    "progress": ("进展情况", "推进情况", "完成情况", "落实情况", "工作进展", "进展"),
    "status": ("完成状态", "状态", "推进状态"),
    # Known columns the database has no field for; their cells are reported in the import notes.
    "ignored": ("备注", "牵头领导", "责任领导", "分管领导", "牵头负责领导", "责任人"),
}
_ROLE_OF = {alias: role for role, aliases in HEADER_ALIASES.items() for alias in aliases}
_SPACES = re.compile(r"\s+")
HEADER_SEARCH_ROWS = 8


def header_role(text: str) -> str | None:
    return _ROLE_OF.get(_SPACES.sub("", text))


@dataclass(frozen=True)
class Header:
    first_row: int
    last_row: int  # the sub-header row when the header spans two rows
    columns: dict[str, int]  # role -> column (ignored roles as "ignored:<column>")

    def column(self, role: str) -> int | None:
        return self.columns.get(role)


def is_header_row(grid: Grid, row: int) -> bool:
    roles = {header_role(text) for _, text in grid.row_texts(row)}
    roles.discard(None)
    return len(roles) >= 3 and ("measures" in roles or "task" in roles)


def _assign(columns: dict[str, int], role: str, column: int, row: int, text: str) -> None:
    if role == "ignored":
        columns[f"ignored:{column}"] = column
        return
    if role in columns:
        raise DomainError("tasklist_header_duplicate",
                          f"{where(row, column)}：表头“{text}”与{column_name(columns[role])}列重复，无法判断用哪一列",
                          row=row, column=column)
    columns[role] = column


def find_header(grid: Grid) -> Header:
    """Locate and validate the header; unknown header texts are an error, never silently skipped."""
    header_row = next((row for row in range(1, min(grid.rows, HEADER_SEARCH_ROWS) + 1)
                       if is_header_row(grid, row)), None)
    if header_row is None:
        raise DomainError("tasklist_no_header",
                          f"前{HEADER_SEARCH_ROWS}行中未找到表头：应有“重点任务”“具体措施”“完成时限”“责任单位”等列")
    columns: dict[str, int] = {}
    last_row = header_row
    sub_row = header_row + 1
    sub_texts = grid.row_texts(sub_row) if sub_row <= grid.rows else []
    sub_is_header = bool(sub_texts) and all(header_role(text) for _, text in sub_texts)
    for column in range(1, grid.columns + 1):
        text = grid.text(header_row, column)
        sub_text = grid.text(sub_row, column) if sub_is_header else ""
        if sub_text:  # "责任单位" over "牵头单位｜配合单位": the lower row names the column
            _assign(columns, header_role(sub_text) or "", column, sub_row, sub_text)
            last_row = sub_row
            continue
        if not text:
            continue
        role = header_role(text)
        if role is None:
            raise DomainError("tasklist_unknown_header", f"{where(header_row, column)}：无法识别的表头“{text}”",
                              row=header_row, column=column)
        merge = grid.merge_at(header_row, column)
        if role == "units" and merge is not None and merge.is_horizontal and sub_is_header:
            continue  # the sub-header names the merged 责任单位 columns
        _assign(columns, role, column, header_row, text)
    missing = [names[0] for role, names in HEADER_ALIASES.items()
               if role in ("task", "measures", "deadline") and role not in columns]
    if "units" not in columns and "lead" not in columns:
        missing.append("责任单位")
    if missing:
        listed = "”“".join(missing)
        raise DomainError("tasklist_header_missing", f"{where(header_row)}：表头缺少“{listed}”列",
                          row=header_row, missing=missing)
    return Header(header_row, last_row, columns)
