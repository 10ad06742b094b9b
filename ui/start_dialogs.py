"""Start-up dialogs: first-run set-up (office, 院代字, the first administrator's account name, password,
remember) and unlock (account when the database has more than one, password; or the recovery key
followed by a new password). Both return plain values; `attempt` is the caller's use case (create or
unlock) whose DomainError is shown next to the field it concerns (e.g. 密码错误).

`attempt` derives a key from the password (Argon2id: hundreds of ms and MiB) or signs in on a server,
so it runs off the GUI thread in a `WorkingDialog` (ui/values_dialog.py), as do the 账户 and 设置
screens' password dialogs."""
from __future__ import annotations

from collections.abc import Callable, Sequence

from PySide6.QtWidgets import QPushButton, QWidget

from models.accounts import normalize_name
from models.errors import DomainError
from models.keyslots import PASSWORD_RULE as RULE
from models.keyslots import check_password_strength
from ui.form import FieldSpec
from ui.i18n import tr
from ui.values_dialog import WorkingDialog

FORGOT = 2  # unlock dialog result: the clerk chose 忘记密码
Attempt = Callable[[dict[str, object]], None]

PASSWORD_RULE = tr(RULE)
SETUP_SPECS = (FieldSpec("office_name", tr("院名"), placeholder=tr("如：宿州市埇桥区人民检察院")),
               FieldSpec("office_code", tr("院代字"), placeholder=tr("如：埇检")),
               FieldSpec("account", tr("管理员账户名"), placeholder=tr("您的姓名（留空：以院名为账户名）"),
                         hint=tr("首个账户是管理员兼部门负责人；以后可在“账户”中为同事添加账户")),
               FieldSpec("password", tr("设置密码"), "password", hint=PASSWORD_RULE),
               FieldSpec("again", tr("再输入一次"), "password"),
               FieldSpec("remember", tr("在本机记住密码（下次自动解锁）"), "bool"))
PASSWORD_SPECS = (FieldSpec("password", tr("密码"), "password"),)
RECOVERY_SPECS = (FieldSpec("recovery_key", tr("恢复密钥"), placeholder="12345-67890-…"),
                  FieldSpec("new_password", tr("新密码"), "password", hint=PASSWORD_RULE),
                  FieldSpec("again", tr("再输入一次"), "password"))
ERROR_FIELDS = {"wrong_password": "password", "weak_password": "password", "password_required": "password",
                "bad_recovery_key": "recovery_key", "wrong_recovery_key": "recovery_key", "locked_out": "password",
                "bad_account_name": "account", "unknown_account": "account", "account_disabled": "account",
                "account_required": "account", "recovery_admin_only": "account"}


def account_spec(accounts: Sequence[str], recovery: bool = False) -> tuple[FieldSpec, ...]:
    """The account choice, shown only when the database has more than one account."""
    if len(accounts) < 2:
        return ()
    label = tr("管理员账户") if recovery else tr("账户")
    return (FieldSpec("account", label, "choice", tuple(accounts)),)


def check_new_password(password: object, again: object, field: str = "password") -> None:
    if not str(password):
        raise DomainError("password_required", tr("请设置密码"), field=field)
    check_password_strength(str(password))
    if password != again:
        raise DomainError("password_mismatch", tr("两次输入的密码不一致"), field="again")


def setup_dialog(parent: QWidget | None, attempt: Attempt) -> WorkingDialog:
    def check(values: dict[str, object]) -> None:
        if not str(values["office_name"]).strip():
            raise DomainError("office_name", tr("请填写院名"), field="office_name")
        if not str(values["office_code"]).strip():
            raise DomainError("office_code", tr("请填写院代字（用于文号，如“埇检”）"), field="office_code")
        if str(values.get("account") or "").strip():
            values["account"] = normalize_name(values["account"])
        else:
            values["account"] = None
        check_new_password(values["password"], values["again"])

    note = tr("欢迎使用“府检联动”工作平台。首次使用请填写本院信息并设置密码。\n数据保存在本机的加密数据库中。")
    dialog = WorkingDialog(parent, tr("首次使用设置"), SETUP_SPECS, {"remember": False}, note=note, check=check,
                           work=attempt, busy_text=tr("正在创建加密数据库，请稍候…"), error_fields=ERROR_FIELDS)
    dialog.setObjectName("setup_dialog")
    return dialog


def unlock_dialog(parent: QWidget | None, attempt: Attempt, *, recovery: bool = False,
                  accounts: Sequence[str] = (), account: str = "") -> WorkingDialog:
    """Password mode, or recovery mode (recovery key + new password). `values["mode"]` tells which.
    `accounts`: the names to choose from (models.accounts.account_names); with more than one the dialog
    asks which, preselecting `account`, and `values["account"]` holds the choice (else None)."""
    specs = account_spec(accounts, recovery) + (RECOVERY_SPECS if recovery else PASSWORD_SPECS)

    def check(values: dict[str, object]) -> None:
        values["mode"] = "recovery" if recovery else "password"
        values["account"] = str(values["account"]) if values.get("account") else None
        if recovery:
            check_new_password(values["new_password"], values["again"], "new_password")
        elif not values["password"]:
            raise DomainError("password_required", tr("请输入密码"), field="password")

    note = (tr("忘记密码时：输入恢复密钥，并设置新密码。") if recovery
            else tr("请输入密码解锁数据库。"))
    initial: dict[str, object] = {"account": account} if account in accounts else {}
    dialog = WorkingDialog(parent, tr("解锁"), specs, initial, note=note, check=check, work=attempt,
                           busy_text=tr("正在解锁，请稍候…"),
                           error_fields={**ERROR_FIELDS, "weak_password": "new_password"} if recovery else ERROR_FIELDS)
    dialog.setObjectName("recovery_dialog" if recovery else "unlock_dialog")
    if not recovery:
        forgot = QPushButton(tr("忘记密码？用恢复密钥解锁"))
        forgot.setObjectName("forgot")
        forgot.setFlat(True)
        forgot.clicked.connect(lambda: dialog.done(FORGOT))
        dialog.layout().insertWidget(dialog.layout().count() - 1, forgot)
    return dialog




SERVER_SPECS = (FieldSpec("account", tr("账户"), placeholder=tr("您的账户名（姓名）")), *PASSWORD_SPECS)
SERVER_ERROR_FIELDS = {**ERROR_FIELDS, "no_account": "account"}


def server_login_dialog(parent: QWidget | None, attempt: Attempt, server: str, account: str = "") -> WorkingDialog:
    """Who signs in on the server database (`--db postgresql://…@主机/库名`): the account name, preset to
    `account` (the last one used on this server, else the URL's), and its password (the server's;
    never stored here unless `unlock --remember` put it in the credential store)."""

    def check(values: dict[str, object]) -> None:
        values["account"] = str(values.get("account") or "").strip()
        if not values["account"]:
            raise DomainError("bad_account_name", tr("请填写账户名"), field="account")
        if not values["password"]:
            raise DomainError("password_required", tr("请输入密码"), field="password")

    dialog = WorkingDialog(parent, tr("连接服务器"), SERVER_SPECS, {"account": account},
                           note=tr("请用您本人的账户登录服务器数据库：") + server, check=check, work=attempt,
                           busy_text=tr("正在连接服务器，请稍候…"), error_fields=SERVER_ERROR_FIELDS)
    dialog.setObjectName("server_login_dialog")
    return dialog
