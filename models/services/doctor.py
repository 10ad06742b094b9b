"""`doctor`: integrity of the encrypted file, the audit chain (keyed chain, its head against the key
file's witness and the peers' witnesses, the guard triggers), conflicts, fork alerts, duplicate business
numbers and orphans (what a merge can leave behind, sync-security.md §A.3.3), in Chinese."""
from __future__ import annotations

import json

import sqlcipher3
from sqlalchemy import func, select
from sqlalchemy.exc import DatabaseError
from sqlalchemy.orm import Session

from models.audit import AuditEvent, check_head, missing_guard_triggers, verify_chain
from models.case import Case
from models.conflicts import list_conflicts
from models.storage import Database
from models.suggestion import Suggestion, SuggestionItem
from models.tasklist import Measure, ProgressEntry, Task

DAMAGED = "数据库文件有损坏的页，无法完成检查：请从备份恢复（restore 命令，或“设置”→“从备份恢复”）"


def check_database(db: Database) -> list[str]:
    findings = []
    try:
        from models.integrity import storage_findings

        findings.extend(storage_findings(db))
        with db.read_scope() as session:
            findings.extend(audit_findings(db, session))
            conflicts = list_conflicts(session)
            if conflicts:
                findings.append(f"有 {len(conflicts)} 处同步冲突待处理（sync conflicts 查看）")
            findings.extend(sync_findings(session))
            findings.extend(merge_findings(session))
            findings.extend(attachment_findings(session))
        findings.extend(backup_findings(db))
    except (DatabaseError, sqlcipher3.DatabaseError):
        findings.append(DAMAGED)
    return findings


def attachment_findings(session: Session) -> list[str]:
    """Every stored attachment read through its hash check (files beside the database, or rows)."""
    from models.services.attachments import check_attachment_files

    damaged = check_attachment_files(session).damaged
    if not damaged:
        return []
    names = "、".join(damaged[:5]) + ("等" if len(damaged) > 5 else "")
    return [f"有 {len(damaged)} 个附件的内容已损坏（{names}）：请从备份恢复（restore 命令，或“设置”→“从备份恢复”）"]


def backup_findings(db: Database) -> list[str]:
    """Backups whose attachment files are not all in the backups' shared folder (removed by hand, a
    damaged disk): restoring one of them would be refused."""
    from models.backup import incomplete_backups

    if db.server is not None:
        return []
    return [f"备份 {path.name} 缺少 {count} 个附件文件，用它恢复会被拒绝：请检查备份文件夹（{path.parent}），并立即备份一次"
            for path, count in incomplete_backups(db.backup_folder(), db.path.stem)]


def tidy_attachment_files(db: Database) -> int:
    """Removes what interrupted writes and deleted attachments left in the attachment folder (only files
    no record, history entry or held-back op refers to, and only once a day old). Returns how many."""
    from models.blobstore import collect_garbage

    with db.read_scope() as session:
        parts, blobs = collect_garbage(session)
    return parts + blobs


def audit_findings(db: Database, session: Session) -> list[str]:
    """The keyed chain itself, its head against the key file and against what each peer last saw of it,
    and the triggers that make the table append-only."""
    from models.integrity import witnessed_head
    from models.oplog import local_state
    from models.sync.peers import Peer

    findings = verify_chain(session)
    findings.extend(check_head(session, witnessed_head(db), "密钥文件"))
    incarnation = local_state(session).incarnation
    for peer in session.scalars(select(Peer).where(Peer.my_audit_witness != "")):
        witness = json.loads(peer.my_audit_witness)
        if witness.get("incarnation") == incarnation:  # witnesses from before a restore do not apply
            findings.extend(check_head(session, witness, f"对方工作站（{peer.unit} / {peer.workstation}）"))
    missing = missing_guard_triggers(session)
    if missing:
        findings.append(f"审计日志的保护触发器缺失（{', '.join(missing)}）：重新打开程序时会自动重建并记入审计日志")
    for at, in session.execute(select(AuditEvent.at).where(AuditEvent.event == "audit_triggers_restored")):
        findings.append(f"审计日志的保护触发器曾被删除，已于 {at} 重建")
    return findings


def sync_findings(session: Session) -> list[str]:
    from models.sync.peers import ForkAlert, QuarantinedOp

    findings = []
    forks = session.scalar(select(func.count()).select_from(ForkAlert).where(ForkAlert.seen.is_(False))) or 0
    if forks:
        findings.append(f"有 {forks} 条同步分叉提醒未查看（同一编号的两个不同变更；sync forks 查看）")
    forged = session.scalar(select(func.count()).select_from(QuarantinedOp).where(
        QuarantinedOp.reason == "bad_signature")) or 0
    if forged:
        findings.append(f"有 {forged} 条收到的变更签名不符，未应用（sync held 查看）")
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
