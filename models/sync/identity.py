"""A workstation's sync identity (site keypairs) and the self-signed 配对文件 that introduces it.

Per-site key pairs instead of one office key: attribution, revocation of one machine, and no shared
secret on a USB stick (sync-security.md §B.3.9). Ed25519 signs packages; X25519 receives file keys.
"""
from __future__ import annotations

import base64
import hashlib
import json
import re
import secrets
from dataclasses import dataclass

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey

from models.sync.errors import PackageError
from models.sync.strict_json import StrictJsonError, canonical_json, parse_strict_json

SITE_ID_PATTERN = re.compile(r"^[0-9a-f]{32}$")  # 16 random bytes, never reused
INCARNATION_PATTERN = re.compile(r"^[0-9a-f]{16}$")  # 8 random bytes, new after every in-app restore
PEER_FILE_KIND = "fjld-peer-v1"
PEER_FILE_MAX_BYTES = 16 * 1024
PEER_SIGNATURE_CONTEXT = b"FJLD-PEER-v1"
ROLES = ("procuratorate", "liaison", "government", "other")  # 检察院 / 联络办 / 行政机关 / 其他
MAX_LABEL_CHARS = 100


def new_site_id() -> str:
    return secrets.token_hex(16)


def new_incarnation() -> str:
    return secrets.token_hex(8)


def key_fingerprint(public_key: bytes) -> str:
    """Hex SHA-256 of one public key, used in package headers to name the key a package expects."""
    return hashlib.sha256(public_key).hexdigest()


def pairing_fingerprint(sign_pub: bytes, kem_pub: bytes, site_id: str) -> str:
    """Digits to read aloud or print on the 配对确认单: the first 100 bits of
    SHA-256(sign_pub ‖ kem_pub ‖ site_id) as 6 groups of 5 digits. 10^30 < 2^100, so the integer is
    reduced mod 10^30: about 99.6 bits survive, far beyond what an attacker could grind."""
    digest = hashlib.sha256(sign_pub + kem_pub + bytes.fromhex(site_id)).digest()
    first_100_bits = int.from_bytes(digest[:13], "big") >> 4
    digits = f"{first_100_bits % 10**30:030d}"
    return " ".join(digits[i:i + 5] for i in range(0, 30, 5))


@dataclass(frozen=True)
class PeerCard:
    """What a workstation publishes about itself; peers store it after confirming the fingerprint."""

    site_id: str
    unit: str  # 单位
    workstation: str  # 工作站名
    role: str
    sign_pub: bytes
    kem_pub: bytes
    app_version: str

    @property
    def fingerprint(self) -> str:
        return pairing_fingerprint(self.sign_pub, self.kem_pub, self.site_id)

    @property
    def sign_fpr(self) -> str:
        return key_fingerprint(self.sign_pub)

    @property
    def kem_fpr(self) -> str:
        return key_fingerprint(self.kem_pub)

    def verify(self, signature: bytes, message: bytes) -> bool:
        try:
            Ed25519PublicKey.from_public_bytes(self.sign_pub).verify(signature, message)
        except InvalidSignature:
            return False
        return True

    def to_fields(self) -> dict[str, str]:
        return {"site_id": self.site_id, "unit": self.unit, "workstation": self.workstation,
                "role": self.role, "sign_pub": _b64(self.sign_pub), "kem_pub": _b64(self.kem_pub),
                "app_version": self.app_version}

    @classmethod
    def from_fields(cls, fields: object) -> PeerCard:
        """Strict: exactly the known keys, right shapes; raises PackageError("bad_peer_file")."""
        expected = {"site_id", "unit", "workstation", "role", "sign_pub", "kem_pub", "app_version"}
        if not isinstance(fields, dict) or set(fields) != expected:
            raise PackageError("bad_peer_file")
        if not all(isinstance(value, str) for value in fields.values()):
            raise PackageError("bad_peer_file")
        if not SITE_ID_PATTERN.match(fields["site_id"]) or fields["role"] not in ROLES:
            raise PackageError("bad_peer_file")
        if any(not 0 < len(fields[key]) <= MAX_LABEL_CHARS for key in ("unit", "workstation", "app_version")):
            raise PackageError("bad_peer_file")
        sign_pub, kem_pub = _unb64(fields["sign_pub"]), _unb64(fields["kem_pub"])
        if len(sign_pub) != 32 or len(kem_pub) != 32:
            raise PackageError("bad_peer_file")
        return cls(fields["site_id"], fields["unit"], fields["workstation"], fields["role"], sign_pub,
                   kem_pub, fields["app_version"])


@dataclass(frozen=True)
class SiteIdentity:
    """This workstation's private keys. Stored only inside the encrypted database."""

    site_id: str
    unit: str
    workstation: str
    role: str
    sign_key: Ed25519PrivateKey
    kem_key: X25519PrivateKey

    @classmethod
    def generate(cls, unit: str, workstation: str, role: str, site_id: str | None = None) -> SiteIdentity:
        if role not in ROLES:
            raise ValueError(f"unknown role {role!r}")
        return cls(site_id or new_site_id(), unit, workstation, role, Ed25519PrivateKey.generate(),
                   X25519PrivateKey.generate())

    def card(self, app_version: str) -> PeerCard:
        return PeerCard(self.site_id, self.unit, self.workstation, self.role,
                        self.sign_key.public_key().public_bytes_raw(),
                        self.kem_key.public_key().public_bytes_raw(), app_version)

    def sign(self, message: bytes) -> bytes:
        return self.sign_key.sign(message)

    def to_secret_json(self) -> str:
        return json.dumps({"site_id": self.site_id, "unit": self.unit, "workstation": self.workstation,
                           "role": self.role, "sign_key": _b64(self.sign_key.private_bytes_raw()),
                           "kem_key": _b64(self.kem_key.private_bytes_raw())}, ensure_ascii=False)

    @classmethod
    def from_secret_json(cls, text: str) -> SiteIdentity:
        fields = json.loads(text)
        return cls(fields["site_id"], fields["unit"], fields["workstation"], fields["role"],
                   Ed25519PrivateKey.from_private_bytes(_unb64(fields["sign_key"])),
                   X25519PrivateKey.from_private_bytes(_unb64(fields["kem_key"])))


def export_peer_file(identity: SiteIdentity, app_version: str) -> bytes:
    """The 配对文件: the card plus a self-signature, so a typo or a swapped key is caught on import."""
    card_fields = identity.card(app_version).to_fields()
    signature = identity.sign(PEER_SIGNATURE_CONTEXT + canonical_json(card_fields))
    document = {"kind": PEER_FILE_KIND, "card": card_fields, "signature": _b64(signature)}
    return json.dumps(document, ensure_ascii=False, indent=2, sort_keys=True).encode("utf-8")


def parse_peer_file(data: bytes) -> PeerCard:
    """Reads a 配对文件 from untrusted media. The self-signature proves the file is intact and that
    its author holds the signing key; it does NOT prove who that is — the clerk compares
    `card.fingerprint` with the other office before trusting it."""
    if len(data) > PEER_FILE_MAX_BYTES:
        raise PackageError("bad_peer_file")
    try:
        document = parse_strict_json(data, max_depth=4)
    except StrictJsonError:
        raise PackageError("bad_peer_file") from None
    if not isinstance(document, dict) or set(document) != {"kind", "card", "signature"}:
        raise PackageError("bad_peer_file")
    if document["kind"] != PEER_FILE_KIND or not isinstance(document["signature"], str):
        raise PackageError("bad_peer_file")
    card = PeerCard.from_fields(document["card"])
    if not card.verify(_unb64(document["signature"]), PEER_SIGNATURE_CONTEXT + canonical_json(card.to_fields())):
        raise PackageError("bad_peer_file")
    return card


def _b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode("ascii")


def _unb64(text: str) -> bytes:
    try:
        return base64.b64decode(text.encode("ascii"), validate=True)
    except (ValueError, UnicodeEncodeError):
        raise PackageError("bad_peer_file") from None
