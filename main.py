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


def wants_cli(argv: list[str]) -> bool:
    """Anything beyond the GUI's own options (--db PATH, --demo) is a CLI command or flag."""
    rest = list(argv)
    while rest:
        arg = rest.pop(0)
        if arg == "--db":
            rest = rest[1:]
        elif arg.startswith("--db=") or arg == "--demo":
            continue
        else:
            return True
    return False


def main(argv: list[str]) -> int:
    configure_logging()
    if wants_cli(argv):
        from cli import main as cli_main

        return cli_main(argv)
    from ui.app import run_gui

    return run_gui(argv)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
