"""Bringing an office's existing Excel records in: 检察建议台账, 线索/案件 list, 单位/联络员 directory.

Whole-file jobs take the Database: the file is read and every row checked first (a bad file writes
nothing and takes no backup), then everything goes in as one transaction inside db.import_scope
(verified backup first). Idempotent: rows are matched to live records by 文号 / 案号 (else 案件名称 +
受理日期) / unit 全称 or 简称; a matched record only gets the fields it still has empty, so importing the
same file twice adds and changes nothing. 回复期限 is always the app's own (models/derived.py from
送达日期); a different 回复期限 in the file is reported, never stored.
"""
from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from models.audit import append_audit
from models.base import new_id
from models.case import CASE_KINDS, CASE_SOURCES, CASE_STATUSES, Case
from models.errors import DomainError
from models.permissions import require
from models.rules.doc_number import check_doc_number, suggest_fix
from models.services.common import update_fields
from models.storage import Database
from models.suggestion import (
    ADOPTIONS,
    RECTIFICATIONS,
    SERVICE_METHODS,
    SUGGESTION_KINDS,
    Suggestion,
    SuggestionItem,
)
from models.unit import UNIT_KINDS, Unit
from reports.xlsx.grid import where
from reports.xlsx.records_import import (
    CASES,
    KIND_NAMES,
    LEDGER,
    UNITS,
    ImportedRecords,
    RecordRow,
    read_records,
)

RECORD_KINDS = (LEDGER, CASES, UNITS)


@dataclass
class RecordsImportReport:
    kind: str
    sheet: str
    added: int = 0
    completed: int = 0  # matched records that got some empty fields filled in
    unchanged: int = 0
    cases_added: int = 0  # ledger rows whose 案号 was not in the database yet
    notes: list[str] = field(default_factory=list)
    deadline_differences: list[str] = field(default_factory=list)

    def summary(self) -> str:
        parts = [f"新增{self.added}条", f"补充{self.completed}条", f"已存在未变{self.unchanged}条"]
        if self.cases_added:
            parts.append(f"新建关联案件{self.cases_added}件")
        return f"{KIND_NAMES[self.kind]}（工作表“{self.sheet}”）：" + "，".join(parts)


def _choice(value: str, choices: tuple[str, ...], variants: dict[str, str], label: str, row: int,
            column: int) -> str:
    text = value.strip()
    if text in choices:
        return text
    for fragment, chosen in variants.items():
        if fragment in text:
            return chosen
    raise DomainError("records_bad_choice", f"{where(row, column)}：{label}“{text[:20]}”不在可选范围"
                      f"（{'、'.join(c for c in choices if c)}）", row=row, column=column)


_SUGGESTION_KIND_VARIANTS = {"诉前": "诉前检察建议", "社会治理": "社会治理检察建议", "纠正违法": "纠正违法检察建议",
                             "再审": "再审检察建议", "其他": "其他检察建议"}
_ADOPTION_VARIANTS = {"部分": "部分采纳", "未采纳": "未采纳", "不采纳": "未采纳", "否": "未采纳", "采纳": "采纳",
                      "是": "采纳"}
_RECTIFICATION_VARIANTS = {"未整改": "未整改", "整改中": "整改中", "正在整改": "整改中", "整改完毕": "已整改",
                           "已整改": "已整改", "整改到位": "已整改", "已完成整改": "已整改", "已完成": "已整改"}
_SERVICE_VARIANTS = {"直接": "直接送达", "宣告": "宣告送达", "留置": "留置送达", "邮寄": "邮寄送达（检察专递）",
                     "专递": "邮寄送达（检察专递）", "委托": "委托送达"}
_CASE_KIND_VARIANTS = {"行政公益": "行政公益诉讼", "民事公益": "民事公益诉讼", "刑事附带民事公益": "民事公益诉讼",
                       "非诉执行": "行政非诉执行监督", "违法行为监督": "行政违法行为监督", "反向衔接": "反向衔接",
                       "行政检察": "行政检察", "线索": "线索"}
_CASE_SOURCE_VARIANTS = {"12345": "12345热线", "信访": "信访", "两法衔接": "两法衔接平台", "移送": "行政机关移送",
                         "自行": "自行发现", "依职权": "自行发现", "益心为公": "益心为公平台"}
_CASE_STATUS_VARIANTS = {"不立案": "不立案", "初核": "初核", "诉前": "诉前程序", "起诉": "提起诉讼", "结案": "结案",
                         "办结": "结案", "立案": "立案", "线索": "线索登记", "登记": "线索登记"}
_UNIT_KIND_VARIANTS = {"检察": "检察院", "法院": "法院", "行政": "行政机关", "政府": "行政机关", "机关": "行政机关"}


class _Plan:
    """Row values turned into field values with every check a write would make, before any write."""

    def __init__(self, imported: ImportedRecords) -> None:
        self.imported = imported
        self.columns = {m.field: m.column for m in imported.mapping}
        self.notes: list[str] = list(imported.notes)
        self.errors: list[DomainError] = []

    def column(self, key: str) -> int:
        return self.columns.get(key, 1)

    def text(self, record: RecordRow, key: str) -> str:
        value = record.values.get(key, "")
        return value.strip() if isinstance(value, str) else ""

    def guarded(self, record: RecordRow, build: Callable[[RecordRow], dict[str, object]]) -> dict[str, object]:
        try:
            return build(record)
        except DomainError as error:
            self.errors.append(error)
            return {}

    def raise_errors(self) -> None:
        if self.errors:
            first = self.errors[0]
            more = f"；另有{len(self.errors) - 1}处问题" if len(self.errors) > 1 else ""
            raise DomainError(first.code, f"{first.message}{more}（整个文件未导入）",
                              errors=tuple(e.message for e in self.errors[:3]), **first.fields)

    def check_unique(self, keys: list[tuple[object, int]], label: str, key_field: str) -> None:
        seen: dict[object, int] = {}
        for key, row in keys:
            if key in seen:
                self.errors.append(DomainError("records_duplicate", f"{where(row, self.column(key_field))}：{label}"
                                               f"与第{seen[key]}行重复", row=row, column=self.column(key_field)))
            seen.setdefault(key, row)

    def check_order(self, record: RecordRow, labelled: list[tuple[str, str, dt.date | None]]) -> None:
        known = [(key, label, day) for key, label, day in labelled if day is not None]
        for (_, label_a, day_a), (key_b, label_b, day_b) in zip(known, known[1:]):
            if day_b < day_a:  # type: ignore[operator]
                raise DomainError("records_date_order", f"{where(record.row, self.column(key_b))}：{label_b}"
                                  f"早于{label_a}", row=record.row, column=self.column(key_b))


# -- 检察建议台账 ---------------------------------------------------------------------------------------
_SUGGESTION_TEXT = ("service_method", "reply_doc_no", "reply_content", "objection", "review_result",
                    "rectification_detail", "follow_up", "copy_to", "department")
_SUGGESTION_DATES = ("issued_on", "served_on", "replied_on", "follow_up_due", "closed_on")


def _ledger_fields(plan: _Plan, record: RecordRow) -> dict[str, object]:
    row, values = record.row, record.values
    doc_no = plan.text(record, "doc_no").replace(" ", "").replace("　", "")
    try:
        check_doc_number(doc_no)
    except DomainError as error:
        fixed = suggest_fix(doc_no)
        if fixed is None:
            raise DomainError("records_bad_doc_no", f"{where(row, plan.column('doc_no'))}：{error.message}",
                              row=row, column=plan.column("doc_no")) from error
        plan.notes.append(f"{where(row, plan.column('doc_no'))}：文号“{doc_no}”按规范写作“{fixed}”")
        doc_no = fixed
    fields: dict[str, object] = {"doc_no": doc_no, "addressee_name": plan.text(record, "addressee")}
    for key in _SUGGESTION_TEXT:
        if plan.text(record, key):
            fields[key] = plan.text(record, key)
    for key in _SUGGESTION_DATES:
        if isinstance(values.get(key), dt.date):
            fields[key] = values[key]
    for key in ("urgent", "litigation"):
        if isinstance(values.get(key), bool):
            fields[key] = values[key]
    if plan.text(record, "kind"):
        fields["kind"] = _choice(plan.text(record, "kind"), SUGGESTION_KINDS, _SUGGESTION_KIND_VARIANTS, "建议类型",
                                 row, plan.column("kind"))
    if plan.text(record, "adoption"):
        fields["adoption"] = _choice(plan.text(record, "adoption"), ADOPTIONS, _ADOPTION_VARIANTS, "采纳情况", row,
                                     plan.column("adoption"))
    if "service_method" in fields:
        fields["service_method"] = _choice(str(fields["service_method"]), SERVICE_METHODS, _SERVICE_VARIANTS,
                                           "送达方式", row, plan.column("service_method"))
    rectification = plan.text(record, "rectification")
    if rectification:
        try:
            fields["rectification"] = _choice(rectification, RECTIFICATIONS, _RECTIFICATION_VARIANTS, "整改情况",
                                              row, plan.column("rectification"))
        except DomainError:  # free text such as "已拆除违建3处": it is the detail, the status stays open
            detail = str(fields.get("rectification_detail", ""))
            fields["rectification_detail"] = "\n".join(part for part in (rectification, detail) if part)
    plan.check_order(record, [("issued_on", "制发日期", values.get("issued_on")),  # type: ignore[list-item]
                              ("served_on", "送达日期", values.get("served_on")),
                              ("replied_on", "回复日期", values.get("replied_on")),
                              ("closed_on", "结案日期", values.get("closed_on"))])
    if plan.text(record, "note"):
        plan.notes.append(f"{where(row, plan.column('note'))}（{doc_no}的备注，台账中无此字段，未导入）："
                          f"{plan.text(record, 'note')[:60]}")
    return fields


def _case_reference(plan: _Plan, record: RecordRow) -> tuple[str, dict[str, object]]:
    """案号 (our own export writes "案号　案件名称" in one 关联案件 cell) and the fields of a case to create."""
    case_no = plan.text(record, "case_no")
    title = plan.text(record, "case_title")
    if "　" in case_no and not title:
        case_no, title = (part.strip() for part in case_no.split("　", 1))
    case_fields: dict[str, object] = {}
    for key in ("domain", "handler", "department"):
        if plan.text(record, key):
            case_fields[key] = plan.text(record, key)
    if title:
        case_fields["title"] = title
    if len(str(case_fields.get("domain", ""))) > 40:
        raise DomainError("records_bad_value", f"{where(record.row, plan.column('domain'))}：领域超过40字",
                          row=record.row, column=plan.column("domain"))
    return case_no, case_fields


def _ledger_plan(plan: _Plan, record: RecordRow) -> dict[str, object]:
    fields = _ledger_fields(plan, record)
    case_no, case_fields = _case_reference(plan, record)
    return {"fields": fields, "case_no": case_no, "case_fields": case_fields}


def _import_ledger(session: Session, plan: _Plan, planned: list[tuple[RecordRow, dict[str, object]]],
                   report: RecordsImportReport) -> None:
    existing = {s.doc_no: s for s in session.scalars(select(Suggestion).where(Suggestion.deleted.is_(False)))}
    cases = {c.case_no: c for c in session.scalars(select(Case).where(Case.deleted.is_(False), Case.case_no != ""))}
    item_counts = _items_by_suggestion(session)
    deadlines: list[tuple[RecordRow, Suggestion, object]] = []
    for record, parts in planned:
        fields: dict[str, object] = parts["fields"]  # type: ignore[assignment]
        case_no, case_fields = str(parts["case_no"]), dict(parts["case_fields"])  # type: ignore[call-overload]
        items: tuple[str, ...] = record.values.get("items", ())  # type: ignore[assignment]
        with _at_row(record.row):
            suggestion = existing.get(str(fields["doc_no"]))
            if suggestion is not None:
                changed = _fill_blanks(suggestion, fields)
                if items and not item_counts.get(suggestion.id):
                    _add_items(session, suggestion.id, items)
                    changed = True
                report.completed += changed
                report.unchanged += not changed
            else:
                case = cases.get(case_no) if case_no else None
                if case is None and (case_no or case_fields):
                    title = str(case_fields.pop("title", "") or case_no or fields["doc_no"])
                    case = Case(id=new_id(), case_no=case_no, title=title)
                    update_fields(case, case_fields)
                    session.add(case)
                    report.cases_added += 1
                    if case_no:
                        cases[case_no] = case
                suggestion = Suggestion(id=new_id(), case_id=case.id if case else None)
                update_fields(suggestion, fields)
                session.add(suggestion)
                _add_items(session, suggestion.id, items)
                existing[suggestion.doc_no] = suggestion
                report.added += 1
            deadlines.append((record, suggestion, record.values.get("reply_due")))
    session.flush()  # models/derived.py computes every reply_due here
    for record, suggestion, file_due in deadlines:
        _compare_deadline(record, plan, suggestion, file_due, report)


def _items_by_suggestion(session: Session) -> dict[uuid.UUID, int]:
    counts: dict[uuid.UUID, int] = {}
    for suggestion_id in session.scalars(select(SuggestionItem.suggestion_id).where(SuggestionItem.deleted.is_(False))):
        counts[suggestion_id] = counts.get(suggestion_id, 0) + 1
    return counts


def _add_items(session: Session, suggestion_id: uuid.UUID, items: tuple[str, ...]) -> None:
    for index, text in enumerate(items, start=1):
        session.add(SuggestionItem(suggestion_id=suggestion_id, sort_key=f"{index * 10:06d}", text=text))


def _compare_deadline(record: RecordRow, plan: _Plan, suggestion: Suggestion, file_due: object,
                      report: RecordsImportReport) -> None:
    if not isinstance(file_due, dt.date):
        return
    place = f"{where(record.row, plan.column('reply_due'))}（{suggestion.doc_no}）"
    if suggestion.reply_due is None:
        report.deadline_differences.append(f"{place}：表中回复期限{file_due.isoformat()}，但没有送达日期，本软件不计算期限")
    elif suggestion.reply_due != file_due:
        report.deadline_differences.append(f"{place}：表中回复期限{file_due.isoformat()}，按送达日期计算应为"
                                           f"{suggestion.reply_due.isoformat()}（以本软件计算为准）")


def _fill_blanks(obj: Case | Suggestion | Unit, fields: dict[str, object]) -> bool:
    """Only fields the record still has empty; booleans count as set (False cannot be told from blank)."""
    blanks = {key: value for key, value in fields.items()
              if not isinstance(value, bool) and getattr(obj, key) in (None, "") and value not in (None, "")}
    if blanks:
        update_fields(obj, blanks)
    return bool(blanks)


@contextmanager
def _at_row(row: int) -> Iterator[None]:
    """A rule broken while writing (rare: the plan checks first) still names the row."""
    try:
        yield
    except DomainError as error:
        if error.message.startswith("第"):
            raise
        raise DomainError(error.code, f"{where(row)}：{error.message}（整个文件未导入）", row=row) from error


# -- 线索/案件 ------------------------------------------------------------------------------------------
def _case_fields(plan: _Plan, record: RecordRow) -> dict[str, object]:
    row, values = record.row, record.values
    fields: dict[str, object] = {"title": plan.text(record, "title"), "case_no": plan.text(record, "case_no")}
    for key in ("domain", "handler", "department", "summary", "related_units"):
        if plan.text(record, key):
            fields[key] = plan.text(record, key)
    if plan.text(record, "note"):
        summary = str(fields.get("summary", ""))
        fields["summary"] = "\n".join(part for part in (summary, f"备注：{plan.text(record, 'note')}") if part)
    for key, choices, variants, label in (("kind", CASE_KINDS, _CASE_KIND_VARIANTS, "案件类型"),
                                          ("source", CASE_SOURCES, _CASE_SOURCE_VARIANTS, "线索来源"),
                                          ("status", CASE_STATUSES, _CASE_STATUS_VARIANTS, "办理状态")):
        if plan.text(record, key):
            fields[key] = _choice(plan.text(record, key), choices, variants, label, row, plan.column(key))
    for key in ("received_on", "filed_on", "closed_on"):
        if isinstance(values.get(key), dt.date):
            fields[key] = values[key]
    plan.check_order(record, [("received_on", "受理日期", values.get("received_on")),  # type: ignore[list-item]
                              ("filed_on", "立案日期", values.get("filed_on")),
                              ("closed_on", "结案日期", values.get("closed_on"))])
    if len(str(fields.get("domain", ""))) > 40:
        raise DomainError("records_bad_value", f"{where(row, plan.column('domain'))}：领域超过40字", row=row,
                          column=plan.column("domain"))
    return fields


def _case_key(fields: dict[str, object]) -> tuple[object, ...]:
    return (fields["case_no"],) if fields["case_no"] else ("", fields["title"], fields.get("received_on"))


def _import_cases(session: Session, plan: _Plan, planned: list[tuple[RecordRow, dict[str, object]]],
                  report: RecordsImportReport) -> None:
    existing: dict[tuple[object, ...], Case] = {}
    for case in session.scalars(select(Case).where(Case.deleted.is_(False))):
        existing.setdefault((case.case_no,) if case.case_no else ("", case.title, case.received_on), case)
    for record, fields in planned:
        with _at_row(record.row):
            case = existing.get(_case_key(fields))
            if case is not None:
                changed = _fill_blanks(case, fields)
                report.completed += changed
                report.unchanged += not changed
                continue
            case = Case(title=str(fields["title"]))
            update_fields(case, fields)
            session.add(case)
            existing[_case_key(fields)] = case
            report.added += 1
    session.flush()


# -- 单位 ----------------------------------------------------------------------------------------------
def _unit_fields(plan: _Plan, record: RecordRow) -> dict[str, object]:
    fields: dict[str, object] = {"name": plan.text(record, "name")}
    for key in ("short_name", "code", "liaison_name", "liaison_phone", "note"):
        if plan.text(record, key):
            fields[key] = plan.text(record, key)
    kind = plan.text(record, "kind")
    if kind:
        fields["kind"] = _choice(kind, UNIT_KINDS, _UNIT_KIND_VARIANTS, "单位类型", record.row, plan.column("kind"))
    else:
        name = str(fields["name"])
        fields["kind"] = "检察院" if "检察院" in name else "法院" if "法院" in name else "行政机关"
    return fields


def _import_units(session: Session, plan: _Plan, planned: list[tuple[RecordRow, dict[str, object]]],
                  report: RecordsImportReport) -> None:
    by_name: dict[str, Unit] = {}
    for unit in session.scalars(select(Unit).where(Unit.deleted.is_(False))):
        by_name.setdefault(unit.name, unit)
        if unit.short_name:
            by_name.setdefault(unit.short_name, unit)
    for record, fields in planned:
        with _at_row(record.row):
            unit = by_name.get(str(fields["name"])) or by_name.get(str(fields.get("short_name", "")) or "\0")
            if unit is not None:
                changed = _fill_blanks(unit, {k: v for k, v in fields.items() if k != "kind"})
                report.completed += changed
                report.unchanged += not changed
                continue
            unit = Unit()
            update_fields(unit, fields)
            session.add(unit)
            by_name[unit.name] = unit
            if unit.short_name:
                by_name.setdefault(unit.short_name, unit)
            report.added += 1
    session.flush()


_IMPORTERS = {LEDGER: _import_ledger, CASES: _import_cases, UNITS: _import_units}


def _ledger_key(parts: dict[str, object]) -> object:
    return parts["fields"]["doc_no"]  # type: ignore[index]


# kind -> (row builder, key for duplicates, what the key is called, the column named in the message)
_BUILDERS: dict[str, tuple[Callable[[_Plan, RecordRow], dict[str, object]], Callable[[dict[str, object]], object],
                           str, str]] = {
    LEDGER: (_ledger_plan, _ledger_key, "文号", "doc_no"),
    CASES: (_case_fields, _case_key, "案件", "case_no"),
    UNITS: (_unit_fields, lambda fields: fields["name"], "单位名称", "name"),
}


def _plan_rows(imported: ImportedRecords) -> tuple[_Plan, list[tuple[RecordRow, dict[str, object]]]]:
    """Every row checked as the write would check it, duplicates inside the file included; raises on bad rows."""
    plan = _Plan(imported)
    build, key_of, label, key_field = _BUILDERS[imported.kind]
    planned = [(record, plan.guarded(record, lambda r: build(plan, r))) for record in imported.rows]
    plan.check_unique([(key_of(parts), record.row) for record, parts in planned if parts], label, key_field)
    plan.raise_errors()
    return plan, planned


def check_records(imported: ImportedRecords) -> list[str]:
    """The same row checks as the import, without a database: returns the notes, raises on bad rows."""
    return _plan_rows(imported)[0].notes


@dataclass(frozen=True)
class RecordsPreview:
    imported: ImportedRecords
    notes: tuple[str, ...]


def preview_records_file(path: Path | str | bytes, kind: str, sheet_name: str | None = None) -> RecordsPreview:
    """Read and check the file without touching the database (what the GUI shows before importing)."""
    imported = read_records(path, kind, sheet_name)
    return RecordsPreview(imported, tuple(check_records(imported)))


def import_records_file(db: Database, path: Path | str | bytes, kind: str,
                        sheet_name: str | None = None) -> RecordsImportReport:
    """Read the whole file (a bad row refuses it before any backup or write), then one import transaction."""
    require(db, "import")
    if kind not in RECORD_KINDS:
        raise DomainError("records_kind", f"未知的导入类型“{kind}”")
    imported = read_records(path, kind, sheet_name)
    report = RecordsImportReport(kind, imported.sheet)
    plan, planned = _plan_rows(imported)
    with db.import_scope(f"before_{kind}_import") as session:
        _IMPORTERS[kind](session, plan, planned, report)
        report.notes = plan.notes
        append_audit(session, f"import_{kind}", object_ref=Path(str(path)).name if not isinstance(path, bytes) else "",
                     detail={"added": report.added, "completed": report.completed, "unchanged": report.unchanged})
    return report
