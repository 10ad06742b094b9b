"""Search is checked against a brute-force substring scan over every indexed text: the demo data plus
2,000 generated records of every indexed kind, with rare characters, traditional forms, punctuation and
mixed-case Latin. 0 missing, 0 extra, and traditional queries equal their simplified forms."""
from __future__ import annotations

import datetime as dt
import random
from collections import Counter

import opencc
import pytest
from sqlalchemy import select

from models.attachment import Attachment
from models.base import new_id
from models.case import Case
from models.meeting import Meeting, MeetingDecision
from models.search import SEARCHABLE, _target, count_matches, search, search_grouped, search_kind
from models.search_text import fold
from models.services.demo import load_demo
from models.suggestion import Suggestion, SuggestionItem
from models.tasklist import Measure, ProgressEntry, Task, TaskAspect, TaskList
from models.unit import Unit
from tests.conftest import DEMO_TODAY, make_database

WORDS = ["检察建议", "行政机关", "河道采砂", "食品安全", "国有财产", "生态环境", "督促整改", "回头看", "府检联动",
         "联席会议", "堃", "喆", "玥", "䶮", "𬌗", "檢察建議", "環境保護", "〔2024〕", "12号", "ABC", "abc", "Qr码",
         "，", "、", "“", "”", "%", "_", " ", "\n", "县", "市", "区", "局", "整改", "回复", "采纳"]


def _text(rng: random.Random, low: int = 1, high: int = 8) -> str:
    return "".join(rng.choice(WORDS) for _ in range(rng.randint(low, high))).strip()


def _generate(session, rng: random.Random, count: int) -> None:
    task_list = TaskList(year=2031, title=_text(rng))
    session.add(task_list)
    session.flush()
    aspect = TaskAspect(list_id=task_list.id, title=_text(rng))
    session.add(aspect)
    session.flush()
    parents: dict[str, list] = {"case": [], "suggestion": [], "task": [], "measure": [], "meeting": []}
    for n in range(count):
        kind = n % 10
        if kind == 0 or not parents["case"]:
            obj = Case(id=new_id(), title=_text(rng), case_no=_text(rng, 1, 3), summary=_text(rng), handler=_text(rng, 1, 2))
            parents["case"].append(obj)
        elif kind == 1 or not parents["suggestion"]:
            obj = Suggestion(id=new_id(), addressee_name=_text(rng, 1, 3), doc_no=_text(rng, 1, 3), facts=_text(rng, 3, 12),
                             reply_content=_text(rng), follow_up=_text(rng))
            parents["suggestion"].append(obj)
        elif kind == 2:
            obj = SuggestionItem(suggestion_id=rng.choice(parents["suggestion"]).id, text=_text(rng))
        elif kind == 3 or not parents["task"]:
            obj = Task(id=new_id(), aspect_id=aspect.id, number=n, text=_text(rng))
            parents["task"].append(obj)
        elif kind == 4 or not parents["measure"]:
            obj = Measure(id=new_id(), task_id=rng.choice(parents["task"]).id, text=_text(rng), units_text=_text(rng, 1, 2))
            parents["measure"].append(obj)
        elif kind == 5:
            obj = ProgressEntry(measure_id=rng.choice(parents["measure"]).id, text=_text(rng),
                                reported_on=dt.date(2031, 3, 1))
        elif kind == 6:
            obj = Unit(name=_text(rng, 1, 3), short_name=_text(rng, 1, 2), note=_text(rng))
        elif kind == 7 or not parents["meeting"]:
            obj = Meeting(id=new_id(), title=_text(rng), minutes=_text(rng, 2, 10))
            parents["meeting"].append(obj)
        elif kind == 8:
            obj = MeetingDecision(meeting_id=rng.choice(parents["meeting"]).id, text=_text(rng))
        else:
            owner = rng.choice(parents["suggestion"])
            obj = Attachment(owner_entity="suggestion", owner_id=owner.id, filename=_text(rng, 1, 3) + ".pdf")
        session.add(obj)
        if n % 200 == 199:
            session.flush()
    # Some edits and deletions, so the index must follow them.
    session.flush()
    for case in parents["case"][:20]:
        case.title = _text(rng)
    for case in parents["case"][20:30]:
        case.deleted = True


@pytest.fixture(scope="module")
def corpus(tmp_path_factory, backend, request):
    """The same generated corpus on each backend: FTS5 trigram on the file, pg_trgm on the server."""
    db = make_database(backend, tmp_path_factory.mktemp("检索"), request)
    with db.write_scope() as session:
        load_demo(session, DEMO_TODAY)
    with db.write_scope() as session:
        _generate(session, random.Random(20261203), 2000)
    yield db
    db.close()


def _indexed_texts(session) -> list[tuple[tuple, str]]:
    """(what a hit names, the folded text) for every live indexed record, read straight from the rows."""
    texts = []
    for cls, fields in SEARCHABLE.items():
        for obj in session.scalars(select(cls).where(cls.deleted.is_(False))):
            body = fold("\n".join(str(getattr(obj, name) or "") for name in fields))
            texts.append(((obj.entity_name, *_target(obj)), body))
    return texts


def _brute_force(texts: list[tuple[tuple, str]], query: str) -> Counter:
    wanted = fold(query.strip())
    return Counter(key for key, body in texts if wanted in body)


def _searched(session, query: str) -> Counter:
    found: Counter = Counter()
    for group in search_grouped(session, query, per_kind=10**6):
        assert group.total == len(group.hits)
        for hit in group.hits:
            found[(hit.matched, hit.entity, hit.row_id)] += 1
    return found


def _queries(session, rng: random.Random, n: int) -> list[str]:
    bodies = []
    for cls, fields in SEARCHABLE.items():
        for obj in session.scalars(select(cls).where(cls.deleted.is_(False))):
            bodies.append("\n".join(str(getattr(obj, name) or "") for name in fields))
    queries = []
    while len(queries) < n:
        body = rng.choice(bodies)
        length = rng.choice([1, 1, 2, 2, 3, 4, 6])
        if len(body) < length:
            continue
        start = rng.randrange(len(body) - length + 1)
        query = body[start:start + length]
        if query.strip() == query and query:
            queries.append(query)
    return queries + ["检察", "察", "检，察", "〔2", "%", "_", "𬌗", "䶮", "abc", "ABC", "qr", "不存在的词语"]


def test_search_equals_a_brute_force_scan(corpus):
    rng = random.Random(7)
    with corpus.read_scope() as session:
        texts = _indexed_texts(session)
        for query in _queries(session, rng, 150):
            expected = _brute_force(texts, query)
            assert _searched(session, query) == expected, query


def test_traditional_queries_equal_their_simplified_forms(corpus):
    to_traditional = opencc.OpenCC("s2t")
    with corpus.read_scope() as session:
        # (A traditional character that is also a simplified one in its own right, as 覆 in 回覆, is kept
        # as typed: folding goes character by character so that every substring folds alike.)
        queries = ["检察建议", "环境保护", "国有财产", "督促整改", "联席会议", "县", "整改", "采纳", "区县"]
        assert sum(to_traditional.convert(q) != q for q in queries) >= 6
        for query in queries:
            traditional = to_traditional.convert(query)
            simplified_hits = _searched(session, query)
            assert simplified_hits and _searched(session, traditional) == simplified_hits, query
    assert fold("檢察建議") == "检察建议"


def test_counts_are_complete_and_pages_follow_each_other(corpus):
    with corpus.read_scope() as session:
        counts = count_matches(session, "县")
        kind, total = max(counts.items(), key=lambda item: item[1])
        assert total > 40
        pages = [search_kind(session, "县", kind, offset=offset, limit=20) for offset in range(0, total, 20)]
        ids = [(hit.entity, hit.row_id, hit.title) for page in pages for hit in page]
        assert len(ids) == total
        assert len(search(session, "县")) == sum(counts.values())       # no silent cap
        assert len(search(session, "县", limit=5)) == sum(min(5, c) for c in counts.values())


def test_child_texts_open_their_record(corpus):
    with corpus.write_scope() as session:
        suggestion = Suggestion(addressee_name="某县水利局")
        session.add(suggestion)
        session.flush()
        session.add(SuggestionItem(suggestion_id=suggestion.id, text="建议对堃喆玥䶮𬌗河段开展专项整治"))
        session.add(Attachment(owner_entity="suggestion", owner_id=suggestion.id, filename="回复函扫描件.pdf"))
    with corpus.read_scope() as session:
        hits = search(session, "玥䶮𬌗")
        assert [(h.matched, h.entity, h.row_id) for h in hits] == [("suggestion_item", "suggestion", suggestion.id)]
        hits = search(session, "扫描件")
        assert [(h.matched, h.entity, h.row_id) for h in hits] == [("attachment", "suggestion", suggestion.id)]
