"""`doctor`: integrity of the encrypted file, the audit chain, conflicts and orphans, in Chinese."""
from __future__ import annotations

from sqlalchemy import text

from models.audit import verify_chain
from models.merge import list_conflicts
from models.storage import Database


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
    return findings
