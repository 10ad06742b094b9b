"""A private, throw-away PostgreSQL cluster for the test run (standard library only).

The Debian `postgresql` package (CI installs it, dev.py APT_TEST_PACKAGES) puts the server binaries in
/usr/lib/postgresql/<major>/bin. initdb and postgres refuse to run as root: as root (CI) they run as the
`postgres` system user through runuser, in a temp folder that user owns; as a normal user they run as
that user. The cluster listens on 127.0.0.1 on a free port (password logins, as the app does) and on a
unix socket in its folder (the superuser, trusted: only the test fixtures use it). Durability is off:
the data lives for one run."""
from __future__ import annotations

import atexit
import glob
import os
import shutil
import socket
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

SUPERUSER = "fjld_test_admin"


def server_bin() -> Path | None:
    """The newest installed server's bin folder (PG_BIN overrides)."""
    if os.environ.get("PG_BIN"):
        return Path(os.environ["PG_BIN"])
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(Path(p).parts[-3]))
    if found:
        return Path(found[-1]).parent
    initdb = shutil.which("initdb")
    return Path(initdb).parent if initdb else None


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Cluster:
    folder: Path
    port: int
    as_postgres: bool

    @property
    def socket_dir(self) -> Path:
        return self.folder / "sock"

    @property
    def admin_url(self) -> str:
        """Superuser over the unix socket (trust): for the fixtures that create roles and databases."""
        return f"postgresql://{SUPERUSER}@/postgres?host={self.socket_dir}&port={self.port}"

    def _run(self, *command: str) -> None:
        prefix = ["runuser", "-u", "postgres", "--"] if self.as_postgres else []
        # A session of its own: nothing runuser or pg_ctl signals can reach the test processes.
        subprocess.run([*prefix, *command], check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                       start_new_session=True)

    def stop(self) -> None:
        binary = server_bin()
        if binary is not None and (self.folder / "data" / "postmaster.pid").exists():
            try:
                self._run(str(binary / "pg_ctl"), "-D", str(self.folder / "data"), "-m", "immediate", "-w", "stop")
            except subprocess.CalledProcessError:
                pass
        shutil.rmtree(self.folder, ignore_errors=True)


def start_cluster() -> Cluster:
    binary = server_bin()
    if binary is None:
        raise RuntimeError("PostgreSQL server binaries not found (Debian: apt-get install postgresql)")
    as_postgres = os.geteuid() == 0
    folder = Path(tempfile.mkdtemp(prefix="fjld-pgtest-"))
    cluster = Cluster(folder, _free_port(), as_postgres)
    (folder / "sock").mkdir()
    if as_postgres:
        shutil.chown(folder, "postgres", "postgres")
        shutil.chown(folder / "sock", "postgres", "postgres")
    try:
        cluster._run(str(binary / "initdb"), "-D", str(folder / "data"), "-U", SUPERUSER, "-E", "UTF8",
                     "--locale=C.UTF-8", "--auth-local=trust", "--auth-host=scram-sha-256", "--no-sync")
        options = (f"-p {cluster.port} -k {cluster.socket_dir} -c listen_addresses=127.0.0.1 -c fsync=off "
                   "-c synchronous_commit=off -c full_page_writes=off -c max_connections=300 "
                   "-c shared_buffers=64MB")
        cluster._run(str(binary / "pg_ctl"), "-D", str(folder / "data"), "-o", options,
                     "-l", str(folder / "server.log"), "-w", "-t", "60", "start")
    except BaseException:
        cluster.stop()
        raise
    atexit.register(cluster.stop)  # also when the run ends without its fixtures' teardown
    return cluster
