"""GUI entry: `run_gui(argv)` (main.py calls it when no CLI command is given).

    python main.py [--db PATH | --db postgresql://用户@主机:端口/库名] [--demo]

--db opens another database file, or an office database on a PostgreSQL server (a URL is never taken
as a file path); --demo loads the demo data right after the first-run set-up."""
from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QApplication

from models.errors import DomainError
from models.platform import default_db_path, resources_dir
from models.settings import get_setting
from models.storage import Database
from ui.context import AppContext
from ui.fonts import app_font
from ui.i18n import install_translator
from ui.workers import wait_for_operations

APP_NAME = "府检联动工作平台"


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="fjld", add_help=False)
    parser.add_argument("--db", default=None)
    parser.add_argument("--demo", action="store_true")
    args, _qt_args = parser.parse_known_args(argv)
    return args


def make_application(argv: list[str]) -> QApplication:
    app = QApplication.instance() or QApplication([sys.argv[0] if sys.argv else "fjld", *argv])
    assert isinstance(app, QApplication)
    app.setApplicationName(APP_NAME)
    app.setOrganizationName("FujianLiandong")
    app.setFont(app_font())
    app.setWindowIcon(QIcon(str(resources_dir() / "icons" / "fjld.png")))
    install_translator(app)
    return app


def _open(args: argparse.Namespace) -> tuple[Database | None, Callable[[Path], Database | None]]:
    """The database to open — `--db` (a file or a server URL), else the one chosen on this computer
    (models/connection.py), else the per-user file, asking at first run whether it is to be a file here
    or the office server — and how the idle lock opens it again."""
    from models.backend import is_server_url
    from models.connection import choose_local, choose_server, startup_database
    from ui.connection_dialog import LOCAL, first_run_choice, server_failed_choice
    from ui.messages import show_error
    from ui.startup import open_database_interactively, open_server_interactively, unlock_interactively

    value, problem = startup_database(args.db)
    if problem:
        show_error(None, problem)
    if not is_server_url(value) and not args.db and not args.demo and not problem and not Path(value).exists():
        chosen = first_run_choice()
        if chosen is None:
            return None, lambda _path: None
        if chosen != LOCAL:
            value = choose_server(chosen)
    while is_server_url(value):
        try:
            return (open_server_interactively(value),
                    lambda _path, url=value: open_server_interactively(url, allow_remembered=False))
        except DomainError as exc:
            if args.db:   # named on the command line: one line and out, as for any bad --db
                raise
            answer = server_failed_choice(exc.message)   # the saved server: never a dead end
            if answer is None:
                return None, lambda _path: None
            if answer == LOCAL:
                choose_local()
                value = str(default_db_path())
    path = Path(value)
    return (open_database_interactively(path, demo=args.demo),
            lambda locked: unlock_interactively(locked, allow_remembered=False))


def run_gui(argv: list[str]) -> int:
    args = parse_args(argv)
    started = time.perf_counter()
    app = make_application([a for a in argv if a not in ("--demo",) and not a.startswith("--db")])
    from ui.idle_lock import IdleLock
    from ui.main_window import MainWindow
    from ui.messages import show_error

    try:
        db, relock = _open(args)
    except DomainError as exc:   # a bad --db value or an unreachable server: one line, no traceback
        show_error(None, exc.message)
        return 1
    if db is None:
        return 0
    ctx = AppContext(db)
    window = MainWindow(ctx)
    minutes = float(ctx.read(lambda session: get_setting(session, "idle_lock_minutes")) or 0)
    window.idle_lock = IdleLock(window, ctx, minutes, relock)
    window.show()
    window.statusBar().showMessage(f"启动用时 {time.perf_counter() - started:.1f} 秒", 5000)
    app.setQuitOnLastWindowClosed(True)
    window.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose, False)
    try:
        return app.exec()
    finally:
        wait_for_operations()
        ctx.db.close()   # after a restore or an idle lock this is another Database than `db`
