"""Sync commands: peer export-id | add | list | revoke, and sync export | import | conflicts | resolve."""
from __future__ import annotations

import argparse
import json
import socket
import sys
from pathlib import Path

from sqlalchemy import select

from cli.app import CliContext
from models.errors import DomainError
from models.fsutil import atomic_write_bytes
from models.merge import list_conflicts, resolve_conflict
from models.settings import get_setting
from models.sync.exchange import export_package, import_package
from models.sync.export import APP_VERSION
from models.sync.identity import ROLES, export_peer_file, parse_peer_file
from models.sync.peers import Peer, add_peer, ensure_identity, find_peer, my_identity
from models.sync.profiles import PROFILES


def register(sub: argparse._SubParsersAction) -> None:
    peer = sub.add_parser("peer", help="同步配对：导出本机配对文件、添加对方工作站")
    peer_actions = peer.add_subparsers(dest="peer_command", metavar="操作", required=True)
    p = peer_actions.add_parser("export-id", help="导出本机配对文件（首次使用时生成本机密钥）")
    p.add_argument("-o", "--out", type=Path, required=True, help="输出的配对文件")
    p.add_argument("--unit", help="本单位名称（首次生成时使用，默认取设置中的单位名称）")
    p.add_argument("--workstation", default=socket.gethostname(), help="工作站名（首次生成时使用）")
    p.add_argument("--role", choices=ROLES, default="procuratorate", help="本机角色（首次生成时使用）")
    p.set_defaults(handler=cmd_export_id)
    p = peer_actions.add_parser("add", help="添加对方工作站（须核对指纹）")
    p.add_argument("file", type=Path)
    p.add_argument("--profile", choices=sorted(PROFILES), default="full", help="对方可接收的数据范围")
    p.add_argument("--fingerprint", help="电话或配对确认单上核对过的指纹（6 组 5 位数字）")
    p.set_defaults(handler=cmd_peer_add)
    p = peer_actions.add_parser("list", help="列出已配对的工作站")
    p.set_defaults(handler=cmd_peer_list)
    p = peer_actions.add_parser("revoke", help="撤销配对：此后拒收其同步包")
    p.add_argument("peer")
    p.set_defaults(handler=cmd_peer_revoke)

    sync = sub.add_parser("sync", help="文件交换同步：导出、导入同步包，处理冲突")
    actions = sync.add_subparsers(dest="sync_command", metavar="操作", required=True)
    p = actions.add_parser("export", help="为某工作站导出同步包（对方尚未确认收到的全部变更）")
    p.add_argument("--to", required=True, help="对方站点编号（前 8 位即可）、单位或工作站名")
    p.add_argument("-o", "--out", type=Path, required=True, help="输出的 .fjpkg 文件")
    p.add_argument("--full", action="store_true", help="完整导出（新配对或对方重建数据时）")
    p.set_defaults(handler=cmd_export)
    p = actions.add_parser("import", help="导入同步包")
    p.add_argument("file", type=Path)
    p.add_argument("--preview", action="store_true", help="只预览将发生的变化，不写入")
    p.add_argument("--accept-clock-skew", action="store_true",
                   help="对方电脑时钟超前一天以上时，经核对确认后仍然导入（记入审计日志）")
    p.set_defaults(handler=cmd_import)
    p = actions.add_parser("conflicts", help="列出待处理的冲突")
    p.set_defaults(handler=cmd_conflicts)
    p = actions.add_parser("resolve", help="处理一个冲突")
    p.add_argument("entity")
    p.add_argument("row_id")
    p.add_argument("field")
    choice = p.add_mutually_exclusive_group(required=True)
    choice.add_argument("--take", choices=("mine", "theirs"), help="采用本机 / 采用对方")
    choice.add_argument("--value", help="编辑后保存：JSON 值，如 \"\\\"新文字\\\"\" 或 true")
    p.set_defaults(handler=cmd_resolve)


def cmd_export_id(args: argparse.Namespace, ctx: CliContext) -> int:
    with ctx.session_scope() as session:
        unit = args.unit or str(get_setting(session, "office_name"))
        identity = ensure_identity(session, unit, args.workstation, args.role)
    data = export_peer_file(identity, APP_VERSION)
    atomic_write_bytes(args.out, data)
    card = parse_peer_file(data)
    ctx.out(f"已导出配对文件：{args.out}")
    ctx.out(f"本机：{card.unit} / {card.workstation}（站点 {card.site_id[:8]}）")
    ctx.out(f"指纹：{card.fingerprint}")
    return 0


def cmd_peer_add(args: argparse.Namespace, ctx: CliContext) -> int:
    data = args.file.read_bytes()
    card = parse_peer_file(data)
    ctx.out(f"对方：{card.unit} / {card.workstation}（站点 {card.site_id[:8]}，角色 {card.role}）")
    ctx.out(f"指纹：{card.fingerprint}")
    if args.fingerprint is not None:
        confirmed = "".join(args.fingerprint.split()) == card.fingerprint.replace(" ", "")
    elif sys.stdin and sys.stdin.isatty():
        confirmed = input("请与对方核对指纹，一致请输入 yes：").strip().lower() == "yes"
    else:
        raise DomainError("fingerprint_required", "请用 --fingerprint 提供核对过的指纹")
    if not confirmed:
        raise DomainError("fingerprint_mismatch", "指纹不一致，未添加配对。请确认配对文件来源")
    with ctx.session_scope() as session:
        add_peer(session, data, args.profile)
    ctx.out(f"已添加配对，数据范围：{PROFILES[args.profile].label}")
    return 0


def cmd_peer_list(args: argparse.Namespace, ctx: CliContext) -> int:
    with ctx.session_scope() as session:
        for peer in session.scalars(select(Peer).order_by(Peer.unit)):
            state = "已撤销" if peer.revoked else f"已发 {peer.out_seq} 个包，对方已确认 {peer.acked_seq}"
            ctx.out(f"{peer.site_id[:8]}  {peer.unit} / {peer.workstation}  {PROFILES[peer.profile].label}  {state}")
    return 0


def cmd_peer_revoke(args: argparse.Namespace, ctx: CliContext) -> int:
    with ctx.session_scope() as session:
        peer = find_peer(session, args.peer)
        peer.revoked = True
        ctx.out(f"已撤销与 {peer.unit} / {peer.workstation} 的配对")
    return 0


def cmd_export(args: argparse.Namespace, ctx: CliContext) -> int:
    with ctx.session_scope() as session:
        peer = find_peer(session, args.to)
        result = export_package(session, peer, args.out, full=args.full)
    ctx.out(f"已导出第 {result.seq} 号同步包：{result.path}（变更 {result.op_count} 条，附件 {result.blob_count} 个，"
            f"{result.size} 字节）")
    ctx.out(f"回执码：{result.receipt_code}")
    return 0


def cmd_import(args: argparse.Namespace, ctx: CliContext) -> int:
    db = ctx.database()
    with (db.session_scope() if args.preview else db.import_scope("before_sync_import")) as session:
        result = import_package(session, args.file, preview=args.preview,
                                accept_clock_skew=getattr(args, "accept_clock_skew", False))
    ctx.out(result.message)
    for entity, count in result.per_entity.items():
        ctx.out(f"  {entity}: {count}")
    return 0


def cmd_conflicts(args: argparse.Namespace, ctx: CliContext) -> int:
    with ctx.session_scope() as session:
        me = my_identity(session).site_id
        conflicts = list_conflicts(session)
        if not conflicts:
            ctx.out("没有待处理的冲突")
        for conflict in conflicts:
            kind = "删除-修改冲突" if conflict.kind == "delete_edit" else "字段冲突"
            ctx.out(f"{conflict.entity} {conflict.row_id} {conflict.field}（{kind}）")
            for head in conflict.heads:
                side = "本机" if head["site_id"] == me else f"对方 {head['site_id'][:8]}"
                ctx.out(f"    {side} {head['user']}: {json.dumps(head['value'], ensure_ascii=False)}")
    return 0


def cmd_resolve(args: argparse.Namespace, ctx: CliContext) -> int:
    with ctx.session_scope() as session:
        me = my_identity(session).site_id
        matches = [c for c in list_conflicts(session) if (c.entity, c.row_id, c.field) == (
            args.entity, args.row_id, args.field)]
        if not matches:
            raise DomainError("conflict_not_found", "找不到该冲突（可能已被处理）")
        heads = matches[0].heads
        if args.value is not None:
            try:
                value = json.loads(args.value)
            except ValueError:
                raise DomainError("bad_value", "--value 须为 JSON 值，文字请加引号") from None
        else:
            chosen = [h for h in heads if (h["site_id"] == me) == (args.take == "mine")]
            if not chosen:
                raise DomainError("no_such_side", "该冲突中没有这一方的值")
            value = chosen[0]["value"]
        resolve_conflict(session, args.entity, args.row_id, args.field, value)
    ctx.out("已处理，结果会随下一个同步包传给其他工作站")
    return 0
