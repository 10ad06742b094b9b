"""账户 screen for administrators (issue 16): the accounts of this database with their roles, and
添加账户 / 设置角色 / 重置密码 / 停用·启用. Talks to models/accounts.py only; a refusal (not an
administrator, the last administrator, a weak password …) is shown next to the field it concerns. On a
server database the same screen manages the people's server logins (models/pg_roles.py).

添加账户 and 重置密码 derive a key slot from the password (Argon2id) or set a server login's password:
their dialogs run that off the GUI thread (values_dialog.WorkingDialog) and refresh the table after."""
from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from models.accounts import AccountRow, add_account, list_accounts, reset_password, set_disabled, set_roles
from models.errors import DomainError
from models.keyslots import PASSWORD_RULE
from models.permissions import may
from models.rules.permissions import ROLE_HELP, ROLES
from ui import messages
from ui.context import AppContext
from ui.form import FieldSpec
from ui.i18n import tr
from ui.start_dialogs import check_new_password
from ui.values_dialog import ValuesDialog, WorkingDialog

ROLE_SPECS = tuple(FieldSpec(f"role_{role}", f"{tr(role)}（{tr(ROLE_HELP[role])}）", "bool") for role in ROLES)
ADD_SPECS = (FieldSpec("name", tr("账户名"), hint=tr("填姓名；案件的承办人与它一致时，归该账户承办")),
             *ROLE_SPECS,
             FieldSpec("password", tr("初始密码"), "password", hint=tr(PASSWORD_RULE)),
             FieldSpec("again", tr("再输入一次"), "password"))
RESET_SPECS = (FieldSpec("password", tr("新密码"), "password", hint=tr(PASSWORD_RULE)),
               FieldSpec("again", tr("再输入一次"), "password"))
ERROR_FIELDS = {"bad_account_name": "name", "account_exists": "name", "account_name_reserved": "name",
                "weak_password": "password",
                "password_required": "password", "bad_role": f"role_{ROLES[0]}", "last_admin": f"role_{ROLES[0]}"}


def chosen_roles(values: dict[str, object]) -> tuple[str, ...]:
    roles = tuple(role for role in ROLES if values.get(f"role_{role}"))
    if not roles:
        raise DomainError("bad_role", tr("请至少选择一个角色"), field=f"role_{ROLES[0]}")
    return roles


class AccountsPage(QWidget):
    title = tr("账户")
    HEADERS = (tr("账户名"), tr("角色"), tr("状态"), tr("创建时间"), tr("密码修改时间"))

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.rows: list[AccountRow] = []
        layout = QVBoxLayout(self)
        self.note = QLabel(tr("每人一个账户，各用自己的密码解锁；角色决定能做什么。只有管理员能管理账户。"))
        self.note.setWordWrap(True)
        layout.addWidget(self.note)
        self.table = QTableWidget(0, len(self.HEADERS))
        self.table.setObjectName("accounts_table")
        self.table.setHorizontalHeaderLabels(list(self.HEADERS))
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.horizontalHeader().setStretchLastSection(True)
        layout.addWidget(self.table, 1)
        buttons = QHBoxLayout()
        self.add_button = self._button(buttons, "add_account", tr("添加账户"), self.add)
        self.roles_button = self._button(buttons, "set_roles", tr("设置角色"), self.edit_roles)
        self.reset_button = self._button(buttons, "reset_password", tr("重置密码"), self.reset)
        self.disable_button = self._button(buttons, "toggle_disabled", tr("停用/启用"), self.toggle_disabled)
        buttons.addStretch(1)
        layout.addLayout(buttons)
        self.refresh()

    def _button(self, row: QHBoxLayout, name: str, label: str, slot: Callable[[], object]) -> QPushButton:
        button = QPushButton(label)
        button.setObjectName(name)
        button.clicked.connect(slot)
        row.addWidget(button)
        return button

    # -- data --
    def refresh(self) -> None:
        allowed = may(self.ctx.db, "accounts")
        for button in (self.add_button, self.roles_button, self.reset_button, self.disable_button):
            button.setEnabled(allowed)
        if not allowed:
            self.rows = []
            self.table.setRowCount(0)
            self.note.setText(tr("只有管理员可以查看和管理账户。"))
            return
        self.rows = self.ctx.read(list_accounts)
        self.table.setRowCount(len(self.rows))
        for index, row in enumerate(self.rows):
            cells = (row.name, "、".join(row.roles), tr(row.status),
                     _minute(row.created_at), _minute(row.password_changed_at))
            for column, value in enumerate(cells):
                self.table.setItem(index, column, QTableWidgetItem(value))
        self.table.resizeColumnsToContents()   # names and role lists shown whole, not cut to "…"

    def selected(self) -> AccountRow | None:
        index = self.table.currentRow()
        return self.rows[index] if 0 <= index < len(self.rows) else None

    def select(self, name: str) -> None:
        for index, row in enumerate(self.rows):
            if row.name == name:
                self.table.selectRow(index)

    # -- dialogs (returned unopened, so tests can fill them in) --
    def add_dialog(self) -> ValuesDialog:
        def check(values: dict[str, object]) -> None:
            chosen_roles(values)
            check_new_password(values["password"], values["again"])

        def work(values: dict[str, object]) -> None:   # off the GUI thread
            add_account(self.ctx.db, str(values["name"]), chosen_roles(values), str(values["password"]))

        return self._dialog(tr("添加账户"), ADD_SPECS, {f"role_{ROLES[0]}": True}, check, work=work)

    def roles_dialog(self, row: AccountRow) -> ValuesDialog:
        def check(values: dict[str, object]) -> None:
            set_roles(self.ctx.db, row.name, chosen_roles(values))

        initial = {f"role_{role}": role in row.roles for role in ROLES}
        return self._dialog(tr("设置角色：{name}").format(name=row.name), ROLE_SPECS, initial, check)

    def reset_dialog(self, row: AccountRow) -> ValuesDialog:
        def check(values: dict[str, object]) -> None:
            check_new_password(values["password"], values["again"])

        def work(values: dict[str, object]) -> None:   # off the GUI thread
            reset_password(self.ctx.db, row.name, str(values["password"]))

        note = tr("为忘记密码的同事设置新密码，请当面告知本人，并提醒其登录后在“设置”中修改。")
        return self._dialog(tr("重置密码：{name}").format(name=row.name), RESET_SPECS, {}, check, note, work)

    def _dialog(self, title: str, specs: tuple[FieldSpec, ...], initial: dict[str, object],
                check: Callable[[dict[str, object]], None], note: str = "",
                work: Callable[[dict[str, object]], None] | None = None) -> ValuesDialog:
        if work is None:
            dialog = ValuesDialog(self, title, specs, initial, note=note, check=check, error_fields=ERROR_FIELDS)
        else:
            dialog = WorkingDialog(self, title, specs, initial, note=note, check=check, work=work, writes=True,
                                   busy_text=tr("正在保存密码，请稍候…"), error_fields=ERROR_FIELDS)
        dialog.accepted.connect(self.refresh)   # not called when the page (and so the dialog) is gone
        return dialog

    # -- actions --
    def add(self) -> None:
        self.add_dialog().exec()

    def edit_roles(self) -> None:
        row = self.selected()
        if row is None:
            messages.show_error(self, tr("请先选择一个账户"))
            return
        self.roles_dialog(row).exec()

    def reset(self) -> None:
        row = self.selected()
        if row is None:
            messages.show_error(self, tr("请先选择一个账户"))
            return
        self.reset_dialog(row).exec()

    def toggle_disabled(self) -> None:
        row = self.selected()
        if row is None:
            messages.show_error(self, tr("请先选择一个账户"))
            return
        self.set_disabled(row, not row.disabled)

    def set_disabled(self, row: AccountRow, disabled: bool) -> bool:
        try:
            set_disabled(self.ctx.db, row.name, disabled)
        except DomainError as exc:
            messages.show_error(self, exc)
            return False
        self.refresh()
        if not disabled:   # a file's slot was deleted at 停用; a server login keeps its password
            text = tr("已启用账户“{name}”，可用原密码登录") if self.ctx.db.server is not None \
                else tr("已启用账户“{name}”，请为其重置密码")
            messages.show_info(self, text.format(name=row.name))
        return True


def _minute(stamp: str) -> str:
    """An ISO time as the clerk reads it: date and minute ("2026-12-03 09:41")."""
    return stamp.replace("T", " ")[:16]
