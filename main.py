"""Entry point. `python main.py` opens the GUI; `python main.py <command>` runs the headless CLI
on the same core (see README)."""
from __future__ import annotations

import logging
import logging.handlers
import sys


def configure_logging() -> None:
    from models.platform import user_data_dir

    folder = user_data_dir() / "logs"
    folder.mkdir(parents=True, exist_ok=True)
    handler = logging.handlers.RotatingFileHandler(folder / "fjld.log", maxBytes=1_000_000, backupCount=5,
                                                   encoding="utf-8")
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    logging.basicConfig(level=logging.INFO, handlers=[handler])


def main(argv: list[str]) -> int:
    configure_logging()
    gui_flags = {"--demo"}
    if argv and argv[0] not in gui_flags and not argv[0].startswith("--db"):
        from cli import main as cli_main

        return cli_main(argv)
    if any(a in ("-h", "--help", "--version") for a in argv):
        from cli import main as cli_main

        return cli_main(argv)
    from ui.app import run_gui

    return run_gui(argv)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
