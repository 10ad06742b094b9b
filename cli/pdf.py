"""`pdf` commands: 检察建议书, 送达回证, 督促回复函 (one or many suggestions, one file or a folder)
and the quarterly 通报."""
from __future__ import annotations

import argparse
import datetime as dt
import re
import uuid
from collections.abc import Callable
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from cli.app import CliContext, iso_date
from models.errors import DomainError
from models.fsutil import atomic_write_bytes

_UNSAFE_FILE_CHARS = re.compile(r'[\\/:*?"<>|\s]+')


def register(sub: argparse._SubParsersAction) -> None:
    pdf = sub.add_parser("pdf", help="生成正式文书 PDF（GB/T 9704 版式）")
    kinds = pdf.add_subparsers(dest="pdf_kind", metavar="文书")
    for name, help_text in (("suggestion", "检察建议书"), ("receipt", "送达回证"), ("reminder", "督促回复函")):
        p = kinds.add_parser(name, help=f"{help_text}：一个或多个建议（ID 或文号）")
        p.add_argument("ids", nargs="+", metavar="ID", help="建议的 ID 或文号")
        target = p.add_mutually_exclusive_group(required=True)
        target.add_argument("-o", "--output", help="输出到一个 PDF 文件（多个建议合并，各自编页码）")
        target.add_argument("--dir", help="每个建议单独一个 PDF，写入此文件夹")
        p.add_argument("--today", type=iso_date, default=None, help="成文/截至日期，默认今天")
        p.set_defaults(handler=cmd_suggestion_documents, pdf_kind=name)
    p = kinds.add_parser("quarterly", help="季度公益诉讼/检察建议情况通报")
    p.add_argument("--year", type=int, required=True)
    p.add_argument("--quarter", type=int, required=True, choices=(1, 2, 3, 4))
    p.add_argument("--government", default="", help="主送机关，默认由院名推出（××县人民政府）")
    p.add_argument("--today", type=iso_date, default=None, help="成文日期，默认今天")
    p.add_argument("-o", "--output", required=True)
    p.set_defaults(handler=cmd_quarterly)


def _suggestion_id(session: Session, text: str) -> uuid.UUID:
    """A UUID, or a 文号 as printed on the document (brackets as typed are tolerated)."""
    from models.suggestion import Suggestion
    from reports.pdf.wording import normalize_doc_no

    try:
        return uuid.UUID(text)
    except ValueError:
        pass
    found = list(session.scalars(select(Suggestion.id).where(
        Suggestion.doc_no == normalize_doc_no(text), Suggestion.deleted.is_(False))))
    if len(found) != 1:
        raise DomainError("suggestion_not_found", f"找不到文号为“{text}”的检察建议" if not found
                          else f"文号“{text}”对应多条检察建议，请改用 ID")
    return found[0]


def _builder(kind: str) -> Callable[[Session, uuid.UUID, dt.date], object]:
    from models.services import documents

    if kind == "suggestion":
        return documents.suggestion_letter
    if kind == "reminder":
        return documents.reminder_letter
    return lambda session, sid, _today: documents.service_receipt(session, sid)


def cmd_suggestion_documents(args: argparse.Namespace, ctx: CliContext) -> int:
    from models.services.documents import render_documents

    today = args.today or dt.date.today()
    build = _builder(args.pdf_kind)
    with ctx.session_scope() as session:
        contents = [build(session, _suggestion_id(session, text), today) for text in args.ids]
        if args.output:
            atomic_write_bytes(Path(args.output), render_documents(session, contents))  # type: ignore[arg-type]
            ctx.out(f"已生成 {args.output}（{len(contents)} 份）")
            return 0
        folder = Path(args.dir)
        folder.mkdir(parents=True, exist_ok=True)
        for text, content in zip(args.ids, contents):
            doc_no = getattr(content, "doc_no", "") or text
            path = folder / f"{content.title}_{_UNSAFE_FILE_CHARS.sub('_', doc_no)}.pdf"
            atomic_write_bytes(path, render_documents(session, [content]))  # type: ignore[list-item]
            ctx.out(f"已生成 {path}")
    return 0


def cmd_quarterly(args: argparse.Namespace, ctx: CliContext) -> int:
    from models.services.documents import quarterly_report, render_documents

    today = args.today or dt.date.today()
    with ctx.session_scope() as session:
        report = quarterly_report(session, args.year, args.quarter, today, args.government)
        atomic_write_bytes(Path(args.output), render_documents(session, [report]))
    ctx.out(f"已生成 {args.output}")
    return 0
