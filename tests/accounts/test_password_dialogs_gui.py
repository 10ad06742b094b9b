"""No frozen window while a password is hashed: the 账户, 设置 and unlock dialogs run the key derivation
(or server login) off the GUI thread. While it runs the event loop keeps turning, the fields and buttons
are disabled, a second 确定 and 取消 do nothing, and the idle lock waits; a refusal lands on its field;
a dialog gone before the result arrives breaks nothing and the account is written whole.

The slow service is the real one held at its start by a gate (`Held`), so "slow" lasts exactly as long
as each test needs."""
from __future__ import annotations

import threading
from collections.abc import Callable

import pytest
import shiboken6
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QDialogButtonBox, QPushButton, QWidget

import ui.accounts_page as accounts_page
import ui.settings_page as settings_page
from models.accounts import add_account, list_accounts, reset_password
from models.errors import DomainError
from models.rules.permissions import CLERK, PROSECUTOR
from models.services.setup import change_password, unlock
from tests.accounts.conftest import PEOPLE, Office
from tests.ui.conftest import set_fields, submit
from ui import messages
from ui.accounts_page import AccountsPage
from ui.context import AppContext
from ui.idle_lock import IdleLock
from ui.start_dialogs import unlock_dialog
from ui.workers import running_operations

WAIT = 10.0
NEW = {"name": "孙七", f"role_{PROSECUTOR}": False, f"role_{CLERK}": True,
       "password": "Sun-qi-2026", "again": "Sun-qi-2026"}


class Held:
    """Stands in for a service: records the calling thread, then waits for `release` before calling the
    real service (which hashes the password with the suite's Argon2 parameters)."""

    def __init__(self, service: Callable[..., object]) -> None:
        self.service = service
        self.entered, self.release = threading.Event(), threading.Event()
        self.threads: list[int] = []

    def __call__(self, *args: object, **kwargs: object) -> object:
        self.threads.append(threading.get_ident())
        self.entered.set()
        assert self.release.wait(WAIT), "never released"
        return self.service(*args, **kwargs)


@pytest.fixture
def admin(office: Office):
    db = office.open_as("王主任")
    yield db
    db.close()


def _ok(dialog: QWidget) -> QPushButton:
    return dialog.findChild(QDialogButtonBox).button(QDialogButtonBox.StandardButton.Ok)


def _names(db) -> set[str]:
    with db.read_scope() as session:
        return {row.name for row in list_accounts(session)}


def test_adding_an_account_keeps_the_window_turning_and_the_dialog_busy_until_done(qtbot, admin, monkeypatch):
    held = Held(add_account)
    monkeypatch.setattr(accounts_page, "add_account", held)
    page = AccountsPage(AppContext(admin))
    qtbot.addWidget(page)
    dialog = page.add_dialog()
    dialog.show()
    set_fields(dialog, NEW)
    ticks: list[int] = []
    timer = QTimer()
    timer.timeout.connect(lambda: ticks.append(1))
    timer.start(10)
    try:
        dialog.accept()
        assert held.entered.wait(WAIT)
        qtbot.waitUntil(lambda: len(ticks) >= 5, timeout=int(WAIT * 1000))   # the event loop runs meanwhile
        assert held.threads[0] != threading.get_ident()                          # not on the GUI thread
        assert dialog.busy and dialog.busy_label.text().startswith("正在")
        assert not _ok(dialog).isEnabled() and not dialog.form.isEnabled()
        assert running_operations()                                              # idle lock / exit wait for it

        dialog.accept()          # a second 确定 while busy: no second call
        dialog.reject()          # 取消 / Esc / close box while busy: the dialog stays
        assert len(held.threads) == 1 and dialog.isVisible()
        assert "孙七" not in [row.name for row in page.rows]
    finally:
        held.release.set()
        timer.stop()
    qtbot.waitUntil(lambda: not dialog.busy, timeout=int(WAIT * 1000))
    assert dialog.result() == dialog.DialogCode.Accepted and not dialog.isVisible()
    assert dialog.result_values is not None and dialog.result_values["name"] == "孙七"
    assert _ok(dialog).isEnabled() and dialog.form.isEnabled() and dialog.busy_label.text() == ""
    assert [row.roles for row in page.rows if row.name == "孙七"] == [(CLERK,)]   # the table refreshed
    assert len(held.threads) == 1 and not running_operations()
    unlock(admin.path, password=NEW["password"], account="孙七").close()      # its key slot is whole


def test_a_refusal_from_the_service_lands_on_its_field_and_the_dialog_can_try_again(qtbot, admin, monkeypatch):
    page = AccountsPage(AppContext(admin))
    qtbot.addWidget(page)
    dialog = page.add_dialog()
    set_fields(dialog, {**NEW, "name": "张三"})
    submit(qtbot, dialog)
    assert "已存在" in dialog.form.error_text("name")          # account_exists, found by the service
    assert dialog.result() != dialog.DialogCode.Accepted and dialog.result_values is None
    assert _ok(dialog).isEnabled() and dialog.form.isEnabled()

    def broken(*_args: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(accounts_page, "add_account", broken)
    set_fields(dialog, {"name": "孙七"})
    submit(qtbot, dialog)
    assert dialog.form.error_text().startswith("文件读写失败")   # one line above the form, no traceback
    monkeypatch.setattr(accounts_page, "add_account", add_account)
    submit(qtbot, dialog)
    assert dialog.result() == dialog.DialogCode.Accepted and "孙七" in _names(admin)


def test_resetting_a_password_runs_off_the_gui_thread_and_refreshes(qtbot, admin, office, monkeypatch):
    held = Held(reset_password)
    monkeypatch.setattr(accounts_page, "reset_password", held)
    page = AccountsPage(AppContext(admin))
    qtbot.addWidget(page)
    page.select("李四")
    before = page.selected()
    dialog = page.reset_dialog(before)
    set_fields(dialog, {"password": "Li-si-2027?", "again": "Li-si-2027?"})
    dialog.accept()
    assert held.entered.wait(WAIT) and dialog.busy and not _ok(dialog).isEnabled()
    held.release.set()
    qtbot.waitUntil(lambda: not dialog.busy, timeout=int(WAIT * 1000))
    assert dialog.result() == dialog.DialogCode.Accepted and held.threads[0] != threading.get_ident()
    assert next(r for r in page.rows if r.name == "李四").password_changed_at >= before.password_changed_at
    with pytest.raises(DomainError):
        unlock(office.path, password=PEOPLE["李四"][1], account="李四")
    unlock(office.path, password="Li-si-2027?", account="李四").close()


def test_a_page_gone_before_the_result_breaks_nothing_and_the_account_is_whole(qtbot, admin, monkeypatch):
    held = Held(add_account)
    monkeypatch.setattr(accounts_page, "add_account", held)
    page = AccountsPage(AppContext(admin))
    dialog = page.add_dialog()
    set_fields(dialog, NEW)
    dialog.accept()
    assert held.entered.wait(WAIT)
    shiboken6.delete(page)                 # the window closed meanwhile (the dialog is the page's child)
    assert not shiboken6.isValid(dialog)
    held.release.set()
    qtbot.waitUntil(lambda: not running_operations(), timeout=int(WAIT * 1000))
    qtbot.wait(50)                         # the result's signals are delivered (to nobody) without error
    assert "孙七" in _names(admin)
    unlock(admin.path, password=NEW["password"], account="孙七").close()


def test_the_idle_lock_waits_for_the_password_work(qtbot, admin, monkeypatch):
    held = Held(add_account)
    monkeypatch.setattr(accounts_page, "add_account", held)
    ctx = AppContext(admin)
    window = QWidget()
    qtbot.addWidget(window)
    page = AccountsPage(ctx, window)
    relocked: list[bool] = []
    lock = IdleLock(window, ctx, minutes=1, relock=lambda path: relocked.append(True) or None,
                    clock=lambda: 10_000.0)
    lock.last_input = 0.0
    dialog = page.add_dialog()
    set_fields(dialog, NEW)
    dialog.accept()
    try:
        assert held.entered.wait(WAIT)
        lock.check()
        assert relocked == []              # closing the database now would cut the new account short
    finally:
        held.release.set()
    qtbot.waitUntil(lambda: not dialog.busy, timeout=int(WAIT * 1000))
    assert dialog.result() == dialog.DialogCode.Accepted
    monkeypatch.setattr(QApplication, "quit", lambda: None)
    lock.check()
    assert relocked == [True]              # now it locks (and the test declines to unlock)
    unlock(admin.path, password=NEW["password"], account="孙七").close()


def test_changing_ones_own_password_in_settings_runs_off_the_gui_thread(qtbot, admin, monkeypatch):
    held = Held(change_password)
    monkeypatch.setattr(settings_page, "change_password", held)
    noted: list[str] = []
    monkeypatch.setattr(messages, "notify", lambda _widget, text: noted.append(text))
    page = settings_page.SettingsPage(AppContext(admin))
    qtbot.addWidget(page)
    dialog = page.password_dialog()
    set_fields(dialog, {"password": "short", "again": "short"})
    dialog.accept()
    assert "至少8位" in dialog.form.error_text("password") and not held.threads   # checked at once, here
    set_fields(dialog, {"password": "Wang-new-2027", "again": "Wang-new-2027"})
    dialog.accept()
    assert held.entered.wait(WAIT) and dialog.busy and held.threads[0] != threading.get_ident()
    held.release.set()
    qtbot.waitUntil(lambda: not dialog.busy, timeout=int(WAIT * 1000))
    assert dialog.result() == dialog.DialogCode.Accepted and noted == ["密码已修改"]
    unlock(admin.path, password="Wang-new-2027", account="王主任").close()


def test_the_unlock_attempt_runs_off_the_gui_thread_and_forgot_waits_too(qtbot, office):
    opened = []
    held = Held(lambda values: opened.append(unlock(office.path, password=str(values["password"]),
                                                    account=values["account"])))
    dialog = unlock_dialog(None, held, accounts=sorted(PEOPLE), account="张三")
    qtbot.addWidget(dialog)
    dialog.show()
    set_fields(dialog, {"password": "Wrong-password-1"})
    dialog.accept()
    assert held.entered.wait(WAIT) and dialog.busy
    forgot = dialog.findChild(QPushButton, "forgot")
    assert not forgot.isEnabled()
    dialog.done(2)                         # 忘记密码 while busy: ignored
    assert dialog.isVisible()
    held.release.set()
    qtbot.waitUntil(lambda: not dialog.busy, timeout=int(WAIT * 1000))
    assert dialog.form.error_text("password") == "密码错误" and forgot.isEnabled() and dialog.isVisible()
    held.entered.clear()
    set_fields(dialog, {"password": PEOPLE["张三"][1]})
    submit(qtbot, dialog)
    assert dialog.result() == dialog.DialogCode.Accepted and opened[0].user == "张三"
    assert len(set(held.threads)) >= 1 and threading.get_ident() not in held.threads
    opened[0].close()


def test_the_window_does_not_close_under_a_new_account(qtbot, admin, monkeypatch):
    from ui.main_window import MainWindow

    held = Held(add_account)
    monkeypatch.setattr(accounts_page, "add_account", held)
    shown: list[str] = []
    monkeypatch.setattr(messages, "show_error", lambda _parent, text: shown.append(str(text)))
    window = MainWindow(AppContext(admin))
    qtbot.addWidget(window)
    window.show()
    dialog = window.show_screen("accounts").add_dialog()
    set_fields(dialog, NEW)
    dialog.accept()
    try:
        assert held.entered.wait(WAIT)
        assert not window.close() and window.isVisible()      # refused: the account is being written
        assert shown and "请等它完成后再退出" in shown[-1]
    finally:
        held.release.set()
    qtbot.waitUntil(lambda: not dialog.busy, timeout=int(WAIT * 1000))
    assert "孙七" in _names(admin)
