"""The window on a server database with per-person accounts (issue 16 §2): the login dialog asks for the
account and its password, says which field is wrong, and remembers the last account used on that server
(a name, never a password); the 账户 screen works on a server for an administrator."""
from __future__ import annotations

import pytest
from PySide6.QtWidgets import QLabel

from models.accounts import add_account
from models.permissions import actor_of
from models.rules.permissions import CLERK
from tests.pg.test_server_accounts import PASSWORDS, person_url
from tests.ui.conftest import modal, set_fields, submit  # noqa: F401  (modal: fixture)
from ui.accounts_page import AccountsPage
from ui.context import AppContext
from ui.startup import open_server_interactively

pytestmark = pytest.mark.parametrize("backend", ["postgresql"], indirect=True)


@pytest.fixture
def server_with_clerk(new_db):
    add_account(new_db, "王内勤", CLERK, PASSWORDS["王内勤"])
    return new_db


def test_the_login_dialog_asks_for_the_account_and_remembers_it(qtbot, modal, server_with_clerk):  # noqa: F811
    url = person_url(server_with_clerk, "fjld_app")   # the URL as the administrator configured the desk

    def log_in(dialog) -> None:
        set_fields(dialog, {"account": "没有这个人", "password": PASSWORDS["王内勤"]})
        submit(qtbot, dialog)
        assert dialog.form.error_text("password") == "密码错误"     # the server does not say which
        set_fields(dialog, {"account": "王内勤"})
        submit(qtbot, dialog)

    modal.then(log_in)
    db = open_server_interactively(url)
    assert modal.seen == ["连接服务器"] and db is not None
    try:
        assert actor_of(db).name == "王内勤" and actor_of(db).roles == (CLERK,)
    finally:
        db.close()

    seen_account = []

    def preset(dialog) -> None:
        seen_account.append(dialog.form.values()["account"])
        dialog.reject()

    modal.then(preset)
    assert open_server_interactively(url, allow_remembered=False) is None
    assert seen_account == ["王内勤"]


def test_the_accounts_screen_manages_server_logins_for_an_administrator(qtbot, server_with_clerk):
    from models.errors import DomainError
    from models.pg import sign_in_server

    db = server_with_clerk
    page = AccountsPage(AppContext(db))
    qtbot.addWidget(page)
    assert [row.name for row in page.rows] == ["测试员", "王内勤"]
    dialog = page.add_dialog()
    set_fields(dialog, {"name": "钱检察官", "password": "Qian-2026-abc", "again": "Qian-2026-abc"})
    submit(qtbot, dialog)
    assert dialog.result() == dialog.DialogCode.Accepted
    assert "钱检察官" in [row.name for row in page.rows]
    person = sign_in_server(person_url(db, "钱检察官", "Qian-2026-abc"))
    person.close()
    page.select("钱检察官")
    reset = page.reset_dialog(page.selected())
    set_fields(reset, {"password": "Qian-2027-xyz", "again": "Qian-2027-xyz"})
    submit(qtbot, reset)
    assert reset.result() == reset.DialogCode.Accepted
    with pytest.raises(DomainError):
        sign_in_server(person_url(db, "钱检察官", "Qian-2026-abc"))
    sign_in_server(person_url(db, "钱检察官", "Qian-2027-xyz")).close()


def test_a_liaison_signed_in_on_the_server_works_in_the_screens_of_the_government_view(qtbot, new_db):
    """The liaison's login may not read case details on the server: the screens of its work read only
    what it may read (a query naming a hidden column would be refused by the server)."""
    from models.pg import sign_in_server
    from models.rules.permissions import LIAISON
    from models.services.cases import register_case
    from models.services.tasks import add_aspect, add_task, create_task_list
    from ui.main_window import SCREENS, MainWindow

    with new_db.write_scope() as session:
        register_case(session, "某河道污染案", handler="张三", summary="案件秘密详情")
        tasks = create_task_list(session, 2026, "2026年任务清单")
        add_task(session, add_aspect(session, tasks.id, "生态环境").id, 1, "河道整治")
    add_account(new_db, "赵联络", LIAISON, PASSWORDS["赵联络"])
    liaison = sign_in_server(person_url(new_db, "赵联络", PASSWORDS["赵联络"]))
    try:
        win = MainWindow(AppContext(liaison))
        qtbot.addWidget(win)
        opened = []
        for key, _label, _factory in SCREENS:   # every screen opens (同步 and 设置 too)
            opened.append(win.show_screen(key))
            qtbot.wait(20)
        assert len(opened) == len(SCREENS)
        sync_page, settings_page = win.show_screen("sync"), win.show_screen("settings")
        assert not sync_page.allowed and "没有同步权限" in " ".join(w.text() for w in sync_page.findChildren(QLabel))
        assert not settings_page.remember.isVisibleTo(settings_page)   # no key file on a server
        cases = win.show_screen("case")
        assert cases.model.total_count() == 0          # the case the office holds is not there for it
    finally:
        liaison.close()
