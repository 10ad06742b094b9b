"""Shared fixtures: every test gets an in-memory keyring, a temp per-user data folder and headless Qt; the
service, sync and search suites also run on a private PostgreSQL cluster (`backend`, tests/pg/cluster.py)."""
from __future__ import annotations

import os
import sys
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
# Cheap Argon2id for tests only (the parameters are stored in each key slot, so this cannot weaken
# a real database); production defaults are 256 MiB / t=3.
os.environ.setdefault("FJLD_ARGON2_MEMORY_KIB", "8192")
os.environ.setdefault("FJLD_ARGON2_TIME", "1")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import keyring  # noqa: E402
import pytest  # noqa: E402
from hypothesis import HealthCheck, settings  # noqa: E402
from keyring.backend import KeyringBackend  # noqa: E402

# Timing checks are about the machine, not the code: on a loaded 2-core CI runner (the frozen-build
# test compiles in parallel) a first draw that builds Hypothesis' character tables can take seconds.
settings.register_profile("fjld", deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile("fjld")


class MemoryKeyring(KeyringBackend):
    priority = 1  # type: ignore[assignment]

    def __init__(self) -> None:
        super().__init__()
        self.store: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.store.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.store[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        self.store.pop((service, username), None)


@pytest.fixture(autouse=True)
def memory_keyring():
    old = keyring.get_keyring()
    ring = MemoryKeyring()
    keyring.set_keyring(ring)
    yield ring
    keyring.set_keyring(old)


@pytest.fixture(autouse=True)
def user_data_dir(tmp_path, monkeypatch) -> Path:
    """Point the per-user data folder at a temp dir whose name has Chinese characters."""
    folder = tmp_path / "用户数据"
    monkeypatch.setenv("FJLD_DATA_DIR", str(folder))
    return folder


TEST_PASSWORD = "Fjld-test-2026"
DEMO_TODAY = __import__("datetime").date(2026, 11, 23)


# The service, sync and search suites run on both backends (issue 16): every test in these folders
# that uses `backend` (through new_db/demo_db or directly) runs once on an encrypted file and once on
# the private PostgreSQL cluster. Modules about the file itself (key slots, SQLCipher pages, file
# backups and restores, in-process migration of a file) stay on the file: on a server those are the
# server's and the administrator's (README, PostgreSQL), and tests/pg covers the server's side.
BOTH_BACKENDS_DIRS = ("tests/core", "tests/sync", "tests/pg")
FILE_ONLY_MODULES = frozenset({
    "test_keys.py",               # key slots, keyring unlock, recovery key: the file's data key
    "test_storage.py",            # SQLCipher: no plaintext in the file, WAL, cipher pages
    "test_restore.py",            # restoring a backup file over the database file
    "test_migrations.py",         # a file migrated in-process at open (the server: tests/pg)
    "test_layers_and_platform.py",
    "test_progress_per_unit_dialog.py",
    "test_suggestion_form.py",
})


# The sync suite's simulated workstations (tests/sync/workstations.py) open their databases through
# its open_db/open_database; in these modules each test runs a second time with every workstation's
# database on the test cluster instead (server_workstations below). Tests in them that are about the
# file itself are listed in FILE_ONLY_TESTS with the reason.
SYNC_ON_SERVER_MODULES = frozenset({"test_exchange.py", "test_trust.py", "test_records.py", "test_identity.py",
                                    "test_upcast_quarantine.py", "test_profile_projection.py"})
FILE_ONLY_TESTS = {
    # "Nothing was written" is proven there by the database file's bytes; on a server a refusal is a
    # rolled-back transaction, and what the server keeps is checked by the dump tests of the same run.
    "test_rejections_leave_the_database_byte_identical": "compares the bytes of the database file",
    "test_preview_writes_nothing": "compares the bytes of the database file",
    "test_stale_package_after_newer_one_changes_nothing": "compares the bytes of the database file",
    "test_newer_op_format_asks_for_an_upgrade": "compares the bytes of the database file",
    "test_a_sender_clock_days_ahead_needs_a_persons_confirmation": "compares the bytes of the database file",
    "test_a_database_file_copied_back_starts_a_new_incarnation_and_loses_nothing":
        "copies the database file back by hand (on a server: a pg_dump restore, same check at open)",
    "test_rewound_sender_is_refused_and_db_untouched": "rewinds a workstation by copying its file",
    "test_a_fork_is_an_alert_never_a_duplicate": "forks a workstation by copying its file back",
    "test_a_refused_package_writes_no_backup_and_one_audit_event":
        "counts the file's pre-import backups (a server's backups are the administrator's pg_dump)",
    "test_backups_and_their_key_files_are_private": "file backups and key files",
}


def pytest_generate_tests(metafunc):
    path = Path(str(metafunc.definition.path))
    if (path.parent.name == "sync" and path.name in SYNC_ON_SERVER_MODULES and "backend" not in metafunc.fixturenames
            and metafunc.definition.originalname not in FILE_ONLY_TESTS):
        metafunc.fixturenames.append("backend")
    if "backend" not in metafunc.fixturenames:
        return
    if any("backend" in str(marker.args[0]) for marker in metafunc.definition.iter_markers("parametrize")):
        return  # the test names its backend itself
    path = Path(str(metafunc.definition.path)).resolve()
    relative = path.relative_to(Path(__file__).resolve().parents[1]).as_posix()
    if relative.startswith(BOTH_BACKENDS_DIRS) and path.name not in FILE_ONLY_MODULES:
        metafunc.parametrize("backend", ["sqlite", "postgresql"], indirect=True, scope="module")
    # elsewhere (GUI, reports, file-only modules) `backend` is simply "sqlite", with unchanged test ids


@pytest.fixture(scope="module")
def backend(request) -> str:
    return getattr(request, "param", "sqlite")


@pytest.fixture(autouse=True)
def server_workstations(request, monkeypatch):
    """For the PostgreSQL run of a sync module: each simulated workstation's database is a copy of the
    template on the test cluster (one per workstation folder), opened with the server login."""
    callspec = getattr(request.node, "callspec", None)
    if callspec is None or callspec.params.get("backend") != "postgresql" or "sync" not in request.node.nodeid:
        return
    import tests.sync.workstations as workstations
    from models.pg import open_server
    from tests.pg.server import create_database, drop_database, tcp_url, unique_name

    admin_url, template = request.getfixturevalue("pg_server")
    names: dict[str, str] = {}

    def open_on_server(path, dek, user="测试员"):
        if str(path) not in names:
            name = names[str(path)] = unique_name("ws")
            create_database(admin_url, name, template)
            request.addfinalizer(lambda: drop_database(admin_url, name))
        return open_server(tcp_url(admin_url, names[str(path)]), user=user)

    monkeypatch.setattr(workstations, "open_db", open_on_server)
    monkeypatch.setattr(workstations, "open_database", open_on_server)


@pytest.fixture(scope="session")
def pg_server():
    """(superuser URL, template database) of the cluster for this worker: the one named by
    FJLD_TEST_PG_ADMIN_URL, else a private cluster started here and removed at the end."""
    from tests.pg.cluster import start_cluster
    from tests.pg.server import ADMIN_URL_ENV, build_template

    cluster = None
    admin_url = os.environ.get(ADMIN_URL_ENV)
    if not admin_url:
        cluster = start_cluster()
        admin_url = cluster.admin_url
    try:
        template = build_template(admin_url)
        yield admin_url, template
    finally:
        if cluster is not None:
            cluster.stop()


def make_database(backend: str, folder: Path, request, **names):
    """A freshly initialised database on `backend`: an encrypted file in `folder`, or a copy of the
    migrated template on the test cluster (dropped at the end of the requesting scope)."""
    office = {"office_name": "宿州市人民检察院", "office_code": "宿检", "user": "测试员", **names}
    if backend == "postgresql":
        from models.pg import initialize_server
        from tests.pg.server import create_database, drop_database, tcp_url, unique_name

        admin_url, template = request.getfixturevalue("pg_server")
        name = unique_name()
        create_database(admin_url, name, template)
        request.addfinalizer(lambda: drop_database(admin_url, name))
        return initialize_server(tcp_url(admin_url, name), **office)
    from models.services.setup import initialize

    return initialize(folder / "fjld.db", TEST_PASSWORD, **office).db


@pytest.fixture
def new_db(user_data_dir, backend, request):
    """A freshly initialised database (an encrypted file in the temp data folder, or a server database
    for the PostgreSQL run of a parametrized suite), closed after the test."""
    db = make_database(backend, user_data_dir, request)
    yield db
    db.close()


@pytest.fixture
def demo_db(new_db):
    """new_db with the demo data loaded as of DEMO_TODAY."""
    from models.services.demo import load_demo

    with new_db.session_scope() as session:
        load_demo(session, DEMO_TODAY)
    return new_db
