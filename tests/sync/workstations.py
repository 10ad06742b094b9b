"""Simulated workstations for sync tests: each has its own encrypted database file and keys."""
from __future__ import annotations

import secrets
import uuid
from pathlib import Path
from typing import Any

from models.base import Base
from models.blobstore import blob_store, referenced_hashes
from models.conflicts import list_conflicts
from models.fieldcodec import to_plain
from models.keyslots import KeyFile, _key_check, keys_path_for
from models.migrate import head_revision
from models.registry import REPLICATED, replicated_columns
from models.storage import Database, make_engine, open_database
from models.sync import peers as _peer_tables  # noqa: F401  (registers the sync tables on Base)
from models.sync.exchange import ImportResult, export_package, import_package
from models.sync.export import ExportResult
from models.sync.identity import export_peer_file
from models.sync.peers import Peer, add_peer, ensure_identity
from models.sync.profiles import PROFILES, row_is_shared


def open_db(path: Path, dek: bytes) -> Database:
    """Until the lead's alembic revision creates every table, create them here (checkfirst)."""
    if not head_revision():
        engine = make_engine(path, dek)
        Base.metadata.create_all(engine)
        engine.dispose()
    db = open_database(path, dek, user="测试员")
    Base.metadata.create_all(db.engine)  # the sync tables, if the migration does not know them
    return db


class Workstation:
    def __init__(self, folder: Path, name: str, role: str = "procuratorate") -> None:
        folder.mkdir(parents=True, exist_ok=True)
        self.name, self.folder = name, folder
        self.path = folder / "fjld.db"
        self.dek = secrets.token_bytes(32)
        # A key file without slots: the witnesses (audit head, issued op seqs) live outside the database.
        KeyFile(keys_path_for(self.path), str(uuid.uuid4()), _key_check(self.dek), []).save()
        self.db = open_db(self.path, self.dek)
        with self.db.session_scope() as session:
            self.identity = ensure_identity(session, f"{name}单位", name, role)
        self.peer_file = export_peer_file(self.identity, "0.1.0")
        self.packages = 0

    @property
    def site_id(self) -> str:
        return self.identity.site_id

    def pair(self, other: Workstation, profile: str = "full", role: str | None = None) -> None:
        with self.db.session_scope() as session:
            add_peer(session, other.peer_file, profile, role=role)

    def export_to(self, other: Workstation, full: bool = False) -> ExportResult:
        self.packages += 1
        target = self.folder / f"to-{other.name}-{self.packages}.fjpkg"
        with self.db.session_scope() as session:
            return export_package(session, session.get(Peer, other.site_id), target, full=full)

    def import_file(self, path: Path, preview: bool = False) -> ImportResult:
        with self.db.session_scope() as session:
            return import_package(session, path, preview=preview)

    def dump(self, profile: str = "full") -> dict[str, Any]:
        """Canonical content: every replicated row's fields, conflicts and blob hashes."""
        chosen = PROFILES[profile]
        content: dict[str, Any] = {}
        with self.db.session_scope() as session:
            for cls in REPLICATED:
                allowed = chosen.fields_of(cls.entity_name)
                if allowed is False:
                    continue
                names = [n for n in replicated_columns(cls) if allowed is None or n in allowed]
                rows = {}
                for row in session.query(cls):
                    if row_is_shared(chosen, row, cls.entity_name):
                        rows[str(row.id)] = {n: to_plain(getattr(row, n)) for n in names}
                content[cls.entity_name] = rows
            content["conflicts"] = sorted(
                (c.entity, c.row_id, c.field, c.kind, sorted(h["op_id"] for h in c.heads))
                for c in list_conflicts(session)
                if chosen.is_full)
            content["blobs"] = sorted(blob_store(session).sizes(referenced_hashes(session)))
        return content

    def reopen(self) -> None:
        """The program started again on this folder (e.g. after a file was copied back by hand)."""
        self.db.close()
        self.db = open_database(self.path, self.dek, user="测试员")

    def close(self) -> None:
        self.db.close()


def paired_sites(folder: Path, names: tuple[str, ...]) -> list[Workstation]:
    """Workstations named `names` in `folder`, each paired with every other (a fixture closes them)."""
    sites = [Workstation(folder / name, name) for name in names]
    for first in sites:
        for second in sites:
            if first is not second:
                first.pair(second)
    return sites


def add_unit(db: Database, name: str) -> str:
    """A new unit written as a local edit; returns its id."""
    from models.unit import Unit

    with db.session_scope() as session:
        unit = Unit(name=name)
        session.add(unit)
        session.flush()
        return str(unit.id)


def unit_names(site: Workstation) -> set[str]:
    from sqlalchemy import select

    from models.unit import Unit

    with site.db.read_scope() as session:
        return set(session.scalars(select(Unit.name)))
