"""Search index rows are addressed by 59 bits of a record's id: an id that shares those bits with another
record of the same kind (only in a damaged or forged file) is refused in one line, never allowed to
take the other record out of the search results."""
from __future__ import annotations

import uuid

import pytest

from models.case import Case
from models.errors import DomainError
from models.search import KIND_BITS, search


def _twin(row_id: uuid.UUID) -> uuid.UUID:
    """Another id with the same low KIND_BITS bits."""
    return uuid.UUID(int=row_id.int ^ (1 << (KIND_BITS + 3)))


def test_an_id_sharing_the_index_bits_of_another_record_is_refused(new_db):
    with new_db.write_scope() as session:
        first = Case(case_no="宿检行公立〔2026〕1号", title="河道非法采砂", kind="行政公益诉讼")
        session.add(first)
    with pytest.raises(DomainError, match="检索编号冲突") as refused:
        with new_db.write_scope() as session:
            session.add(Case(id=_twin(first.id), case_no="宿检行公立〔2026〕2号", title="河道非法采砂二",
                             kind="行政公益诉讼"))
    assert refused.value.code == "id_collision"
    with new_db.read_scope() as session:
        assert [hit.row_id for hit in search(session, "非法采砂")] == [first.id]
        assert session.get(Case, _twin(first.id)) is None      # the whole write rolled back


def test_two_new_records_sharing_the_index_bits_are_refused_together(new_db):
    one = uuid.uuid4()
    with pytest.raises(DomainError, match="检索编号冲突"):
        with new_db.write_scope() as session:
            session.add_all([Case(id=one, case_no="甲", title="甲案", kind="行政公益诉讼"),
                             Case(id=_twin(one), case_no="乙", title="乙案", kind="行政公益诉讼")])
    with new_db.read_scope() as session:
        assert session.query(Case).count() == 0
