"""Excel commands: tasks export | import | sheets | collect | conflicts | choose, and ledger export."""
from __future__ import annotations

import argparse
import datetime as dt
from pathlib import Path

from cli.app import CliContext, iso_date
from reports.xlsx.ledger import REPLY_STATUSES, LedgerFilter
from reports.xlsx.tasklist_export import ExportOptions


def register(sub: argparse._SubParsersAction) -> None:
    tasks = sub.add_parser("tasks", help="任务清单 Excel：导出、导入、分单位填报表、汇总回收")
    actions = tasks.add_subparsers(dest="tasks_command", metavar="操作", required=True)

    p = actions.add_parser("export", help="按正式版式导出某年度任务清单")
    p.add_argument("--year", type=int, required=True)
    p.add_argument("-o", "--out", type=Path, required=True, help="输出 .xlsx 文件")
    p.add_argument("--status-colors", action="store_true", help="进展情况按状态着红黄绿色")
    p.add_argument("--no-label", action="store_true", help="不要左上角“附件”字样")
    p.set_defaults(handler=cmd_export)

    p = actions.add_parser("import", help="导入已有的任务清单 .xlsx")
    p.add_argument("file", type=Path)
    p.add_argument("--year", type=int, help="标题中没有年度时指定")
    p.add_argument("--sheet", help="工作簿中有多个任务清单工作表时，指定要导入的工作表名")
    p.set_defaults(handler=cmd_import)

    p = actions.add_parser("sheets", help="为每个责任单位生成进展情况填报表")
    p.add_argument("--year", type=int, required=True)
    p.add_argument("--period", required=True, help="填报期次，如 2022Q2")
    p.add_argument("--as-of", type=iso_date, required=True, help="截至日期 YYYY-MM-DD")
    p.add_argument("-o", "--out", type=Path, required=True, help="输出文件夹")
    p.add_argument("--unit", action="append", default=[], help="只生成这些单位（可重复）")
    p.set_defaults(handler=cmd_sheets)

    p = actions.add_parser("collect", help="汇总各单位交回的填报表")
    p.add_argument("files", type=Path, nargs="+")
    p.add_argument("--period", help="只接受该期次的表格")
    p.set_defaults(handler=cmd_collect)

    p = actions.add_parser("conflicts", help="列出待确认的进展：同一单位同一期次交回的两份不同进展")
    p.set_defaults(handler=cmd_conflicts)

    p = actions.add_parser("choose", help="处理一条待确认的进展：采用新交回的，或保留原有的")
    p.add_argument("conflict", help="tasks conflicts 列出的序号，或进展编号")
    keep = p.add_mutually_exclusive_group(required=True)
    keep.add_argument("--new", dest="keep_new", action="store_true", help="采用新交回的进展")
    keep.add_argument("--old", dest="keep_new", action="store_false", help="保留原有的进展")
    p.set_defaults(handler=cmd_choose)

    ledger = sub.add_parser("ledger", help="检察建议台账")
    ledger_actions = ledger.add_subparsers(dest="ledger_command", metavar="操作", required=True)
    p = ledger_actions.add_parser("export", help="导出检察建议台账（含季度统计、单位考核统计）")
    p.add_argument("-o", "--out", type=Path, required=True)
    p.add_argument("--year", type=int)
    p.add_argument("--domain", help="领域")
    p.add_argument("--unit", help="被建议单位（包含该文字）")
    p.add_argument("--status", choices=REPLY_STATUSES, help="回复情况")
    p.add_argument("--today", type=iso_date, default=None, help="计算逾期的日期（默认今天）")
    p.add_argument("--from", dest="period_from", type=iso_date, default=None,
                   help="单位考核统计的起始日期（默认所选年度1月1日）")
    p.add_argument("--to", dest="period_to", type=iso_date, default=None,
                   help="单位考核统计的截止日期（默认所选年度12月31日，不晚于今天）")
    p.set_defaults(handler=cmd_ledger_export)


def cmd_export(args: argparse.Namespace, ctx: CliContext) -> int:
    from models.services.excel_files import write_task_list
    from models.services.tasklists import find_task_list

    with ctx.session_scope() as session:
        list_id = find_task_list(session, args.year).id
    options = ExportOptions(attachment_label=None if args.no_label else "附件", status_fill=args.status_colors)
    data = write_task_list(ctx.database(), list_id, args.out, options)
    ctx.out(f"已导出 {data.title}：{sum(len(a.tasks) for a in data.aspects)} 项任务 → {args.out}")
    return 0


def cmd_import(args: argparse.Namespace, ctx: CliContext) -> int:
    from models.services.excel_files import import_task_list_file

    imported = import_task_list_file(ctx.database(), args.file, dt.date.today(), args.year, args.sheet)
    data = imported.data
    measures = len(data.measures())
    ctx.out(f"已导入 {data.title}：{len(data.aspects)} 个方面，{sum(len(a.tasks) for a in data.aspects)} 项任务，"
            f"{measures} 条措施（表头在第{imported.header_row}行，{imported.layout}）")
    for note in imported.notes:
        ctx.out(f"  未导入的说明：{note}")
    return 0


def cmd_sheets(args: argparse.Namespace, ctx: CliContext) -> int:
    from models.services.excel_files import write_fill_sheets

    written = write_fill_sheets(ctx.database(), args.year, args.period, args.as_of, args.out, tuple(args.unit))
    ctx.out(f"已生成 {len(written.files)} 个单位的填报表 → {args.out}")
    for flagged in written.flagged:
        ctx.out(f"  未生成：{flagged}")
    return 0


def cmd_collect(args: argparse.Namespace, ctx: CliContext) -> int:
    from models.services.excel_files import collect_returned_sheets

    report = collect_returned_sheets(ctx.database(), args.files, args.period)
    for line in report.lines():
        ctx.out(line)
    refused = sum(1 for f in report.files if f.refused)
    ctx.out(f"共 {len(report.files)} 个文件：拒收 {refused} 个；新增进展 {len(report.added)} 条，"
            f"待确认 {len(report.flagged)} 条，无变化 {len(report.unchanged)} 条")
    if any(f.conflicts for f in report.files):
        ctx.out("同一单位同一期次交回了不同的进展：两份都已保存，请用 tasks conflicts 查看、tasks choose 选择")
    return 0 if refused == 0 else 1


def cmd_conflicts(args: argparse.Namespace, ctx: CliContext) -> int:
    from models.services.tasks import progress_conflicts

    with ctx.database().read_scope() as session:
        conflicts = progress_conflicts(session)
    if not conflicts:
        ctx.out("没有待确认的进展")
    for number, c in enumerate(conflicts, start=1):
        ctx.out(f"[{number}] {c.unit} {c.period}　措施：{c.measure_text[:30]}（编号 {c.pending_id}）")
        ctx.out(f"    原有（{c.kept_on or ''}，{c.kept_status}）：{c.kept_text}")
        ctx.out(f"    新交回（{c.new_on or ''}，{c.new_status}）：{c.new_text}")
    return 0


def cmd_choose(args: argparse.Namespace, ctx: CliContext) -> int:
    from models.errors import DomainError
    from models.services.tasks import choose_progress, progress_conflicts

    db = ctx.database()
    with db.write_scope() as session:
        chosen = args.conflict.strip()
        if chosen.isdigit():
            conflicts = progress_conflicts(session)
            if not 1 <= int(chosen) <= len(conflicts):
                raise DomainError("progress_conflict_number", f"没有第{chosen}条待确认的进展（共{len(conflicts)}条）")
            chosen = str(conflicts[int(chosen) - 1].pending_id)
        choose_progress(session, chosen, args.keep_new)
    ctx.out("已采用新交回的进展" if args.keep_new else "已保留原有的进展")
    return 0


def cmd_ledger_export(args: argparse.Namespace, ctx: CliContext) -> int:
    from models.services.ledger import write_ledger_file

    row_filter = LedgerFilter(args.year, args.domain, args.unit, args.status)
    today = args.today or dt.date.today()
    year = args.year or today.year
    period = None
    if args.period_from or args.period_to:
        period = (args.period_from or dt.date(year, 1, 1), args.period_to or dt.date(year, 12, 31))
    write_ledger_file(ctx.database(), args.out, row_filter, today, period)
    ctx.out(f"已导出检察建议台账 → {args.out}")
    return 0
