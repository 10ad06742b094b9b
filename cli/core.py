"""Core commands: init, unlock, passwd, demo, dump, load, search, due, backup, doctor."""
from __future__ import annotations

import argparse
import datetime as dt
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TextIO

from cli.app import PASSWORD_ENV, CliContext, ask_secret, iso_date
from models.errors import DomainError

NEW_PASSWORD_ENV = "FJLD_NEW_PASSWORD"


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("init", help="创建新的加密数据库")
    p.add_argument("--office", default="××县人民检察院", help="院名")
    p.add_argument("--code", default="××检", help="院代字")
    p.add_argument("--remember", action="store_true", help="在本机记住密码（Windows 凭据管理器）")
    p.add_argument("--demo", action="store_true", help="同时载入演示数据")
    p.set_defaults(handler=cmd_init)

    p = sub.add_parser("unlock", help="检查能否解锁；可设置是否在本机记住密码")
    group = p.add_mutually_exclusive_group()
    group.add_argument("--remember", action="store_true")
    group.add_argument("--forget", action="store_true")
    p.set_defaults(handler=cmd_unlock)

    p = sub.add_parser("passwd", help=f"修改密码（新密码取自 {NEW_PASSWORD_ENV} 或提示输入；"
                                      "忘记密码时设置 FJLD_RECOVERY_KEY 用恢复密钥解锁）")
    p.set_defaults(handler=cmd_passwd)

    p = sub.add_parser("demo", help="载入演示数据（2022年任务清单及示例案件、建议）")
    p.add_argument("--today", type=iso_date, default=None, help="演示数据的“今天”，默认系统日期")
    p.set_defaults(handler=cmd_demo)

    p = sub.add_parser("dump", help="导出全部记录为规范 JSON")
    p.add_argument("-o", "--output", help="输出文件（默认打印到屏幕）")
    p.set_defaults(handler=cmd_dump)

    p = sub.add_parser("load", help="从 dump 导出的 JSON 批量导入（导入前自动备份）")
    p.add_argument("file")
    p.set_defaults(handler=cmd_load)

    p = sub.add_parser("search", help="全文检索案件、建议、任务、进展、会议、单位、附件名")
    p.add_argument("text")
    p.add_argument("--limit", type=int, default=50, help="每类最多显示几条（0 = 全部）")
    p.set_defaults(handler=cmd_search)

    p = sub.add_parser("due", help="列出逾期和临期事项")
    p.add_argument("--today", type=iso_date, default=None)
    p.add_argument("--days", type=int, default=None, help="临期天数（默认取设置，7天）")
    p.add_argument("--all", action="store_true", help="也列出按期（绿色）事项")
    p.set_defaults(handler=cmd_due)

    p = sub.add_parser("backup", help="立即做一次经过校验的加密备份")
    p.set_defaults(handler=cmd_backup)

    p = sub.add_parser("restore", help="从备份恢复（不带文件名时列出可用备份；恢复前自动备份当前数据）")
    p.add_argument("file", nargs="?", help="备份文件（.db），或列表中的序号")
    p.set_defaults(handler=cmd_restore)

    p = sub.add_parser("doctor", help="检查数据库完整性、审计链和冲突")
    p.set_defaults(handler=cmd_doctor)


def _new_password(prompt: str) -> str:
    password = ask_secret(prompt, NEW_PASSWORD_ENV if prompt.startswith("新") else PASSWORD_ENV)
    if sys.stdin and sys.stdin.isatty() and password != ask_secret("再输入一次：", "__FJLD_NEVER_SET__"):
        raise DomainError("password_mismatch", "两次输入的密码不一致")
    return password


def cmd_init(args: argparse.Namespace, ctx: CliContext) -> int:
    from models.services.setup import initialize

    if ctx.server_url is not None:
        return _init_server(args, ctx)
    created = initialize(ctx.db_path, _new_password("设置密码："), office_name=args.office,
                         office_code=args.code, remember=args.remember, account=args.user)
    ctx._db = created.db
    ctx.out(f"已创建加密数据库：{ctx.db_path}")
    ctx.out("恢复密钥（只显示这一次，请打印或抄写后密封保管；忘记密码时凭它解锁）：")
    ctx.out(f"  {created.recovery_key}")
    if args.demo:
        return cmd_demo(argparse.Namespace(today=None), ctx)
    return 0


def _init_server(args: argparse.Namespace, ctx: CliContext) -> int:
    """`init --db postgresql://…`: schema, office and first administrator (the URL's login), with no
    prompt when FJLD_PASSWORD is set; there is no recovery key (the server account is the key)."""
    from models.pg import initialize_server, remember_password

    password = ctx.server_password()
    ctx._db = initialize_server(ctx.server_url or "", password, office_name=args.office, office_code=args.code,
                                user=getattr(args, "user", None))
    server = ctx._db.server
    assert server is not None
    if args.remember:
        remember_password(server, password)
    ctx.out(f"已在服务器上建立数据库：{server.display}（第一位管理员：{server.user}）")
    if args.demo:
        return cmd_demo(argparse.Namespace(today=None), ctx)
    return 0


def cmd_unlock(args: argparse.Namespace, ctx: CliContext) -> int:
    from models.services.setup import set_remember

    if ctx.server_url is not None:
        from models.pg import remember_password

        password = ctx.server_password()
        db = ctx.database()
        if (args.remember or args.forget) and db.server is not None:
            remember_password(db.server, password if args.remember else None)
            ctx.out("已在本机凭据管理器中记住服务器密码" if args.remember else "本机已不再记住服务器密码")
        ctx.out(f"登录成功：{db.location}")
        return 0
    db = ctx.database()
    if args.remember or args.forget:
        set_remember(db, args.remember)
        ctx.out("已在本机记住密码" if args.remember else "本机已不再记住密码")
    ctx.out(f"解锁成功：{db.path}")
    return 0


def cmd_passwd(args: argparse.Namespace, ctx: CliContext) -> int:
    from models.services.setup import change_password

    if ctx.server_url is not None:
        raise DomainError("server_db", "这个命令只适用于本机数据库文件：服务器账户的密码由管理员在服务器上修改")
    db = ctx.database()
    change_password(db, _new_password("新密码："))
    ctx.out("密码已修改")
    return 0


def cmd_demo(args: argparse.Namespace, ctx: CliContext) -> int:
    from models.services.demo import load_demo

    with ctx.database().import_scope("before_demo") as session:
        counts = load_demo(session, args.today or dt.date.today())
    ctx.out("已载入演示数据：" + "，".join(f"{k} {v}" for k, v in counts.items()))
    return 0


def cmd_dump(args: argparse.Namespace, ctx: CliContext) -> int:
    from models.fsutil import atomic_write_chunks
    from models.services.dump import dump_text, iter_dump_text

    with ctx.session_scope() as session:
        if args.output:  # streamed to the file, one entity at a time (flat memory at 100k records)
            atomic_write_chunks(Path(args.output), (piece.encode("utf-8") for piece in iter_dump_text(session)))
        else:
            ctx.out(dump_text(session))
    return 0


def cmd_load(args: argparse.Namespace, ctx: CliContext) -> int:
    from models.services.dump import import_dump_file

    count = import_dump_file(ctx.database(), Path(args.file), progress=progress_printer("导入", sys.stderr))
    ctx.out(f"已导入 {count} 条记录")
    return 0


def progress_printer(label: str, stream: TextIO | None, step: int = 10) -> Callable[[int, int], None] | None:
    """A progress callback (bytes done, total) printing one Chinese line on `stream` each time another
    `step` percent is done (whole lines: an error message that follows starts on its own line); None when
    `stream` is not a terminal, so a log or a pipe gets the result line only."""
    if stream is None or not stream.isatty():
        return None
    shown = [-1]

    def report(done: int, total: int) -> None:
        percent = 100 if total <= 0 else min(100, done * 100 // total) // step * step
        if percent > shown[0]:
            shown[0] = percent
            print(f"{label}进度：{percent}%（{done / 2**20:.1f} / {total / 2**20:.1f} MB）", file=stream, flush=True)
    return report


def cmd_search(args: argparse.Namespace, ctx: CliContext) -> int:
    from models.search import search_grouped
    from models.services.common import LABELS

    with ctx.session_scope() as session:
        groups = search_grouped(session, args.text, per_kind=args.limit if args.limit > 0 else None)
    for group in groups:
        kind = LABELS.get(group.matched, group.matched)
        ctx.out(f"【{kind}】共 {group.total} 条")
        for hit in group.hits:
            ctx.out(f"{kind}\t{hit.title}\t{LABELS.get(hit.entity, hit.entity)}\t{hit.row_id}")
        if group.total > len(group.hits):
            ctx.out(f"（{kind}还有 {group.total - len(group.hits)} 条未显示，用 --limit 0 显示全部）")
    if not groups:
        ctx.out("没有找到")
    return 0


def cmd_due(args: argparse.Namespace, ctx: CliContext) -> int:
    from models.services.due import due_items, unclear_deadlines

    today = args.today or dt.date.today()
    with ctx.session_scope() as session:
        items = due_items(session, today, args.days, include_green=args.all)
        unclear = unclear_deadlines(session) if args.all else []
    for item in items:
        when = f"逾期{-item.days_left}天" if item.days_left < 0 else f"剩{item.days_left}天"
        ctx.out(f"{item.level.label}\t{item.due.isoformat()}\t{when}\t{item.title}\t{item.party}")
    if not items:
        ctx.out("没有逾期或临期事项")
    for entry in unclear:
        ctx.out(f"时限待确认\t{entry.phrase}\t{entry.title}\t{entry.party}")
    return 0


def cmd_backup(args: argparse.Namespace, ctx: CliContext) -> int:
    from models.services.setup import backup_now

    ctx.out(f"已备份并校验：{backup_now(ctx.database())}")
    return 0


def cmd_restore(args: argparse.Namespace, ctx: CliContext) -> int:
    from models.services.restore import available_backups, restore_backup

    backups = available_backups(ctx.database())
    if not args.file:
        for number, info in enumerate(backups, start=1):
            ctx.out(f"{number}\t{info.taken_at:%Y-%m-%d %H:%M:%S}\t{info.reason}\t{info.path}")
        if not backups:
            ctx.out("没有可用的备份")
        return 0
    chosen = Path(args.file)
    if args.file.isdigit() and not chosen.exists():
        if not 1 <= int(args.file) <= len(backups):
            raise DomainError("no_backup", f"没有第{args.file}个备份")
        chosen = backups[int(args.file) - 1].path
    ctx._db = restore_backup(ctx.database(), chosen)
    ctx.out(f"已从备份恢复：{chosen.name}（恢复前的数据也已备份）")
    return 0


def cmd_doctor(args: argparse.Namespace, ctx: CliContext) -> int:
    from models.services.doctor import check_database, tidy_attachment_files

    findings = check_database(ctx.database())
    for line in findings:
        ctx.out(line)
    removed = tidy_attachment_files(ctx.database())
    if removed:
        ctx.out(f"已清理 {removed} 个不再使用的附件文件")
    if not findings:
        ctx.out("检查通过：数据库完整，审计链完整，无冲突")
    return 1 if findings else 0
