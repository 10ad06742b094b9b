"""Who may do what: one table role → allowed actions (issue 16 §2). Pure: no Qt, no database.

An account holds one or more roles; it may do what any of its roles allows. The first account of a
database holds 管理员 and 部门负责人, so a one-person office can do everything it did before accounts.
Writes of records are checked per entity (ENTITY_ACTION); 承办检察官 may write only the cases (and their
检察建议, 建议内容 and attachments) whose 承办人 is the account itself (Scope.OWN)."""
from __future__ import annotations

from enum import Enum

PROSECUTOR = "承办检察官"
CLERK = "内勤"
LEADER = "部门负责人"
LIAISON = "府检办联络员"
ADMIN = "管理员"
ROLES = (PROSECUTOR, CLERK, LEADER, LIAISON, ADMIN)
ROLE_HELP = {
    PROSECUTOR: "本人承办的案件和检察建议",
    CLERK: "登记簿、台账、导出导入、同步",
    LEADER: "全部业务（查看、修改、审核）",
    LIAISON: "政府方视图：任务清单和进展，不含案件详情",
    ADMIN: "账户、备份与恢复、系统设置",
}
FIRST_ACCOUNT_ROLES = (ADMIN, LEADER)


class Scope(Enum):
    ALL = "all"
    OWN = "own"   # only records whose 承办人 is the account itself


# action → what it is called in a refusal ("只有…可以{label}")
ACTIONS: dict[str, str] = {
    "case.read": "查看案件和检察建议详情",
    "case.write": "登记或修改案件、检察建议",
    "register.write": "登记或修改线索移送、专项活动、信息共享",
    "unit.write": "修改单位名录",
    "meeting.write": "登记或修改联席会议",
    "task.write": "修改任务清单和进展",
    "approve": "审核确认（选定待确认的进展、处理冲突）",
    "document": "生成文书（检察建议书、送达回证等）",
    "export": "导出台账和列表",
    "task.export": "导出任务清单和填报表",
    "import": "批量导入",
    "sync": "同步（配对、导出和导入同步包）",
    "backup": "备份",
    "restore": "从备份恢复",
    "settings": "修改系统设置",
    "accounts": "管理账户",
}

_ALL_BUSINESS = ("case.read", "case.write", "register.write", "unit.write", "meeting.write", "task.write",
                 "document", "export", "task.export", "import", "sync", "backup")
RULES: dict[str, dict[str, Scope]] = {
    PROSECUTOR: {"case.read": Scope.ALL, "case.write": Scope.OWN, "document": Scope.ALL},
    CLERK: {action: Scope.ALL for action in _ALL_BUSINESS},
    LEADER: {**{action: Scope.ALL for action in _ALL_BUSINESS}, "approve": Scope.ALL, "settings": Scope.ALL},
    LIAISON: {"task.write": Scope.ALL, "task.export": Scope.ALL},
    ADMIN: {"accounts": Scope.ALL, "backup": Scope.ALL, "restore": Scope.ALL, "settings": Scope.ALL,
            "case.read": Scope.ALL},
}

# Which action a write of each replicated entity needs. An attachment needs the action of what it is
# attached to (see owner_action).
ENTITY_ACTION: dict[str, str] = {
    "case": "case.write", "suggestion": "case.write", "suggestion_item": "case.write",
    "transfer": "register.write", "campaign": "register.write", "campaign_phase": "register.write",
    "campaign_link": "register.write", "info_share": "register.write",
    "unit": "unit.write",
    "meeting": "meeting.write", "meeting_decision": "meeting.write",
    "task_list": "task.write", "task_aspect": "task.write", "task": "task.write", "measure": "task.write",
    "progress_entry": "task.write",
}
# Records a liaison never sees in detail (the government view has only the shared status fields).
CASE_DETAIL_ENTITIES = frozenset({"case", "suggestion_item"})


def write_action(entity: str, attached_to: str = "") -> str:
    """The action writing a row of `entity` needs; an attachment takes its owner's."""
    if entity == "attachment":
        return ENTITY_ACTION.get(attached_to, "case.write")
    return ENTITY_ACTION.get(entity, "case.write")


def scope_of(roles: tuple[str, ...] | frozenset[str], action: str) -> Scope | None:
    """The widest scope any of `roles` has for `action`; None = not allowed."""
    scopes = {RULES.get(role, {}).get(action) for role in roles} - {None}
    if Scope.ALL in scopes:
        return Scope.ALL
    return Scope.OWN if Scope.OWN in scopes else None


def allowed(roles: tuple[str, ...] | frozenset[str], action: str, *, own: bool = True) -> bool:
    """`own`: the record belongs to the acting account (its 承办人), for OWN-scoped actions."""
    scope = scope_of(roles, action)
    return scope is Scope.ALL or (scope is Scope.OWN and own)


def roles_allowing(action: str) -> tuple[str, ...]:
    return tuple(role for role in ROLES if action in RULES[role])


def refusal(action: str, roles: tuple[str, ...] | frozenset[str], *, own_only: bool = False) -> str:
    """One Chinese line: who may do it (and, for an own-only role, that this record is not theirs)."""
    label = ACTIONS.get(action, action)
    if own_only:
        return f"{PROSECUTOR}只能{label}本人承办的记录（承办人须为本人）；其他记录由{CLERK}或{LEADER}处理"
    who = "、".join(roles_allowing(action)) or ADMIN
    mine = "、".join(roles) or "无角色"
    return f"无权{label}：只有{who}可以操作（当前账户角色：{mine}）"


def parse_roles(text: str) -> tuple[str, ...]:
    """'内勤,部门负责人' (also 、，/ and spaces; 领导 = 部门负责人) → the roles in table order; unknown → ValueError."""
    parts = [p.strip() for p in text.replace("、", ",").replace("，", ",").replace("/", ",").replace(" ", ",")
             .split(",") if p.strip()]
    aliases = {"领导": LEADER, "部门负责人/领导": LEADER, "联络员": LIAISON, "检察官": PROSECUTOR}
    chosen = {aliases.get(part, part) for part in parts}
    unknown = sorted(chosen - set(ROLES))
    if unknown or not chosen:
        raise ValueError("、".join(unknown))
    return tuple(role for role in ROLES if role in chosen)
