"""Excel commands: tasks export | import | sheets | collect, and ledger export."""
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

    ledger = sub.add_parser("ledger", help="检察建议台账")
    ledger_actions = ledger.add_subparsers(dest="ledger_command", metavar="操作", required=True)
    p = ledger_actions.add_parser("export", help="导出检察建议台账（含季度统计）")
    p.add_argument("-o", "--out", type=Path, required=True)
    p.add_argument("--year", type=int)
    p.add_argument("--domain", help="领域")
    p.add_argument("--unit", help="被建议单位（包含该文字）")
    p.add_argument("--status", choices=REPLY_STATUSES, help="回复情况")
    p.add_argument("--today", type=iso_date, default=None, help="计算逾期的日期（默认今天）")
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
    ctx.out(f"已生成 {len(written)} 个单位的填报表 → {args.out}")
    return 0


def cmd_collect(args: argparse.Namespace, ctx: CliContext) -> int:
    from models.services.excel_files import collect_returned_sheets

    report = collect_returned_sheets(ctx.database(), args.files, args.period)
    for sheet in report.sheets:
        ctx.out(f"已读取：{sheet}")
    ctx.out(f"新增进展 {len(report.added)} 条，无变化 {len(report.unchanged)} 条，需核对 {len(report.flagged)} 条")
    for outcome in report.added:
        ctx.out(f"  新增：{outcome.measure_text[:24]} —— {outcome.progress or outcome.status}")
    for outcome in report.flagged:
        ctx.out(f"  {outcome.kind}：{outcome.measure_text[:24]} —— {outcome.reason}")
    return 0


def cmd_ledger_export(args: argparse.Namespace, ctx: CliContext) -> int:
    from models.services.excel_files import write_ledger

    row_filter = LedgerFilter(args.year, args.domain, args.unit, args.status)
    write_ledger(ctx.database(), args.out, row_filter, args.today or dt.date.today())
    ctx.out(f"已导出检察建议台账 → {args.out}")
    return 0
