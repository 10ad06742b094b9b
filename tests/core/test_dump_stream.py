"""`dump` streamed a chunk at a time gives byte for byte the text of the whole-database dump."""
import json

from models.case import Case
from models.fieldcodec import canonical_json
from models.merge import apply_ops
from models.oplog import CREATE_FIELD, OpRecord
from models.services import dump as dump_module
from models.services.dump import dump_db, dump_text, iter_dump_text

ROW = "00000000-0000-7000-8000-0000000000aa"


def _remote(op_id, hlc, site, field, value, pred=()):
    return OpRecord(op_id, hlc, site, "远端", "case", ROW, field, json.dumps(value, ensure_ascii=False), tuple(pred))


def test_the_streamed_dump_equals_the_whole_dump_on_demo_and_generated_data(demo_db, monkeypatch):
    monkeypatch.setattr(dump_module, "DUMP_CHUNK", 7)  # many chunks per entity, and a partial last one
    with demo_db.session_scope() as session:
        for i in range(40):
            session.add(Case(case_no=f"宿检行公立〔2026〕{i + 900}号", title=f"第{i}件“引号”\\案\n换行",
                             kind="行政公益诉讼"))
        create = _remote("z:1:1", 10, "z", CREATE_FIELD, {"title": "原名", "kind": "线索", "source": "信访",
                                                           "status": "线索登记", "domain": "其他", "deleted": False})
        apply_ops(session, [create, _remote("z:1:2", 20, "z", "title", "甲", ["z:1:1"]),
                            _remote("y:1:1", 21, "y", "title", "乙", ["z:1:1"])])
    with demo_db.read_scope() as session:
        whole = canonical_json(dump_db(session))
        pieces = list(iter_dump_text(session))
        assert len(pieces) > 40
        assert "".join(pieces) == whole == dump_text(session)
        assert '"_conflicts"' in whole


def test_a_dump_in_a_write_scope_includes_the_edits_not_yet_flushed(new_db):
    with new_db.session_scope() as session:
        case = Case(case_no="宿检行公立〔2026〕1号", title="尚未写入的案件", kind="行政公益诉讼")
        session.add(case)
        text = dump_text(session)
        assert "尚未写入的案件" in text
        case.title = "改过的名称"
        assert "改过的名称" in dump_text(session)
        assert text.count("宿检行公立〔2026〕1号") == 1
