"""Key slots (sync-security.md §B.3.3): one random 256-bit data key (DEK) is the SQLCipher raw key;
it is wrapped (AES-256-GCM) by a key derived from each way of unlocking:

- password: Argon2id, default 256 MiB / t=3 / p=4 (≈0.8 s on an office PC); the parameters are in
  the slot and in its AAD, so editing them in the file (a downgrade) makes unwrapping fail;
- recovery key: 40 random digits (≈133 bits) shown once at set-up, HKDF-SHA256 (no slow KDF needed);
- keyring ("remember on this computer"): a random device secret in the OS credential store.

Changing the password re-wraps one slot in milliseconds; the database is not re-encrypted.
The file sits next to the database (`<db>.keys.json`), is written atomically, keeps the previous
generation as `.bak`, and travels with every backup (a backup without it cannot be opened)."""
from __future__ import annotations

import base64
import getpass
import hashlib
import hmac
import json
import os
import secrets
import uuid
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from argon2.exceptions import HashingError
from argon2.low_level import Type, hash_secret_raw
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from models.errors import DomainError
from models.fieldcodec import canonical_json
from models.fsutil import atomic_write_bytes
from models.platform import credential_store

FORMAT_VERSION = 1
AAD_PREFIX = b"FJLD-keyslot-v1"
KEYRING_SERVICE_PREFIX = "FJLD/"


@dataclass(frozen=True)
class Argon2Params:
    m_kib: int = 262144
    t: int = 3
    p: int = 4


def default_argon2() -> Argon2Params:
    """FJLD_ARGON2_MEMORY_KIB / FJLD_ARGON2_TIME lower the cost for tests and old PCs (documented)."""
    return Argon2Params(m_kib=int(os.environ.get("FJLD_ARGON2_MEMORY_KIB", 262144)),
                        t=int(os.environ.get("FJLD_ARGON2_TIME", 3)), p=4)


def keys_path_for(db_path: Path) -> Path:
    return db_path.with_name(db_path.name + ".keys.json")


PASSWORD_MIN_LENGTH = 8
PASSWORD_MAX_LENGTH = 256   # Argon2 takes any length; this keeps a pasted file from becoming a password
PASSWORD_RULE = "密码至少8位，且不能全是同一类字符（大写字母、小写字母、数字、符号、汉字等）"
_CHARACTER_CLASSES = (str.isupper, str.islower, str.isdigit,
                      lambda c: c.isalpha() and not c.isupper() and not c.islower(),   # 汉字 and other scripts
                      lambda c: not c.isalnum())                                       # symbols, spaces


def check_password_strength(password: str) -> None:
    """The password policy (issue 16 §2): at least 8 characters, not all of one class."""
    try:
        password.encode("utf-8")
    except UnicodeEncodeError:
        raise DomainError("weak_password", "密码中有无法识别的字符，请重新输入") from None
    if len(password) > PASSWORD_MAX_LENGTH:
        raise DomainError("weak_password", f"密码太长（最多{PASSWORD_MAX_LENGTH}个字符）")
    classes = sum(any(test(c) for c in password) for test in _CHARACTER_CLASSES)
    if len(password) < PASSWORD_MIN_LENGTH or classes < 2:
        raise DomainError("weak_password", PASSWORD_RULE)


def _secret(password: str) -> bytes:
    """The password's bytes; a string UTF-8 cannot encode (a lone surrogate) can never match a slot."""
    try:
        return password.encode("utf-8")
    except UnicodeEncodeError:
        raise DomainError("wrong_password", "密码错误") from None


# --- recovery key: 8 groups of 5 digits + a 2-digit check group (mod 97 catches any single typo) ---

def new_recovery_key() -> str:
    digits = "".join(secrets.choice("0123456789") for _ in range(40))
    return format_recovery_key(digits)


def format_recovery_key(digits: str) -> str:
    groups = [digits[i:i + 5] for i in range(0, 40, 5)]
    return "-".join(groups + [f"{int(digits) % 97:02d}"])


def normalize_recovery_key(text: str) -> str:
    digits = "".join(c for c in text if c.isdigit())
    if len(digits) != 42 or int(digits[:40]) % 97 != int(digits[40:]):
        raise DomainError("bad_recovery_key", "恢复密钥格式不对或有输错的数字，请核对后重新输入")
    return digits[:40]


# --- slot crypto ---

def _kek(kdf: dict[str, Any], secret: bytes) -> bytes:
    try:
        salt = base64.b64decode(kdf["salt"], validate=True)
        if kdf["alg"] == "argon2id":
            if not all(type(kdf[name]) is int for name in ("t", "m_kib", "p")):
                raise ValueError("argon2 parameters must be integers")
            return hash_secret_raw(secret, salt, time_cost=kdf["t"], memory_cost=kdf["m_kib"],
                                   parallelism=kdf["p"], hash_len=32, type=Type.ID)
        if kdf["alg"] == "hkdf-sha256":
            return HKDF(algorithm=hashes.SHA256(), length=32, salt=salt, info=b"FJLD-slot").derive(secret)
    except (HashingError, ValueError, TypeError, KeyError, OverflowError):
        # e.g. m_kib 8 (below Argon2's minimum of 8 KiB per lane): an edited or damaged slot
        raise DomainError("bad_key_file", "密钥文件中的参数无效（文件可能被改动或已损坏），可用备份中的密钥文件恢复") from None
    raise DomainError("bad_key_file", "密钥文件中的算法无法识别")


def _aad(db_uuid: str, slot_id: str, kdf: dict[str, Any]) -> bytes:
    return AAD_PREFIX + db_uuid.encode() + slot_id.encode() + canonical_json(kdf).encode()


def _wrap(db_uuid: str, slot_id: str, slot_type: str, kdf: dict[str, Any], secret: bytes,
          dek: bytes) -> dict[str, Any]:
    nonce = secrets.token_bytes(12)
    ct = AESGCM(_kek(kdf, secret)).encrypt(nonce, dek, _aad(db_uuid, slot_id, kdf))
    return {"id": slot_id, "type": slot_type, "kdf": kdf, "aead": "aes-256-gcm",
            "nonce": base64.b64encode(nonce).decode(), "ct": base64.b64encode(ct).decode()}


def _unwrap(db_uuid: str, slot: dict[str, Any], secret: bytes) -> bytes:
    return AESGCM(_kek(slot["kdf"], secret)).decrypt(
        base64.b64decode(slot["nonce"]), base64.b64decode(slot["ct"]), _aad(db_uuid, slot["id"], slot["kdf"]))


def _salt() -> str:
    return base64.b64encode(secrets.token_bytes(16)).decode()


def _key_check(dek: bytes) -> str:
    return hmac.new(dek, b"keycheck", hashlib.sha256).hexdigest()[:32]


@dataclass
class KeyFile:
    path: Path
    db_uuid: str
    key_check: str
    slots: list[dict[str, Any]]
    # Counters kept outside the database file (models/integrity.py): {"audit": {count, hash},
    # "sync": {incarnation: highest op seq that left this machine}}.
    witness: dict[str, Any] = field(default_factory=dict)

    # -- persistence --
    @classmethod
    def load(cls, path: Path) -> KeyFile:
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            witness = data.get("witness", {})
            if not isinstance(witness, dict) or not isinstance(data["slots"], list):
                raise ValueError("bad key file")
            return cls(path, data["db_uuid"], data["key_check"], list(data["slots"]), witness)
        except FileNotFoundError:
            raise DomainError("no_key_file", f"找不到密钥文件：{path}。数据库必须与其密钥文件放在同一文件夹") from None
        except (ValueError, KeyError, TypeError):
            raise DomainError("bad_key_file", f"密钥文件已损坏：{path}，可用备份中的密钥文件恢复") from None
        except IsADirectoryError:
            raise DomainError("bad_key_file", f"密钥文件路径是一个文件夹：{path}") from None
        except OSError as exc:
            raise DomainError("bad_key_file", f"无法读取密钥文件：{path}（{exc.strerror}）") from None

    def save(self, keep_previous: bool = True) -> None:
        """`keep_previous`: the current file becomes `.bak` (key changes); a witness update does not
        rotate it, so `.bak` stays the previous generation of keys."""
        if keep_previous and self.path.exists():
            atomic_write_bytes(self.path.with_name(self.path.name + ".bak"), self.path.read_bytes())
        body = {"v": FORMAT_VERSION, "db_uuid": self.db_uuid, "key_check": self.key_check, "slots": self.slots,
                "witness": self.witness}
        atomic_write_bytes(self.path, json.dumps(body, ensure_ascii=False, indent=1).encode("utf-8"))

    # -- slots --
    def _replace_slot(self, slot: dict[str, Any]) -> None:
        self.slots = [s for s in self.slots if s["id"] != slot["id"]] + [slot]

    def _slot(self, slot_id: str) -> dict[str, Any] | None:
        return next((s for s in self.slots if s["id"] == slot_id), None)

    def _checked(self, dek: bytes) -> bytes:
        if not hmac.compare_digest(_key_check(dek), self.key_check):
            raise DomainError("bad_key_file", "密钥文件与数据库不匹配")
        return dek

    def set_password(self, dek: bytes, password: str, params: Argon2Params | None = None, *,
                     slot_id: str = "password", account: str | None = None) -> None:
        """Wraps the DEK for one account's password (slot "password" is the first account's). `account`
        labels the slot with the account name so unlock can find it before the database is open; the
        label is not trusted: who the slot belongs to is decided by the account table in the database."""
        label = account if account is not None else (self._slot(slot_id) or {}).get("account")
        kdf = {"alg": "argon2id", **asdict(params or default_argon2()), "salt": _salt()}
        slot = _wrap(self.db_uuid, slot_id, "password", kdf, _secret(password), dek)
        if label is not None:
            slot["account"] = label
        self._replace_slot(slot)

    def password_slots(self) -> list[tuple[str, str]]:
        """(slot id, account label) of every password slot; the label is "" for a slot from before accounts."""
        return [(s["id"], str(s.get("account", ""))) for s in self.slots if s.get("type") == "password"]

    def disable_slot(self, slot_id: str, account: str) -> None:
        """A disabled account's wrapped key is dropped: its password opens nothing any more. What stays
        is a marker, so unlock can say 已停用 instead of 没有这个账户."""
        self._replace_slot({"id": slot_id, "type": "disabled", "account": account})

    def disabled_accounts(self) -> set[str]:
        return {str(s.get("account", "")) for s in self.slots if s.get("type") == "disabled"}

    def label_slot(self, slot_id: str, account: str) -> None:
        slot = self._slot(slot_id)
        if slot is not None:
            slot["account"] = account

    def set_recovery(self, dek: bytes, recovery_key: str) -> None:
        kdf = {"alg": "hkdf-sha256", "salt": _salt()}
        digits = normalize_recovery_key(recovery_key)
        self._replace_slot(_wrap(self.db_uuid, "recovery", "recovery", kdf, digits.encode(), dek))

    def unlock_with_password(self, password: str, slot_id: str = "password") -> bytes:
        slot = self._slot(slot_id)
        if slot is None or slot.get("type") != "password":
            raise DomainError("no_password_slot", "密钥文件中没有密码，请使用恢复密钥解锁")
        try:
            return self._checked(_unwrap(self.db_uuid, slot, _secret(password)))
        except InvalidTag:
            raise DomainError("wrong_password", "密码错误") from None
        except (KeyError, ValueError, TypeError):   # an edited slot (nonce or ciphertext missing or garbled)
            raise DomainError("bad_key_file", "密钥文件已损坏，可用备份中的密钥文件恢复") from None

    def unlock_with_recovery(self, recovery_key: str) -> bytes:
        slot = self._slot("recovery")
        digits = normalize_recovery_key(recovery_key)
        try:
            if slot is None:
                raise InvalidTag
            return self._checked(_unwrap(self.db_uuid, slot, digits.encode()))
        except InvalidTag:
            raise DomainError("wrong_recovery_key", "恢复密钥错误") from None

    # -- "remember on this computer" --
    def _keyring_ids(self) -> tuple[str, str]:
        return KEYRING_SERVICE_PREFIX + self.db_uuid, getpass.getuser()

    def remember(self, dek: bytes, account_slot: str = "password") -> None:
        """Remembers one account on this computer: its slot id is bound into the device slot's AAD, so
        editing the file cannot make the remembered key open another account."""
        from keyring.errors import KeyringError

        secret = secrets.token_bytes(32)
        try:
            credential_store().set_password(*self._keyring_ids(), base64.b64encode(secret).decode())
        except KeyringError:
            raise DomainError("no_keyring", "本机没有可用的凭据管理器，无法记住密码；请每次输入密码") from None
        kdf = {"alg": "hkdf-sha256", "salt": _salt(), "account": account_slot}
        self._replace_slot(_wrap(self.db_uuid, "device", "keyring", kdf, secret, dek))

    def remembered_slot(self) -> str:
        """The password slot of the account this computer remembers (a device slot from before accounts:
        the first account's)."""
        slot = self._slot("device") or {}
        return str(slot.get("kdf", {}).get("account", "password"))

    def forget(self) -> None:
        from keyring.errors import KeyringError

        self.slots = [s for s in self.slots if s["type"] != "keyring"]
        try:
            credential_store().delete_password(*self._keyring_ids())
        except KeyringError:
            pass  # nothing stored, or no backend: the slot is gone either way

    def unlock_with_keyring(self) -> bytes | None:
        """The DEK if this computer remembers it; None (fall back to the password) on any problem."""
        from keyring.errors import KeyringError

        slot = self._slot("device")
        if slot is None:
            return None
        try:
            stored = credential_store().get_password(*self._keyring_ids())
            if not stored or len(stored) > 200:
                return None
            return self._checked(_unwrap(self.db_uuid, slot, base64.b64decode(stored, validate=True)))
        except (KeyringError, InvalidTag, ValueError, DomainError):
            return None

    @property
    def remembers(self) -> bool:
        return self._slot("device") is not None

    # -- witnesses kept outside the database: in this file and, where there is one, the keyring --
    def _witness_ids(self) -> tuple[str, str]:
        return KEYRING_SERVICE_PREFIX + self.db_uuid + "/witness", getpass.getuser()

    def read_witness(self) -> dict[str, Any]:
        """This file's witness merged with the keyring's (a key file copied back from a backup carries
        old counters; the keyring does not travel with it)."""
        from keyring.errors import KeyringError

        merged = merge_witness({}, self.witness)
        try:
            stored = credential_store().get_password(*self._witness_ids())
            if stored and len(stored) < 64 * 1024:
                merged = merge_witness(merged, json.loads(stored))
        except (KeyringError, ValueError, TypeError, AttributeError):
            pass
        return merged

    def record_witness(self, update: dict[str, Any]) -> None:
        from keyring.errors import KeyringError

        self.witness = merge_witness(self.witness, update)
        self.save(keep_previous=False)
        try:
            store = credential_store()
            stored = store.get_password(*self._witness_ids())
            previous = json.loads(stored) if stored and len(stored) < 64 * 1024 else {}
            store.set_password(*self._witness_ids(), json.dumps(merge_witness(previous, update)))
        except (KeyringError, ValueError, TypeError, AttributeError):
            pass  # no usable keyring: the key file alone witnesses

    def reset_keyring_witness(self) -> None:
        """Drop the keyring's audit head (after a restore the chain legitimately restarts shorter)."""
        from keyring.errors import KeyringError

        try:
            store = credential_store()
            stored = store.get_password(*self._witness_ids())
            previous = json.loads(stored) if stored and len(stored) < 64 * 1024 else {}
            store.set_password(*self._witness_ids(), json.dumps({"sync": merge_witness({}, previous)["sync"]}))
        except (KeyringError, ValueError, TypeError, AttributeError):
            pass


def merge_witness(old: Any, new: Any) -> dict[str, Any]:
    """The newer of two witnesses: the longer audit head, the higher op seq per incarnation."""
    result: dict[str, Any] = {"audit": {}, "sync": {}}
    for source in (old, new):
        if not isinstance(source, dict):
            continue
        audit = source.get("audit")
        if isinstance(audit, dict) and type(audit.get("count")) is int and isinstance(audit.get("hash"), str):
            if audit["count"] >= int(result["audit"].get("count", -1)):
                result["audit"] = {"count": audit["count"], "hash": audit["hash"]}
        sync = source.get("sync")
        if isinstance(sync, dict):
            for incarnation, seq in sync.items():
                if isinstance(incarnation, str) and type(seq) is int:
                    result["sync"][incarnation] = max(seq, result["sync"].get(incarnation, 0))
    return result


def create_key_file(path: Path, password: str, params: Argon2Params | None = None, *,
                    account: str | None = None) -> tuple[KeyFile, bytes, str]:
    """New DEK, the first account's password slot and the recovery slot. Returns (key file, DEK,
    recovery key to show once)."""
    check_password_strength(password)
    dek = secrets.token_bytes(32)
    key_file = KeyFile(path, str(uuid.uuid4()), _key_check(dek), [])
    key_file.set_password(dek, password, params, account=account)
    recovery = new_recovery_key()
    key_file.set_recovery(dek, recovery)
    key_file.save()
    return key_file, dek, recovery
