"""`load` reads its file as a stream (issue 15): the same records as the in-memory load_dump, a bad file
anywhere in it (not JSON, truncated, wrong or missing "format" at the end, unknown entity, bad row) is
one Chinese line and leaves the database as it was, progress is by bytes read, a cancel rolls back."""
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from models.case import Case
from models.errors import Cancelled, DomainError
from models.services import dump as dump_module
from models.services.dump import DUMP_FORMAT, dump_text, import_dump_file, load_dump
from tests.conftest import TEST_PASSWORD

ROOT = Path(__file__).resolve().parents[2]


def _state(db) -> tuple[str, bytes | None]:
    """What must not change on a refusal: the dump, and on a file database the file's bytes."""
    with db.read_scope() as session:
        text = dump_text(session)
    return text, (db.path.read_bytes() if db.server is None else None)


def _demo_text(demo_db) -> str:
    with demo_db.session_scope() as session:
        for i in range(30):  # more rows than the small batch size below: several batches per entity
            session.add(Case(case_no=f"宿检行公立〔2026〕{i + 700}号", title=f"流式载入第{i}件", kind="行政公益诉讼"))
    with demo_db.read_scope() as session:
        return dump_text(session)


def test_a_streamed_file_loads_the_same_records_as_the_dump_in_memory(demo_db, user_data_dir, tmp_path,
                                                                       monkeypatch, backend, request):
    monkeypatch.setattr(dump_module, "LOAD_BATCH", 7)
    text = _demo_text(demo_db)
    file = tmp_path / "导出.json"
    file.write_text(text, encoding="utf-8")
    from tests.conftest import make_database
    streamed = make_database(backend, user_data_dir / "流式", request)
    in_memory = make_database(backend, user_data_dir / "内存", request)
    try:
        reports: list[tuple[int, int]] = []
        count = import_dump_file(streamed, file, progress=lambda done, total: reports.append((done, total)))
        with in_memory.session_scope() as session:
            assert load_dump(session, json.loads(text)) == count
        assert count == sum(len(rows) for rows in json.loads(text)["entities"].values()) > 7 * 5
        with streamed.read_scope() as a, in_memory.read_scope() as b:
            assert dump_text(a) == dump_text(b) == text
        # Progress by bytes read: never backwards, always out of the file's size, ending at the end.
        size = file.stat().st_size
        assert len(reports) > count // 7 and reports[-1] == (size, size)
        assert all(total == size for _, total in reports)
        assert [done for done, _ in reports] == sorted(done for done, _ in reports)
        # Loading the same file again updates the same ids: nothing doubles.
        assert import_dump_file(streamed, file) == count
        with streamed.read_scope() as session:
            assert dump_text(session) == text
    finally:
        streamed.close()
        in_memory.close()


def test_progress_moves_with_the_bytes_of_a_large_file(new_db, tmp_path, monkeypatch):
    monkeypatch.setattr(dump_module, "LOAD_BATCH", 50)
    rows = [{"id": f"00000000-0000-7000-8000-{i:012x}", "title": f"第{i}件" + "长" * 200, "case_no": f"号{i}",
             "kind": "行政公益诉讼"} for i in range(1, 1201)]
    file = tmp_path / "大.json"
    file.write_text(json.dumps({"entities": {"case": rows}, "format": DUMP_FORMAT}, ensure_ascii=False),
                    encoding="utf-8")
    size = file.stat().st_size
    assert size > 4 * 2**17  # several of the parser's reads
    reports: list[int] = []
    assert import_dump_file(new_db, file, progress=lambda done, total: reports.append(done)) == 1200
    assert len({done for done in reports}) >= 4  # it moved in steps, not one jump at the end
    assert 0 < reports[0] < size and reports[-1] == size


def _bad(tmp_path: Path, body: str | bytes, name: str = "坏.json") -> Path:
    file = tmp_path / name
    file.write_bytes(body if isinstance(body, bytes) else body.encode("utf-8"))
    return file


GOOD_ROW = {"id": "00000000-0000-7000-8000-000000000001", "title": "好的一条", "case_no": "号1", "kind": "行政公益诉讼"}


@pytest.mark.parametrize(("body", "message"), [
    # "format" comes after "entities": the good rows are written first, then the transaction rolls back.
    (json.dumps({"entities": {"case": [GOOD_ROW]}, "format": "fjld-dump-0"}), "不是本系统导出的数据文件"),
    (json.dumps({"entities": {"case": [GOOD_ROW]}}), "不是本系统导出的数据文件"),
    (json.dumps({"format": DUMP_FORMAT}), "不是本系统导出的数据文件"),
    (json.dumps({"entities": [], "format": DUMP_FORMAT}), "不是本系统导出的数据文件"),
    (json.dumps([{"entities": {}}]), "不是本系统导出的数据文件"),
    (json.dumps("fjld-dump-1"), "不是本系统导出的数据文件"),
    (json.dumps({"entities": {"case": [GOOD_ROW], "机密": []}, "format": DUMP_FORMAT}), "无法识别的类别：机密"),
    ('{"entities": {"case": [], "case": []}, "format": "fjld-dump-1"}', "类别重复出现：case"),
    ('{"entities": {"case": []}, "entities": {"case": []}, "format": "fjld-dump-1"}', "不是本系统导出的数据文件"),
    (json.dumps({"entities": {"case": {"id": 1}}, "format": DUMP_FORMAT}), "无法识别的类别：case"),
    (json.dumps({"entities": {"case": [GOOD_ROW, {"title": "缺少编号"}]}, "format": DUMP_FORMAT}), "case 第2条记录格式不对"),
    (json.dumps({"entities": {"case": [GOOD_ROW, "一行字"]}, "format": DUMP_FORMAT}), "case 第2条记录格式不对"),
    (json.dumps({"entities": {"case": [GOOD_ROW]}, "format": DUMP_FORMAT})[:-9], "文件不是有效的 JSON 数据"),
    (json.dumps({"entities": {"case": [GOOD_ROW]}, "format": DUMP_FORMAT}) + "{}", "文件不是有效的 JSON 数据"),
    (json.dumps({"entities": {"case": [GOOD_ROW]}, "format": DUMP_FORMAT}).encode().replace(b'1"', b'1\xff"'),
     "文件不是有效的 JSON 数据"),
    ("PK\x03\x04 这是一个表格", "文件不是有效的 JSON 数据"),
    ("", "文件不是有效的 JSON 数据"),
])
def test_a_bad_file_is_one_chinese_line_and_changes_nothing(new_db, tmp_path, body, message):
    before = _state(new_db)
    file = _bad(tmp_path, body)
    with pytest.raises(DomainError, match=message) as refused:
        import_dump_file(new_db, file)
    assert "\n" not in str(refused.value)
    assert _state(new_db) == before


def test_a_wrong_format_at_the_end_rolls_back_rows_already_written(new_db, tmp_path, monkeypatch):
    monkeypatch.setattr(dump_module, "LOAD_BATCH", 3)
    rows = [{**GOOD_ROW, "id": f"00000000-0000-7000-8000-{i:012x}", "case_no": f"号{i}"} for i in range(1, 11)]
    file = _bad(tmp_path, json.dumps({"entities": {"case": rows}, "format": "别的格式"}, ensure_ascii=False))
    before = _state(new_db)
    reports = []
    with pytest.raises(DomainError, match="不是本系统导出的数据文件"):
        import_dump_file(new_db, file, progress=lambda done, total: reports.append(done))
    assert len(reports) == 4  # all four batches were written before the end of the file was reached
    assert _state(new_db) == before


def test_a_cancel_after_the_first_batch_rolls_everything_back(new_db, tmp_path, monkeypatch):
    monkeypatch.setattr(dump_module, "LOAD_BATCH", 2)
    rows = [{**GOOD_ROW, "id": f"00000000-0000-7000-8000-{i:012x}", "case_no": f"号{i}"} for i in range(1, 8)]
    file = _bad(tmp_path, json.dumps({"entities": {"case": rows}, "format": DUMP_FORMAT}, ensure_ascii=False))
    before = _state(new_db)
    calls = []
    with pytest.raises(Cancelled):
        import_dump_file(new_db, file, is_cancelled=lambda: calls.append(1) or True)
    assert calls == [1]
    assert _state(new_db) == before


@pytest.mark.parametrize("parser", ["yajl2_c", "python"])  # the C parser, and the fallback without it
def test_numbers_and_strings_come_out_of_the_stream_exactly_as_json_loads_gives_them(parser):
    import ijson
    basic_parse = ijson.get_backend(parser).basic_parse
    values = st.recursive(
        st.none() | st.booleans() | st.integers(-2**63 + 1, 2**63 - 1)
        | st.floats(allow_nan=False, allow_infinity=False) | st.text(st.characters(blacklist_categories=("Cs",))),
        lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=5), inner, max_size=4),
        max_leaves=12)

    @settings(max_examples=100)
    @given(st.dictionaries(st.sampled_from(["case", "suggestion", "任务"]), st.lists(values, max_size=4),
                           max_size=3), values)
    def check(entities, extra):
        text = json.dumps({"entities": entities, "extra": extra, "format": DUMP_FORMAT}, ensure_ascii=False)
        streamed = [(name, list(rows)) for name, rows in dump_module._stream_entities(
            basic_parse(io.BytesIO(text.encode()), use_float=True))]
        expected = list(json.loads(text)["entities"].items())
        assert streamed == expected
        assert [[type(v) for v in rows] for _, rows in streamed] == [[type(v) for v in rows] for _, rows in expected]

    check()


def test_truncated_and_mutated_dump_files_are_refused_cleanly_or_loaded(new_db, tmp_path):
    with new_db.session_scope() as session:
        for i in range(12):
            session.add(Case(case_no=f"宿检行公立〔2026〕{i + 1}号", title=f"原有第{i}件", kind="行政公益诉讼"))
    with new_db.read_scope() as session:
        original = dump_text(session).encode("utf-8")
    outcomes = []

    @settings(max_examples=40)
    @given(cut=st.floats(0, 1, exclude_max=True), truncate=st.booleans(),
           edits=st.lists(st.tuples(st.floats(0, 1, exclude_max=True), st.sampled_from(b'{}[]",:0a\xff\\ ')),
                          max_size=3))
    def check(cut, truncate, edits):
        data = bytearray(original)
        for where, byte in edits:
            data[int(where * len(data))] = byte
        if truncate:
            data = data[:int(cut * len(data))]
        file = tmp_path / "变异.json"
        file.write_bytes(bytes(data))
        try:
            parsed = json.loads(bytes(data).decode("utf-8"))
        except ValueError:  # UnicodeDecodeError and JSONDecodeError alike
            parsed = None
        before = _state(new_db)
        try:
            import_dump_file(new_db, file)
        except DomainError as refused:
            # bad_dump, or id_collision: a mutated id that shares its search-index bits with another record
            assert refused.code in ("bad_dump", "id_collision") and "\n" not in str(refused)
            # What json.loads reads as JSON is never called "not JSON" by the stream parser, and vice versa.
            assert ("不是有效的 JSON" in str(refused)) == (parsed is None)
            assert _state(new_db) == before
            outcomes.append("refused")
        else:
            assert isinstance(parsed, dict) and parsed["format"] == DUMP_FORMAT
            outcomes.append("loaded")

    check()
    assert "refused" in outcomes


def test_cli_load_of_a_truncated_file_is_one_line_and_exit_1(tmp_path):
    data = tmp_path / "数据"
    db = data / "fjld.db"
    env = {**os.environ, "FJLD_DATA_DIR": str(data), "FJLD_PASSWORD": TEST_PASSWORD}
    run = lambda *args: subprocess.run([sys.executable, str(ROOT / "main.py"), "--db", str(db), *args],  # noqa: E731
                                       capture_output=True, text=True, env=env, cwd=ROOT, timeout=120)
    assert run("init").returncode == 0
    assert run("demo", "--today", "2026-11-23").returncode == 0
    good = run("dump")
    assert good.returncode == 0
    cut = _bad(tmp_path, good.stdout[: len(good.stdout) * 2 // 3])
    refused = run("load", str(cut))
    assert refused.returncode == 1 and "Traceback" not in refused.stderr
    assert refused.stderr.strip().splitlines() == [f"错误：文件不是有效的 JSON 数据：{cut}"]
    assert run("dump").stdout == good.stdout
    whole = _bad(tmp_path, good.stdout, "整.json")
    loaded = run("load", str(whole))
    assert loaded.returncode == 0, loaded.stderr
    assert run("dump").stdout == good.stdout


def test_without_the_c_parser_the_pure_python_one_loads_and_refuses_alike(new_db, tmp_path, monkeypatch):
    import ijson
    monkeypatch.setattr(dump_module, "_BASIC_PARSE", ijson.get_backend("python").basic_parse)
    body = json.dumps({"entities": {"case": [GOOD_ROW]}, "format": DUMP_FORMAT}, ensure_ascii=False).encode()
    before = _state(new_db)
    for broken in (body.replace(b'1"', b'1\xff"'), body[:-5]):
        with pytest.raises(DomainError, match="文件不是有效的 JSON 数据"):
            import_dump_file(new_db, _bad(tmp_path, broken))
        assert _state(new_db) == before
    assert import_dump_file(new_db, _bad(tmp_path, body)) == 1
    with new_db.read_scope() as session:
        assert "好的一条" in dump_text(session)
