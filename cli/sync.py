"""Sync commands: peer export-id | add | list | revoke | introductions | confirm, and
sync export | import | conflicts | resolve | held | forks. Everything goes through models/services/sync.py."""
from __future__ import annotations

import argparse
import json
import socket
import sys
from pathlib import Path

from cli.app import CliContext
from models.errors import DomainError
from models.fsutil import atomic_write_bytes
from models.services import conflict_choices
from models.services import sync as service
from models.settings import get_setting

ROLE_HELP = "，".join(f"{key}={label}" for key, label in service.ROLE_NAMES.items())


def register(sub: argparse._SubParsersAction) -> None:
    peer = sub.add_parser("peer", help="同步配对：导出本机配对文件、添加对方工作站")
    peer_actions = peer.add_subparsers(dest="peer_command", metavar="操作", required=True)
    p = peer_actions.add_parser("export-id", help="导出本机配对文件（首次使用时生成本机密钥）")
    p.add_argument("-o", "--out", type=Path, required=True, help="输出的配对文件")
    p.add_argument("--unit", help="本单位名称（首次生成时使用，默认取设置中的单位名称）")
    p.add_argument("--workstation", default=socket.gethostname(), help="工作站名（首次生成时使用）")
    p.add_argument("--role", choices=service.ROLES, default="procuratorate", help=f"本机角色（首次生成时使用；{ROLE_HELP}）")
    p.set_defaults(handler=cmd_export_id)
    p = peer_actions.add_parser("add", help="添加对方工作站（须核对指纹；数据范围和角色由本机决定）")
    p.add_argument("file", type=Path)
    p.add_argument("--profile", choices=sorted(service.PROFILES), default="full", help="对方可接收的数据范围")
    p.add_argument("--role", choices=service.ROLES,
                   help=f"对方在本机的修改权限（默认随数据范围：full=检察院，gov_view=行政机关；{ROLE_HELP}）")
    p.add_argument("--fingerprint", help="电话或配对确认单上核对过的指纹（6 组 5 位数字）")
    p.set_defaults(handler=cmd_peer_add)
    p = peer_actions.add_parser("list", help="列出已配对的工作站")
    p.set_defaults(handler=cmd_peer_list)
    p = peer_actions.add_parser("revoke", help="撤销配对：此后拒收其同步包（记入审计日志）")
    p.add_argument("peer")
    p.set_defaults(handler=cmd_peer_revoke)
    p = peer_actions.add_parser("introductions", help="列出由配对方介绍、等待确认的其他工作站")
    p.set_defaults(handler=cmd_introductions)
    p = peer_actions.add_parser("confirm", help="核对指纹后确认一个被介绍的工作站（其暂存的变更随即应用）")
    p.add_argument("site", help="站点编号（前 8 位即可）")
    p.add_argument("--fingerprint", required=True, help="与该工作站核对过的指纹")
    p.add_argument("--role", choices=service.ROLES, required=True, help=f"该工作站在本机的修改权限（{ROLE_HELP}）")
    p.set_defaults(handler=cmd_confirm)

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
    p = actions.add_parser("resolve", help="处理一个冲突（删除-修改冲突：mine/theirs 指删除的一方或修改的一方）")
    p.add_argument("entity")
    p.add_argument("row_id")
    p.add_argument("field")
    choice = p.add_mutually_exclusive_group(required=True)
    choice.add_argument("--take", choices=("mine", "theirs"), help="采用本机 / 采用对方")
    choice.add_argument("--value", help="编辑后保存：JSON 值，如 \"\\\"新文字\\\"\" 或 true")
    p.set_defaults(handler=cmd_resolve)
    p = actions.add_parser("held", help="列出暂不应用的变更及原因（签名不符、签名方未确认、超出权限等）")
    p.set_defaults(handler=cmd_held)
    p = actions.add_parser("forks", help="列出分叉提醒（同一编号的两个不同变更）")
    p.add_argument("--ack", metavar="OP_ID", help="标记该提醒为已查看")
    p.set_defaults(handler=cmd_forks)


def cmd_export_id(args: argparse.Namespace, ctx: CliContext) -> int:
    out = service.check_output_path(args.out)
    with ctx.session_scope() as session:
        if service.identity_info(session) is None:
            unit = args.unit or str(get_setting(session, "office_name"))
            service.set_identity(session, unit, args.workstation, args.role)
        data = service.my_peer_file(session)
        info = service.identity_info(session)
    assert info is not None
    atomic_write_bytes(out, data)
    ctx.out(f"已导出配对文件：{out}")
    ctx.out(f"本机：{info.unit} / {info.workstation}（站点 {info.site_id[:8]}，{service.ROLE_NAMES[info.role]}）")
    ctx.out(f"指纹：{info.fingerprint}")
    return 0


def _confirmed(fingerprint: str | None, expected: str) -> bool:
    if fingerprint is not None:
        return "".join(fingerprint.split()) == expected.replace(" ", "")
    if sys.stdin and sys.stdin.isatty():
        return input("请与对方核对指纹，一致请输入 yes：").strip().lower() == "yes"
    raise DomainError("fingerprint_required", "请用 --fingerprint 提供核对过的指纹")


def cmd_peer_add(args: argparse.Namespace, ctx: CliContext) -> int:
    data, card = service.read_peer_card(args.file)
    ctx.out(f"对方：{card.unit} / {card.workstation}（站点 {card.site_id[:8]}）")
    ctx.out(f"对方文件声称的角色：{service.ROLE_NAMES[card.role]}（仅供核对，权限以本机设定为准）")
    ctx.out(f"指纹：{card.fingerprint}")
    if not _confirmed(args.fingerprint, card.fingerprint):
        raise DomainError("fingerprint_mismatch", "指纹不一致，未添加配对。请确认配对文件来源")
    with ctx.session_scope() as session:
        info = service.add_peer_file(session, data, args.profile, args.role)
    ctx.out(f"已添加配对，数据范围：{service.PROFILES[info.profile].label}；修改权限：{service.ROLE_NAMES[info.role]}")
    return 0


def cmd_peer_list(args: argparse.Namespace, ctx: CliContext) -> int:
    with ctx.session_scope() as session:
        peers = service.list_peers(session, include_revoked=True)
    for peer in peers:
        state = "已撤销" if peer.revoked else f"已发 {peer.out_seq} 个包，对方已确认 {peer.acked_seq}"
        ctx.out(f"{peer.site_id[:8]}  {peer.unit} / {peer.workstation}  {service.PROFILES[peer.profile].label}  "
                f"权限：{service.ROLE_NAMES.get(peer.role, peer.role)}  {state}")
    return 0


def cmd_peer_revoke(args: argparse.Namespace, ctx: CliContext) -> int:
    with ctx.session_scope() as session:
        peer = service.revoke_peer(session, args.peer)
    ctx.out(f"已撤销与 {peer.unit} / {peer.workstation} 的配对")
    return 0


def cmd_introductions(args: argparse.Namespace, ctx: CliContext) -> int:
    with ctx.session_scope() as session:
        found = service.introductions(session)
    for intro in found:
        ctx.out(f"{intro.site_id[:8]}  {intro.unit} / {intro.workstation}（由 {intro.introduced_by[:8]} 介绍）"
                f"  指纹：{intro.fingerprint}")
    if not found:
        ctx.out("没有等待确认的介绍")
    return 0


def cmd_confirm(args: argparse.Namespace, ctx: CliContext) -> int:
    with ctx.session_scope() as session:
        matches = [i for i in service.introductions(session) if len(args.site) >= 8 and i.site_id.startswith(args.site)]
        if not matches:
            raise DomainError("introduction_not_found", f"找不到该站点的介绍：{args.site}")
        released = service.confirm_introduction(session, matches[0].site_id, args.fingerprint, args.role)
    ctx.out(f"已确认，暂存的 {released} 条变更已应用")
    return 0


def cmd_export(args: argparse.Namespace, ctx: CliContext) -> int:
    db = ctx.database()
    result = service.export_to_peer(db, args.to, args.out, full=args.full)
    ctx.out(f"已导出第 {result.seq} 号同步包：{result.path}（变更 {result.op_count} 条，附件 {result.blob_count} 个，"
            f"{result.size} 字节）")
    ctx.out(f"回执码：{result.receipt_code}")
    if note := service.withheld_note(db, result):
        ctx.out(note)
    return 0


def cmd_import(args: argparse.Namespace, ctx: CliContext) -> int:
    # Unlocked without an audit row: nothing is written before the package is authenticated.
    result = service.import_package_file(ctx.database(audit_unlock=False), args.file, preview=args.preview,
                                         accept_clock_skew=getattr(args, "accept_clock_skew", False),
                                         record_unlock=True)
    ctx.out(result.message)
    for entity, count in result.per_entity.items():
        ctx.out(f"  {entity}: {count}")
    return 0


def cmd_conflicts(args: argparse.Namespace, ctx: CliContext) -> int:
    with ctx.session_scope() as session:
        me = service.identity_info(session)
        conflicts = conflict_choices.conflicts(session)
    if not conflicts:
        ctx.out("没有待处理的冲突")
    for conflict in conflicts:
        kind = "删除-修改冲突" if conflict.kind == "delete_edit" else "字段冲突"
        ctx.out(f"{conflict.entity} {conflict.row_id} {conflict.field}（{kind}）")
        for head in conflict.heads:
            side = "本机" if me and head["site_id"] == me.site_id else f"对方 {head['site_id'][:8]}"
            ctx.out(f"    {side} {head['user']}: {json.dumps(head['value'], ensure_ascii=False)}")
    return 0


def cmd_resolve(args: argparse.Namespace, ctx: CliContext) -> int:
    with ctx.session_scope() as session:
        if args.value is not None:
            try:
                value = json.loads(args.value)
            except ValueError:
                raise DomainError("bad_value", "--value 须为 JSON 值，文字请加引号") from None
            conflict_choices.resolve_value(session, args.entity, args.row_id, args.field, value)
        else:
            conflict_choices.choose_side(session, args.entity, args.row_id, args.field, args.take == "mine")
    ctx.out("已处理，结果会随下一个同步包传给其他工作站")
    return 0


def cmd_held(args: argparse.Namespace, ctx: CliContext) -> int:
    with ctx.session_scope() as session:
        held = service.quarantine_list(session)
    for op in held:
        ctx.out(f"{op.op_id}  {op.entity}.{op.field}  作者 {op.author or op.site_id[:8]}  {op.reason_text}")
    if not held:
        ctx.out("没有暂不应用的变更")
    return 0


def cmd_forks(args: argparse.Namespace, ctx: CliContext) -> int:
    with ctx.session_scope() as session:
        if args.ack:
            service.acknowledge_fork(session, args.ack)
        forks = service.fork_alerts(session)
    for fork in forks:
        state = "已查看" if fork.seen else "未查看"
        ctx.out(f"{fork.op_id}（来自 {fork.from_site[:8]}，{fork.at}，{state}）")
        ctx.out(f"    本机：{fork.local['entity']}.{fork.local['field']} = {fork.local['value']}")
        ctx.out(f"    对方：{fork.remote['entity']}.{fork.remote['field']} = {fork.remote['value']}")
    if not forks:
        ctx.out("没有分叉提醒")
    return 0
