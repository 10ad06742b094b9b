"""The process the kill -9 tests kill: adds large attachments one transaction each, imports a package,
or adds attachments and takes a backup (stamped NOW_ISO), killing itself with SIGKILL just before its
KILL_AT-th file-system change of the backup (0: never; it then prints how many changes there were).

    python -m tests.scale.kill9_child attach DB DEK_HEX COUNT SIZE
    python -m tests.scale.kill9_child import DB DEK_HEX PACKAGE
    python -m tests.scale.kill9_child backup DB DEK_HEX NOW_ISO KILL_AT ADD_COUNT
"""
from __future__ import annotations

import datetime as dt
import os
import signal
import sys
from pathlib import Path

from models.backup import backup_engine
from models.services.attachments import add_attachment
from models.storage import open_database


def main(argv: list[str]) -> None:
    command, path, dek = argv[0], Path(argv[1]), bytes.fromhex(argv[2])
    db = open_database(path, dek, user="测试员")
    if command == "attach":
        count, size = int(argv[3]), int(argv[4])
        for i in range(count):
            with db.session_scope() as session:
                add_attachment(session, "suggestion", None, f"扫描件{i}.pdf", os.urandom(size))
            print(f"committed {i + 1}", flush=True)
    elif command == "backup":
        when, kill_at, adds = dt.datetime.fromisoformat(argv[3]), int(argv[4]), int(argv[5])
        for i in range(adds):
            with db.session_scope() as session:
                add_attachment(session, "suggestion", None, f"新件{i}.pdf", os.urandom(64 * 1024))
        changes = kill_before_change(kill_at)
        backup_engine(db.engine, db.path, db.dek, reason="manual", now=when, folder=db.backup_folder())
        print(f"committed {changes[0]}", flush=True)
    else:
        from models.sync.exchange import import_package

        with db.session_scope() as session:
            import_package(session, Path(argv[3]))
        print("committed", flush=True)
    db.close()


def kill_before_change(kill_at: int) -> list[int]:
    """Counts the process's file-system changes from here on (create, link, rename, unlink, mkdir) and
    SIGKILLs it just before the `kill_at`-th: every step boundary of a backup, one run each."""
    changes = [0]

    def counted(real, creates_only: bool = False):  # noqa: ANN001, ANN202
        def call(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202
            if not creates_only or (len(args) > 1 and args[1] & os.O_CREAT):
                changes[0] += 1
                if changes[0] == kill_at:
                    os.kill(os.getpid(), signal.SIGKILL)
            return real(*args, **kwargs)
        return call

    for name in ("link", "replace", "rename", "unlink", "mkdir"):
        setattr(os, name, counted(getattr(os, name)))
    os.open = counted(os.open, creates_only=True)
    return changes


if __name__ == "__main__":
    main(sys.argv[1:])
