"""Account commands (issue 16): `account add|list|role|reset|disable|passwd`. New passwords come from
FJLD_NEW_PASSWORD or a prompt (asked twice at a terminal). Everything but passwd is for 管理员. On a
server database each account is a server login of its own (models/pg_roles.py), changed in the same
transaction as the account row."""
from __future__ import annotations

import argparse
import sys

from cli.app import CliContext, ask_secret
from models.errors import DomainError
from models.rules.permissions import ROLE_HELP, ROLES

NEW_PASSWORD_ENV = "FJLD_NEW_PASSWORD"
ROLE_CHOICES = "、".join(f"{role}（{ROLE_HELP[role]}）" for role in ROLES)


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("account", help="账户管理：添加、列出、角色、重置密码、停用、修改本人密码")
    actions = p.add_subparsers(dest="account_command", metavar="操作")

    q = actions.add_parser("add", help=f"添加账户（密码取自 {NEW_PASSWORD_ENV} 或提示输入）")
    q.add_argument("name", help="账户名（姓名），承办人与它一致的案件归该账户")
    q.add_argument("--role", required=True, help=f"角色，可用逗号分隔多个：{ROLE_CHOICES}")
    q.set_defaults(handler=cmd_add)

    q = actions.add_parser("list", help="列出账户")
    q.set_defaults(handler=cmd_list)

    q = actions.add_parser("role", help="设置账户的角色（替换原有角色）")
    q.add_argument("name")
    q.add_argument("roles", help="角色，逗号分隔")
    q.set_defaults(handler=cmd_role)

    q = actions.add_parser("reset", help=f"管理员重置他人忘记的密码（新密码取自 {NEW_PASSWORD_ENV} 或提示输入）")
    q.add_argument("name")
    q.set_defaults(handler=cmd_reset)

    q = actions.add_parser("disable", help="停用账户（其密码随即失效）；--enable 重新启用（再重置密码）")
    q.add_argument("name")
    q.add_argument("--enable", action="store_true")
    q.set_defaults(handler=cmd_disable)

    q = actions.add_parser("passwd", help=f"修改本人密码（新密码取自 {NEW_PASSWORD_ENV} 或提示输入）")
    q.set_defaults(handler=cmd_passwd)

    p.set_defaults(handler=lambda args, ctx: _usage(p))


def _usage(parser: argparse.ArgumentParser) -> int:
    parser.print_help()
    return 2


def _new_password() -> str:
    password = ask_secret("新密码：", NEW_PASSWORD_ENV)
    if sys.stdin and sys.stdin.isatty() and password != ask_secret("再输入一次：", "__FJLD_NEVER_SET__"):
        raise DomainError("password_mismatch", "两次输入的密码不一致")
    return password


def cmd_add(args: argparse.Namespace, ctx: CliContext) -> int:
    from models.accounts import add_account

    db = ctx.database()
    row = add_account(db, args.name, args.role, _new_password())
    ctx.out(f"已添加账户：{row.name}（{'、'.join(row.roles)}）")
    if db.server is not None:
        from models.backend import with_user

        ctx.out(f"本人登录服务器时使用：--db {with_user(db.server.display, row.name)}")
    return 0


def cmd_list(args: argparse.Namespace, ctx: CliContext) -> int:
    from models.accounts import list_accounts

    with ctx.database().read_scope() as session:
        rows = list_accounts(session)
    for row in rows:
        ctx.out(f"{row.name}\t{'、'.join(row.roles)}\t{row.status}\t创建于 {row.created_at}")
    return 0


def cmd_role(args: argparse.Namespace, ctx: CliContext) -> int:
    from models.accounts import set_roles

    roles = set_roles(ctx.database(), args.name, args.roles)
    ctx.out(f"账户“{args.name.strip()}”的角色：{'、'.join(roles)}")
    return 0


def cmd_reset(args: argparse.Namespace, ctx: CliContext) -> int:
    from models.accounts import reset_password

    reset_password(ctx.database(), args.name, _new_password())
    ctx.out(f"已重置账户“{args.name.strip()}”的密码，请通知本人登录后修改")
    return 0


def cmd_disable(args: argparse.Namespace, ctx: CliContext) -> int:
    from models.accounts import set_disabled

    db = ctx.database()
    set_disabled(db, args.name, not args.enable)
    enabled = "可用原密码登录" if db.server is not None else "请为其重置密码"   # a file's slot went at 停用
    ctx.out(f"已启用账户“{args.name.strip()}”，{enabled}" if args.enable else f"已停用账户“{args.name.strip()}”")
    return 0


def cmd_passwd(args: argparse.Namespace, ctx: CliContext) -> int:
    from models.services.setup import change_password

    change_password(ctx.database(), _new_password())
    ctx.out("密码已修改")
    return 0
