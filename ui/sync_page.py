"""同步 screen: this workstation's sync identity, its peers (profile and write rights chosen here; the
role a peer's file claims is only shown), exchanging packages (in a worker thread, with a summary of
what changed), what needs a person: held-back ops with their reason, fork alerts, introductions of third
sites to confirm, and the conflicts. Everything goes through models/services/sync.py."""
from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QListWidget,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from models.errors import DomainError
from models.permissions import may
from models.services import sync as sync_service
from models.services.common import LABELS
from models.services.sync import PROFILES, ROLES, ExportResult, ImportResult
from ui import files, messages
from ui.conflict_view import conflict_panel
from ui.context import AppContext
from ui.form import FieldSpec
from ui.i18n import tr
from ui.row_model import Column, RowTableModel
from ui.values_dialog import ask_values
from ui.workers import run_in_background

ROLE_LABELS = dict(zip(ROLES, (tr("检察院"), tr("联络办"), tr("行政机关"), tr("其他"))))
PACKAGE_FILTER = tr("同步数据包 (*.fjpkg)")
DEFAULT_ROLE = {"full": "procuratorate", "gov_view": "government"}
# The service call the import worker makes (a name the GUI tests can replace).
import_package_file = sync_service.import_package_file


def import_summary(result: ImportResult) -> str:
    changed = "，".join(f"{LABELS.get(k, k)} {v} 条" for k, v in sorted(result.per_entity.items()) if v)
    return result.message + (tr("。变更涉及：{what}").format(what=changed) if changed else "")


class SyncPage(QWidget):
    data_changed = Signal()   # an import changed records other screens show

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.allowed = may(ctx.db, "sync")
        if not self.allowed:   # e.g. the liaison: on a server its login may not even read the sync bookkeeping
            layout = QVBoxLayout(self)
            layout.addWidget(QLabel(tr("您的账户没有同步权限：配对、导出和导入同步包由内勤或部门负责人办理。")))
            layout.addStretch(1)
            return
        self.identity_label = QLabel()
        identity_button = QPushButton(tr("设置本机同步身份…"))
        identity_button.clicked.connect(self.set_identity)
        card_button = QPushButton(tr("导出本机联络文件…"))
        card_button.clicked.connect(self.export_card)
        me = QGroupBox(tr("本机"))
        me_layout = QHBoxLayout(me)
        me_layout.addWidget(self.identity_label, 1)
        me_layout.addWidget(identity_button)
        me_layout.addWidget(card_button)
        self.peer_model = RowTableModel((Column(tr("单位"), pinyin=True), Column(tr("工作站")), Column(tr("角色")),
                                         Column(tr("发送的数据范围")), Column(tr("已发包")), Column(tr("对方已确认"))), self)
        self.peers = QTableView()
        self.peers.setModel(self.peer_model)
        self.peers.verticalHeader().hide()
        self.peers.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.peers.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        # every column shares the width: with the last one stretched the others were cut to "单位", "角色"
        self.peers.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.peers.setMaximumHeight(160)
        buttons = QHBoxLayout()
        for label, slot in ((tr("添加对方（导入联络文件）…"), self.add_peer), (tr("导出数据包给所选对方…"), self.export_to_peer),
                            (tr("导入数据包…"), self.import_package)):
            button = QPushButton(label)
            button.clicked.connect(lambda _=False, s=slot: s())
            buttons.addWidget(button)
        buttons.addStretch(1)
        peers_box = QGroupBox(tr("交换对象"))
        peers_layout = QVBoxLayout(peers_box)
        peers_layout.addWidget(self.peers)
        peers_layout.addLayout(buttons)
        self.summary = QLabel(tr("导入或导出后，这里显示变更摘要。"))
        self.summary.setWordWrap(True)
        peers_layout.addWidget(self.summary)
        self.alerts = QListWidget()
        self.alerts.setMaximumHeight(120)
        confirm_button = QPushButton(tr("核对并确认所选介绍…"))
        confirm_button.clicked.connect(self.confirm_introduction)
        seen_button = QPushButton(tr("分叉提醒已查看"))
        seen_button.clicked.connect(self.acknowledge_forks)
        alerts_box = QGroupBox(tr("需要处理的提醒（暂不应用的变更、分叉、待确认的介绍）"))
        alerts_layout = QVBoxLayout(alerts_box)
        alerts_layout.addWidget(self.alerts)
        alert_buttons = QHBoxLayout()
        alert_buttons.addWidget(confirm_button)
        alert_buttons.addWidget(seen_button)
        alert_buttons.addStretch(1)
        alerts_layout.addLayout(alert_buttons)
        conflicts_box, self.conflict_view = conflict_panel(ctx)
        layout = QVBoxLayout(self)
        layout.addWidget(me)
        layout.addWidget(peers_box)
        layout.addWidget(alerts_box)
        layout.addWidget(conflicts_box, 1)
        self._introductions: list[sync_service.Introduction] = []
        self._site_ids: list[str] = []
        self.reload()

    def reload(self) -> None:
        if not self.allowed:
            return
        with self.ctx.db.read_scope() as session:
            identity = sync_service.identity_info(session)
            peers = sync_service.list_peers(session)
            held = sync_service.quarantine_list(session)
            forks = sync_service.fork_alerts(session, unseen_only=True)
            self._introductions = sync_service.introductions(session)
        rows = [(p.site_id, (p.unit, p.workstation, ROLE_LABELS.get(p.role, p.role),
                             PROFILES[p.profile].label if p.profile in PROFILES else p.profile,
                             p.out_seq, p.acked_seq)) for p in peers]
        self.identity_label.setText(
            tr("本机：{unit} / {ws}（{role}），指纹 {fpr}").format(
                unit=identity.unit, ws=identity.workstation, role=ROLE_LABELS.get(identity.role, identity.role),
                fpr=identity.fingerprint)
            if identity else tr("尚未设置同步身份：先点“设置本机同步身份”"))
        self.peer_model.set_rows(rows)  # type: ignore[arg-type]
        self._site_ids = [site for site, _ in rows]
        self.peers.resizeColumnsToContents()
        self.alerts.clear()
        for intro in self._introductions:
            self.alerts.addItem(tr("待确认的介绍：{unit} / {ws}（指纹 {fpr}），其变更暂存").format(
                unit=intro.unit, ws=intro.workstation, fpr=intro.fingerprint))
        for fork in forks:
            self.alerts.addItem(tr("分叉：{op}（同一编号的两个不同变更，未应用）").format(op=fork.op_id))
        for op in held:
            self.alerts.addItem(tr("暂不应用：{what}，作者 {who}：{why}").format(
                what=f"{LABELS.get(op.entity, op.entity)}.{op.field}", who=op.author or op.site_id[:8],
                why=op.reason_text))
        if not self.alerts.count():
            self.alerts.addItem(tr("没有需要处理的提醒"))
        self.conflict_view.refresh()

    def selected_peer(self) -> str | None:
        index = self.peers.currentIndex()
        return self.peer_model.row_id(index.row()) if index.isValid() else None  # type: ignore[return-value]

    def set_identity(self) -> None:
        specs = (FieldSpec("unit", tr("单位名称")), FieldSpec("workstation", tr("工作站名称")),
                 FieldSpec("role", tr("角色"), "choice", tuple(ROLE_LABELS.values())))

        def apply(values: dict[str, object]) -> None:
            role = next(k for k, v in ROLE_LABELS.items() if v == values["role"])
            with self.ctx.db.write_scope() as session:
                sync_service.set_identity(session, str(values["unit"]), str(values["workstation"]), role)

        if ask_values(self, tr("本机同步身份"), specs, {"role": ROLE_LABELS["procuratorate"]}, check=apply) is not None:
            self.reload()

    def export_card(self) -> None:
        try:
            with self.ctx.db.read_scope() as session:
                data = sync_service.my_peer_file(session)
        except DomainError as exc:
            messages.show_error(self, exc)
            return
        path = files.ask_save_path(self, tr("导出本机联络文件"), "本机联络文件.fjpeer", tr("联络文件 (*.fjpeer)"))
        if path is not None:
            files.save_bytes(path, data)

    def add_peer(self) -> None:
        path = files.ask_open_path(self, tr("选择对方的联络文件"), tr("联络文件 (*.fjpeer);;所有文件 (*)"))
        if path is None:
            return
        try:
            data, card = sync_service.read_peer_card(path)
            specs = (FieldSpec("profile", tr("发送给对方的数据范围"), "choice", tuple(p.label for p in PROFILES.values())),
                     FieldSpec("role", tr("对方在本机的修改权限"), "choice", (tr("随数据范围"), *ROLE_LABELS.values())))
            note = tr("对方：{unit} / {ws}\n对方文件声称的角色：{claimed}（仅供核对，权限以本机设定为准）\n"
                      "指纹：{fpr}\n请与对方电话核对指纹一致后再确定。").format(
                unit=card.unit, ws=card.workstation, claimed=ROLE_LABELS.get(card.role, card.role),
                fpr=card.fingerprint)
            values = ask_values(self, tr("添加交换对象"), specs, {"role": tr("随数据范围")}, note=note)
            if values is None:
                return
            profile = next(k for k, p in PROFILES.items() if p.label == values["profile"])
            role = next((k for k, v in ROLE_LABELS.items() if v == values.get("role")), DEFAULT_ROLE.get(profile))
            with self.ctx.db.write_scope() as session:
                sync_service.add_peer_file(session, data, profile, role)
        except DomainError as exc:
            messages.show_error(self, exc)
            return
        self.reload()

    def export_to_peer(self) -> None:
        site_id = self.selected_peer()
        if site_id is None:
            messages.show_error(self, tr("请先在列表中选择交换对象"))
            return
        path = files.ask_save_path(self, tr("导出数据包"), f"同步包-{self.ctx.today().isoformat()}.fjpkg", PACKAGE_FILTER)
        if path is None:
            return
        db = self.ctx.db

        def job(progress: Callable[[int, int], None], _cancelled: Callable[[], bool]) -> ExportResult:
            return sync_service.export_to_peer(db, site_id, path)

        run_in_background(self, tr("正在导出数据包…"), job, self._exported, lambda e: messages.show_error(self, e),
                          writes=True)

    def _exported(self, result: object) -> None:
        assert isinstance(result, ExportResult)
        text = tr("已导出第 {seq} 号包：{ops} 条变更、{blobs} 个附件，回执码 {code}。文件：{path}").format(
            seq=result.seq, ops=result.op_count, blobs=result.blob_count, code=result.receipt_code, path=result.path)
        note = sync_service.withheld_note(self.ctx.db, result)
        self.summary.setText(text + ("\n" + note if note else ""))
        self.reload()

    def import_package(self, path: Path | None = None, accept_clock_skew: bool = False) -> None:
        path = path or files.ask_open_path(self, tr("选择数据包"), PACKAGE_FILTER)
        if path is None:
            return
        db = self.ctx.db

        def job(progress: Callable[[int, int], None], cancelled: Callable[[], bool]) -> ImportResult:
            # read once: header and signature first, then a verified backup, then the ops in one transaction
            return import_package_file(db, path, accept_clock_skew=accept_clock_skew, progress=progress,
                                       is_cancelled=cancelled)

        def failed(exc: BaseException) -> None:
            # A sender clock more than a day ahead: a person checks both clocks, then may go on.
            if isinstance(exc, DomainError) and exc.code == "clock_skew" and messages.confirm(
                    self, exc.message + tr("\n\n已核对两台电脑的时间，仍然导入吗？")):
                self.import_package(path, accept_clock_skew=True)
                return
            messages.show_error(self, exc)

        run_in_background(self, tr("正在导入数据包…"), job, self._imported, failed, writes=True)

    def _imported(self, result: object) -> None:
        assert isinstance(result, ImportResult)
        self.summary.setText(import_summary(result))
        self.reload()
        self.data_changed.emit()

    def confirm_introduction(self) -> None:
        row = self.alerts.currentRow()
        if not 0 <= row < len(self._introductions):
            messages.show_error(self, tr("请先在提醒列表中选择一条待确认的介绍"))
            return
        intro = self._introductions[row]
        specs = (FieldSpec("fingerprint", tr("与对方核对过的指纹")),
                 FieldSpec("role", tr("该工作站在本机的修改权限"), "choice", tuple(ROLE_LABELS.values())))
        note = tr("{unit} / {ws}，由配对方介绍。请与该单位电话核对指纹后再确认。").format(
            unit=intro.unit, ws=intro.workstation)

        def apply(values: dict[str, object]) -> None:
            role = next(k for k, v in ROLE_LABELS.items() if v == values["role"])
            with self.ctx.db.write_scope() as session:
                sync_service.confirm_introduction(session, intro.site_id, str(values["fingerprint"]), role)

        if ask_values(self, tr("确认介绍的工作站"), specs, {"role": ROLE_LABELS["government"]}, note=note,
                      check=apply) is not None:
            self.reload()
            self.data_changed.emit()

    def acknowledge_forks(self) -> None:
        with self.ctx.db.write_scope() as session:
            for fork in sync_service.fork_alerts(session, unseen_only=True):
                sync_service.acknowledge_fork(session, fork.op_id)
        self.reload()

    def focus_search(self) -> None:
        if self.allowed:
            self.peers.setFocus()
