"""Canonical JSON of every replicated record, in a stable order: the reference for tests and for
comparing two databases (two workstations that have exchanged everything dump identically), and
the bulk import format of `load`."""
from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from models.audit import append_audit
from models.errors import Cancelled, DomainError
from models.fieldcodec import canonical_json, decode_value, encode_value, from_plain, to_plain
from models.merge import FieldConflict
from models.permissions import require
from models.registry import ENTITY_BY_NAME, REPLICATED, replicated_columns
from models.storage import Database

DUMP_FORMAT = "fjld-dump-1"


def _conflicts(session: Session) -> dict[tuple[str, str], dict[str, Any]]:
    conflicts: dict[tuple[str, str], dict[str, Any]] = {}
    for c in session.scalars(select(FieldConflict)):
        heads = json.loads(c.heads)
        conflicts.setdefault((c.entity, c.row_id), {})[c.field] = sorted(
            ({"op": h["op_id"], "value": h["value"]} for h in heads), key=lambda h: h["op"])
    return conflicts


def dump_db(session: Session) -> dict[str, Any]:
    require(session, "export")
    conflicts = _conflicts(session)
    entities: dict[str, list[dict[str, Any]]] = {}
    for cls in REPLICATED:
        columns = replicated_columns(cls)
        rows = []
        for obj in session.scalars(select(cls).order_by(cls.id)):
            record = {"id": str(obj.id), **{key: to_plain(getattr(obj, key)) for key in columns}}
            found = conflicts.get((cls.entity_name, str(obj.id)))
            if found:
                record["_conflicts"] = found
            rows.append(record)
        entities[cls.entity_name] = rows
    return {"format": DUMP_FORMAT, "entities": entities}


def dump_text(session: Session) -> str:
    return "".join(iter_dump_text(session))


DUMP_CHUNK = 1000


def iter_dump_text(session: Session) -> Iterator[str]:
    """The same text as canonical_json(dump_db(session)), a piece at a time: one entity after another
    (in canonical key order), its rows read DUMP_CHUNK at a time and let go, so memory stays flat."""
    require(session, "export")
    session.flush()  # pending edits of this session belong in the dump (a no-op in a read scope)
    conflicts = _conflicts(session)
    by_name = sorted(REPLICATED, key=lambda cls: cls.entity_name)
    yield '{"entities":{'
    for number, cls in enumerate(by_name):
        columns = replicated_columns(cls)
        table = cls.__table__
        # Plain rows, not ORM objects: nothing is kept in the session's identity map.
        selected = [table.c.id, *columns.values()]
        yield ("," if number else "") + canonical_json(cls.entity_name) + ":["
        last_id = None
        while True:
            query = select(*selected).order_by(table.c.id).limit(DUMP_CHUNK)
            if last_id is not None:
                query = query.where(table.c.id > last_id)
            rows = session.execute(query).all()
            if not rows:
                break
            pieces = []
            for row in rows:
                record = {"id": str(row[0]), **{key: to_plain(value) for key, value in zip(columns, row[1:])}}
                found = conflicts.get((cls.entity_name, str(row[0])))
                if found:
                    record["_conflicts"] = found
                pieces.append(canonical_json(record))
            yield ("," if last_id is not None else "") + ",".join(pieces)
            last_id = rows[-1][0]
        yield "]"
    yield "}," + canonical_json("format") + ":" + canonical_json(DUMP_FORMAT) + "}"


LOAD_BATCH = 500


def load_dump(session: Session, data: dict[str, Any], progress: Callable[[int, int], None] | None = None,
              is_cancelled: Callable[[], bool] | None = None) -> int:
    """Insert or update every record of a dump (same ids), as ordinary local edits. Returns the count.
    Reports progress and honours a cancel every LOAD_BATCH records (Cancelled: the caller's transaction
    rolls back)."""
    if not isinstance(data, dict) or data.get("format") != DUMP_FORMAT or not isinstance(data.get("entities"), dict):
        raise DomainError("bad_dump", f"不是本系统导出的数据文件（需要格式 {DUMP_FORMAT}）")
    total = sum(len(rows) for rows in data["entities"].values() if isinstance(rows, list))
    count = 0
    # No autoflush inside the loop: one flush per batch writes its rows, create ops and index rows with
    # executemany, and the rows that already exist are fetched with one query per batch.
    with session.no_autoflush:
        for name, rows in data["entities"].items():
            cls = ENTITY_BY_NAME.get(name)
            if cls is None or not isinstance(rows, list):
                raise DomainError("bad_dump", f"数据文件中有无法识别的类别：{name}")
            columns = replicated_columns(cls)
            for start in range(0, len(rows), LOAD_BATCH):
                batch = [(index, _decode_row(cls, columns, name, index, row))
                         for index, row in enumerate(rows[start:start + LOAD_BATCH], start=start + 1)]
                existing = {obj.id: obj for obj in session.scalars(
                    select(cls).where(cls.id.in_([row_id for _, (row_id, _values) in batch])))}
                for _index, (row_id, values) in batch:
                    obj = existing.get(row_id)
                    if obj is None:
                        obj = existing[row_id] = cls(id=row_id)
                        session.add(obj)
                    for key, value in values.items():
                        setattr(obj, key, value)
                    count += 1
                session.flush()
                if progress is not None:
                    progress(count, total)
                if is_cancelled is not None and is_cancelled():
                    raise Cancelled()
    return count


def _decode_row(cls: type, columns: dict[str, Any], name: str, index: int, row: Any) -> tuple[Any, dict[str, Any]]:
    try:
        row_id = decode_value(cls.__table__.c.id, encode_value(row["id"]))
        values = {key: from_plain(columns[key], to_plain(row[key])) for key in row if key in columns}
    except (KeyError, ValueError, TypeError, AttributeError):
        raise DomainError("bad_dump", f"数据文件 {name} 第{index}条记录格式不对") from None
    return row_id, values


def import_dump_file(db: Database, path: Path) -> int:
    """The `load` use case: verified backup first, then the whole file in one transaction."""
    require(db, "import")
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise DomainError("no_file", f"找不到文件：{path}") from None
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise DomainError("bad_dump", f"文件不是有效的 JSON 数据：{path}") from None
    with db.import_scope("before_load") as session:
        count = load_dump(session, data)
        append_audit(session, "load", object_ref=Path(path).name, detail={"records": count})
    return count
