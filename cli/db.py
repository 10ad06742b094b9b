"""`db …`: the administrator's commands for where the database lives.

    db upgrade --db postgresql://…   the server's schema to this program's revision (clients never
                                     migrate a server database themselves); `init` creates one
    db move-to TARGET                copy this database (file or server) into an empty one elsewhere
    db liaison-roles --db postgresql://…  the government view enforced by the server: a group role, a
                                     login per 府检办联络员 account, grants and row-level security"""
from __future__ import annotations

import argparse
import os
from pathlib import Path

from cli.app import PASSWORD_ENV, CliContext, ask_secret
from models.errors import DomainError

NEW_PASSWORD_ENV = "FJLD_NEW_PASSWORD"


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("db", help="数据库位置：服务器数据结构升级、在本机文件与服务器之间迁移")
    db_sub = p.add_subparsers(dest="db_command", metavar="子命令")
    up = db_sub.add_parser("upgrade", help="把服务器上数据库的数据结构升级到本程序的版本（管理员运行；新建请用 init）")
    up.set_defaults(handler=cmd_upgrade)
    move = db_sub.add_parser("move-to", help="把当前数据库完整复制到一个空的目标（postgresql://… 或新的数据库文件），"
                                             "并用 dump 校验一致")
    move.add_argument("target", help="postgresql://用户@主机:端口/库名，或新数据库文件的路径")
    move.set_defaults(handler=cmd_move_to)
    roles = db_sub.add_parser("liaison-roles", help="在服务器上为府检办联络员建立只能看到政府方视图的数据库角色"
                                                    "（每个联络员账户一个登录角色；新角色的密码取自 FJLD_NEW_PASSWORD 或提示输入）")
    roles.set_defaults(handler=cmd_liaison_roles)


def cmd_upgrade(args: argparse.Namespace, ctx: CliContext) -> int:
    from models.pg import upgrade_server

    if ctx.server_url is None:
        raise DomainError("not_server", "db upgrade 用于服务器上的数据库（--db postgresql://…）；本机数据库文件打开时自动升级")
    before, after = upgrade_server(ctx.server_url, ctx.server_password())
    ctx.out(f"数据结构已是最新版本：{after}" if before == after else f"数据结构已从 {before or '空库'} 升级到 {after}")
    return 0


def cmd_move_to(args: argparse.Namespace, ctx: CliContext) -> int:
    from models.backend import is_server_url, looks_like_url, parse_server_url
    from models.backend_move import move_database

    source = ctx.database()
    target_text = args.target.strip()
    if is_server_url(target_text):
        from models.pg import open_server, upgrade_server

        address = parse_server_url(target_text)
        password = address.password if address.password is not None else \
            ask_secret(f"目标服务器上 {address.user} 的密码：", PASSWORD_ENV)
        upgrade_server(target_text, password)
        target = open_server(target_text, password, user=source.user)
        recovery = None
    elif looks_like_url(target_text):
        parse_server_url(target_text)  # one-line refusal of an unknown scheme
        return 1
    else:
        target, recovery = _new_file(Path(target_text), source.user)
    try:
        result = move_database(source, target)
    finally:
        target.close()
    ctx.out(f"已迁移到 {result.target}：记录 {result.records} 条，变更记录 {result.ops} 条，"
            f"审计记录 {result.audit_rows} 条；dump 校验一致")
    if recovery:
        ctx.out("新数据库文件的恢复密钥（只显示这一次，请打印或抄写后密封保管）：")
        ctx.out(f"  {recovery}")
    return 0


def _new_file(path: Path, user: str):  # type: ignore[no-untyped-def]
    """An empty encrypted file with its own key file (password from FJLD_NEW_PASSWORD or a prompt)."""
    from models.keyslots import check_password_strength, create_key_file, keys_path_for
    from models.storage import open_database

    keys = keys_path_for(path)
    if path.exists() or keys.exists():
        raise DomainError("db_exists", f"数据库已存在：{path}，不会覆盖")
    password = os.environ.get(NEW_PASSWORD_ENV) or ask_secret("新数据库文件的密码：", NEW_PASSWORD_ENV)
    check_password_strength(password)
    path.parent.mkdir(parents=True, exist_ok=True)
    _key_file, dek, recovery = create_key_file(keys, password)
    return open_database(path, dek, user=user), recovery


def cmd_liaison_roles(args: argparse.Namespace, ctx: CliContext) -> int:
    from models.keyslots import check_password_strength
    from models.pg_roles import set_up_liaison_roles

    if ctx.server_url is None:
        raise DomainError("not_server", "db liaison-roles 用于服务器上的数据库（--db postgresql://…）")

    def login_password(account: str, role: str) -> str:
        password = os.environ.get(NEW_PASSWORD_ENV) or ask_secret(f"联络员 {account} 的服务器登录角色 {role} 的密码：",
                                                                 NEW_PASSWORD_ENV)
        check_password_strength(password)
        return password

    result = set_up_liaison_roles(ctx.server_url, ctx.server_password(), login_password)
    ctx.out(f"政府方视图的数据库角色：{result.group}（只读任务清单、进展和共享字段，受行级安全策略限制）")
    for role in result.created:
        ctx.out(f"  新建登录角色：{role}")
    for role in result.kept:
        ctx.out(f"  已有登录角色（密码未改）：{role}")
    for role in result.withdrawn:
        ctx.out(f"  已停用（账户已停用或不再是联络员）：{role}")
    if not result.created and not result.kept:
        ctx.out("  没有启用的府检办联络员账户；新增账户后请再次运行本命令")
    return 0
