"""`pdf` commands: 检察建议书, 送达回证, 督促回复函 (one or many suggestions, one file or a folder)
and the quarterly 通报 — as PDF or as an editable Word file: the format follows the `-o` extension
(.pdf / .docx); `--dir` batches take `--format`."""
from __future__ import annotations

import argparse
import datetime as dt
import re
import types
import uuid
from collections.abc import Callable
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from cli.app import CliContext, iso_date
from models.errors import DomainError
from models.fsutil import atomic_write_bytes

_UNSAFE_FILE_CHARS = re.compile(r'[\\/:*?"<>|\s]+')

# argparse's own messages, in Chinese (the pattern is matched against the English message)
_ARGPARSE_MESSAGES = (
    (re.compile(r"the following arguments are required: (.+)"), "缺少必需的参数：{0}"),
    (re.compile(r"one of the arguments (.+) is required"), "必须给出以下参数之一：{0}"),
    (re.compile(r"argument (.+?): not allowed with argument (.+)"), "参数 {0} 不能与 {1} 同时使用"),
    (re.compile(r"argument (.+?): invalid choice: (.+?) \(choose from (.+)\)"), "参数 {0} 的取值 {1} 无效，可选：{2}"),
    (re.compile(r"argument (.+?): invalid (\w+) value: (.+)"), "参数 {0} 的值 {2} 无效"),
    (re.compile(r"argument (.+?): expected one argument"), "参数 {0} 后面需要一个值"),
    (re.compile(r"unrecognized arguments: (.+)"), "无法识别的参数：{0}"),
    (re.compile(r"argument (.+?): (.+)"), "参数 {0}：{1}"),
)


def chinese_argparse_message(message: str) -> str:
    for pattern, template in _ARGPARSE_MESSAGES:
        match = pattern.fullmatch(message)
        if match:
            return template.format(*match.groups())
    return message


class ChineseArgumentParser(argparse.ArgumentParser):
    """Usage errors as one Chinese line on stderr, exit code 2 (argparse's convention)."""

    def error(self, message: str):  # type: ignore[override]
        self.exit(2, f"{self.format_usage().replace('usage:', '用法：')}错误：{chinese_argparse_message(message)}\n")


def register(sub: argparse._SubParsersAction) -> None:
    pdf = sub.add_parser("pdf", help="生成正式文书（GB/T 9704 版式），PDF 或 Word（.docx）")
    pdf.error = types.MethodType(ChineseArgumentParser.error, pdf)  # type: ignore[method-assign]
    kinds = pdf.add_subparsers(dest="pdf_kind", metavar="文书", parser_class=ChineseArgumentParser)
    for name, help_text in (("suggestion", "检察建议书"), ("receipt", "送达回证"), ("reminder", "督促回复函")):
        p = kinds.add_parser(name, help=f"{help_text}：一个或多个建议（ID 或文号）")
        p.add_argument("ids", nargs="+", metavar="ID", help="建议的 ID 或文号")
        target = p.add_mutually_exclusive_group(required=True)
        target.add_argument("-o", "--output", help="输出到一个文件（.pdf 或 .docx；多个建议合并，各自编页码）")
        target.add_argument("--dir", help="每个建议单独一个文件，按文号命名，写入此文件夹")
        p.add_argument("--format", choices=("pdf", "docx"), default="pdf", help="--dir 时的文件格式，默认 pdf")
        p.add_argument("--today", type=iso_date, default=None, help="成文/截至日期，默认今天")
        p.add_argument("--note", default="", help="附注（印在成文日期下一行，加圆括号）")
        if name == "reminder":
            p.add_argument("--doc-no", default="", help="督促回复函的文号，如 临检行公函〔2024〕12号；不填则印“草稿”")
            p.add_argument("--copy-to", default="", help="抄送单位，用顿号或逗号分隔")
        p.set_defaults(handler=cmd_suggestion_documents, pdf_kind=name)
    p = kinds.add_parser("quarterly", help="季度公益诉讼/检察建议情况通报（公文）")
    p.add_argument("--year", type=int, required=True)
    p.add_argument("--quarter", type=int, required=True, choices=(1, 2, 3, 4))
    p.add_argument("--government", default="", help="主送机关，默认上次所用或由院名推出（××县人民政府）")
    p.add_argument("--doc-no", default=None, help="文号；默认按本院上次通报的代字顺延；给空字符串则印“草稿”")
    p.add_argument("--copy-to", default=None, help="抄送单位，用顿号或逗号分隔；默认上次所用")
    p.add_argument("--printed-by", default=None, help="印发机关，默认本院")
    p.add_argument("--note", default="", help="附注")
    p.add_argument("--today", type=iso_date, default=None, help="成文日期（也是数据截至日期，若早于季度末），默认今天")
    p.add_argument("-o", "--output", required=True, help="输出文件（.pdf 或 .docx）")
    p.set_defaults(handler=cmd_quarterly)


def output_format(path: str) -> str:
    if Path(path).is_dir():
        raise DomainError("output_is_folder", f"“{path}”是一个文件夹，请给出文件名")
    suffix = Path(path).suffix.lower()
    if suffix not in (".pdf", ".docx"):
        raise DomainError("output_extension", f"输出文件“{path}”的扩展名应为 .pdf 或 .docx")
    return suffix[1:]


def write_output(path: Path, data: bytes) -> None:
    """All or nothing: a temp file renamed into place; a folder that is a file, a missing permission
    or a full disk is one Chinese line and leaves no partial file."""
    if path.is_dir():
        raise DomainError("output_is_folder", f"“{path}”是一个文件夹，请给出文件名")
    for parent in path.parents:
        if parent.exists():
            if not parent.is_dir():
                raise DomainError("output_parent_is_file", f"无法写入：“{parent}”是一个文件，不是文件夹")
            break
    try:
        atomic_write_bytes(path, data)
    except DomainError:
        raise
    except OSError as exc:
        raise DomainError("write_failed", f"无法写入文件：{path}（{exc.strerror or exc}）") from exc


def prepare_folder(folder: Path) -> None:
    if folder.exists() and not folder.is_dir():
        raise DomainError("output_dir_is_file", f"“{folder}”是一个文件，不是文件夹")
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise DomainError("output_dir_unwritable", f"无法创建文件夹：{folder}（{exc.strerror or exc}）") from exc


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


def _builder(args: argparse.Namespace) -> Callable[[Session, uuid.UUID, dt.date], object]:
    from models.services import documents

    if args.pdf_kind == "suggestion":
        return lambda session, sid, today: documents.suggestion_letter(session, sid, today, note=args.note)
    if args.pdf_kind == "reminder":
        return lambda session, sid, today: documents.reminder_letter(
            session, sid, today, doc_no=args.doc_no, copy_to=args.copy_to, note=args.note)
    return lambda session, sid, _today: documents.service_receipt(session, sid)


def cmd_suggestion_documents(args: argparse.Namespace, ctx: CliContext) -> int:
    from models.services.documents import file_stem, render_documents
    from models.suggestion import Suggestion

    today = args.today or dt.date.today()
    build = _builder(args)
    fmt = output_format(args.output) if args.output else args.format
    if args.dir:
        prepare_folder(Path(args.dir))
    with ctx.session_scope() as session:
        ids = [_suggestion_id(session, text) for text in args.ids]
        contents = [build(session, sid, today) for sid in ids]
        if args.output:
            write_output(Path(args.output), render_documents(session, contents, fmt))  # type: ignore[arg-type]
            ctx.out(f"已生成 {args.output}（{len(contents)} 份）")
            return 0
        folder = Path(args.dir)
        used: set[str] = set()
        for sid, content in zip(ids, contents):
            suggestion_no = session.get(Suggestion, sid).doc_no  # type: ignore[union-attr]
            stem = _UNSAFE_FILE_CHARS.sub("_", file_stem(content, suggestion_no))  # type: ignore[arg-type]
            if stem in used:
                stem = f"{stem}-{str(sid)[:8]}"
            used.add(stem)
            path = folder / f"{stem}.{fmt}"
            write_output(path, render_documents(session, [content], fmt))  # type: ignore[list-item]
            ctx.out(f"已生成 {path}")
    return 0


def cmd_quarterly(args: argparse.Namespace, ctx: CliContext) -> int:
    from models.services.documents import bulletin_defaults, quarterly_report, render_documents

    today = args.today or dt.date.today()
    fmt = output_format(args.output)
    with ctx.session_scope() as session:
        proposed = bulletin_defaults(session, args.year)
        report = quarterly_report(
            session, args.year, args.quarter, today, args.government or proposed["government"],
            doc_no=proposed["doc_no"] if args.doc_no is None else args.doc_no,
            copy_to=proposed["copy_to"] if args.copy_to is None else args.copy_to,
            printed_by=proposed["printed_by"] if args.printed_by is None else args.printed_by,
            note=args.note, remember=True)
        write_output(Path(args.output), render_documents(session, [report], fmt))
    ctx.out(f"已生成 {args.output}")
    return 0
