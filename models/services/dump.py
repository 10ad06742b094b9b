"""Canonical JSON of every replicated record, in a stable order: the reference for tests and for
comparing two databases (two workstations that have exchanged everything dump identically), and
the bulk import format of `load`."""
from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterable, Iterator
from itertools import islice
from pathlib import Path
from typing import Any, BinaryIO

import ijson
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

try:  # the C parser when its wheel carries it (about 10x the pure-Python one), same events either way
    _BASIC_PARSE = ijson.get_backend("yajl2_c").basic_parse
except ImportError:
    _BASIC_PARSE = ijson.get_backend("python").basic_parse


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

Rows = Iterable[Any]


def load_dump(session: Session, data: dict[str, Any], progress: Callable[[int, int], None] | None = None,
              is_cancelled: Callable[[], bool] | None = None) -> int:
    """Insert or update every record of a dump held in memory (same ids), as ordinary local edits. Returns
    the count. Reports progress and honours a cancel every LOAD_BATCH records (Cancelled: the caller's
    transaction rolls back)."""
    if not isinstance(data, dict) or data.get("format") != DUMP_FORMAT or not isinstance(data.get("entities"), dict):
        raise _bad_format()
    total = sum(len(rows) for rows in data["entities"].values() if isinstance(rows, list))
    entities = ((name, rows if isinstance(rows, list) else None) for name, rows in data["entities"].items())
    return _load_entities(session, entities, lambda count: _after_batch(progress, is_cancelled, count, total))


def _after_batch(progress: Callable[[int, int], None] | None, is_cancelled: Callable[[], bool] | None,
                 done: int, total: int) -> None:
    if progress is not None:
        progress(done, total)
    if is_cancelled is not None and is_cancelled():
        raise Cancelled()


def _bad_format() -> DomainError:
    return DomainError("bad_dump", f"不是本系统导出的数据文件（需要格式 {DUMP_FORMAT}）")


def _load_entities(session: Session, entities: Iterable[tuple[str, Rows | None]],
                   after_batch: Callable[[int], None]) -> int:
    """The one row → object path of `load`, for a dump in memory and for a file read as a stream: each
    entity's rows (None: not a list) are written LOAD_BATCH at a time; after_batch(count) follows every
    batch. No autoflush inside the loop: one flush per batch writes its rows, create ops and index rows
    with executemany, and the rows that already exist are fetched with one query per batch."""
    count = 0
    with session.no_autoflush:
        for name, rows in entities:
            cls = ENTITY_BY_NAME.get(name)
            if cls is None or rows is None:
                raise DomainError("bad_dump", f"数据文件中有无法识别的类别：{name}")
            columns = replicated_columns(cls)
            numbered = enumerate(rows, start=1)
            while batch := [(index, _decode_row(cls, columns, name, index, row))
                            for index, row in islice(numbered, LOAD_BATCH)]:
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
                after_batch(count)
    return count


def _decode_row(cls: type, columns: dict[str, Any], name: str, index: int, row: Any) -> tuple[Any, dict[str, Any]]:
    try:
        row_id = decode_value(cls.__table__.c.id, encode_value(row["id"]))
        values = {key: from_plain(columns[key], to_plain(row[key])) for key in row if key in columns}
    except (KeyError, ValueError, TypeError, AttributeError):
        raise DomainError("bad_dump", f"数据文件 {name} 第{index}条记录格式不对") from None
    return row_id, values


def import_dump_file(db: Database, path: Path, progress: Callable[[int, int], None] | None = None,
                     is_cancelled: Callable[[], bool] | None = None) -> int:
    """The `load` use case: verified backup first, then the whole file in one transaction. The file is
    read as a stream (never whole in memory), so "format", which comes after "entities" in the canonical
    key order, is checked at the end: a wrong one rolls the transaction back like any other bad file.
    Progress is (bytes read, file size)."""
    require(db, "import")
    path = Path(path)
    try:
        file = path.open("rb")
    except FileNotFoundError:
        raise DomainError("no_file", f"找不到文件：{path}") from None
    except OSError:
        raise DomainError("no_file", f"无法读取文件：{path}") from None
    with file:
        size = os.fstat(file.fileno()).st_size
        if _first_byte(file) not in _JSON_STARTS:  # not JSON at all (a workbook picked by mistake): no backup
            raise _not_json(path)
        with db.import_scope("before_load") as session:
            events = _BASIC_PARSE(file, use_float=True)  # numbers as int/float, like json.loads
            try:
                try:
                    count = _load_entities(session, _stream_entities(events),
                                           lambda _count: _after_batch(progress, is_cancelled, file.tell(), size))
                except DomainError:
                    for _rest in events:  # a file that is not JSON at all says so, whatever else is wrong in it
                        pass
                    raise
            except (ijson.JSONError, UnicodeDecodeError):
                raise _not_json(path) from None
            if progress is not None:
                progress(size, size)
            append_audit(session, "load", object_ref=path.name, detail={"records": count})
    return count


def _not_json(path: Path) -> DomainError:
    return DomainError("bad_dump", f"文件不是有效的 JSON 数据：{path}")


_JSON_STARTS = {bytes([c]) for c in b'{["-0123456789tfn'}


def _first_byte(file: BinaryIO) -> bytes:
    head = file.read(64).lstrip(b" \t\r\n")
    file.seek(0)
    return head[:1]


Events = Iterator[tuple[str, Any]]


def _stream_entities(events: Events) -> Iterator[tuple[str, Rows | None]]:
    """(entity name, its rows as a stream) of a dump file's parser events: only the current row is ever
    built. Any key order is accepted; the format is checked once the file has been read to its end
    (trailing data after the top-level object is a parse error)."""
    if _next(events)[0] != "start_map":
        raise _bad_format()
    fmt: Any = None
    seen_entities = False
    for event, key in events:
        if event == "end_map":
            break
        if key == "entities":
            if seen_entities or _next(events)[0] != "start_map":
                raise _bad_format()
            seen_entities = True
            names: set[str] = set()
            for event, name in events:
                if event == "end_map":
                    break
                if name in names:  # json.loads would keep only the last one: refused, not guessed
                    raise DomainError("bad_dump", f"数据文件中的类别重复出现：{name}")
                names.add(name)
                first, value = _next(events)
                if first == "start_array":
                    yield name, _stream_rows(events)
                else:
                    _build(events, first, value)  # not a list: refused by the loader
                    yield name, None
        else:
            first, value = _next(events)
            built = _build(events, first, value)
            if key == "format":
                fmt = built
    for _trailing in events:  # drains the parser: raises on anything after the top-level object
        pass
    if not seen_entities or fmt != DUMP_FORMAT:
        raise _bad_format()


def _next(events: Events) -> tuple[str, Any]:
    for item in events:
        return item
    raise ijson.IncompleteJSONError("Incomplete JSON content")


def _stream_rows(events: Events) -> Iterator[Any]:
    for event, value in events:
        if event == "end_array":
            return
        yield _build(events, event, value)


def _build(events: Events, event: str, value: Any) -> Any:
    """One whole JSON value whose first event is (event, value), the rest read from events."""
    if event not in ("start_map", "start_array"):
        return value
    builder = ijson.ObjectBuilder()
    builder.event(event, value)
    depth = 1
    for event, value in events:
        builder.event(event, value)
        if event in ("start_map", "start_array"):
            depth += 1
        elif event in ("end_map", "end_array"):
            depth -= 1
            if depth == 0:
                return builder.value
    raise ijson.IncompleteJSONError("Incomplete JSON content")
