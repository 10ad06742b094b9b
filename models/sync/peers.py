"""Local, non-replicated sync bookkeeping: this site's keys, paired peers, and per-peer sequence,
acknowledgement and exposure state. These tables describe *this* workstation's relationships, so
they never travel in packages."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import BigInteger, Boolean, String, Text, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from models.base import Base
from models.oplog import local_state
from models.sync.errors import PackageError
from models.sync.identity import PeerCard, SiteIdentity, parse_peer_file


class SyncIdentity(Base):
    """This workstation's private keys (one row); the database file is encrypted at rest."""

    __tablename__ = "sync_identity"

    id: Mapped[int] = mapped_column(primary_key=True)
    secret_json: Mapped[str] = mapped_column(Text)


class Peer(Base):
    __tablename__ = "sync_peer"

    site_id: Mapped[str] = mapped_column(String(40), primary_key=True)
    unit: Mapped[str] = mapped_column(String(200))
    workstation: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(20))  # write rights, set on THIS side when the peer is added
    role_claimed: Mapped[str] = mapped_column(String(20), default="", server_default="")  # from its file: shown only
    sign_pub: Mapped[str] = mapped_column(String(64))  # hex
    kem_pub: Mapped[str] = mapped_column(String(64))
    app_version: Mapped[str] = mapped_column(String(40))
    profile: Mapped[str] = mapped_column(String(20))  # what this peer receives (profiles.PROFILES)
    revoked: Mapped[bool] = mapped_column(Boolean, default=False)
    added_at: Mapped[str] = mapped_column(String(40), default="")
    # Outgoing sequence to this peer, per our incarnation (a new incarnation restarts at 1).
    out_incarnation: Mapped[str] = mapped_column(String(20), default="")
    out_seq: Mapped[int] = mapped_column(BigInteger, default=0)
    out_last_sha256: Mapped[str] = mapped_column(String(64), default="")
    acked_seq: Mapped[int] = mapped_column(BigInteger, default=0)  # highest of our packages it confirmed
    acked_arrival: Mapped[int] = mapped_column(BigInteger, default=0)  # ops up to here are delivered
    # Audit-chain heads (JSON {"count", "hash"}): the peer's own, as its last package stated it, and ours
    # as the peer last saw it (the witness `doctor` checks our chain against).
    their_audit_head: Mapped[str] = mapped_column(Text, default="", server_default="")
    my_audit_witness: Mapped[str] = mapped_column(Text, default="", server_default="")

    def card(self) -> PeerCard:
        return PeerCard(self.site_id, self.unit, self.workstation, self.role, bytes.fromhex(self.sign_pub),
                        bytes.fromhex(self.kem_pub), self.app_version)


class SentPackage(Base):
    """What each package we sent covered, so its acknowledgement can advance `acked_arrival`.
    Packages are cumulative (each repeats every unacknowledged op), hence one watermark suffices."""

    __tablename__ = "sync_sent_package"

    peer_site: Mapped[str] = mapped_column(String(40), primary_key=True)
    incarnation: Mapped[str] = mapped_column(String(20), primary_key=True)
    seq: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    pkg_id: Mapped[str] = mapped_column(String(36))
    max_arrival: Mapped[int] = mapped_column(BigInteger)


class ReceivedPackage(Base):
    """Every package applied here (duplicate, stale and rewind detection, §A.3.6 step 5)."""

    __tablename__ = "sync_received_package"

    pkg_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    from_site: Mapped[str] = mapped_column(String(40), index=True)
    from_incarnation: Mapped[str] = mapped_column(String(20))
    seq: Mapped[int] = mapped_column(BigInteger)
    created_utc: Mapped[int] = mapped_column(BigInteger)
    sha256: Mapped[str] = mapped_column(String(64))
    applied_at: Mapped[str] = mapped_column(String(40))
    summary: Mapped[str] = mapped_column(Text, default="{}")


class ExposedRow(Base):
    """Rows shown to a reduced-profile peer because a row predicate (e.g. 送政府方) became true.
    A row newly exposed gets all its ops again until the package introducing it is acknowledged."""

    __tablename__ = "sync_exposed_row"

    peer_site: Mapped[str] = mapped_column(String(40), primary_key=True)
    entity: Mapped[str] = mapped_column(String(40), primary_key=True)
    row_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    since_seq: Mapped[int] = mapped_column(BigInteger)
    withdrawn: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0")  # shared, then withdrawn


class QuarantinedOp(Base):
    """Ops held back, one row each, with the reason (shown in the 同步 screen):
    - "unknown_field": for fields this version does not know (same major format), kept and acknowledged
      so they can materialise after an upgrade instead of being lost (§A.3.6 step 7);
    - "unknown_signer": signed by a site whose key this site has not confirmed yet (applied once the
      clerk confirms an introduction or pairs with it);
    - "bad_signature": the signature does not verify under the key of the site the op claims;
    - "not_permitted": outside what the origin's role (set on this side) may write.
    The rest of the package is applied; only these ops wait."""

    __tablename__ = "sync_op_quarantine"

    op_id: Mapped[str] = mapped_column(String(80), primary_key=True)
    body: Mapped[str] = mapped_column(Text)
    reason: Mapped[str] = mapped_column(String(40), default="unknown_field", server_default="unknown_field")
    from_site: Mapped[str] = mapped_column(String(40), default="", server_default="")  # the package's sender
    at: Mapped[str] = mapped_column(String(40), default="", server_default="")


class ForkAlert(Base):
    """Two different ops under one op id: a site re-used its op ids (a database copied back from an old
    file) or someone forged them. Never treated as 「重复」; shown to the person until acknowledged."""

    __tablename__ = "sync_fork_alert"

    op_id: Mapped[str] = mapped_column(String(80), primary_key=True)
    from_site: Mapped[str] = mapped_column(String(40))
    local_body: Mapped[str] = mapped_column(Text)
    remote_body: Mapped[str] = mapped_column(Text)
    at: Mapped[str] = mapped_column(String(40))
    seen: Mapped[bool] = mapped_column(Boolean, default=False)


class KnownSite(Base):
    """A third site's keys learned through an introduction in a paired peer's package: "pending" until the
    clerk compares the fingerprint and confirms (with the role this side gives it), then its relayed ops
    are verified with this key."""

    __tablename__ = "sync_known_site"

    site_id: Mapped[str] = mapped_column(String(40), primary_key=True)
    peer_file: Mapped[str] = mapped_column(Text)  # the self-signed card as introduced (JSON)
    role: Mapped[str] = mapped_column(String(20), default="")
    status: Mapped[str] = mapped_column(String(20), default="pending")  # pending / confirmed / rejected
    introduced_by: Mapped[str] = mapped_column(String(40), default="")
    at: Mapped[str] = mapped_column(String(40), default="")


def ensure_identity(session: Session, unit: str, workstation: str, role: str) -> SiteIdentity:
    """Creates this site's keys on first use, bound to the op log's site id."""
    row = session.get(SyncIdentity, 1)
    if row is not None:
        return SiteIdentity.from_secret_json(row.secret_json)
    identity = SiteIdentity.generate(unit, workstation, role, site_id=local_state(session).site_id)
    session.add(SyncIdentity(id=1, secret_json=identity.to_secret_json()))
    session.flush()
    return identity


def my_identity(session: Session) -> SiteIdentity:
    row = session.get(SyncIdentity, 1)
    if row is None:
        raise PackageError("no_identity")
    return SiteIdentity.from_secret_json(row.secret_json)


DEFAULT_ROLE_FOR_PROFILE = {"full": "procuratorate", "gov_view": "government"}


def add_peer(session: Session, peer_file: bytes, profile: str, role: str | None = None) -> Peer:
    """Registers a peer after the clerk confirmed its fingerprint (the caller shows it first).
    The receiver decides: `profile` (what it gets) and `role` (what it may write; by default the role
    that goes with the profile). The role its file claims is kept only to be shown, never trusted."""
    from models.sync.identity import ROLES
    from models.sync.profiles import PROFILES

    if profile not in PROFILES:
        raise PackageError("bad_profile", name=profile)
    role = role or DEFAULT_ROLE_FOR_PROFILE.get(profile, "other")
    if role not in ROLES:
        raise PackageError("bad_role", name=role)
    card = parse_peer_file(peer_file)
    if card.site_id == local_state(session).site_id:
        raise PackageError("peer_is_self")
    existing = session.get(Peer, card.site_id)
    if existing is not None:
        if existing.card().sign_pub != card.sign_pub or existing.card().kem_pub != card.kem_pub:
            raise PackageError("peer_key_changed")
        existing.unit, existing.workstation, existing.app_version = card.unit, card.workstation, card.app_version
        existing.profile, existing.role, existing.role_claimed = profile, role, card.role
        return existing
    known = session.get(KnownSite, card.site_id)
    if known is not None:  # paired directly now: the pairing is the confirmation
        session.delete(known)
    peer = Peer(site_id=card.site_id, unit=card.unit, workstation=card.workstation, role=role,
                role_claimed=card.role, their_audit_head="", my_audit_witness="",
                sign_pub=card.sign_pub.hex(), kem_pub=card.kem_pub.hex(), app_version=card.app_version,
                profile=profile, revoked=False, added_at=dt.datetime.now().isoformat(timespec="seconds"))
    session.add(peer)
    session.flush()
    return peer


def find_peer(session: Session, name_or_id: str) -> Peer:
    """By site id (or its first 8+ hex digits), unit or workstation name, for the CLI."""
    for peer in session.scalars(select(Peer).order_by(Peer.site_id)):
        if (len(name_or_id) >= 8 and peer.site_id.startswith(name_or_id)) or name_or_id in (
                peer.unit, peer.workstation, f"{peer.unit}/{peer.workstation}"):
            return peer
    raise PackageError("peer_not_found", name=name_or_id)


def sender_card(session: Session, site_id: str) -> PeerCard | None:
    peer = session.get(Peer, site_id)
    if peer is None:
        return None
    if peer.revoked:
        raise PackageError("revoked_sender")
    return peer.card()


# Origin attestations are local bookkeeping too (stored to relay them unchanged): registered with the rest.
from models.sync import attest as _attest  # noqa: E402,F401
