"""Bringing an office's existing records in: ledger import (检察建议台账), cases import, units import."""
from __future__ import annotations

import argparse
from pathlib import Path

from cli.app import CliContext

NOTES_SHOWN = 20


def _group(sub: argparse._SubParsersAction, name: str, help_text: str, dest: str) -> argparse._SubParsersAction:
    """The subcommands of `name`; `ledger` already exists (cli/tasks.py registers `ledger export`)."""
    parser = sub.choices.get(name) or sub.add_parser(name, help=help_text)
    existing = next((action for action in parser._actions if isinstance(action, argparse._SubParsersAction)), None)
    return existing or parser.add_subparsers(dest=dest, metavar="操作", required=True)


def register(sub: argparse._SubParsersAction) -> None:
    for kind, group, help_text, what in (
            ("ledger", "ledger", "检察建议台账", "导入已有的检察建议台账 .xlsx（按文号去重）"),
            ("cases", "cases", "线索/案件", "导入已有的线索/案件清单 .xlsx（按案号去重）"),
            ("units", "units", "单位通讯录", "导入已有的单位及联络员名录 .xlsx（按单位名称去重）")):
        actions = _group(sub, group, help_text, f"{group}_command")
        p = actions.add_parser("import", help=what)
        p.add_argument("file", type=Path)
        p.add_argument("--sheet", help="工作簿中有多个候选工作表时，指定要导入的工作表名")
        p.add_argument("--preview", action="store_true", help="只显示列对应关系和检查结果，不写入数据库")
        p.set_defaults(handler=cmd_import, records_kind=kind)


def cmd_import(args: argparse.Namespace, ctx: CliContext) -> int:
    from models.services.records_import import import_records_file, preview_records_file

    if args.preview:
        preview = preview_records_file(args.file, args.records_kind, args.sheet)
        imported = preview.imported
        ctx.out(f"工作表“{imported.sheet}”，表头在第{imported.header_row}行，共{len(imported.rows)}条记录；列对应：")
        for mapping in imported.mapping:
            target = mapping.label or "（不导入）"
            ctx.out(f"  {mapping.letter}列 {mapping.header} → {target}")
        _print_notes(ctx, list(preview.notes))
        return 0
    report = import_records_file(ctx.database(), args.file, args.records_kind, args.sheet)
    ctx.out(f"已导入 {report.summary()}")
    for line in report.deadline_differences[:NOTES_SHOWN]:
        ctx.out(f"  回复期限不一致：{line}")
    if len(report.deadline_differences) > NOTES_SHOWN:
        ctx.out(f"  ……另有{len(report.deadline_differences) - NOTES_SHOWN}处回复期限不一致")
    _print_notes(ctx, report.notes)
    return 0


def _print_notes(ctx: CliContext, notes: list[str]) -> None:
    for note in notes[:NOTES_SHOWN]:
        ctx.out(f"  提示：{note}")
    if len(notes) > NOTES_SHOWN:
        ctx.out(f"  ……另有{len(notes) - NOTES_SHOWN}条提示")
