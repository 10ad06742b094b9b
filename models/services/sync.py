"""The service for sync (the 同步 screen and the `peer` / `sync` commands use only this and, for
冲突处理, models/services/conflict_choices.py): this workstation's identity, peers (added with the profile
and role THIS side decides, revoked with an audit event), package export and import, held-back ops, fork
alerts and introductions of third sites.

Import reads a package once and commits nothing before it is authenticated in full: a refused package
leaves the data as it was (dump equal), no backup, and one audit event (`sync_import_refused`)."""
from __future__ import annotations

import json
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from models.audit import append_audit
from models.errors import DomainError
from models.fsutil import disk_error
from models.merge import apply_ops
from models.oplog import OpRecord
from models.permissions import require
from models.registry import ENTITY_BY_NAME
from models.storage import Database
from models.sync.errors import PackageError
from models.sync.exchange import ImportResult, import_package, screen_package
from models.sync.export import APP_VERSION, ExportResult, export_package
from models.sync.identity import ROLES, PeerCard, export_peer_file, parse_peer_file
from models.sync.peers import (
    ForkAlert,
    KnownSite,
    Peer,
    QuarantinedOp,
    SyncIdentity,
    add_peer,
    ensure_identity,
    find_peer,
    my_identity,
)
from models.sync.policy import ROLE_NAMES, writable_fields
from models.sync.profiles import PROFILES, role_may_write
from models.sync.signing import verifies
from models.sync.verdicts import QUARANTINE_REASONS, signer_key

__all__ = ["writable_fields", "ROLES", "ROLE_NAMES", "PROFILES", "APP_VERSION", "ImportResult", "ExportResult"]

PEER_FILE_LIMIT = 1024 * 1024


# --- identity and peers ---

@dataclass(frozen=True)
class IdentityInfo:
    site_id: str
    unit: str
    workstation: str
    role: str
    fingerprint: str


def identity_info(session: Session) -> IdentityInfo | None:
    if session.get(SyncIdentity, 1) is None:
        return None
    me = my_identity(session)
    card = me.card(APP_VERSION)
    return IdentityInfo(me.site_id, me.unit, me.workstation, me.role, card.fingerprint)


def set_identity(session: Session, unit: str, workstation: str, role: str) -> IdentityInfo:
    require(session, "sync")
    if role not in ROLES:
        raise PackageError("bad_role", name=role)
    if not unit.strip() or not workstation.strip():
        raise DomainError("bad_identity", "单位名称和工作站名称都不能为空")
    ensure_identity(session, unit.strip(), workstation.strip(), role)
    info = identity_info(session)
    assert info is not None
    return info


def my_peer_file(session: Session) -> bytes:
    return export_peer_file(my_identity(session), APP_VERSION)


def read_input_file(path: Path, limit: int | None = None, what: str = "配对文件") -> bytes:
    """Bytes of a file the clerk chose, with one Chinese line for every path problem."""
    path = Path(path)
    _check_input(path, what)
    try:
        if limit is not None and path.stat().st_size > limit:
            raise PackageError("bad_peer_file")
        return path.read_bytes()
    except OSError as exc:
        raise PackageError("unreadable", what=what, path=path, reason=exc.strerror or "无法读取") from None


def check_output_path(path: Path) -> Path:
    path = Path(path)
    if path.is_dir():
        raise DomainError("bad_path", f"输出路径是一个文件夹，请给出文件名：{path}")
    if not path.parent.is_dir():
        raise DomainError("bad_path", f"输出文件夹不存在：{path.parent}")
    return path


def read_peer_card(path: Path) -> tuple[bytes, PeerCard]:
    data = read_input_file(path, PEER_FILE_LIMIT)
    return data, parse_peer_file(data)


@dataclass(frozen=True)
class PeerInfo:
    site_id: str
    unit: str
    workstation: str
    role: str  # set on this side: decides what its ops may change here
    role_claimed: str  # what its own file says: shown, never trusted
    profile: str
    revoked: bool
    out_seq: int
    acked_seq: int


def add_peer_file(session: Session, data: bytes, profile: str, role: str | None = None) -> PeerInfo:
    require(session, "sync")
    peer = add_peer(session, data, profile, role)
    append_audit(session, "sync_peer_added", object_ref=f"{peer.unit} {peer.workstation}".strip(),
                 detail={"site": peer.site_id, "profile": profile, "role": peer.role,
                         "role_claimed": peer.role_claimed})
    return _peer_info(peer)


def list_peers(session: Session, include_revoked: bool = False) -> list[PeerInfo]:
    query = select(Peer).order_by(Peer.unit, Peer.workstation)
    if not include_revoked:
        query = query.where(Peer.revoked.is_(False))
    return [_peer_info(peer) for peer in session.scalars(query)]


def revoke_peer(session: Session, name_or_id: str) -> PeerInfo:
    require(session, "sync")
    peer = find_peer(session, name_or_id)
    peer.revoked = True
    append_audit(session, "sync_peer_revoked", object_ref=f"{peer.unit} {peer.workstation}".strip(),
                 detail={"site": peer.site_id})
    return _peer_info(peer)


def _peer_info(peer: Peer) -> PeerInfo:
    return PeerInfo(peer.site_id, peer.unit, peer.workstation, peer.role, peer.role_claimed or "", peer.profile,
                    bool(peer.revoked), peer.out_seq or 0, peer.acked_seq or 0)


# --- packages ---

def export_to_peer(db: Database, peer: str, path: Path, full: bool = False) -> ExportResult:
    """`peer`: its site id (or first 8+ hex digits), unit or workstation name."""
    require(db, "sync")
    path = check_output_path(path)
    try:
        with db.write_scope() as session:
            return export_package(session, find_peer(session, peer), path, full=full)
    except OSError as exc:
        raise disk_error(exc, path) from exc


def withheld_note(db: Database, result: ExportResult) -> str:
    """What the clerk is told of ops the export left out (models/sync/export.py), or "": how many, and
    which records (the first few), so the one to shorten or to ask its origin about can be found."""
    if not result.withheld_ops:
        return ""
    from models.labels import entity_label
    from models.search import display_title

    names = []
    with db.read_scope() as session:
        for entity, row_id in result.withheld_rows[:5]:
            cls = ENTITY_BY_NAME.get(entity)
            row = session.get(cls, uuid.UUID(row_id)) if cls is not None else None
            names.append(f"{entity_label(entity)}“{display_title(row)}”" if row is not None
                         else f"{entity_label(entity)}（本机尚无此记录）")
    more = "等" if len(result.withheld_rows) > 5 else ""
    return (f"另有 {result.withheld_ops} 条变更含对方无法接收的内容（不可见的控制字符，或单项超过 1 MB），"
            f"未放入本包：{'、'.join(names)}{more}")


def import_package_file(db: Database, path: Path, *, preview: bool = False,
                        accept_clock_skew: bool = False, record_unlock: bool = False,
                        progress: Callable[[int, int], None] | None = None,
                        is_cancelled: Callable[[], bool] | None = None) -> ImportResult:
    """`record_unlock`: the caller unlocked without an audit row (CLI); it is recorded with the import,
    after authentication, and a refused package leaves only its refusal event. `progress` and
    `is_cancelled` (a worker's): told after each applied batch; a cancel before the commit changes
    nothing and keeps no backup.

    The package is read once: its header and the signature over the whole file are checked in a read
    snapshot (a tampered, foreign, duplicate or stale package goes no further: no backup), then the
    verified backup is taken and the ops are checked and applied in one transaction. A package refused
    by its ops rolls that back, and its backup is removed again (Database.import_scope)."""
    require(db, "sync")
    path = Path(path)
    _check_input(path)
    with _refusal_recorded(db, path):
        with db.read_scope() as session:  # nothing written yet
            if preview:
                return import_package(session, path, preview=True, accept_clock_skew=accept_clock_skew)
            early = screen_package(session, path, accept_clock_skew=accept_clock_skew)
        if early is not None:  # duplicate or stale: nothing to do
            return early

        def apply(session: Session, told: Callable[[int, int], None],
                  cancelled: Callable[[], bool]) -> ImportResult:
            if record_unlock:
                append_audit(session, "unlock", detail={"method": "cli_sync_import"})
            return import_package(session, path, accept_clock_skew=accept_clock_skew, progress=told,
                                  is_cancelled=cancelled)

        # A verified backup, then one transaction, which a cancel seen up to its end rolls back.
        result = db.cancellable_write(apply, progress or (lambda _done, _total: None),
                                      is_cancelled or (lambda: False), backup_reason="before_sync_import")
        assert isinstance(result, ImportResult)
        return result


@contextmanager
def _refusal_recorded(db: Database, path: Path) -> Iterator[None]:
    """A refused package is recorded as one audit event (after the rollback of anything it began);
    the package file failing to read is a refusal in one line too."""
    try:
        yield
    except OSError as exc:  # the attachment store reports its own write errors as DomainError
        unreadable = PackageError("unreadable", what="同步包文件", path=path, reason=exc.strerror or "无法读取")
        _record_refusal(db, path, unreadable)
        raise unreadable from None
    except PackageError as exc:
        _record_refusal(db, path, exc)
        raise


def _record_refusal(db: Database, path: Path, exc: PackageError) -> None:
    with db.write_scope() as session:
        append_audit(session, "sync_import_refused", object_ref=path.name,
                     detail={"code": exc.code, "message": exc.message}, result="refused")


def _check_input(path: Path, what: str = "同步包文件") -> None:
    if not path.exists():
        raise PackageError("no_file", what=what, path=path)
    if not path.is_file():
        raise PackageError("not_a_file", what=what, path=path)


# --- held-back ops, forks, introductions ---

@dataclass(frozen=True)
class HeldOp:
    op_id: str
    site_id: str
    author: str
    entity: str
    field: str
    reason: str
    reason_text: str
    from_site: str
    at: str


def quarantine_list(session: Session) -> list[HeldOp]:
    held = []
    for row in session.scalars(select(QuarantinedOp).order_by(QuarantinedOp.at, QuarantinedOp.op_id)):
        op = OpRecord.from_json(row.body)
        held.append(HeldOp(row.op_id, op.site_id, op.user, op.entity, op.field, row.reason,
                           QUARANTINE_REASONS.get(row.reason, row.reason), row.from_site, row.at))
    return held


@dataclass(frozen=True)
class ForkInfo:
    op_id: str
    from_site: str
    at: str
    local: dict[str, Any]
    remote: dict[str, Any]
    seen: bool


def fork_alerts(session: Session, unseen_only: bool = False) -> list[ForkInfo]:
    query = select(ForkAlert).order_by(ForkAlert.at, ForkAlert.op_id)
    if unseen_only:
        query = query.where(ForkAlert.seen.is_(False))
    return [ForkInfo(row.op_id, row.from_site, row.at, json.loads(row.local_body), json.loads(row.remote_body),
                     bool(row.seen)) for row in session.scalars(query)]


def acknowledge_fork(session: Session, op_id: str) -> None:
    row = session.get(ForkAlert, op_id)
    if row is None:
        raise DomainError("fork_not_found", f"找不到该分叉提醒：{op_id}")
    row.seen = True
    append_audit(session, "sync_fork_acknowledged", object_ref=op_id, detail={"from_site": row.from_site})


@dataclass(frozen=True)
class Introduction:
    site_id: str
    unit: str
    workstation: str
    role_claimed: str
    fingerprint: str
    introduced_by: str
    status: str


def introductions(session: Session, pending_only: bool = True) -> list[Introduction]:
    query = select(KnownSite).order_by(KnownSite.at, KnownSite.site_id)
    if pending_only:
        query = query.where(KnownSite.status == "pending")
    found = []
    for row in session.scalars(query):
        card = PeerCard.from_fields(json.loads(row.peer_file))
        found.append(Introduction(row.site_id, card.unit, card.workstation, card.role, card.fingerprint,
                                  row.introduced_by, row.status))
    return found


def confirm_introduction(session: Session, site_id: str, fingerprint: str, role: str) -> int:
    """The clerk compared the fingerprint with the introduced office: its key is trusted from now on, with
    the role given here. Its held ops are checked again and applied; returns how many."""
    require(session, "sync")
    row = session.get(KnownSite, site_id)
    if row is None:
        raise DomainError("introduction_not_found", f"找不到该站点的介绍：{site_id[:8]}")
    if role not in ROLES:
        raise PackageError("bad_role", name=role)
    card = PeerCard.from_fields(json.loads(row.peer_file))
    if "".join(fingerprint.split()) != card.fingerprint.replace(" ", ""):
        raise DomainError("fingerprint_mismatch", "指纹不一致，未确认。请确认对方身份")
    row.status, row.role = "confirmed", role
    session.flush()
    released = release_signed_ops(session, site_id)
    append_audit(session, "sync_site_confirmed", object_ref=f"{card.unit} {card.workstation}".strip(),
                 detail={"site": site_id, "role": role, "introduced_by": row.introduced_by, "released": released})
    return released


def release_signed_ops(session: Session, site_id: str) -> int:
    """Ops held because their signer was unknown, now verified with the confirmed key and applied if its
    role allows them (otherwise they stay, as not permitted)."""
    require(session, "sync")
    me = my_identity(session)
    key = signer_key(session, me, site_id)
    if not isinstance(key, tuple):
        return 0
    sign_pub, role = key
    ready: list[OpRecord] = []
    for row in session.scalars(select(QuarantinedOp).where(QuarantinedOp.reason == "unknown_signer")):
        op = OpRecord.from_json(row.body)
        if op.site_id != site_id:
            continue
        if not verifies(sign_pub, op, session):
            row.reason = "bad_signature"
        elif not role_may_write(role, op):
            row.reason = "not_permitted"
        else:
            ready.append(op)
            session.delete(row)
    if ready:
        apply_ops(session, ready)
    return len(ready)


def reject_introduction(session: Session, site_id: str) -> None:
    require(session, "sync")
    row = session.get(KnownSite, site_id)
    if row is None:
        raise DomainError("introduction_not_found", f"找不到该站点的介绍：{site_id[:8]}")
    row.status = "rejected"
    append_audit(session, "sync_site_rejected", object_ref=site_id, detail={"introduced_by": row.introduced_by})


def sync_alert_count(session: Session) -> int:
    """What the 同步 screen flags: unseen forks and pending introductions."""
    return len(fork_alerts(session, unseen_only=True)) + len(introductions(session))

