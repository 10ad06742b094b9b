"""One-command set-up for developers and CI (works on Windows and Linux, no admin rights needed
except for the optional Linux system packages the tests use).

    python3 dev.py run [--demo] [main.py arguments]   set up .venv, then start the app
    python3 dev.py test [pytest arguments]            set up .venv (+ test tools), then run all tests

The virtual environment lives in .venv next to this file and is rebuilt only when a
requirements file changes (a hash stamp records what was installed).
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
# Debian packages the test suite uses: poppler (pdftotext/pdftoppm to measure and render PDFs),
# a CJK font so Qt screenshots show Chinese, the xcb libraries for Xvfb screenshots, and LibreOffice
# Writer (headless `--convert-to pdf`: the .docx documents are measured like the PDFs), and the
# PostgreSQL server: the tests start a private throw-away cluster of it (tests/pg/cluster.py) to run the
# service, sync and search suites on PostgreSQL too.
APT_TEST_PACKAGES = [
    "postgresql",
    "poppler-utils",
    "libreoffice-writer-nogui",
    "fonts-wqy-microhei",
    "fontconfig",
    "libxcb-cursor0",
    "libxcb-icccm4",
    "libxcb-keysyms1",
    "libxkbcommon-x11-0",
    "libegl1",
    "libgl1",
]


def venv_python() -> Path:
    if os.name == "nt":
        return VENV / "Scripts" / "python.exe"
    return VENV / "bin" / "python"


def ensure_venv(requirements: str) -> Path:
    if sys.version_info[:2] < (3, 11):  # noqa: UP036  (this script must explain itself on old Pythons)
        sys.exit("需要 Python 3.11 或更高版本 (Python 3.11+ is required)")
    req_path = ROOT / requirements
    stamp_text = hashlib.sha256(
        b"".join((ROOT / name).read_bytes() for name in ("requirements.txt", requirements))
    ).hexdigest()
    stamp = VENV / f".installed-{requirements}"
    python = venv_python()
    if not python.exists():
        venv.EnvBuilder(with_pip=True, clear=True).create(VENV)
    if not stamp.exists() or stamp.read_text() != stamp_text:
        subprocess.check_call([str(python), "-m", "pip", "install", "-q", "--disable-pip-version-check",
                               "-r", str(req_path)])
        stamp.write_text(stamp_text)
    return python


def ensure_test_system_packages() -> None:
    """On Debian CI machines (root), install what the tests need; elsewhere say what is missing."""
    if not sys.platform.startswith("linux") or shutil.which("dpkg-query") is None:
        return
    missing = [p for p in APT_TEST_PACKAGES
               if subprocess.run(["dpkg-query", "-W", "-f=${Status}", p], capture_output=True,
                                 text=True).stdout != "install ok installed"]
    if not missing:
        return
    if os.geteuid() != 0:
        print("missing system packages (install with sudo apt-get install):", " ".join(missing))
        return
    subprocess.check_call(["apt-get", "update", "-q"], stdout=subprocess.DEVNULL)
    subprocess.check_call(["apt-get", "install", "-y", "-q", "--no-install-recommends", *missing],
                          stdout=subprocess.DEVNULL, env={**os.environ, "DEBIAN_FRONTEND": "noninteractive"})


def main(argv: list[str]) -> int:
    if not argv or argv[0] not in ("run", "test"):
        print(__doc__)
        return 2
    command, rest = argv[0], argv[1:]
    if command == "run":
        python = ensure_venv("requirements.txt")
        return subprocess.call([str(python), str(ROOT / "main.py"), *rest], cwd=ROOT)
    ensure_test_system_packages()
    python = ensure_venv("requirements-dev.txt")
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    if not rest:  # the full run lints first (style-by-example §3.2): a finding fails like a test
        lint = subprocess.call([str(python), "-m", "ruff", "check", "."], cwd=ROOT)
        if lint != 0:
            return lint
    # Both cores of a CI machine by default; any explicit pytest arguments replace this.
    args = rest or ["-n", "2"]
    return subprocess.call([str(python), "-m", "pytest", *args], cwd=ROOT, env=env)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
