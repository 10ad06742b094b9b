import json

import keyring
import pytest
from keyring.errors import NoKeyringError

from models.errors import DomainError
from models.keyslots import KeyFile, format_recovery_key, keys_path_for, normalize_recovery_key
from models.services.setup import change_password, initialize, set_remember, unlock
from tests.conftest import TEST_PASSWORD


def _bytes_of(folder):
    """Every file's bytes, except the failed-unlock counter (which exists to change)."""
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())
            if p.is_file() and not p.name.endswith(".unlock.json")}


@pytest.fixture
def created(user_data_dir):
    result = initialize(user_data_dir / "fjld.db", TEST_PASSWORD, office_name="宿州市人民检察院", office_code="宿检")
    result.db.close()
    return result


def test_wrong_password_is_refused_in_chinese_and_nothing_changes(created, user_data_dir):
    before = _bytes_of(user_data_dir)
    with pytest.raises(DomainError) as err:
        unlock(user_data_dir / "fjld.db", password="Wrong-pass-1")
    assert err.value.code == "wrong_password" and err.value.message == "密码错误"
    assert _bytes_of(user_data_dir) == before
    assert '"failures": 1' in (user_data_dir / "fjld.db.unlock.json").read_text()


def test_recovery_key_unlocks_and_lets_the_clerk_set_a_new_password(created, user_data_dir):
    db = unlock(user_data_dir / "fjld.db", recovery_key=created.recovery_key.replace("-", " "))
    change_password(db, "Neues-Passwort-9")
    db.close()
    with pytest.raises(DomainError):
        unlock(user_data_dir / "fjld.db", password=TEST_PASSWORD)
    unlock(user_data_dir / "fjld.db", password="Neues-Passwort-9").close()


def test_a_mistyped_recovery_key_is_caught_by_its_check_group(created):
    digits = normalize_recovery_key(created.recovery_key)
    typo = ("1" if digits[0] != "1" else "2") + digits[1:]
    with pytest.raises(DomainError) as err:
        normalize_recovery_key(format_recovery_key(typo)[:-2] + created.recovery_key[-2:])
    assert err.value.code == "bad_recovery_key"


def test_weak_password_is_refused_at_set_up(user_data_dir):
    with pytest.raises(DomainError) as err:
        initialize(user_data_dir / "fjld.db", "12345678", office_name="x", office_code="y")
    assert "密码至少8位" in err.value.message
    assert not (user_data_dir / "fjld.db").exists()


def test_edited_kdf_parameters_in_the_key_file_make_unwrapping_fail(created, user_data_dir):
    path = keys_path_for(user_data_dir / "fjld.db")
    data = json.loads(path.read_text())
    slot = next(s for s in data["slots"] if s["id"] == "password")
    slot["kdf"]["t"] = 1 if slot["kdf"]["t"] != 1 else 2   # a downgrade attempt
    path.write_text(json.dumps(data))
    with pytest.raises(DomainError) as err:
        unlock(user_data_dir / "fjld.db", password=TEST_PASSWORD)
    assert err.value.code == "wrong_password"


def test_corrupt_key_file_gives_a_clear_message(created, user_data_dir):
    keys_path_for(user_data_dir / "fjld.db").write_text("{garbage")
    with pytest.raises(DomainError) as err:
        unlock(user_data_dir / "fjld.db", password=TEST_PASSWORD)
    assert "密钥文件已损坏" in err.value.message


def test_remember_on_this_computer_unlocks_without_password_and_forget_removes_it(created, user_data_dir,
                                                                                  memory_keyring):
    db = unlock(user_data_dir / "fjld.db", password=TEST_PASSWORD)
    set_remember(db, True)
    db.close()
    secrets_stored = lambda: [k for k in memory_keyring.store if not k[0].endswith("/witness")]  # noqa: E731
    assert len(secrets_stored()) == 1
    unlock(user_data_dir / "fjld.db").close()
    db = unlock(user_data_dir / "fjld.db", password=TEST_PASSWORD)
    set_remember(db, False)
    db.close()
    assert secrets_stored() == []  # only the audit/sync witness stays: it holds no secret
    with pytest.raises(DomainError) as err:
        unlock(user_data_dir / "fjld.db")
    assert err.value.code == "password_required"


def test_garbled_keyring_entry_falls_back_to_the_password(created, user_data_dir, memory_keyring):
    db = unlock(user_data_dir / "fjld.db", password=TEST_PASSWORD)
    set_remember(db, True)
    db.close()
    key = next(k for k in memory_keyring.store if not k[0].endswith("/witness"))
    memory_keyring.store[key] = "not base64 at all!!"
    assert KeyFile.load(keys_path_for(user_data_dir / "fjld.db")).unlock_with_keyring() is None


def test_without_a_keyring_backend_remember_fails_clearly_and_the_password_still_works(created, user_data_dir):
    class NoBackend(keyring.backend.KeyringBackend):
        priority = 1

        def get_password(self, service, username):
            raise NoKeyringError("none")

        def set_password(self, service, username, password):
            raise NoKeyringError("none")

        def delete_password(self, service, username):
            raise NoKeyringError("none")

    keyring.set_keyring(NoBackend())
    db = unlock(user_data_dir / "fjld.db", password=TEST_PASSWORD)
    with pytest.raises(DomainError) as err:
        set_remember(db, True)
    assert err.value.code == "no_keyring"
    db.close()
    unlock(user_data_dir / "fjld.db", password=TEST_PASSWORD).close()


def test_key_file_keeps_the_previous_generation(created, user_data_dir):
    db = unlock(user_data_dir / "fjld.db", password=TEST_PASSWORD)
    change_password(db, "Zweites-Pass-7")
    db.close()
    bak = keys_path_for(user_data_dir / "fjld.db").with_suffix(".json.bak")
    assert KeyFile.load(bak).unlock_with_password(TEST_PASSWORD)


def test_five_wrong_passwords_start_a_growing_wait_and_the_next_unlock_audits_them(created, user_data_dir):
    from sqlalchemy import text

    from models.lockout import UnlockGuard, delay_after
    clock = [1_000_000.0]
    guard = UnlockGuard.for_db(user_data_dir / "fjld.db", now=lambda: clock[0])
    for _ in range(5):
        with pytest.raises(DomainError, match="密码错误"):
            unlock(user_data_dir / "fjld.db", password="Wrong-pass-1", guard=guard)
    with pytest.raises(DomainError) as err:   # even the right password must wait now
        unlock(user_data_dir / "fjld.db", password=TEST_PASSWORD, guard=guard)
    assert err.value.code == "locked_out" and "30秒后再试" in err.value.message
    clock[0] += 31
    with pytest.raises(DomainError, match="密码错误"):
        unlock(user_data_dir / "fjld.db", password="Wrong-pass-1", guard=guard)
    assert delay_after(6) == 60 and delay_after(40) == 15 * 60
    clock[0] += 61
    db = unlock(user_data_dir / "fjld.db", password=TEST_PASSWORD, guard=guard)
    with db.session_scope() as session:
        events = session.execute(text("SELECT event, detail FROM audit_event ORDER BY seq")).all()
    db.close()
    assert ("unlock_failed", '{"attempts":6}') in events and events[-1][0] == "unlock"
    assert not guard.path.exists()


def test_a_key_file_with_impossible_argon2_parameters_is_one_chinese_line(created, user_data_dir):
    path = keys_path_for(user_data_dir / "fjld.db")
    document = json.loads(path.read_text(encoding="utf-8"))
    slot = next(s for s in document["slots"] if s["id"] == "password")
    slot["kdf"]["m_kib"] = 8
    path.write_text(json.dumps(document), encoding="utf-8")
    with pytest.raises(DomainError) as err:
        unlock(user_data_dir / "fjld.db", password=TEST_PASSWORD)
    assert err.value.code == "bad_key_file" and "参数无效" in err.value.message


def test_key_files_are_private_and_witness_updates_keep_the_previous_generation(created, user_data_dir):
    path = keys_path_for(user_data_dir / "fjld.db")
    assert path.stat().st_mode & 0o777 == 0o600
    key_file = KeyFile.load(path)
    key_file.record_witness({"sync": {"abcd": 5}, "audit": {"count": 3, "hash": "h" * 64}})
    key_file.record_witness({"sync": {"abcd": 2}, "audit": {"count": 2, "hash": "g" * 64}})
    assert KeyFile.load(path).read_witness() == {"sync": {"abcd": 5}, "audit": {"count": 3, "hash": "h" * 64}}


def test_the_author_is_the_display_name_not_the_windows_login(user_data_dir):
    import getpass

    from models.storage import open_database

    created = initialize(user_data_dir / "名.db", TEST_PASSWORD, office_name="宿州市人民检察院", office_code="宿检")
    try:
        assert created.db.user == "宿州市人民检察院" != getpass.getuser()
    finally:
        created.db.close()
    reopened = open_database(created.db.path, created.db.dek)
    reopened.close()
    assert reopened.user == "宿州市人民检察院"
