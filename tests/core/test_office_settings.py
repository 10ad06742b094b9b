import pytest

from models.errors import DomainError
from models.services.office_settings import load_office_settings, parse_office_settings, save_office_settings

FORM = {"office_name": " 宿州市人民检察院 ", "office_code": "宿检", "near_days": "10", "idle_lock_minutes": "0",
        "backup_dir": "", **{f"font_{role}": "" for role in ("fangsong", "heiti", "kaiti", "title", "song")}}


def test_settings_round_trip(new_db, tmp_path):
    font = tmp_path / "仿宋_GB2312.ttf"
    font.write_bytes(b"\0")
    chosen = parse_office_settings({**FORM, "font_fangsong": str(font), "backup_dir": str(tmp_path)})
    with new_db.session_scope() as session:
        save_office_settings(session, chosen)
    with new_db.session_scope() as session:
        loaded = load_office_settings(session)
    assert loaded == chosen and loaded.office_name == "宿州市人民检察院" and loaded.near_days == 10
    assert loaded.font_overrides == {"fangsong": str(font)}


@pytest.mark.parametrize(("change", "field"), [
    ({"office_name": "  "}, "office_name"), ({"near_days": "0"}, "near_days"), ({"near_days": "七"}, "near_days"),
    ({"idle_lock_minutes": "300"}, "idle_lock_minutes"), ({"backup_dir": "/没有/这个/文件夹"}, "backup_dir"),
    ({"font_heiti": "/没有/黑体.ttf"}, "font_heiti"),
])
def test_each_wrong_value_names_its_field(change, field):
    with pytest.raises(DomainError) as err:
        parse_office_settings({**FORM, **change})
    assert err.value.fields["field"] == field and err.value.message
