"""The process the kill -9 tests kill: adds large attachments one transaction each, or imports a package.

    python -m tests.scale.kill9_child attach DB DEK_HEX COUNT SIZE
    python -m tests.scale.kill9_child import DB DEK_HEX PACKAGE
"""
from __future__ import annotations

import os
import sys
from pathlib import Path

from models.services.attachments import add_attachment
from models.storage import open_database
from models.sync.exchange import import_package


def main(argv: list[str]) -> None:
    command, path, dek = argv[0], Path(argv[1]), bytes.fromhex(argv[2])
    db = open_database(path, dek, user="测试员")
    if command == "attach":
        count, size = int(argv[3]), int(argv[4])
        for i in range(count):
            with db.session_scope() as session:
                add_attachment(session, "suggestion", None, f"扫描件{i}.pdf", os.urandom(size))
            print(f"committed {i + 1}", flush=True)
    else:
        with db.session_scope() as session:
            import_package(session, Path(argv[3]))
        print("committed", flush=True)
    db.close()


if __name__ == "__main__":
    main(sys.argv[1:])
