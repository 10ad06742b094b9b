"""The table model over plain rows: lazy batches, 拼音 sort, Chinese substring filter, value filters."""
from __future__ import annotations

import uuid

from hypothesis import given, settings
from hypothesis import strategies as st
from PySide6.QtCore import QModelIndex, Qt

from ui.row_model import Column, RowTableModel

COLUMNS = (Column("名称", pinyin=True), Column("状态", filterable=True), Column("案号"))


def _model(rows: list[tuple[str, str, str]]) -> RowTableModel:
    model = RowTableModel(COLUMNS)
    model.set_rows([(uuid.uuid4(), row) for row in rows])
    return model


def _shown(model: RowTableModel, column: int = 0) -> list[str]:
    while model.canFetchMore(QModelIndex()):
        model.fetchMore(QModelIndex())
    return [model.index(r, column).data() for r in range(model.rowCount())]


def test_loads_lazily_in_batches():
    model = _model([(f"单位{i}", "立案", str(i)) for i in range(450)])
    assert model.rowCount() == RowTableModel.BATCH and model.canFetchMore(QModelIndex())
    model.fetchMore(QModelIndex())
    assert model.rowCount() == 400
    model.fetchMore(QModelIndex())
    assert model.rowCount() == 450 and not model.canFetchMore(QModelIndex())


def test_names_sort_by_pinyin_not_by_code_point():
    model = _model([("张三", "", ""), ("阿里", "", ""), ("王五", "", ""), ("李四", "", "")])
    model.sort(0, Qt.SortOrder.AscendingOrder)
    assert _shown(model) == ["阿里", "李四", "王五", "张三"]
    model.sort(0, Qt.SortOrder.DescendingOrder)
    assert _shown(model) == ["张三", "王五", "李四", "阿里"]


def test_quick_filter_finds_chinese_substrings_in_any_column_and_value_filter_narrows():
    model = _model([("宿州市水利局", "立案", "宿检行公〔2026〕1号"), ("宿州市林业局", "结案", "宿检行公〔2026〕2号"),
                    ("砀山县水利局", "立案", "砀检行公〔2026〕3号")])
    model.set_quick_filter("水利")
    assert _shown(model) == ["宿州市水利局", "砀山县水利局"]
    model.set_value_filter(1, "立案")
    model.set_quick_filter("〔2026〕3")
    assert _shown(model) == ["砀山县水利局"]
    model.set_quick_filter("")
    model.set_value_filter(1, "")
    assert model.matching_count() == 3


def test_row_of_finds_a_row_beyond_the_loaded_batch():
    rows = [(uuid.uuid4(), (f"单位{i}", "", "")) for i in range(1000)]
    model = RowTableModel(COLUMNS)
    model.set_rows(rows)
    row = model.row_of(rows[900][0])
    assert row == 900 and model.rowCount() > 900 and model.row_id(900) == rows[900][0]


names = st.text(alphabet="张王李赵阿宿州水利局ab1", max_size=5)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(names, st.sampled_from(["立案", "结案"]), names), max_size=30), names,
       st.sampled_from(["", "立案", "结案"]))
def test_filtering_matches_a_plain_scan(rows, needle, status):
    model = _model(rows)
    model.set_quick_filter(needle)
    model.set_value_filter(1, status)
    expected = [r[0] for r in rows
                if needle.lower() in "\t".join(r).lower() and (not status or r[1] == status)]
    assert _shown(model) == expected
