import json

import pytest

from models.sync.strict_json import StrictJsonError, parse_strict_json


@pytest.mark.parametrize("text", ['{"a":"x\\by"}', '{"a":"x\\fy"}', '{"a":"x\\u0007"}', '{"a":"x\x7fy"}',
                                  '{"a":"\\ud800"}', '{"a":1,"a":2}', '{"a":NaN}'])
def test_forbidden_content_is_refused_whichever_way_it_is_written(text):
    with pytest.raises(StrictJsonError):
        parse_strict_json(text.encode("utf-8"))


def test_nesting_is_bounded_and_ordinary_text_passes():
    deep = "[" * 40 + "]" * 40
    with pytest.raises(StrictJsonError):
        parse_strict_json(deep.encode())
    ok = {"title": "关于【整改】的回复\r\n第二段\t缩进", "pred": ["a:1:2"]}
    assert parse_strict_json(json.dumps(ok, ensure_ascii=False).encode()) == ok
