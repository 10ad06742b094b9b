"""Small builders shared by the container tests."""
from __future__ import annotations

import hashlib
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

from models.sync.container import PackageWriter, WrittenPackage, iter_records, open_package
from models.sync.header import Routing
from models.sync.identity import PeerCard, SiteIdentity, new_incarnation
from models.sync.records import End, Record


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
