"""设置 screen: office, warning days, document fonts, holiday calendar coverage, backups and security,
and this workstation's window font size (applied at once, kept in window.ini, not in the database)."""
from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QPushButton,
    QScrollArea,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from models.backend import parse_server_url
from models.connection import choose_local, choose_server, load_choice
from models.derived import default_calendar
from models.errors import DomainError
from models.rules.holidays import HolidayCalendar
from models.services.calendar import install_holiday_file
from models.services.office_settings import (
    FONT_ROLES,
    load_office_settings,
    parse_office_settings,
    save_office_settings,
)
from models.services.restore import available_backups
from models.services.setup import backup_now, change_password, new_recovery_key, remembers_key, set_remember
from models.services.trash import deleted_records, restore_record
from ui import files, fonts, messages
from ui.connection_dialog import ask_server_address
from ui.context import AppContext
from ui.form import FieldSpec, FormWidget
from ui.i18n import tr
from ui.recovery_dialog import show_recovery_key
from ui.start_dialogs import check_new_password
from ui.values_dialog import WorkingDialog
from ui.workers import run_in_background

FONT_LABELS = dict(zip(FONT_ROLES, (tr("仿宋（正文）"), tr("黑体（一级标题）"), tr("楷体（二级标题）"),
                                    tr("小标宋（文件标题）"), tr("宋体（页码）")), strict=True))
FONT_FILES = tr("字体文件 (*.ttf *.ttc *.otf);;所有文件 (*)")
SPECS = (FieldSpec("office_name", tr("院名")), FieldSpec("office_code", tr("院代字")),
         FieldSpec("near_days", tr("临期预警天数"), "int", minimum=1, maximum=90, suffix=tr(" 天"),
                   hint=tr("到期前这么多天内的事项在首页显示为黄色")),
         FieldSpec("idle_lock_minutes", tr("无操作自动锁定"), "int", minimum=0, maximum=240, suffix=tr(" 分钟"),
                   hint=tr("填 0 为不自动锁定")),
         FieldSpec("backup_dir", tr("备份文件夹"), "folder", placeholder=tr("留空：数据文件夹下的 backups")),
         *(FieldSpec(f"font_{role}", label, "file", placeholder=tr("留空：自动查找本机字体"), file_filter=FONT_FILES)
           for role, label in FONT_LABELS.items()))


def covered_years_text(calendar: HolidayCalendar) -> str:
    years = calendar.covered_years
    if not years:
        return tr("节假日数据：无（只按周末计算）")
    return tr("节假日数据覆盖 {first}—{last} 年（共 {n} 年）；其他年份只按周末顺延期限。").format(
        first=years[0], last=years[-1], n=len(years))


class SettingsPage(QWidget):
    data_changed = Signal()  # the whole database changed (restore from a backup)
    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.form = FormWidget(SPECS)
        save = QPushButton(tr("保存设置"))
        save.clicked.connect(self.save)
        general = QGroupBox(tr("单位与文书"))
        general_layout = QVBoxLayout(general)
        general_layout.addWidget(self.form)
        save_row = QHBoxLayout()
        save_row.addStretch(1)
        save_row.addWidget(save)
        general_layout.addLayout(save_row)
        self.holiday_label = QLabel(covered_years_text(default_calendar()))
        self.holiday_label.setWordWrap(True)
        check_holidays = QPushButton(tr("浏览…"))
        check_holidays.setObjectName("browse_holidays")
        check_holidays.clicked.connect(self.check_holiday_file)
        holidays = QGroupBox(tr("节假日日历"))
        holiday_layout = QVBoxLayout(holidays)
        holiday_layout.addWidget(self.holiday_label)
        holiday_row = QHBoxLayout()
        holiday_row.addWidget(QLabel(tr("导入新一年的节假日文件（.json）：")))
        holiday_row.addWidget(check_holidays)
        holiday_row.addStretch(1)
        holiday_layout.addLayout(holiday_row)
        self.remember = QCheckBox(tr("在本机记住密码（Windows 凭据管理器）"))
        self.remember.toggled.connect(self.toggle_remember)
        password = QPushButton(tr("修改密码…"))
        password.clicked.connect(self.change_password)
        recovery = QPushButton(tr("生成新的恢复密钥…"))
        recovery.clicked.connect(self.renew_recovery)
        backup = QPushButton(tr("立即备份"))
        backup.clicked.connect(self.backup_now)
        restore = QPushButton(tr("从备份恢复…"))
        restore.clicked.connect(self.restore_backup)
        trash = QPushButton(tr("回收站…"))
        trash.clicked.connect(self.open_trash)
        security = QGroupBox(tr("安全与备份"))
        security_layout = QGridLayout(security)
        security_layout.addWidget(self.remember, 0, 0, 1, 3)
        for n, widget in enumerate((password, recovery, backup, restore, trash)):
            security_layout.addWidget(widget, 1 + n // 3, n % 3)
        security_layout.setColumnStretch(3, 1)
        if ctx.db.server is not None:   # no key file and no file backups: the server's own (README)
            for widget in (self.remember, recovery, backup, restore):
                widget.hide()
            server_note = QLabel(tr("服务器上的数据库由管理员在服务器上备份和恢复；这里的密码就是您的服务器账户密码。"))
            server_note.setWordWrap(True)
            security_layout.addWidget(server_note, 3, 0, 1, 4)
        self.font_size = QSpinBox()
        self.font_size.setObjectName("font_point_size")
        self.font_size.setRange(fonts.SMALLEST, fonts.LARGEST)
        self.font_size.setSuffix(tr(" 磅"))
        self.font_size.setValue(fonts.saved_point_size())
        self.font_size.valueChanged.connect(fonts.apply_point_size)
        display = QGroupBox(tr("本机显示"))
        display_layout = QHBoxLayout(display)
        display_layout.addWidget(QLabel(tr("窗口字号（只影响本机，立即生效）：")))
        display_layout.addWidget(self.font_size)
        display_layout.addStretch(1)
        self.connection_label = QLabel()
        self.connection_label.setWordWrap(True)
        to_server = QPushButton(tr("连接单位服务器…"))
        to_server.clicked.connect(self.choose_server)
        self.to_local = QPushButton(tr("改用本机数据库"))
        self.to_local.clicked.connect(self.choose_local)
        connection = QGroupBox(tr("数据库（本机设置）"))
        connection_layout = QGridLayout(connection)
        connection_layout.addWidget(self.connection_label, 0, 0, 1, 3)
        connection_layout.addWidget(to_server, 1, 0)
        connection_layout.addWidget(self.to_local, 1, 1)
        connection_layout.setColumnStretch(2, 1)
        self.show_connection()
        inner = QWidget()
        layout = QVBoxLayout(inner)
        for box in (general, holidays, security, display, connection):
            layout.addWidget(box)
        layout.addStretch(1)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(inner)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(scroll)
        self.reload()

    def reload(self) -> None:
        with self.ctx.db.read_scope() as session:
            current = load_office_settings(session)
        values: dict[str, object] = {"office_name": current.office_name, "office_code": current.office_code,
                                     "near_days": current.near_days, "idle_lock_minutes": current.idle_lock_minutes,
                                     "backup_dir": current.backup_dir}
        values.update({f"font_{role}": current.font_overrides.get(role, "") for role in FONT_LABELS})
        self.form.set_values(values)
        if self.ctx.db.server is None:
            self.remember.blockSignals(True)
            self.remember.setChecked(remembers_key(self.ctx.db.path))
            self.remember.blockSignals(False)

    def save(self) -> bool:
        self.form.clear_errors()
        try:
            chosen = parse_office_settings(self.form.values())
            with self.ctx.db.write_scope() as session:
                save_office_settings(session, chosen)
        except DomainError as exc:
            self.form.show_domain_error(exc)
            return False
        self.form.mark_clean()
        idle_lock = getattr(self.window(), "idle_lock", None)
        if idle_lock is not None:
            idle_lock.set_minutes(chosen.idle_lock_minutes)
        messages.notify(self, tr("设置已保存"))
        return True

    def check_holiday_file(self) -> None:
        path = files.ask_open_path(self, tr("选择节假日文件"), tr("节假日数据 (*.json);;所有文件 (*)"))
        if path is None:
            return
        try:
            calendar = HolidayCalendar.from_file(path)
            if not messages.confirm(self, tr("文件有效。") + covered_years_text(calendar)
                                    + tr("\n采用此文件并按新日历重新计算各项期限吗？")):
                return
            installed = install_holiday_file(self.ctx.db, path)
        except DomainError as exc:
            messages.show_error(self, exc)
            return
        self.holiday_label.setText(covered_years_text(installed))
        messages.notify(self, tr("已采用新的节假日文件，期限已重新计算"))

    def toggle_remember(self, on: bool) -> None:
        try:
            set_remember(self.ctx.db, on)
        except DomainError as exc:
            messages.show_error(self, exc)
            self.reload()

    def change_password(self) -> None:
        self.password_dialog().exec()

    def password_dialog(self) -> WorkingDialog:
        """修改密码, returned unopened (tests fill it in). The backup first and the new key slot (Argon2id)
        take seconds, so they run off the GUI thread."""
        specs = (FieldSpec("password", tr("新密码"), "password"), FieldSpec("again", tr("再输入一次"), "password"))

        def check(values: dict[str, object]) -> None:
            check_new_password(values["password"], values["again"])

        def work(values: dict[str, object]) -> None:
            change_password(self.ctx.db, str(values["password"]))

        dialog = WorkingDialog(self, tr("修改密码"), specs, check=check, work=work, writes=True,
                               busy_text=tr("正在修改密码，请稍候…"), error_fields={"weak_password": "password"})
        dialog.accepted.connect(lambda: messages.notify(self, tr("密码已修改")))
        return dialog

    def renew_recovery(self) -> None:
        if messages.confirm(self, tr("生成新的恢复密钥后，旧的恢复密钥立即作废。继续吗？")):
            show_recovery_key(self, new_recovery_key(self.ctx.db))

    def backup_now(self) -> None:
        db = self.ctx.db

        def job(_progress: Callable[[int, int], None], _cancelled: Callable[[], bool]) -> str:
            return str(backup_now(db))

        run_in_background(self, tr("正在备份…"), job,
                          lambda p: messages.notify(self, tr("已备份并校验：{p}").format(p=p)),
                          lambda e: messages.show_error(self, e), writes=True)

    def restore_backup(self) -> None:
        backups = available_backups(self.ctx.db)
        if not backups:
            messages.show_info(self, tr("还没有备份"))
            return
        labels = [f"{b.taken_at:%Y-%m-%d %H:%M:%S}　{b.reason}　{max(1, b.size // 1024)} KB" for b in backups]
        label, ok = QInputDialog.getItem(self, tr("从备份恢复"), tr("选择要恢复的备份（最新的在最上面）："), labels, 0,
                                         False)
        if not ok or not messages.confirm(
                self, tr("恢复后，数据库回到所选备份时的状态；恢复前的数据会先另存一份备份。继续吗？")):
            return
        chosen = backups[labels.index(label)]

        def restored() -> None:
            self.reload()
            self.data_changed.emit()
            messages.notify(self, tr("已从备份恢复（{time}）").format(time=f"{chosen.taken_at:%Y-%m-%d %H:%M}"))

        # The main window runs it as an operation: off the GUI thread, the window waiting meanwhile.
        self.window().restore_backup_file(chosen.path, on_done=restored)  # type: ignore[attr-defined]

    def open_trash(self) -> None:
        with self.ctx.db.read_scope() as session:
            records = deleted_records(session)
        if not records:
            messages.show_info(self, tr("回收站是空的"))
            return
        labels = [f"{r.kind}　{r.title}　{dt.datetime.fromtimestamp(r.deleted_at_ms / 1000):%Y-%m-%d %H:%M}"
                  for r in records]
        label, ok = QInputDialog.getItem(self, tr("回收站"), tr("选择要恢复的记录（最近删除的在最上面）："), labels, 0,
                                         False)
        if not ok:
            return
        chosen = records[labels.index(label)]
        if not self.ctx.attempt(self, lambda session: restore_record(session, chosen.entity, chosen.row_id)):
            return
        self.data_changed.emit()
        messages.notify(self, tr("已恢复：{what}").format(what=chosen.title))

    def show_connection(self) -> None:
        chosen = load_choice().server_url
        now = self.ctx.db.location if self.ctx.db.server is not None else tr("本机数据库")
        following = chosen and parse_server_url(chosen).display or tr("本机数据库")
        self.connection_label.setText(tr("当前打开的是：{now}\n下次启动时打开：{next}").format(now=now, next=following))
        self.to_local.setEnabled(chosen is not None)

    def choose_server(self) -> None:
        url = ask_server_address(self, load_choice().server_url)
        if url is None:
            return
        try:
            choose_server(url)
        except DomainError as exc:
            messages.show_error(self, exc)
            return
        self.show_connection()
        messages.show_info(self, tr("已保存。下次启动程序时连接该服务器，并请输入您的服务器账户密码。\n"
                                    "本机数据库文件保留不动，随时可以改回。"))

    def choose_local(self) -> None:
        try:
            choose_local()
        except DomainError as exc:
            messages.show_error(self, exc)
            return
        self.show_connection()
        messages.show_info(self, tr("已保存。下次启动程序时打开这台电脑上的本机数据库。"))

    def focus_search(self) -> None:
        self.form.setFocus()
