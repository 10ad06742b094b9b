"""10 desks edit the same 3 records on one PostgreSQL database at once (issue 16 "Done when"): each
process loads the records (remembering their field heads, as a form does), waits until all have
loaded, changes one field of each and saves. Nothing is lost: every save either committed (and its
value is in the op log) or was refused with edit_conflict naming who got there first; of the clerks
who changed the same field from the same base exactly one wins, none silently overwrites another."""
from __future__ import annotations

import json
import multiprocessing
from collections import defaultdict

import pytest
from sqlalchemy import select

from models.case import Case
from models.oplog import Op
from models.services.cases import register_case
from tests.conftest import make_database

pytestmark = pytest.mark.parametrize("backend", ["postgresql"], indirect=True)

PROCESSES = 10
FIELDS = ("handler", "summary", "department")   # process i changes FIELDS[i % 3]: 4, 3 and 3 clerks per field


def _clerk(url: str, index: int, case_ids: list[str], barrier, results) -> None:
    from models.errors import DomainError
    from models.pg import open_server
    from models.services.cases import edit_case
    from models.services.edit_guard import check_edit, record_base

    user = f"书记员{index}"
    field = FIELDS[index % len(FIELDS)]
    db = open_server(url, user=user)
    try:
        with db.read_scope() as session:
            bases = {case_id: record_base(session, Case, case_id, FIELDS) for case_id in case_ids}
        barrier.wait(timeout=120)
        for case_id in case_ids:
            value = f"{user}的{field}"
            try:
                with db.write_scope() as session:
                    check_edit(session, Case, case_id, {field: value}, bases[case_id])
                    edit_case(session, case_id, **{field: value})
                results.put((index, case_id, field, value, "committed", ""))
            except DomainError as exc:
                results.put((index, case_id, field, value, exc.code, exc.message))
    except Exception as exc:  # noqa: BLE001 - reported to the test, which fails on it
        results.put((index, "", field, "", "crash", repr(exc)))
    finally:
        db.close()


def test_ten_processes_editing_the_same_records_lose_nothing(user_data_dir, backend, request):
    from tests.pg.server import tcp_url

    db = make_database(backend, user_data_dir, request)
    try:
        with db.write_scope() as session:
            case_ids = [str(register_case(session, f"并发编辑案件{n}", handler="原承办人").id) for n in range(3)]
        admin_url, _template = request.getfixturevalue("pg_server")
        url = tcp_url(admin_url, db.server.dbname)

        spawn = multiprocessing.get_context("spawn")
        barrier, results = spawn.Barrier(PROCESSES), spawn.Queue()
        processes = [spawn.Process(target=_clerk, args=(url, i, case_ids, barrier, results)) for i in range(PROCESSES)]
        for process in processes:
            process.start()
        outcomes = [results.get(timeout=300) for _ in range(PROCESSES * len(case_ids))]
        for process in processes:
            process.join(timeout=60)
            assert process.exitcode == 0

        assert {o[4] for o in outcomes} <= {"committed", "edit_conflict"}, outcomes
        committed: dict[tuple[str, str], list[tuple[int, str]]] = defaultdict(list)
        for index, case_id, field, value, outcome, _message in outcomes:
            if outcome == "committed":
                committed[(case_id, field)].append((index, value))
        # Everyone loaded the same base: per record and field exactly one clerk wins, the others are told.
        assert sorted(committed) == sorted((c, f) for c in case_ids for f in FIELDS)
        assert all(len(winners) == 1 for winners in committed.values()), committed
        conflicts = [o for o in outcomes if o[4] == "edit_conflict"]
        assert len(conflicts) == PROCESSES * len(case_ids) - len(committed)
        for index, case_id, field, _value, _outcome, message in conflicts:
            [(winner, _won)] = committed[(case_id, field)]
            assert f"书记员{winner}" in message and f"书记员{index}" in message, message

        with db.read_scope() as session:
            for (case_id, field), [(winner, value)] in committed.items():
                ops = list(session.scalars(select(Op).where(Op.entity == "case", Op.row_id == case_id,
                                                            Op.field == field)))
                # every committed value is in the op log, by its clerk, and no other edit of the field is
                assert [(op.user, json.loads(op.value)) for op in ops] == [(f"书记员{winner}", value)]
                assert getattr(session.get(Case, case_id), field) == value
        print(f"\n{len(conflicts)} conflicts reported, e.g. {conflicts[0][5]}")
    finally:
        db.close()
