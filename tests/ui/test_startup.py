"""First run, unlock with the password (wrong one: 密码错误 next to the field), recovery key → new password,
and the remembered key opening without a dialog."""
from __future__ import annotations

from PySide6.QtWidgets import QLabel, QWidget

from models.services.setup import initialize
from tests.conftest import DEMO_TODAY, TEST_PASSWORD
from tests.ui.conftest import fill_and_accept, set_fields, submit
from ui.start_dialogs import setup_dialog, unlock_dialog
from ui.startup import first_run, unlock_interactively

NEW_PASSWORD = "Xin-mima-2027"


def test_first_run_creates_the_database_shows_the_recovery_key_and_loads_demo(qtbot, user_data_dir, modal):
    db_path = user_data_dir / "fjld.db"
    shown: dict[str, str] = {}

    def keep_key(dialog: QWidget) -> None:
        shown["key"] = dialog.findChild(QLabel, "recovery_key").text()
        assert not dialog.ok.isEnabled()          # cannot continue before confirming the key was kept
        dialog.kept.setChecked(True)
        dialog.ok.click()

    modal.then(fill_and_accept({"office_name": "埇桥区人民检察院", "office_code": "埇检",
                                "password": TEST_PASSWORD, "again": TEST_PASSWORD, "remember": True}))
    modal.then(keep_key)
    db = first_run(db_path, demo=True, today=DEMO_TODAY)
    assert db is not None and db_path.exists()
    assert modal.seen == ["首次使用设置", "恢复密钥"]
    assert len(shown["key"].replace("-", "")) >= 40
    from models.services.units import list_units
    with db.session_scope() as session:
        assert list_units(session)                  # --demo: demo data loaded after set-up
    db.close()
    # remembered on this computer: the next start opens without asking
    again = unlock_interactively(db_path)
    assert again is not None
    again.close()


def test_setup_rejects_mismatched_and_weak_passwords_next_to_the_field(qtbot, user_data_dir):
    created = []
    dialog = setup_dialog(None, lambda values: created.append(values))
    qtbot.addWidget(dialog)
    set_fields(dialog, {"office_name": "某院", "office_code": "某检", "password": "short", "again": "short"})
    dialog.accept()
    assert "至少8位" in dialog.form.error_text("password")
    set_fields(dialog, {"password": TEST_PASSWORD, "again": TEST_PASSWORD + "x"})
    dialog.accept()
    assert dialog.form.error_text("again") == "两次输入的密码不一致"
    assert created == []


def test_wrong_password_shows_mima_cuowu_next_to_the_field(qtbot, user_data_dir):
    db_path = user_data_dir / "fjld.db"
    initialize(db_path, TEST_PASSWORD, office_name="某院", office_code="某检").db.close()
    from models.services.setup import unlock
    opened = []
    dialog = unlock_dialog(None, lambda v: opened.append(unlock(db_path, password=str(v["password"]))))
    qtbot.addWidget(dialog)
    set_fields(dialog, {"password": "Not-the-password-1"})
    submit(qtbot, dialog)
    assert dialog.form.error_text("password") == "密码错误"
    assert dialog.isVisible() is False or dialog.result() != dialog.DialogCode.Accepted
    set_fields(dialog, {"password": TEST_PASSWORD})
    submit(qtbot, dialog)
    assert dialog.result() == dialog.DialogCode.Accepted and len(opened) == 1
    opened[0].close()


def test_forgotten_password_recovery_key_then_new_password(qtbot, user_data_dir, modal):
    db_path = user_data_dir / "fjld.db"
    created = initialize(db_path, TEST_PASSWORD, office_name="某院", office_code="某检")
    created.db.close()

    def forgot(dialog: QWidget) -> None:
        dialog.findChild(QWidget, "forgot").click()

    modal.then(forgot)
    modal.then(fill_and_accept({"recovery_key": created.recovery_key, "new_password": NEW_PASSWORD,
                                "again": NEW_PASSWORD}))
    db = unlock_interactively(db_path)
    assert db is not None
    db.close()
    from models.services.setup import unlock
    unlock(db_path, password=NEW_PASSWORD).close()   # the new password now opens it
