"""设置 as a clerk uses it: spin boxes for numbers, 浏览… for folders and font files, the window font
size for this workstation (applied at once, remembered), and the first-run wizard's 院名 kept when
demo data is loaded."""
from __future__ import annotations

import shutil

import pytest
from PySide6.QtWidgets import QApplication, QLabel, QSpinBox, QWidget

from models.platform import resources_dir
from models.services.office_settings import load_office_settings
from tests.conftest import DEMO_TODAY, TEST_PASSWORD
from tests.ui.conftest import fill_and_accept
from ui import files, fonts, messages
from ui.settings_page import SettingsPage
from ui.startup import first_run


@pytest.fixture
def settings_page(qtbot, demo_ctx, monkeypatch):
    monkeypatch.setattr(messages, "notify", lambda widget, text: None)
    page = SettingsPage(demo_ctx)
    qtbot.addWidget(page)
    page.show()
    return page


def test_numbers_are_spin_boxes_and_are_saved(qtbot, settings_page, demo_ctx):
    near = settings_page.form.editors["near_days"]
    idle = settings_page.form.editors["idle_lock_minutes"]
    assert isinstance(near, QSpinBox) and (near.minimum(), near.maximum()) == (1, 90)
    assert isinstance(idle, QSpinBox) and (idle.minimum(), idle.maximum()) == (0, 240)
    assert near.value() == 7
    near.setValue(12)
    idle.setValue(0)
    assert settings_page.save()
    with demo_ctx.db.read_scope() as session:
        saved = load_office_settings(session)
    assert (saved.near_days, saved.idle_lock_minutes) == (12, 0)


def test_browse_buttons_fill_the_backup_folder_and_a_font_file(qtbot, settings_page, demo_ctx, tmp_path,
                                                                monkeypatch):
    folder = tmp_path / "备份"
    folder.mkdir()
    font = tmp_path / "仿宋_GB2312.ttf"
    shutil.copy(next((resources_dir() / "fonts").glob("*.tt*")), font)
    asked: list[tuple] = []
    monkeypatch.setattr(files, "ask_folder", lambda *a: asked.append(a) or folder)
    monkeypatch.setattr(files, "ask_open_path", lambda *a: asked.append(a) or font)
    settings_page.findChild(QWidget, "browse_backup_dir").click()
    font_role = next(name for name in settings_page.form.editors if name.startswith("font_"))
    settings_page.findChild(QWidget, f"browse_{font_role}").click()
    assert settings_page.form.editors["backup_dir"].text() == str(folder)
    assert settings_page.form.editors[font_role].text() == str(font)
    assert "字体文件" in asked[1][2]                                 # the dialog offers font files
    assert settings_page.save()
    with demo_ctx.db.read_scope() as session:
        saved = load_office_settings(session)
    assert saved.backup_dir == str(folder) and saved.font_overrides == {font_role[len("font_"):]: str(font)}


def test_window_font_size_applies_at_once_and_is_remembered_on_this_computer(qtbot, settings_page, demo_ctx):
    from ui.unit_page import UnitPage

    units = UnitPage(demo_ctx)
    qtbot.addWidget(units)
    spin = settings_page.findChild(QSpinBox, "font_point_size")
    assert (spin.minimum(), spin.maximum(), spin.value()) == (10, 16, 10)
    label = QLabel("字号")
    qtbot.addWidget(label)
    try:
        spin.setValue(14)
        assert QApplication.font().pointSize() == 14
        qtbot.waitUntil(lambda: label.font().pointSize() == 14 and settings_page.font().pointSize() == 14)
        qtbot.waitUntil(lambda: units.heading.font().pointSize() == 17)       # headings grow with it
        assert fonts.saved_point_size() == 14 and fonts.app_font().pointSize() == 14   # next start
        spin.setValue(99)                                           # beyond the range: the largest
        assert QApplication.font().pointSize() == 16
    finally:
        fonts.apply_point_size(fonts.POINT_SIZE)
    assert QApplication.font().pointSize() == 10


def test_demo_data_keeps_the_office_typed_in_the_first_run_wizard(qtbot, user_data_dir, modal):
    def keep_key(dialog: QWidget) -> None:
        dialog.kept.setChecked(True)
        dialog.ok.click()

    modal.then(fill_and_accept({"office_name": "灵璧县人民检察院", "office_code": "灵检", "password": TEST_PASSWORD,
                                "again": TEST_PASSWORD, "remember": False}))
    modal.then(keep_key)
    db = first_run(user_data_dir / "fjld.db", demo=True, today=DEMO_TODAY)
    assert db is not None
    try:
        with db.read_scope() as session:
            office = load_office_settings(session)
            from models.services.units import list_units
            units = [u.name for u in list_units(session)]
        assert (office.office_name, office.office_code) == ("灵璧县人民检察院", "灵检")
        assert "宿州市水利局" in units                                # the demo's own units are still there
    finally:
        db.close()
