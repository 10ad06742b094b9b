"""Accounts in the file database: a database from before accounts keeps opening, each account has its
own password and lock-out, an administrator resets and disables, the audit names the person."""
from __future__ import annotations

import json
import time

import pytest
from sqlalchemy import select, text

from models.accounts import Account, add_account, list_accounts, reset_password, set_disabled, set_roles
from models.audit import AuditEvent, verify_chain
from models.errors import DomainError
from models.keyslots import KeyFile, create_key_file, keys_path_for
from models.lockout import UnlockGuard
from models.oplog import Op, local_state
from models.rules.permissions import ADMIN, CLERK, FIRST_ACCOUNT_ROLES, LEADER, PROSECUTOR
from models.services.setup import change_password, set_remember, unlock
from tests.accounts.conftest import PEOPLE, Office
from tests.conftest import TEST_PASSWORD


def _old_database(folder):
    """A database as the version before accounts left it: one unlabelled password slot, no account rows
    (the account table dropped and the schema stamped back to 0015), with a case in it."""
    from models.services.cases import register_case
    from models.settings import set_setting
    from models.storage import open_database

    path = folder / "旧版.db"
    folder.mkdir(parents=True, exist_ok=True)
    key_file, dek, recovery = create_key_file(keys_path_for(path), TEST_PASSWORD)
    db = open_database(path, dek, site_label="旧工作站")
    with db.write_scope() as session:
        set_setting(session, "display_name", "埇桥区院内勤")
        register_case(session, "旧版登记的案件", handler="张三")
        session.execute(text("DROP TABLE account"))
        session.execute(text("DROP TABLE sync_attestation"))   # added after accounts (0017)
        session.execute(text("UPDATE alembic_version SET version_num = '0015'"))
    db.close()
    return path, recovery


def test_an_old_single_password_database_becomes_its_first_administrator(user_data_dir):
    from models.case import Case

    path, recovery = _old_database(user_data_dir)
    assert [label for _, label in KeyFile.load(keys_path_for(path)).password_slots()] == [""]
    db = unlock(path, password=TEST_PASSWORD)
    try:
        with db.read_scope() as session:
            assert [c.title for c in session.scalars(select(Case))] == ["旧版登记的案件"]
            rows = list_accounts(session)
            assert [(r.name, set(r.roles)) for r in rows] == [("埇桥区院内勤", set(FIRST_ACCOUNT_ROLES))]
            assert verify_chain(session) == []
        assert db.user == "埇桥区院内勤"
    finally:
        db.close()
    assert KeyFile.load(keys_path_for(path)).password_slots() == [("password", "埇桥区院内勤")]
    assert list((user_data_dir / "backups").glob("旧版-*-migration.db"))   # migrated with a backup first
    unlock(path, password=TEST_PASSWORD, account="埇桥区院内勤").close()
    # the recovery key still works, for that administrator, and lets them set a new password
    db = unlock(path, recovery_key=recovery)
    change_password(db, "Neues-Passwort-9")
    db.close()
    unlock(path, password="Neues-Passwort-9").close()


def test_the_first_unlock_of_an_old_database_may_name_its_account(user_data_dir):
    path, _ = _old_database(user_data_dir)
    db = unlock(path, password=TEST_PASSWORD, account=" 王  主任 ")
    db.close()
    assert db.user == "王 主任"
    unlock(path, password=TEST_PASSWORD, account="王 主任").close()


def test_each_account_opens_with_its_own_password_only(office: Office):
    for name, (_, password) in PEOPLE.items():
        db = unlock(office.path, password=password, account=name)
        assert db.user == name
        db.close()
    with pytest.raises(DomainError) as err:
        unlock(office.path, password=PEOPLE["赵科长"][1], account="张三")
    assert err.value.code == "wrong_password" and err.value.message == "密码错误"
    with pytest.raises(DomainError) as err:
        unlock(office.path, password=TEST_PASSWORD)
    assert err.value.code == "account_required" and "--user" in err.value.message
    with pytest.raises(DomainError) as err:
        unlock(office.path, password=TEST_PASSWORD, account="无此人")
    assert err.value.code == "unknown_account"


def test_an_edited_account_label_in_the_key_file_opens_nothing_else(office: Office):
    """The label only finds the slot; the account table decides whose it is."""
    path = keys_path_for(office.path)
    document = json.loads(path.read_text(encoding="utf-8"))
    for slot in document["slots"]:
        if slot.get("account") == "张三":
            slot["account"] = "王主任X"
        elif slot.get("account") == "王主任":
            slot["account"] = "张三"
    path.write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
    with pytest.raises(DomainError) as err:   # 张三's password under 王主任's label: signs in nobody
        unlock(office.path, password=PEOPLE["张三"][1], account="王主任X")
    assert err.value.code == "wrong_password"
    with pytest.raises(DomainError) as err:   # the administrator's password, claiming to be 张三
        unlock(office.path, password=TEST_PASSWORD, account="张三")
    assert err.value.code == "wrong_password"


def test_lock_out_is_per_account(office: Office):
    for _ in range(5):
        with pytest.raises(DomainError, match="密码错误"):
            unlock(office.path, password="Wrong-pass-1", account="张三")
    with pytest.raises(DomainError) as err:   # even 张三's right password waits now
        unlock(office.path, password=PEOPLE["张三"][1], account="张三")
    assert err.value.code == "locked_out" and "30秒后再试" in err.value.message
    unlock(office.path, password=PEOPLE["李四"][1], account="李四").close()   # nobody else is locked out
    unlock(office.path, password=TEST_PASSWORD, account="王主任").close()
    later = UnlockGuard.for_db(office.path, now=lambda: time.time() + 31, account="张三")
    db = unlock(office.path, password=PEOPLE["张三"][1], account="张三", guard=later)
    with db.read_scope() as session:
        failed = session.scalars(select(AuditEvent).where(AuditEvent.event == "unlock_failed")).one()
        assert failed.user == "张三" and json.loads(failed.detail) == {"attempts": 5}
    db.close()
    assert not later.path.exists()


def test_an_administrator_resets_a_forgotten_password_and_others_may_not(office: Office):
    clerk = office.open_as("李四")
    with pytest.raises(DomainError) as err:
        reset_password(clerk, "张三", "Another-pass-1")
    assert err.value.code == "forbidden" and "管理员" in err.value.message
    clerk.close()
    admin = office.open_as("王主任")
    reset_password(admin, "张三", "Reset-by-admin-1")
    admin.close()
    with pytest.raises(DomainError):
        unlock(office.path, password=PEOPLE["张三"][1], account="张三")
    db = unlock(office.path, password="Reset-by-admin-1", account="张三")
    change_password(db, "Chosen-by-me-2")   # then the person picks their own
    db.close()
    unlock(office.path, password="Chosen-by-me-2", account="张三").close()
    unlock(office.path, password=PEOPLE["李四"][1], account="李四").close()   # nobody else changed


def test_the_recovery_key_resets_only_an_administrator(user_data_dir):
    from models.services.setup import initialize

    created = initialize(user_data_dir / "fjld.db", TEST_PASSWORD, office_name="某院", office_code="某检",
                         account="王主任")
    add_account(created.db, "张三", PROSECUTOR, PEOPLE["张三"][1])
    created.db.close()
    with pytest.raises(DomainError) as err:
        unlock(user_data_dir / "fjld.db", recovery_key=created.recovery_key, account="张三")
    assert err.value.code == "recovery_admin_only"
    db = unlock(user_data_dir / "fjld.db", recovery_key=created.recovery_key)
    assert db.user == "王主任"
    db.close()


def test_a_disabled_account_cannot_unlock_and_the_last_administrator_stays(office: Office):
    admin = office.open_as("王主任")
    try:
        set_disabled(admin, "李四")
        with pytest.raises(DomainError) as err:
            set_disabled(admin, "王主任")
        assert err.value.code == "disable_self"
        with pytest.raises(DomainError) as err:
            set_roles(admin, "王主任", LEADER)
        assert err.value.code == "last_admin"
        with admin.read_scope() as session:
            assert [r.name for r in list_accounts(session) if r.disabled] == ["李四"]
            assert session.scalars(select(Account.roles).where(Account.name == "王主任")).one() == ADMIN
    finally:
        admin.close()
    slots = KeyFile.load(keys_path_for(office.path)).slots
    assert not any(s.get("account") == "李四" and "ct" in s for s in slots)   # the wrapped key is gone
    with pytest.raises(DomainError) as err:
        unlock(office.path, password=PEOPLE["李四"][1], account="李四")
    assert err.value.code == "account_disabled" and "停用" in err.value.message
    admin = office.open_as("王主任")
    set_disabled(admin, "李四", False)
    reset_password(admin, "李四", "Back-again-2026")
    admin.close()
    unlock(office.path, password="Back-again-2026", account="李四").close()


def test_the_audit_and_the_op_log_name_the_person_not_only_the_workstation(office: Office):
    from models.services.setup import backup_now
    from models.services.units import add_unit

    db = office.open_as("李四")
    try:
        with db.write_scope() as session:
            unit = add_unit(session, "某县林业局")
            site = local_state(session).site_id
        backup_now(db)
        with db.read_scope() as session:
            backup = session.scalars(select(AuditEvent).where(AuditEvent.event == "backup")).one()
            unlocks = session.scalars(select(AuditEvent).where(AuditEvent.event == "unlock")).all()
            ops = session.scalars(select(Op).where(Op.row_id == str(unit.id))).all()
            added = session.scalars(select(AuditEvent).where(AuditEvent.event == "account_added")).all()
            assert verify_chain(session) == []
    finally:
        db.close()
    assert (backup.user, backup.site_id) == ("李四", site)
    assert unlocks[-1].user == "李四"
    assert {op.user for op in ops} == {"李四"}
    assert {(a.user, a.object_ref) for a in added} >= {("王主任", "张三"), ("王主任", "李四")}


def test_remember_on_this_computer_remembers_one_account(office: Office, memory_keyring):
    db = office.open_as("李四")
    set_remember(db, True)
    db.close()
    db = unlock(office.path)
    assert db.user == "李四" and CLERK in db.sessions.kw["info"]["actor"].roles
    db.close()
    with pytest.raises(DomainError):   # asked for another account: the remembered key is not theirs
        unlock(office.path, account="王主任")
    # the remembered account is bound into the slot's AAD: editing it breaks the slot, it opens nobody else
    path = keys_path_for(office.path)
    document = json.loads(path.read_text(encoding="utf-8"))
    device = next(s for s in document["slots"] if s["id"] == "device")
    admin_slot = next(s["id"] for s in document["slots"] if s.get("account") == "王主任")
    device["kdf"]["account"] = admin_slot
    path.write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
    with pytest.raises(DomainError) as err:
        unlock(office.path)
    assert err.value.code == "password_required"


@pytest.mark.parametrize("edit", [lambda slot: slot.pop("nonce"), lambda slot: slot.update(ct="%%%"),
                                  lambda slot: slot.update(type="disabled")])
def test_an_edited_account_slot_is_one_chinese_line(office: Office, edit):
    path = keys_path_for(office.path)
    document = json.loads(path.read_text(encoding="utf-8"))
    edit(next(s for s in document["slots"] if s.get("account") == "张三"))
    path.write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
    with pytest.raises(DomainError) as err:
        unlock(office.path, password=PEOPLE["张三"][1], account="张三")
    assert err.value.code in ("bad_key_file", "wrong_password", "account_disabled") and "\n" not in err.value.message
