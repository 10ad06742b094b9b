"""同步: set this workstation's identity, add a peer from its file, import its package (summary shown,
records appear), and resolve a conflict side by side."""
from __future__ import annotations

import json
import secrets
import threading

from PySide6.QtWidgets import QPushButton
from sqlalchemy import select

from models.conflicts import list_conflicts
from models.merge import apply_ops
from models.oplog import Op, OpRecord
from models.services.units import add_unit, edit_unit, list_units
from models.sync.exchange import export_package
from models.sync.identity import export_peer_file, parse_peer_file
from models.sync.peers import Peer, add_peer, my_identity
from tests.sync.workstations import Workstation
from tests.ui.conftest import fill_and_accept
from ui import files
from ui.main_window import MainWindow


def test_identity_peer_and_package_import(qtbot, new_ctx, modal, tmp_path, monkeypatch):
    win = MainWindow(new_ctx)
    qtbot.addWidget(win)
    page = win.show_screen("sync")
    modal.then(fill_and_accept({"unit": "宿州市人民检察院", "workstation": "行政检察部", "role": "检察院"}))
    page.set_identity()
    assert "行政检察部" in page.identity_label.text()

    remote = Workstation(tmp_path / "remote", "市政府")
    peer_file = tmp_path / "市政府.fjpeer"
    peer_file.write_bytes(remote.peer_file)
    monkeypatch.setattr(files, "ask_open_path", lambda *a: peer_file)
    modal.then(fill_and_accept({"profile": "全部数据"}))
    page.add_peer()
    assert page.peer_model.total_count() == 1

    with new_ctx.db.session_scope() as session:
        my_file = export_peer_file(my_identity(session), "0.1.0")
        gui_site = my_identity(session).site_id
    with remote.db.session_scope() as session:
        add_peer(session, my_file, "full")
        add_unit(session, "宿州市数据资源管理局", short_name="市数据局")
    package = tmp_path / "包1.fjpkg"
    with remote.db.session_scope() as session:
        export_package(session, session.get(Peer, gui_site), package)

    page.import_package(package)
    qtbot.waitUntil(lambda: "已导入" in page.summary.text(), timeout=20000)
    assert "单位 1 条" in page.summary.text()
    units = win.show_screen("unit")
    assert units.model.total_count() == 1 and units.model.index(0, 0).data() == "宿州市数据资源管理局"
    remote.close()


def test_conflict_shown_side_by_side_and_resolved(qtbot, new_ctx):
    with new_ctx.db.session_scope() as session:
        unit = add_unit(session, "宿州市水利局", liaison_name="张三")
        unit_id = str(unit.id)
    with new_ctx.db.session_scope() as session:
        create = session.scalars(select(Op).where(Op.row_id == unit_id)).one()
        edit_unit(session, unit_id, liaison_name="王五")
    remote_site = secrets.token_hex(16)
    remote_edit = OpRecord(f"{remote_site}:{secrets.token_hex(8)}:1", create.hlc + 5, remote_site, "政府联络员",
                           "unit", unit_id, "liaison_name", json.dumps("李四", ensure_ascii=False), (create.op_id,))
    with new_ctx.db.session_scope() as session:
        apply_ops(session, [remote_edit])
        assert len(list_conflicts(session)) == 1

    win = MainWindow(new_ctx)
    qtbot.addWidget(win)
    page = win.show_screen("sync")
    view = page.conflict_view
    assert view.conflicts.count() == 1 and "宿州市水利局" in view.conflicts.item(0).text()
    labels = [w.text() for w in view.findChildren(type(page.summary))]
    assert any("李四" in t for t in labels) and any("王五" in t for t in labels)
    column = next(n for n, head in enumerate(view.conflicts.item(0).data(view.CONFLICT_ROLE).heads)
                  if head["value"] == "李四")
    view.findChild(QPushButton, f"choose_{column}").click()
    with new_ctx.db.session_scope() as session:
        assert list_conflicts(session) == []
        assert [u.liaison_name for u in list_units(session)] == ["李四"]
    assert view.conflicts.item(0).text() == "没有冲突"


def test_a_fast_sender_clock_is_imported_only_after_confirmation(qtbot, new_ctx, tmp_path, monkeypatch):
    from models.sync.errors import PackageError
    from models.sync.exchange import ImportResult
    from ui import messages, sync_page
    from ui.sync_page import SyncPage

    calls: list[bool] = []

    def fake_import(db, path, accept_clock_skew=False, **_worker):
        calls.append(accept_clock_skew)
        if not accept_clock_skew:
            raise PackageError("clock_skew", hours="72")
        return ImportResult("applied", "已导入：新增变更 1 条", "pkg", "site", 1)

    questions: list[str] = []
    monkeypatch.setattr(sync_page, "import_package_file", fake_import)
    monkeypatch.setattr(messages, "confirm", lambda parent, text: questions.append(text) or True)
    page = SyncPage(new_ctx)
    qtbot.addWidget(page)
    package = tmp_path / "快钟.fjpkg"
    package.write_bytes(b"x")
    page.import_package(package)
    qtbot.waitUntil(lambda: "已导入" in page.summary.text(), timeout=20000)
    assert calls == [False, True] and "快约 72 小时" in questions[0]


def test_held_back_ops_and_introductions_are_shown_and_confirmed(qtbot, new_ctx, modal, tmp_path):
    """A paired site relays a third site's edit: it waits, visible with its reason, until the clerk
    confirms the introduced site's fingerprint; then it applies."""
    from models.services import sync as service
    from ui.sync_page import SyncPage

    with new_ctx.db.session_scope() as session:
        service.set_identity(session, "宿州市人民检察院", "行政检察部", "procuratorate")
        my_file = service.my_peer_file(session)
        gui_site = service.identity_info(session).site_id
    relay, third = Workstation(tmp_path / "relay", "relay"), Workstation(tmp_path / "third", "third")
    relay.pair(third)
    third.pair(relay)
    with relay.db.session_scope() as session:
        add_peer(session, my_file, "full")
    with new_ctx.db.session_scope() as session:
        service.add_peer_file(session, relay.peer_file, "full")
    with third.db.session_scope() as session:
        add_unit(session, "宿州市水利局", short_name="市水利局")
    relay.import_file(third.export_to(relay).path)
    package = tmp_path / "relay.fjpkg"
    with relay.db.session_scope() as session:
        export_package(session, session.get(Peer, gui_site), package)

    page = SyncPage(new_ctx)
    qtbot.addWidget(page)
    page.import_package(package)
    qtbot.waitUntil(lambda: "已导入" in page.summary.text(), timeout=20000)
    texts = [page.alerts.item(n).text() for n in range(page.alerts.count())]
    assert any(t.startswith("待确认的介绍：third单位") for t in texts)
    assert any("暂不应用" in t and "签名方尚未确认" in t for t in texts)
    page.alerts.setCurrentRow(0)
    fingerprint = parse_peer_file(third.peer_file).fingerprint
    modal.then(fill_and_accept({"fingerprint": fingerprint, "role": "联络办"}))
    page.confirm_introduction()
    assert page.alerts.item(0).text() == "没有需要处理的提醒"
    with new_ctx.db.session_scope() as session:
        assert [u.name for u in list_units(session)] == ["宿州市水利局"]
    relay.close()
    third.close()


def test_a_package_import_is_a_writing_operation_whose_cancel_undoes_it(qtbot, new_ctx, tmp_path, monkeypatch):
    """It queues with the other writers (closing the window waits for it), tells its progress, and 取消
    between two batches leaves the database and the backup folder as they were."""
    from models.services.sync import set_identity
    from models.sync import exchange
    from ui import sync_page
    from ui.workers import running_operations

    with new_ctx.db.session_scope() as session:
        set_identity(session, "宿州市人民检察院", "行政检察部", "procuratorate")
        my_file = export_peer_file(my_identity(session), "0.1.0")
        gui_site = my_identity(session).site_id
    remote = Workstation(tmp_path / "remote", "市政府")
    with remote.db.session_scope() as session:
        add_peer(session, my_file, "full")
        for name in ("宿州市数据资源管理局", "宿州市水利局", "宿州市林业局"):
            add_unit(session, name)
    with new_ctx.db.session_scope() as session:
        add_peer(session, remote.peer_file, "full")
    package = tmp_path / "包.fjpkg"
    with remote.db.session_scope() as session:
        export_package(session, session.get(Peer, gui_site), package)
    remote.close()
    backups = new_ctx.db.backup_folder()
    kept = sorted(backups.iterdir()) if backups.exists() else []

    reported, go_on = threading.Event(), threading.Event()
    real_import, real_run = sync_page.import_package_file, sync_page.run_in_background

    def gated(db, path, **kwargs):
        def told(done, total):
            kwargs_progress(done, total)
            reported.set()
            go_on.wait(10)
        kwargs_progress = kwargs["progress"]
        return real_import(db, path, **{**kwargs, "progress": told})

    started = []
    monkeypatch.setattr(exchange, "_APPLY_BATCH", 1)
    monkeypatch.setattr(sync_page, "import_package_file", gated)
    monkeypatch.setattr(sync_page, "run_in_background", lambda *a, **k: started.append(real_run(*a, **k)) or started[-1])
    win = MainWindow(new_ctx)
    qtbot.addWidget(win)
    page = win.show_screen("sync")
    page.import_package(package)
    qtbot.waitUntil(reported.is_set, timeout=20000)
    assert [op.writes for op in running_operations()] == [True]
    started[0].dialog.canceled.emit()   # the 取消 button
    go_on.set()
    qtbot.waitUntil(lambda: not running_operations(), timeout=20000)
    assert "已取消" in win.statusBar().currentMessage()
    with new_ctx.db.read_scope() as session:
        assert list_units(session) == []
    assert (sorted(backups.iterdir()) if backups.exists() else []) == kept
