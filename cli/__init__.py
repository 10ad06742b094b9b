"""Headless command line on the same core as the GUI: `python main.py <command> ...`.

Each command group is a module with `register(subparsers)`; handlers take (args, ctx) and return an
exit code. A DomainError becomes one line on stderr and exit code 1; nothing is half-written because
every handler works inside one transaction."""
from __future__ import annotations

import argparse
import importlib
import os
import sys

import sqlcipher3
from sqlalchemy.exc import DBAPIError, OperationalError

from models.errors import DomainError
from models.fsutil import storage_write_error

COMMAND_MODULES = ("cli.core", "cli.db", "cli.pdf", "cli.tasks", "cli.records", "cli.sync", "cli.accounts")
VERSION = "0.1.0"


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description="府检联动工作台（命令行）")
    parser.add_argument("--db", help="数据库文件路径（默认：用户数据文件夹中的 fjld.db），"
                                     "或服务器地址 postgresql://用户@主机:端口/库名")
    parser.add_argument("--user", default=os.environ.get("FJLD_USER"), help="账户名（默认 FJLD_USER）")
    parser.add_argument("--version", action="version", version=f"%(prog)s {VERSION}")
    subparsers = parser.add_subparsers(dest="command", metavar="命令")
    for name in COMMAND_MODULES:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name == name:  # that command group is not part of this build yet
                continue
            raise
        module.register(subparsers)
    return parser


def _storage_error(ctx: object, exc: Exception) -> str:
    db = getattr(ctx, "_db", None)
    if isinstance(exc, DBAPIError) and getattr(db, "server", None) is not None:
        from models.pg import server_error

        return server_error(exc, db.server).message  # type: ignore[union-attr]
    return storage_write_error(exc).message  # type: ignore[arg-type]


def main(argv: list[str]) -> int:
    from cli.app import CliContext

    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "handler", None):
        parser.print_help()
        return 2
    ctx = CliContext(args)
    try:
        return int(args.handler(args, ctx) or 0)
    except DomainError as exc:
        print(f"错误：{exc.message}", file=sys.stderr)
        return 1
    except (OperationalError, sqlcipher3.OperationalError) as exc:
        print(f"错误：{_storage_error(ctx, exc)}", file=sys.stderr)
        return 1
    except DBAPIError as exc:  # a server refusing a statement (the file database's are above)
        print(f"错误：{_storage_error(ctx, exc)}", file=sys.stderr)
        return 1
    except BrokenPipeError:  # output piped into `head` and the like: not an error
        return 0
    except KeyboardInterrupt:
        print("已取消", file=sys.stderr)
        return 130
    finally:
        ctx.close()
