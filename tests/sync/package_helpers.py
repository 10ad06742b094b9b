"""Small builders shared by the container tests."""
from __future__ import annotations

import base64
import hashlib
import json
import time
import uuid
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

from models.fieldcodec import canonical_json
from models.oplog import OpRecord
from models.sync.container import PackageWriter, WrittenPackage, iter_records, open_package
from models.sync.header import Routing
from models.sync.identity import PeerCard, SiteIdentity, new_incarnation
from models.sync.opcodec import signed_fields
from models.sync.peers import sender_card
from models.sync.profiles import PROFILES, project_op
from models.sync.records import Attested, End, Manifest, PackedOp, Record
from models.sync.signing import op_message
from tests.sync.workstations import Workstation


def make_site(unit: str = "某县人民检察院", role: str = "procuratorate") -> SiteIdentity:
    return SiteIdentity.generate(unit, "工作站1", role)


def routing_for(sender: SiteIdentity, recipient: PeerCard, seq: int = 1, **changes: Any) -> Routing:
    fields: dict[str, Any] = dict(pkg_id=str(uuid.uuid4()), from_site=sender.site_id,
                                  from_incarnation=new_incarnation(), to_site=recipient.site_id, seq=seq,
                                  prev_pkg_sha256="", created_utc=int(time.time() * 1000), hlc_max=12345,
                                  op_fmt=1, min_reader_op_fmt=1, schema_fpr="ab" * 32, app_version="1.0.0")
    fields.update(changes)
    return Routing(**fields)


def write_package(path: Path, sender: SiteIdentity, recipient: SiteIdentity, ops: list[dict[str, Any]],
                  blobs: list[bytes], **routing_changes: Any) -> WrittenPackage:
    card = recipient.card("1.0.0")
    blob_list = [[hashlib.sha256(blob).hexdigest(), len(blob)] for blob in blobs]
    manifest = {"op_count": len(ops), "blobs": blob_list, "note": "测试"}
    with PackageWriter(path, sender, card, routing_for(sender, card, **routing_changes), manifest) as writer:
        for op in ops:
            writer.write_op(op)
        for blob, (sha256, size) in zip(blobs, blob_list):
            writer.write_blob(sha256, size, [blob[i:i + 100_000] for i in range(0, len(blob), 100_000)])
        return writer.close()


def sender_lookup(*senders: SiteIdentity) -> Callable[[str], PeerCard | None]:
    cards = {sender.site_id: sender.card("1.0.0") for sender in senders}
    return cards.get


def read_all(path: Path, me: SiteIdentity, *senders: SiteIdentity) -> list[Record]:
    package = open_package(path, me, sender_lookup(*senders))
    records = list(iter_records(package, me))
    assert isinstance(records[-1], End)
    return records


# -- op format 1, as an older program wrote it (this program only reads and relays it) --

def sign_op_v1(identity: SiteIdentity, op: OpRecord) -> str:
    """Per-op Ed25519 signatures of the op and of every profile projection that differs from it, as
    stored JSON {profile name: base64} (models/sync/signing.py verifies them)."""
    def sign(record: OpRecord) -> str:
        return base64.b64encode(identity.sign(op_message(record))).decode("ascii")

    sigs = {"full": sign(op)}
    for name, profile in PROFILES.items():
        projected = project_op(profile, op)
        if projected is not None and projected.value != op.value:
            sigs[name] = sign(projected)
    return canonical_json(sigs)


def op_fields_v1(op: OpRecord) -> dict[str, Any]:
    """An op as a format-1 OP record body: its signed fields plus the per-op signatures."""
    return {**signed_fields(op), "sig": json.loads(op.sig) if op.sig else {}}


# -- a real site's package, read and written again with its keys --

def read_package(path: Path, sender: Workstation, recipient: Workstation):
    """(header, manifest fields, attestation bodies, op bodies) of a package, decrypted as `recipient`."""
    with recipient.db.read_scope() as session:
        package = open_package(path, recipient.identity, lambda site: sender_card(session, site))
    manifest, attestations, ops = {}, [], []
    for record in iter_records(package, recipient.identity):
        if isinstance(record, Manifest):
            manifest = record.fields
        elif isinstance(record, Attested):
            attestations.append(record.body)
        elif isinstance(record, PackedOp):
            ops.append(record.body)
    return package.header, manifest, attestations, ops


def repack(path: Path, sender: Workstation, recipient: Workstation, attestations: list[bytes],
            ops: list[bytes], op_fmt: int | None = None) -> Path:
    """The same package, written again by `sender` (its real keys) with other attestations and ops."""
    header, manifest, _, _ = read_package(path, sender, recipient)
    routing = header.routing
    if op_fmt is not None:
        routing = replace(routing, op_fmt=op_fmt, min_reader_op_fmt=op_fmt)
    manifest = {**manifest, "op_count": len(ops)}
    target = path.with_name("repacked-" + path.name)
    with PackageWriter(target, sender.identity, recipient.identity.card(""), routing, manifest) as writer:
        for body in attestations:
            writer.write_attestation(body)
        for body in ops:
            if op_fmt == 1:
                writer.write_op(json.loads(body))
            else:
                writer.write_op_body(body)
        writer.close()
    return target
