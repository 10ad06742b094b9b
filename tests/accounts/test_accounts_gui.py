"""GUI: the unlock dialog asks for the account when there is more than one; the 账户 screen lets an
administrator add, re-role, reset and disable accounts, and shows nothing to anyone else."""
from __future__ import annotations

import pytest
from PySide6.QtWidgets import QComboBox, QWidget

from models.accounts import account_names
from models.errors import DomainError
from models.rules.permissions import CLERK, LEADER, PROSECUTOR
from models.services.setup import unlock
from tests.accounts.conftest import PEOPLE, Office
from tests.conftest import TEST_PASSWORD
from tests.ui.conftest import set_fields, submit
from ui.accounts_page import AccountsPage
from ui.context import AppContext
from ui.start_dialogs import setup_dialog, unlock_dialog


def test_the_unlock_dialog_asks_for_the_account_when_there_are_several(qtbot, office: Office):
    names = account_names(office.path)
    assert names == sorted(PEOPLE)
    opened = []
    dialog = unlock_dialog(None, lambda v: opened.append(unlock(office.path, password=str(v["password"]),
                                                                account=v["account"])),
                           accounts=names, account="李四")
    qtbot.addWidget(dialog)
    combo = dialog.findChild(QComboBox, "account")
    assert combo is not None and combo.currentText() == "李四"
    set_fields(dialog, {"account": "张三", "password": PEOPLE["李四"][1]})
    submit(qtbot, dialog)
    assert dialog.form.error_text("password") == "密码错误" and opened == []
    set_fields(dialog, {"password": PEOPLE["张三"][1]})
    submit(qtbot, dialog)
    assert dialog.result() == dialog.DialogCode.Accepted
    assert opened[0].user == "张三"
    opened[0].close()


def test_a_single_account_database_shows_no_account_choice(qtbot):
    dialog = unlock_dialog(None, lambda v: None, accounts=["王主任"])
    qtbot.addWidget(dialog)
    assert dialog.findChild(QWidget, "account") is None
    set_fields(dialog, {"password": TEST_PASSWORD})
    submit(qtbot, dialog)
    assert dialog.result_values is not None and dialog.result_values["account"] is None


def test_the_setup_dialog_checks_the_administrator_account_name(qtbot):
    created = []
    dialog = setup_dialog(None, created.append)
    qtbot.addWidget(dialog)
    set_fields(dialog, {"office_name": "某院", "office_code": "某检", "account": "A" * 41,
                        "password": TEST_PASSWORD, "again": TEST_PASSWORD})
    dialog.accept()
    assert "账户名太长" in dialog.form.error_text("account") and created == []
    set_fields(dialog, {"account": " 王  主任 "})
    submit(qtbot, dialog)
    assert created[0]["account"] == "王 主任"


def test_an_administrator_manages_accounts_on_the_accounts_screen(qtbot, office: Office):
    db = office.open_as("王主任")
    try:
        page = AccountsPage(AppContext(db))
        qtbot.addWidget(page)
        assert page.table.rowCount() == len(PEOPLE) and page.add_button.isEnabled()

        dialog = page.add_dialog()
        qtbot.addWidget(dialog)
        set_fields(dialog, {"name": "孙七", f"role_{PROSECUTOR}": False, f"role_{CLERK}": True,
                            "password": "abc", "again": "abc"})
        dialog.accept()
        assert "至少8位" in dialog.form.error_text("password")
        set_fields(dialog, {"name": "张三", "password": "Sun-qi-2026", "again": "Sun-qi-2026"})
        submit(qtbot, dialog)
        assert "已存在" in dialog.form.error_text("name")
        set_fields(dialog, {"name": "孙七"})
        submit(qtbot, dialog)
        assert dialog.result() == dialog.DialogCode.Accepted
        assert [r.roles for r in page.rows if r.name == "孙七"] == [(CLERK,)]

        row = next(r for r in page.rows if r.name == "孙七")
        roles = page.roles_dialog(row)
        qtbot.addWidget(roles)
        set_fields(roles, {f"role_{CLERK}": False, f"role_{LEADER}": True})
        roles.accept()
        assert [r.roles for r in page.rows if r.name == "孙七"] == [(LEADER,)]

        reset = page.reset_dialog(row)
        qtbot.addWidget(reset)
        set_fields(reset, {"password": "Reset-gui-2026", "again": "Reset-gui-2026"})
        submit(qtbot, reset)
        assert reset.result() == reset.DialogCode.Accepted

        assert page.set_disabled(next(r for r in page.rows if r.name == "孙七"), True)
        assert [r.disabled for r in page.rows if r.name == "孙七"] == [True]
    finally:
        db.close()
    with pytest.raises(DomainError) as err:
        unlock(office.path, password="Reset-gui-2026", account="孙七")
    assert err.value.code == "account_disabled"


def test_the_accounts_screen_shows_nothing_to_others(qtbot, office: Office):
    db = office.open_as("赵科长")
    try:
        page = AccountsPage(AppContext(db))
        qtbot.addWidget(page)
        assert page.table.rowCount() == 0 and not page.add_button.isEnabled()
        assert "只有管理员" in page.note.text()
    finally:
        db.close()
