"""`doctor`: integrity of the encrypted file, the audit chain, conflicts, duplicate business numbers
and orphans (what a merge can leave behind, sync-security.md §A.3.3), in Chinese."""
from __future__ import annotations

from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from models.audit import verify_chain
from models.case import Case
from models.merge import list_conflicts
from models.storage import Database
from models.suggestion import Suggestion, SuggestionItem
from models.tasklist import Measure, ProgressEntry, Task


def check_database(db: Database) -> list[str]:
    findings = []
    with db.engine.connect() as conn:
        if conn.execute(text("PRAGMA integrity_check")).scalar() != "ok":
            findings.append("数据库完整性检查未通过")
        if db.dek is not None and conn.execute(text("PRAGMA cipher_integrity_check")).first() is not None:
            findings.append("加密页校验未通过：文件可能被改动，请从备份恢复")
    with db.session_scope() as session:
        findings.extend(verify_chain(session))
        conflicts = list_conflicts(session)
        if conflicts:
            findings.append(f"有 {len(conflicts)} 处同步冲突待处理（sync conflicts 查看）")
        findings.extend(merge_findings(session))
    return findings


def merge_findings(session: Session) -> list[str]:
    """Duplicate 文号/案号 (two offices numbered offline) and children whose parent is gone."""
    findings = []
    for label, column, cls in (("文号", Suggestion.doc_no, Suggestion), ("案号", Case.case_no, Case)):
        duplicated = session.execute(select(column, func.count()).where(cls.deleted.is_(False), column != "")
                                     .group_by(column).having(func.count() > 1).order_by(column))
        findings.extend(f"{label}重复：{number}（{count}条）" for number, count in duplicated)
    for child, parent_key, parent, what in (
            (SuggestionItem, SuggestionItem.suggestion_id, Suggestion, "建议事项"),
            (ProgressEntry, ProgressEntry.measure_id, Measure, "进展记录"),
            (Measure, Measure.task_id, Task, "措施")):
        live_parents = select(parent.id).where(parent.deleted.is_(False))
        orphans = session.scalar(select(func.count()).select_from(child).where(
            child.deleted.is_(False), parent_key.not_in(live_parents)))
        if orphans:
            findings.append(f"{orphans}条{what}所属的记录已删除或尚未同步到本机")
    return findings
