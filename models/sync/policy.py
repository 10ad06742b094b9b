"""Write rights enforced once, in the core: a site whose own role is limited (行政机关, 其他) cannot
record a local change its peers would refuse (sync-security.md §A.3.8). The same table decides what a
receiver accepts from each origin (profiles.WRITABLE_BY_ROLE, with the role set on the receiving side)."""
from __future__ import annotations

import json
from collections.abc import Sequence

from sqlalchemy import text
from sqlalchemy.orm import Session

from models.errors import DomainError
from models.oplog import CREATE_FIELD, LOCAL_WRITE_GUARDS, Op
from models.registry import ENTITY_BY_NAME, replicated_columns
from models.sync.peers import SyncIdentity
from models.sync.profiles import WRITABLE_BY_ROLE, role_may_write

ROLE_NAMES = {"procuratorate": "检察院", "liaison": "联络办", "government": "行政机关", "other": "其他"}


def local_role(session: Session) -> str | None:
    """This workstation's role from its sync identity; None before one is set up (no limits then)."""
    row = session.get(SyncIdentity, 1)
    if row is not None:
        return str(json.loads(row.secret_json)["role"])
    if session.get_bind().dialect.name == "postgresql":
        # A server login that may not read the site's signing key (the liaison's) sees no identity row:
        # the database gives it the role alone (models/pg_roles.py SITE_ROLE_FUNCTION), when it exists.
        # (Asked apart: a call to a function that does not exist fails the statement even inside a CASE.)
        if session.execute(text("SELECT to_regproc('fjld_site_role') IS NOT NULL")).scalar():
            role = session.execute(text("SELECT fjld_site_role()")).scalar()
            return str(role) if role else None
    return None


def writable_fields(session: Session, entity: str) -> frozenset[str] | None:
    """The fields of `entity` this workstation may change: None = all, an empty set = none."""
    role = local_role(session)
    writable = WRITABLE_BY_ROLE.get(role or "procuratorate", {}) if role else None
    if writable is None:
        return None
    fields = writable.get(entity, frozenset())
    if fields is None:
        return frozenset(replicated_columns(ENTITY_BY_NAME[entity]))
    return frozenset(fields)


def _guard(session: Session, ops: Sequence[Op]) -> None:
    if not ops:
        return
    role = local_role(session)
    if role is None or WRITABLE_BY_ROLE.get(role, {}) is None:
        return
    for op in ops:
        if not role_may_write(role, op):  # type: ignore[arg-type]
            what = "新建记录" if op.field == CREATE_FIELD else f"字段 {op.field}"
            raise DomainError("not_writable", f"本工作站的角色是{ROLE_NAMES.get(role, role)}，无权修改此内容"
                                              f"（{op.entity} 的{what}），未保存；该内容由检察院一方维护")


if _guard not in LOCAL_WRITE_GUARDS:
    LOCAL_WRITE_GUARDS.append(_guard)
