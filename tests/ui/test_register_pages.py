"""The 线索移送, 专项活动 and 信息共享 screens: list, form save, 修改记录, 删除, 导出Excel, their clocks on 首页,
and screenshots for a person to look at (FJLD_SHOTS names the folder; else a temp folder)."""
from __future__ import annotations

import datetime as dt
import io
import os
from pathlib import Path

import openpyxl
import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QWidget

from models.rules.warning import WarningLevel
from models.services.campaigns import add_campaign, edit_phase, phase_rows
from models.services.cases import register_case
from models.services.due import due_items
from models.services.info_sharing import add_info_share
from models.services.suggestions import draft_suggestion
from models.services.transfers import add_transfer, feedback_days_by_kind
from tests.ui.conftest import set_fields
from ui import files, messages
from ui.campaign_page import CampaignPage
from ui.info_share_page import InfoSharePage
from ui.theme import LEVEL_COLORS
from ui.transfer_page import TransferPage

D = dt.date   # the test context's today is DEMO_TODAY, 2026-11-23


@pytest.fixture(autouse=True)
def no_error_boxes(monkeypatch):
    def fail(parent, exc) -> None:
        import sys
        print(f"ERROR SHOWN: {exc!r}", file=sys.stderr, flush=True)
        raise AssertionError(f"error shown: {exc!r}")
    monkeypatch.setattr(messages, "show_error", fail)
    monkeypatch.setattr(messages, "confirm", lambda parent, text: True)
    monkeypatch.setattr(messages, "ask_save_changes", lambda parent: "discard")


def _page(qtbot, cls, ctx):
    page = cls(ctx)
    qtbot.addWidget(page)
    page.resize(1500, 900)
    page.show()
    return page


def _fill(page, values: dict[str, object]) -> None:
    for name in values:
        page.form.editors[name].setObjectName(name)
    set_fields(page.form, values)


def _exported(qtbot, page, tmp_path, monkeypatch) -> list[tuple[str, ...]]:
    target = tmp_path / f"{page.title}-{len(list(tmp_path.iterdir()))}.xlsx"
    monkeypatch.setattr(files, "ask_save_path", lambda *a: target)
    monkeypatch.setattr(messages, "notify", lambda *a, **k: None)
    qtbot_click(page.export_button)
    qtbot.waitUntil(lambda: target.exists() and target.stat().st_size > 0, timeout=10000)
    qtbot.wait(200)
    sheet = openpyxl.load_workbook(io.BytesIO(target.read_bytes())).active
    return [tuple("" if v is None else str(v) for v in row) for row in sheet.iter_rows(values_only=True)]


def qtbot_click(button) -> None:
    from PySide6.QtTest import QTest
    QTest.mouseClick(button, Qt.MouseButton.LeftButton)


def _shot(widget: QWidget, name: str, tmp_path: Path) -> None:
    folder = Path(os.environ.get("FJLD_SHOTS", tmp_path))
    folder.mkdir(parents=True, exist_ok=True)
    assert widget.grab().save(str(folder / name))


def _delete_current(page) -> None:
    row_id = page.current_id
    qtbot_click(page.delete_button)
    assert page.model.row_of(row_id) is None and page.current_id is None
    qtbot_click(page.undo_button)   # 撤销 brings it back
    assert page.model.row_of(row_id) is not None


def test_transfer_page(qtbot, new_ctx, tmp_path, monkeypatch):
    with new_ctx.db.write_scope() as session:
        register_case(session, "非法占用林地案", case_no="宿检行公〔2026〕5号")
        add_transfer(session, "某砂场非法采砂线索", kind="监督移送", direction="检察院移送行政机关",
                     from_unit="宿州市人民检察院", to_unit="宿州市水利局", sent_on=D(2026, 11, 10))
        add_transfer(session, "餐饮店使用过期食材", from_unit="宿州市市场监督管理局", to_unit="宿州市人民检察院",
                     sent_on=D(2026, 11, 18), received_on=D(2026, 11, 19))
    page = _page(qtbot, TransferPage, new_ctx)
    assert page.model.matching_count() == 2
    overdue = page.model.row_of(next(r.id for r in page._rows if r.title.startswith("某砂场")))
    assert page.model.data(page.model.index(overdue, 0), Qt.ItemDataRole.BackgroundRole) == LEVEL_COLORS[WarningLevel.RED]
    page.new_record()
    assert page.form.values()["feedback_days"] == 7
    _fill(page, {"kind": "反向衔接", "direction": "检察院移送行政机关", "doc_no": "宿检行刑反〔2026〕2号",
                 "title": "张某不起诉后应予行政处罚", "from_unit": "宿州市人民检察院", "to_unit": "宿州市公安局",
                 "sent_on": "2026-11-20", "case": "宿检行公〔2026〕5号 非法占用林地案",
                 "summary": "张某非法占用农用地，情节轻微，作不起诉处理"})
    assert page.save()
    new_id = page.current_id
    assert page.model.matching_count() == 3 and page.heading.text() == "张某不起诉后应予行政处罚"
    assert page.form.values()["case"] == "宿检行公〔2026〕5号 非法占用林地案"
    _fill(page, {"feedback_on": "2026-11-23", "feedback": "已给予行政拘留五日"})
    assert page.save()
    rows = page.history_rows()
    assert ("反馈情况", "", "已给予行政拘留五日") in [row[3:] for row in rows]
    assert page.model.visible_texts()[page.model.row_of(new_id)][-1] == "已反馈"
    page.open_record(new_id)
    _fill(page, {"title": ""})   # a rule broken: the message sits under the field, nothing saved
    assert not page.save() and page.form.error_labels["title"].text() == "请填写线索名称"
    page.form.mark_clean()
    page.filters[0].setCurrentText("反向衔接")
    exported = _exported(qtbot, page, tmp_path, monkeypatch)
    assert any("张某不起诉后应予行政处罚" in row for row in exported)
    assert not any("某砂场非法采砂线索" in row for row in exported)
    page.filters[0].setCurrentText("全部")
    page.open_record(new_id)
    _shot(page, "transfer_page.png", tmp_path)
    _delete_current(page)
    monkeypatch.setattr("ui.transfer_page.ask_values", lambda parent, title, specs, initial, **kw: (
        kw["check"]({**initial, "立案监督": 15}), {})[1])
    qtbot_click(page.settings_button)
    assert new_ctx.read(feedback_days_by_kind)["立案监督"] == 15


def test_campaign_page(qtbot, new_ctx, tmp_path, monkeypatch):
    with new_ctx.db.write_scope() as session:
        register_case(session, "河道非法采砂案", case_no="宿检行公〔2026〕9号")
        draft_suggestion(session, "宿州市水利局", doc_no="宿检行公建〔2026〕3号")
        earlier = add_campaign(session, "违建别墅清查整治专项行动", lead_units="宿州市自然资源和规划局",
                               started_on=D(2026, 3, 1), summary_due=D(2026, 6, 30))
        edit_phase(session, phase_rows(session, earlier.id)[0].id, end_on=D(2026, 3, 20), done_on=D(2026, 3, 20))
    page = _page(qtbot, CampaignPage, new_ctx)
    page.new_record()
    _fill(page, {"name": "河道非法采砂专项整治", "lead_units": "宿州市水利局",
                 "member_units": "宿州市人民检察院、宿州市公安局、宿州市交通运输局",
                 "started_on": "2026-09-01", "summary_due": "2026-12-20",
                 "content": "对辖区河道非法采砂开展集中整治，检察机关同步开展公益诉讼监督"})
    assert page.save()
    campaign_id = page.current_id
    assert page.phases.rowCount() == 4 and page.phases.item(0, 0).text() == "动员部署"
    dates = iter([{"name": "动员部署", "start_on": D(2026, 9, 1), "end_on": D(2026, 9, 15), "done_on": D(2026, 9, 15)},
                  {"name": "自查自纠", "start_on": D(2026, 9, 16), "end_on": D(2026, 11, 25), "done_on": None}])

    def fill_phase(parent, title, specs, initial=None, **kw):
        values = next(dates)
        kw["check"](values)
        return values
    monkeypatch.setattr("ui.campaign_page.ask_values", fill_phase)
    for row in (0, 1):
        page.phases.selectRow(row)
        qtbot_click(page.findChild(QWidget, "edit_phase"))
    assert [page.phases.item(1, c).text() for c in range(4)] == ["自查自纠", "2026-09-16", "2026-11-25", ""]
    monkeypatch.setattr("ui.campaign_page.ask_values", lambda parent, title, specs, initial=None, **kw: (
        kw["check"]({"target": "检察建议 宿检行公建〔2026〕3号 宿州市水利局"}), {})[1])
    qtbot_click(page.findChild(QWidget, "add_link"))
    monkeypatch.setattr("ui.campaign_page.ask_values", lambda parent, title, specs, initial=None, **kw: (
        kw["check"]({"target": "案件 宿检行公〔2026〕9号 河道非法采砂案"}), {})[1])
    qtbot_click(page.findChild(QWidget, "add_link"))
    assert [page.links.item(i).text() for i in range(page.links.count())] == [
        "检察建议 宿检行公建〔2026〕3号 宿州市水利局", "案件 宿检行公〔2026〕9号 河道非法采砂案"]
    row = page.model.visible_texts()[page.model.row_of(campaign_id)]
    assert row[3] == "自查自纠" and row[6] == "2"
    with new_ctx.db.read_scope() as session:
        due = [i.title for i in due_items(session, new_ctx.today(), 7)]
    assert "专项活动“河道非法采砂专项整治”自查自纠阶段结束" in due
    _fill(page, {"summary_due": "2026-12-25"})
    assert page.save()
    assert ("总结报送期限", "2026-12-20", "2026-12-25") in [r[3:] for r in page.history_rows()]
    exported = _exported(qtbot, page, tmp_path, monkeypatch)
    assert {"河道非法采砂专项整治", "违建别墅清查整治专项行动"} <= {row[0] for row in exported}
    _shot(page, "campaign_page.png", tmp_path)
    page.links.setCurrentRow(0)
    qtbot_click(page.findChild(QWidget, "remove_link"))
    assert page.links.count() == 1
    _delete_current(page)


def test_info_share_page(qtbot, new_ctx, tmp_path, monkeypatch):
    with new_ctx.db.write_scope() as session:
        add_info_share(session, provider="宿州市司法局", category="行政复议数据", period="2026年第二季度",
                       sent_on=D(2026, 7, 8), schedule="每季度首月10日前", content="新收行政复议案件46件，审结41件")
        add_info_share(session, provider="宿州市司法局", category="规范性文件备案", period="2026年第三季度",
                       sent_on=D(2026, 10, 9), schedule="每季度首月10日前", content="备案审查规范性文件7件")
    page = _page(qtbot, InfoSharePage, new_ctx)
    page.new_record()
    _fill(page, {"direction": "政府方报送检察院", "category": "行政复议数据", "provider": "宿州市司法局",
                 "period": "2026年第三季度", "sent_on": "2026-10-09", "schedule": "每季度首月10日前",
                 "content": "新收行政复议案件52件，审结47件，纠错率8.5%"})
    assert page.save()
    assert page.form.values()["next_due"] == D(2027, 1, 10)
    texts = page.model.visible_texts()
    assert sorted(row[-1] for row in texts if row[1] == "行政复议数据") == ["2027-01-10", "（已报送下一期）"]
    page.new_record()
    _fill(page, {"direction": "检察院报送政府方", "category": "法律监督数据", "provider": "宿州市人民检察院",
                 "period": "2026年10月", "sent_on": "2026-11-02", "schedule": "每月5日前"})
    assert page.save()
    ours = page.current_id
    assert page.form.values()["next_due"] == D(2026, 12, 5)
    _fill(page, {"schedule": "随时"})
    assert not page.save() and "报送频次无法识别" in page.form.error_labels["schedule"].text()
    _fill(page, {"schedule": "每季度"})
    assert page.save() and page.form.values()["next_due"] == D(2026, 12, 31)
    assert ("报送频次", "每月5日前", "每季度") in [r[3:] for r in page.history_rows()]
    page.filters[0].setCurrentText("政府方报送检察院")
    exported = _exported(qtbot, page, tmp_path, monkeypatch)
    assert sum("宿州市司法局" in row for row in exported) == 3 and not any("宿州市人民检察院" in r for r in exported)
    page.filters[0].setCurrentText("全部")
    page.open_record(ours)
    _shot(page, "info_share_page.png", tmp_path)
    _delete_current(page)


def test_main_window_opens_a_register_record_from_the_due_list(qtbot, window):
    with window.ctx.db.write_scope() as session:
        transfer_id = add_transfer(session, "首页可见的待反馈线索", sent_on=D(2026, 11, 20)).id
    window.refresh_all()
    home = window.show_screen("dashboard")
    assert home.targets and ("transfer", transfer_id) in home.targets.values()
    window.open_record("transfer", transfer_id)
    page = window.screen("transfer")
    assert window.stack.currentWidget() is page and page.current_id == transfer_id
