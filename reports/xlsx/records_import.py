"""An office's existing records in Excel -> plain rows: the 检察建议台账, the 线索/案件 list and the 单位/联络员
directory. Finds the header (title rows above it, one- or two-row headers) from the names offices use and
their common variants, reads merged cells as the value shown, dates in every style typed in China, and
names row and column for anything it cannot read. No database here: models/services/records_import.py
matches the rows to existing records and writes them.
"""
from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from openpyxl.worksheet.worksheet import Worksheet

from models.errors import DomainError
from reports.xlsx.grid import Grid, column_name, where
from reports.xlsx.safety import TimeBudget, choose_sheet, open_workbook

LEDGER, CASES, UNITS = "ledger", "cases", "units"
KIND_NAMES = {LEDGER: "检察建议台账", CASES: "线索/案件清单", UNITS: "单位通讯录"}
TEXT, DATE, FLAG, LINES = "text", "date", "flag", "lines"
IGNORED = "ignored"  # a known column the app computes itself (剩余天数, 回复情况) or that only numbers rows
HEADER_SEARCH_ROWS = 10
MAX_ERRORS_LISTED = 3


@dataclass(frozen=True)
class FieldSpec:
    key: str
    label: str  # the name the preview shows
    aliases: tuple[str, ...]  # header texts, compared without spaces, line breaks and （…） remarks
    kind: str = TEXT


def _spec(key: str, label: str, *aliases: str, kind: str = TEXT) -> FieldSpec:
    return FieldSpec(key, label, (label, *aliases), kind)


_COMMON_IGNORED = _spec(IGNORED, "序号", "编号", "序", "No", "NO")
FIELDS: dict[str, tuple[FieldSpec, ...]] = {
    LEDGER: (
        _spec("doc_no", "文号", "建议书文号", "检察建议文号", "建议文号", "检察建议书文号", "文书编号", "文书号"),
        _spec("kind", "建议类型", "检察建议类型", "类型", "建议种类"),
        _spec("addressee", "被建议单位", "建议对象", "被建议对象", "被建议机关", "建议单位", "发往单位", "送达单位"),
        _spec("issued_on", "制发日期", "发出日期", "制发时间", "发出时间", "发文日期", "签发日期", kind=DATE),
        _spec("service_method", "送达方式"),
        _spec("served_on", "送达日期", "签收日期", "送达时间", "签收时间", kind=DATE),
        _spec("urgent", "紧急", "是否紧急", kind=FLAG),
        _spec("reply_due", "回复期限", "回复截止日期", "应回复日期", "回复截止时间", "应回复时间", kind=DATE),
        _spec("replied_on", "回复日期", "回复时间", "书面回复日期", "复函日期", kind=DATE),
        _spec("reply_doc_no", "回复文号", "复函文号"),
        _spec("reply_content", "回复内容", "回复意见", "复函内容"),
        _spec("adoption", "采纳情况", "是否采纳", "采纳"),
        _spec("objection", "异议"),
        _spec("review_result", "复核结论", "复核意见"),
        _spec("rectification", "整改情况", "是否整改", "整改状态", "整改落实情况"),
        _spec("rectification_detail", "整改详情", "整改内容", "整改措施"),
        _spec("follow_up", "跟进监督/回头看", "跟进监督", "回头看", "跟进情况", "跟进监督情况"),
        _spec("follow_up_due", "下次回头看", "回头看日期", kind=DATE),
        _spec("litigation", "提起诉讼", "是否起诉", "是否提起诉讼", kind=FLAG),
        _spec("closed_on", "结案日期", "办结日期", "结案时间", kind=DATE),
        _spec("copy_to", "抄送", "抄送单位"),
        _spec("items", "建议内容", "检察建议内容", "主要内容", "建议事项", kind=LINES),
        _spec("case_no", "案号", "关联案号", "案件编号", "关联案件", "所涉案件"),
        _spec("case_title", "案件名称", "案由", "案件"),
        _spec("domain", "领域", "类别", "案件领域", "办案领域", "所属领域"),
        _spec("department", "办案部门", "承办部门", "部门"),
        _spec("handler", "承办人", "承办检察官", "承办检察官助理"),
        _spec("note", "备注", "说明"),
        _spec(IGNORED, "剩余天数", "回复情况", "回复状态"),
        _COMMON_IGNORED,
    ),
    CASES: (
        _spec("case_no", "案号", "案件编号", "线索编号", "统一受案号", "部门受案号"),
        _spec("title", "案件名称", "案由", "线索名称", "名称", "案件"),
        _spec("kind", "案件类型", "类型", "案件类别"),
        _spec("source", "线索来源", "来源", "案件来源"),
        _spec("domain", "领域", "类别", "案件领域", "办案领域", "所属领域"),
        _spec("received_on", "受理日期", "受理时间", "登记日期", "发现日期", "线索受理日期", kind=DATE),
        _spec("filed_on", "立案日期", "立案时间", kind=DATE),
        _spec("closed_on", "结案日期", "办结日期", "结案时间", kind=DATE),
        _spec("handler", "承办人", "承办检察官", "承办检察官助理"),
        _spec("department", "办案部门", "承办部门", "部门"),
        _spec("status", "办理状态", "状态", "案件状态", "办理情况"),
        _spec("summary", "简要案情", "基本案情", "案情摘要", "主要案情"),
        _spec("related_units", "涉及单位", "相关单位", "被监督单位", "涉案单位", "相关行政机关"),
        _spec("note", "备注", "说明"),
        _COMMON_IGNORED,
    ),
    UNITS: (
        _spec("name", "单位名称", "单位全称", "全称", "单位", "成员单位", "名称"),
        _spec("short_name", "简称", "单位简称"),
        _spec("code", "代字", "机关代字"),
        _spec("kind", "单位类型", "类型", "性质"),
        _spec("liaison_name", "联络员", "联系人", "联络人", "姓名"),
        _spec("liaison_phone", "联系电话", "电话", "手机", "手机号码", "联络员电话", "办公电话", "联系方式"),
        _spec("note", "备注", "说明"),
        _COMMON_IGNORED,
    ),
}
KEY_FIELD = {LEDGER: "doc_no", CASES: "title", UNITS: "name"}
REQUIRED = {LEDGER: ("doc_no", "addressee"), CASES: ("title",), UNITS: ("name",)}
_REMARK = re.compile(r"[（(][^）)]*[）)]")
_SPACES = re.compile(r"\s+")
NOTE_PREFIXES = ("注", "备注", "说明", "填表说明", "制表", "填报人", "联系人", "审核人", "合计", "总计")


def _normal_header(text: str) -> str:
    text = _SPACES.sub("", text)
    stripped = _REMARK.sub("", text)
    return stripped or text


def field_of(kind: str, header: str) -> FieldSpec | None:
    wanted = _normal_header(header)
    for spec in FIELDS[kind]:
        if wanted in spec.aliases or _SPACES.sub("", header) in spec.aliases:
            return spec
    return None


# -- dates --------------------------------------------------------------------------------------------
_DATE_PATTERNS = (
    re.compile(r"^(\d{4})\s*[-./／、]\s*(\d{1,2})\s*[-./／、]\s*(\d{1,2})(?:\s+\d{1,2}:\d{2}(?::\d{2})?)?$"),
    re.compile(r"^(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*[日号]?$"),
    re.compile(r"^(\d{4})(\d{2})(\d{2})$"),
)
DATE_STYLES = "2023-03-05、2023.3.5、2023/3/5、2023年3月5日"
_EXCEL_EPOCH = dt.date(1899, 12, 30)


def parse_date(text: str) -> dt.date:
    """Every style offices type, full-width digits included; Excel date cells arrive as 2023年3月5日 and a
    date cell formatted as a number as its serial (e.g. 44990). Raises ValueError with the reason."""
    value = unicodedata.normalize("NFKC", text).strip()
    if re.fullmatch(r"\d{5}(?:\.0+)?", value):  # an Excel serial: 1954–2119
        serial = int(float(value))
        if 20_000 <= serial <= 80_000:
            return _EXCEL_EPOCH + dt.timedelta(days=serial)
    for pattern in _DATE_PATTERNS:
        match = pattern.fullmatch(value)
        if match:
            year, month, day = (int(part) for part in match.groups())
            if not 1950 <= year <= 2100:
                raise ValueError(f"年份{year}不合理")
            try:
                return dt.date(year, month, day)
            except ValueError:
                raise ValueError(f"{year}年没有{month}月{day}日") from None
    raise ValueError(f"可用的写法：{DATE_STYLES}")


FLAG_TRUE = ("是", "有", "√", "✓", "Y", "y", "yes", "Yes", "YES", "1", "紧急", "已起诉", "已提起诉讼", "提起诉讼")
FLAG_FALSE = ("否", "无", "×", "N", "n", "no", "No", "NO", "0", "不紧急", "未起诉", "未提起诉讼", "—", "-", "/")


def parse_flag(text: str) -> bool:
    value = text.strip()
    if value in FLAG_TRUE:
        return True
    if value in FLAG_FALSE:
        return False
    raise ValueError("应填“是”或“否”")


_ITEM_PREFIX = re.compile(r"^\s*(?:\d+\s*[.、．)]|[（(]\d+[）)]|[①-⑳])\s*")


def split_items(text: str) -> tuple[str, ...]:
    """"1.依法查处\n2.建立机制" -> ("依法查处", "建立机制"); text without numbered lines stays one item."""
    lines = [line.strip() for line in text.split("\n") if line.strip()]
    if len(lines) > 1 and all(_ITEM_PREFIX.match(line) for line in lines):
        return tuple(_ITEM_PREFIX.sub("", line, count=1) for line in lines)
    return (text.strip(),) if text.strip() else ()


# -- header -------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class ColumnMapping:
    column: int
    header: str  # the text in the file
    field: str  # FieldSpec.key, IGNORED, or "" (not recognised)
    label: str  # what the app calls it ("" when not recognised)

    @property
    def letter(self) -> str:
        return column_name(self.column)


@dataclass(frozen=True)
class RecordRow:
    row: int
    values: dict[str, object]  # field -> str | dt.date | bool | tuple[str, ...]


@dataclass(frozen=True)
class ImportedRecords:
    kind: str
    sheet: str
    header_row: int
    mapping: tuple[ColumnMapping, ...]
    rows: tuple[RecordRow, ...]
    notes: tuple[str, ...] = field(default_factory=tuple)

    def mapped(self) -> dict[str, ColumnMapping]:
        return {m.field: m for m in self.mapping if m.field and m.field != IGNORED}


def _header_score(grid: Grid, kind: str, row: int) -> int:
    found = {spec.key for _, text in grid.row_texts(row) if (spec := field_of(kind, text)) and spec.key != IGNORED}
    return len(found) if KEY_FIELD[kind] in found or len(found) >= 3 else 0


def find_header_row(grid: Grid, kind: str) -> int | None:
    """The first row in the top ten naming at least two known columns, one of them the record's key."""
    for row in range(1, min(grid.rows, HEADER_SEARCH_ROWS) + 1):
        if _header_score(grid, kind, row) >= 2:
            return row
    return None


def read_mapping(grid: Grid, kind: str, header_row: int) -> tuple[tuple[ColumnMapping, ...], int]:
    """Column -> field; a second header row (回复情况 over 回复日期｜回复文号) names the columns below a merge."""
    sub_row = header_row + 1
    sub_texts = grid.row_texts(sub_row) if sub_row <= grid.rows else []
    sub_is_header = bool(sub_texts) and all(field_of(kind, text) for _, text in sub_texts)
    last_row = sub_row if sub_is_header else header_row
    mapping: list[ColumnMapping] = []
    used: dict[str, int] = {}
    for column in range(1, grid.columns + 1):
        text = grid.text(sub_row, column) if sub_is_header and grid.text(sub_row, column) else ""
        text = text or grid.shown_text(header_row, column)
        if not text:
            continue
        spec = field_of(kind, text)
        key = spec.key if spec else ""
        if key and key != IGNORED:
            if key in used:
                raise DomainError("records_header_duplicate", f"{where(last_row, column)}：表头“{text}”与"
                                  f"{column_name(used[key])}列都表示“{spec.label if spec else key}”，无法判断用哪一列",
                                  row=last_row, column=column)
            used[key] = column
        mapping.append(ColumnMapping(column, text, key, spec.label if spec else ""))
    return tuple(mapping), last_row


# -- rows ---------------------------------------------------------------------------------------------
class RecordsReader:
    def __init__(self, grid: Grid, kind: str, header_row: int, budget: TimeBudget) -> None:
        self.grid = grid
        self.kind = kind
        self.mapping, self.last_header_row = read_mapping(grid, kind, header_row)
        self.header_row = header_row
        self.budget = budget
        self.by_column = {m.column: m for m in self.mapping}
        self.specs = {spec.key: spec for spec in FIELDS[kind]}
        self.rows: list[RecordRow] = []
        self.notes: list[str] = []
        self.errors: list[DomainError] = []
        self.unread: dict[int, int] = {}  # column of an unrecognised header -> cells not imported
        missing = [self.specs[key].label for key in REQUIRED[kind] if key not in {m.field for m in self.mapping}]
        if missing:
            raise DomainError("records_header_missing", f"{where(header_row)}：表头缺少“{'”“'.join(missing)}”列"
                              f"（{KIND_NAMES[kind]}）", row=header_row, missing=missing)

    def read(self) -> None:
        for row in range(self.last_header_row + 1, self.grid.rows + 1):
            if row % 500 == 0:
                self.budget.check()
            self.read_row(row)
        for column, count in sorted(self.unread.items()):
            mapping = self.by_column[column]
            self.notes.append(f"{mapping.letter}列“{mapping.header}”不是本软件的字段，其中{count}个单元格未导入")
        if self.errors:
            first = self.errors[0]
            more = f"；另有{len(self.errors) - 1}处问题" if len(self.errors) > 1 else ""
            raise DomainError(first.code, f"{first.message}{more}（整个文件未导入）", errors=tuple(
                e.message for e in self.errors[:MAX_ERRORS_LISTED]), **first.fields)

    def cell(self, row: int, column: int) -> str:
        """The value shown: a vertical merge (one 被建议单位 over three rows) gives every row its text."""
        merge = self.grid.merge_at(row, column)
        if merge is not None and merge.is_vertical and not merge.is_horizontal:
            return self.grid.shown_text(row, column)
        return self.grid.text(row, column)

    def read_row(self, row: int) -> None:
        texts = [(column, self.cell(row, column)) for column in range(1, self.grid.columns + 1)]
        texts = [(column, text) for column, text in texts if text]
        if not texts:
            return
        if self.is_wide_row(row, texts):
            self.notes.append(f"{where(row)}：{texts[0][1][:60]}（整行文字，未导入）")
            return
        values: dict[str, object] = {}
        for column, text in texts:
            mapping = self.by_column.get(column)
            if mapping is None:
                self.notes.append(f"{where(row, column)}（无表头，未导入）：{text[:60]}")
            elif mapping.field == IGNORED:
                continue
            elif not mapping.field:
                self.unread[column] = self.unread.get(column, 0) + 1
            else:
                parsed = self.parse(row, column, mapping.field, text)
                if parsed is not None:
                    values[mapping.field] = parsed
        if not values:
            return  # only 序号 / computed columns: a pre-numbered blank row
        if values.keys() <= {"note"} and str(values["note"]).startswith(NOTE_PREFIXES):
            self.notes.append(f"{where(row)}：{values['note']}")
            return
        if self.kind == LEDGER and "doc_no" not in values:
            self.notes.append(f"{where(row)}：没有文号（尚未制发的草稿），未导入")
            return
        for key in REQUIRED[self.kind]:
            if key not in values:
                column = next(m.column for m in self.mapping if m.field == key)
                self.errors.append(DomainError("records_required_empty", f"{where(row, column)}："
                                               f"{self.specs[key].label}为空", row=row, column=column))
        self.rows.append(RecordRow(row, values))

    def is_wide_row(self, row: int, texts: list[tuple[int, str]]) -> bool:
        merge = self.grid.merge_at(row, texts[0][0])
        return len(texts) == 1 and merge is not None and merge.is_horizontal and merge.last_column - merge.first_column >= 2

    def parse(self, row: int, column: int, key: str, text: str) -> object:
        spec = self.specs[key]
        try:
            if spec.kind == DATE:
                return parse_date(text)
            if spec.kind == FLAG:
                return parse_flag(text)
            if spec.kind == LINES:
                return split_items(text)
        except ValueError as error:
            what = "日期" if spec.kind == DATE else "取值"
            self.errors.append(DomainError("records_bad_value", f"{where(row, column)}：{spec.label}“{text[:20]}”"
                                           f"不是可识别的{what}（{error}）", row=row, column=column))
            return None
        if len(text) > 4000:
            self.errors.append(DomainError("records_text_too_long", f"{where(row, column)}：{spec.label}超过4000字",
                                           row=row, column=column))
            return None
        return text


def read_records(source: bytes | Path | str, kind: str, sheet_name: str | None = None) -> ImportedRecords:
    """Read the visible sheet with a header of this kind of list (or the named sheet); raise on any row it
    cannot read, naming row and column (a file goes in whole or not at all)."""
    if kind not in FIELDS:
        raise DomainError("records_kind", f"未知的导入类型“{kind}”")
    budget = TimeBudget()
    workbook = open_workbook(source, budget)
    key_label = FIELDS[kind][0].label
    none_found = DomainError("records_no_header", f"前{HEADER_SEARCH_ROWS}行中未找到{KIND_NAMES[kind]}的表头"
                             f"（至少应有“{key_label}”等两列）")

    def has_header(sheet: Worksheet) -> bool:
        return find_header_row(Grid(sheet), kind) is not None

    sheet = choose_sheet(workbook, has_header, sheet_name, none_found=none_found)
    grid = Grid(sheet)
    header_row = find_header_row(grid, kind)
    if header_row is None:
        raise none_found
    reader = RecordsReader(grid, kind, header_row, budget)
    reader.read()
    if not reader.rows:
        raise DomainError("records_empty", f"{where(reader.last_header_row)}：表头下方没有任何记录")
    return ImportedRecords(kind, sheet.title, header_row, reader.mapping, tuple(reader.rows), tuple(reader.notes))
