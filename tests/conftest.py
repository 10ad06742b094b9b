"""Shared fixtures: every test gets an in-memory keyring, a temp per-user data folder and headless Qt."""
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


@pytest.fixture
def new_db(user_data_dir):
    """A freshly initialised encrypted database in the temp data folder (closed after the test)."""
    from models.services.setup import initialize

    created = initialize(user_data_dir / "fjld.db", TEST_PASSWORD, office_name="宿州市人民检察院",
                         office_code="宿检", user="测试员")
    yield created.db
    created.db.close()


@pytest.fixture
def demo_db(new_db):
    """new_db with the demo data loaded as of DEMO_TODAY."""
    from models.services.demo import load_demo

    with new_db.session_scope() as session:
        load_demo(session, DEMO_TODAY)
    return new_db
