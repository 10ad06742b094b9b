"""An office database with one account per role (passwords differ per account)."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest

from models.accounts import add_account, set_roles
from models.rules.permissions import ADMIN, CLERK, LEADER, LIAISON, PROSECUTOR
from models.services.setup import initialize, unlock
from models.storage import Database
from tests.conftest import TEST_PASSWORD

PEOPLE = {  # account name → (role, password)
    "王主任": (ADMIN, TEST_PASSWORD),
    "张三": (PROSECUTOR, "Zhang-san-2026"),
    "李四": (CLERK, "Li-si-2026!"),
    "赵科长": (LEADER, "Zhao-ke-2026"),
    "钱联络": (LIAISON, "Qian-lian-2026"),
}
ROLE_ACCOUNT = {role: name for name, (role, _) in PEOPLE.items()}


@dataclass
class Office:
    path: Path

    def open_as(self, name: str) -> Database:
        return unlock(self.path, password=PEOPLE[name][1], account=name)

    def open_role(self, role: str) -> Database:
        return self.open_as(ROLE_ACCOUNT[role])


@pytest.fixture
def office(user_data_dir) -> Office:
    path = user_data_dir / "fjld.db"
    created = initialize(path, TEST_PASSWORD, office_name="宿州市埇桥区人民检察院", office_code="埇检",
                         account="王主任")
    db = created.db
    try:
        for name, (role, password) in PEOPLE.items():
            if name != "王主任":
                add_account(db, name, role, password)
        set_roles(db, "王主任", ADMIN)   # the first account held 管理员 + 部门负责人; the table test wants 管理员 alone
    finally:
        db.close()
    return Office(path)
