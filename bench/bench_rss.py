"""Peak memory (issue 15): peak RSS of `dump`, `load`, `sync export` and `sync import` at 100k records,
each a separate CLI process measured with /usr/bin/time -v, with wall and CPU time beside it. The
unlock (Argon2id, 256 MiB with the production parameters) is reported apart: the measured databases use
a cheap key slot (FJLD_ARGON2_MEMORY_KIB), so their peaks are the work's own, and a `unlock` of a
database with the production parameters is measured on its own. Prints the figures; asserts nothing.

    python bench/bench_rss.py [--cases 100000] [--suggestions 20000] [--tasks 2000] [--megabytes 0]
                              [--only dump,load,export,import]
"""
from __future__ import annotations

import argparse
import os
import random
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from bench_core import fill  # noqa: E402

from models.keyslots import KeyFile, keys_path_for  # noqa: E402
from models.services.attachments import add_attachment  # noqa: E402
from models.storage import open_database  # noqa: E402

PASSWORD = "Bench-rss-2026"
CHEAP = {"FJLD_ARGON2_MEMORY_KIB": "8192", "FJLD_ARGON2_TIME": "1"}
TARGET_MIB = 200


def cli(data: Path, db: Path, *argv: str, cheap: bool = True) -> tuple[str, float, float, float]:
    """Runs one CLI command under /usr/bin/time -v: (stdout, peak RSS MiB, wall s, CPU s)."""
    env = {**os.environ, "FJLD_DATA_DIR": str(data), "FJLD_PASSWORD": PASSWORD, "QT_QPA_PLATFORM": "offscreen"}
    for key in CHEAP:
        env.pop(key, None)
    if cheap:
        env.update(CHEAP)
    started = time.perf_counter()
    done = subprocess.run(["/usr/bin/time", "-v", sys.executable, str(ROOT / "main.py"), "--db", str(db), *argv],
                          capture_output=True, text=True, env=env, cwd=ROOT)
    wall = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(argv)} failed:\n{done.stdout}\n{done.stderr}")
    peak = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", done.stderr)[1]) / 1024
    user = float(re.search(r"User time \(seconds\): ([\d.]+)", done.stderr)[1])
    system = float(re.search(r"System time \(seconds\): ([\d.]+)", done.stderr)[1])
    return done.stdout, peak, wall, user + system


def fingerprint(out: str) -> str:
    return next(line.split("：", 1)[1] for line in out.splitlines() if line.startswith("指纹"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--suggestions", type=int, default=20_000)
    parser.add_argument("--tasks", type=int, default=2_000)
    parser.add_argument("--megabytes", type=int, default=0, help="attachments to add to the sender (5 MB each)")
    parser.add_argument("--only", default="dump,load,export,import",
                        help="commands to measure, comma-separated (load needs dump, import needs export)")
    args = parser.parse_args()
    only = set(args.only.split(","))
    if "load" in only:
        only.add("dump")
    if "import" in only:
        only.add("export")
    with tempfile.TemporaryDirectory(prefix="bench-rss-") as tmp:
        root = Path(tmp)
        data = root / "data"
        a, b, c, p = (root / name / "fjld.db" for name in ("甲", "乙", "丙", "正式参数"))
        for db, office in ((a, "甲院"), (b, "乙院"), (c, "丙院")):
            cli(data, db, "init", "--office", office)
        cli(data, p, "init", "--office", "丁院", cheap=False)
        _, unlock_prod, unlock_prod_wall, unlock_prod_cpu = cli(data, p, "unlock", cheap=False)

        dek = KeyFile.load(keys_path_for(a)).unlock_with_password(PASSWORD)
        db = open_database(a, dek, user="bench")
        started = time.perf_counter()
        fill(db, args.cases, args.suggestions, args.tasks, random.Random(7))
        for number in range(args.megabytes // 5):
            with db.session_scope() as session:
                add_attachment(session, "suggestion", None, f"回复函{number}.pdf", os.urandom(5 * 1024 * 1024))
        db.close()
        print(f"filled {args.cases} cases, {args.suggestions} suggestions, {args.tasks} tasks, "
              f"{args.megabytes} MB of attachments in {time.perf_counter() - started:.0f} s; "
              f"database {a.stat().st_size / 2**20:.0f} MB")

        if "export" in only:
            cards = {db: fingerprint(cli(data, db, "peer", "export-id", "-o", str(db.parent / "me.fjpeer"))[0])
                     for db in (a, b)}
            cli(data, a, "peer", "add", str(b.parent / "me.fjpeer"), "--fingerprint", cards[b])
            cli(data, b, "peer", "add", str(a.parent / "me.fjpeer"), "--fingerprint", cards[a])

        rows = []
        _, base, wall, cpu = cli(data, a, "unlock")
        rows.append(("unlock (cheap key slot: the process baseline)", base, wall, cpu))
        dump_file, package = root / "dump.json", root / "包.fjpkg"
        if "dump" in only:
            rows.append(("dump", *cli(data, a, "dump", "-o", str(dump_file))[1:]))
            print(f"dump file {dump_file.stat().st_size / 2**20:.0f} MB")
        if "load" in only:
            rows.append(("load (into an empty database)", *cli(data, c, "load", str(dump_file))[1:]))
        if "export" in only:
            rows.append(("sync export", *cli(data, a, "sync", "export", "--to", "乙院", "-o", str(package))[1:]))
            print(f"package {package.stat().st_size / 2**20:.0f} MB")
        if "import" in only:
            rows.append(("sync import", *cli(data, b, "sync", "import", str(package))[1:]))
        print(f"{'command':<48}{'peak RSS':>12}{'over baseline':>16}{'wall':>10}{'CPU':>10}")
        for label, peak, wall, cpu in rows:
            flag = "" if peak < TARGET_MIB else f"   over {TARGET_MIB} MiB"
            print(f"{label:<48}{peak:>8.0f} MiB{peak - base:>12.0f} MiB{wall:>9.1f}s{cpu:>9.1f}s{flag}")
        print(f"{'unlock with the production Argon2id parameters':<48}{unlock_prod:>8.0f} MiB{'':>16}"
              f"{unlock_prod_wall:>9.1f}s{unlock_prod_cpu:>9.1f}s   (reported apart)")


if __name__ == "__main__":
    main()
