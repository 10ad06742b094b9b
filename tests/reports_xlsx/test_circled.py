from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from models.errors import DomainError
from reports.xlsx.circled import join_grouped, join_measures, normalise_cell, split_grouped, split_measures


def test_split_grouped_spreads_shared_values_onto_each_measure():
    assert split_grouped("①②长期坚持 ③5月底前完成并长期坚持 ④10月底前 ⑤长期坚持", 5) == [
        "长期坚持", "长期坚持", "5月底前完成并长期坚持", "10月底前", "长期坚持"]
    assert split_grouped("①②③④⑤⑥ 长期坚持", 6) == ["长期坚持"] * 6
    assert split_grouped("①②③市检察院 ④市检察院牵头", 4)[3] == "市检察院牵头"


def test_unnumbered_cell_applies_to_every_measure():
    assert split_grouped("12月底前", 1) == ["12月底前"]
    assert split_grouped("各成员单位", 3) == ["各成员单位"] * 3


@pytest.mark.parametrize(("text", "code"), [
    ("①长期坚持 ③12月底前", "grouped_number_missing"),
    ("①②长期坚持 ②12月底前 ③长期坚持", "grouped_number_repeated"),
    ("①②③④长期坚持", "grouped_number_out_of_range"),
    ("长期 ①②③12月底前", "grouped_text_before_number"),
])
def test_malformed_groups_are_refused(text, code):
    with pytest.raises(DomainError) as raised:
        split_grouped(text, 3)
    assert raised.value.code == code


def test_progress_cells_may_name_only_some_measures():
    assert split_grouped("②已出台", 3, allow_missing=True) == ["", "已出台", ""]


def test_split_measures():
    assert split_measures("①甲。②乙。③丙。") == ["甲。", "乙。", "丙。"]
    assert split_measures("研究制定意见。") == ["研究制定意见。"]
    with pytest.raises(DomainError) as raised:
        split_measures("①甲。③丙。")
    assert raised.value.code == "measure_numbering"


def test_join_groups_consecutive_equal_values_only():
    assert join_grouped(["长期坚持", "长期坚持", "12月底前", "长期坚持"]) == "①②长期坚持\n③12月底前\n④长期坚持"
    assert join_grouped(["12月底前"]) == "12月底前"
    assert join_measures(["甲。"]) == "甲。"
    assert join_measures(["甲。", "乙。"]) == "①甲。\n②乙。"


def test_normalisation_ignores_whitespace_next_to_numbers_only():
    assert normalise_cell("①②③④⑤⑥ 长期坚持") == normalise_cell("①②③④⑤⑥长期坚持")
    assert normalise_cell("①②长期坚持 ③5月底前") == normalise_cell("①②长期坚持\n③5月底前")
    assert normalise_cell("关于 充分发挥") != normalise_cell("关于充分发挥")


values = st.text(alphabet="长期坚持月底前市检察院、公安局12", min_size=1, max_size=8).map(str.strip).filter(bool)


@given(st.lists(values, min_size=1, max_size=12))
def test_join_then_split_gives_the_values_back(items):
    assert split_grouped(join_grouped(items), len(items)) == items
    assert split_measures(join_measures(items)) == items
