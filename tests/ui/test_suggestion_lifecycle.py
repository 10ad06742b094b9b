"""The suggestion form through the real widgets: the case picked by typing, the 台账 carrying 关联案件 and
领域, every stage's values visible after reopening and correctable (kept in 修改记录), the reply period
set by the 建议书, the duplicate 文号 warning, and disabled lifecycle buttons that say why."""
from __future__ import annotations

import datetime as dt

import openpyxl
from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QApplication, QLabel, QWidget

from models.services.cases import register_case
from models.services.excel_files import write_ledger
from models.services.units import add_unit
from reports.xlsx.ledger import LedgerFilter
from tests.conftest import DEMO_TODAY
from tests.ui.conftest import fill_and_accept, set_fields
from tests.ui.test_translations import ALLOWED_LATIN
from ui.case_page import CasePage
from ui.context import AppContext
from ui.suggestion_page import SuggestionPage


def _page(qtbot, ctx: AppContext) -> SuggestionPage:
    page = SuggestionPage(ctx)
    qtbot.addWidget(page)
    page.resize(1400, 900)
    page.show()
    return page


def _seed(ctx: AppContext) -> None:
    with ctx.db.write_scope() as session:
        register_case(session, "某河道非法采砂公益诉讼案", case_no="宿检行公〔2026〕1号", domain="生态环境和资源保护",
                      received_on=dt.date(2026, 3, 2))
        register_case(session, "校园周边食品安全案", case_no="宿检行公〔2026〕2号", domain="食品药品安全",
                      received_on=dt.date(2026, 4, 1))
        add_unit(session, "宿州市水利局", short_name="市水利局")


def _pick_case(qtbot, page: SuggestionPage, typed: str) -> str:
    """Type into 关联案件 and choose the first offer from the completer's popup, as a clerk does."""
    editor = page.form.editors["case"]
    editor.setFocus()
    editor.clear()
    for char in typed:                         # qtbot.keyClicks only knows ASCII keys
        QApplication.sendEvent(editor, QKeyEvent(QEvent.Type.KeyPress, 0, Qt.KeyboardModifier.NoModifier, char))
    assert editor.text() == typed
    completer = page.case_completer
    completer.setCompletionPrefix(typed)
    completer.complete()
    popup = completer.popup()
    qtbot.waitUntil(popup.isVisible)
    first = completer.completionModel().index(0, 0)
    qtbot.mouseClick(popup.viewport(), Qt.MouseButton.LeftButton, pos=popup.visualRect(first).center())
    return editor.text()


def _ledger_row(ctx: AppContext, tmp_path, addressee: str) -> dict[str, object]:
    target = tmp_path / "台账.xlsx"
    write_ledger(ctx.db, target, LedgerFilter(), DEMO_TODAY)
    sheet = openpyxl.load_workbook(target).worksheets[0]
    rows = [[cell.value for cell in row] for row in sheet.iter_rows()]
    header_index = next(i for i, row in enumerate(rows) if "文号" in row and "关联案件" in row)
    header = rows[header_index]
    found = [dict(zip(header, row)) for row in rows[header_index + 1:] if addressee in row]
    assert len(found) == 1
    return found[0]


def test_a_suggestion_made_in_the_window_carries_its_case_and_domain_in_the_ledger(qtbot, new_ctx, tmp_path):
    _seed(new_ctx)
    page = _page(qtbot, new_ctx)
    page.new_record()
    assert _pick_case(qtbot, page, "采砂") == "宿检行公〔2026〕1号 某河道非法采砂公益诉讼案"
    assert page.case_note.text() == "案件领域：生态环境和资源保护"
    set_fields(page.form, {"addressee_name": "宿州市水利局", "items": "依法查处非法采砂行为。"})
    assert page.addressee_note.isHidden()                       # in the directory: no hint
    assert page.save()
    row = _ledger_row(new_ctx, tmp_path, "宿州市水利局")
    assert row["关联案件"] == "宿检行公〔2026〕1号　某河道非法采砂公益诉讼案"
    assert row["领域"] == "生态环境和资源保护"
    assert page.form.editors["domain"].currentText() == "随关联案件"

    page.new_record()                                           # a unit not in the directory: saved, with a hint
    _pick_case(qtbot, page, "〔2026〕2")
    set_fields(page.form, {"addressee_name": "某某镇人民政府", "items": "加强校园周边检查。",
                           "domain": "未成年人保护"})
    assert page.addressee_note.isVisible()
    assert "该单位不在单位名录中，可在【单位】中添加" in page.addressee_note.text()
    assert page.save()
    row = _ledger_row(new_ctx, tmp_path, "某某镇人民政府")
    assert (row["关联案件"], row["领域"]) == ("宿检行公〔2026〕2号　校园周边食品安全案", "未成年人保护")


def test_an_unknown_case_text_is_refused_next_to_the_field(qtbot, new_ctx):
    _seed(new_ctx)
    page = _page(qtbot, new_ctx)
    set_fields(page.form, {"case": "没有这个案件", "addressee_name": "宿州市水利局", "items": "整改。"})
    assert not page.save()
    assert "找不到案件" in page.form.error_text("case")


def test_every_stage_is_shown_after_reopening_and_corrections_are_kept(qtbot, new_ctx, modal):
    _seed(new_ctx)
    page = _page(qtbot, new_ctx)
    set_fields(page.form, {"addressee_name": "宿州市水利局", "items": "建立河道巡查机制。"})
    assert page.save()
    row_id = page.current_id
    modal.then(fill_and_accept({"doc_no": "宿检行公建〔2026〕1号", "issued_on": "2026-09-01"}))
    assert page.actions.run("issue")
    modal.then(fill_and_accept({"served_on": "2026-09-25", "method": "邮寄送达（检察专递）"}))
    assert page.actions.run("serve")
    modal.then(fill_and_accept({"replied_on": "2026-11-20", "reply_doc_no": "宿水函〔2026〕8号",
                                "content": "已开展专项整治，查处非法采砂三起。", "adoption": "部分采纳"}))
    assert page.actions.run("reply")
    modal.then(fill_and_accept({"status": "整改中", "detail": "已拆除采砂船两艘。", "follow_up": "十二月回头看。",
                                "follow_up_due": "2026-12-20"}))
    assert page.actions.run("rectify")
    set_fields(page.form, {"objection": "对第二项有异议。", "review_result": "维持原建议。"})
    assert page.save()

    page.new_record()                          # leave the record, then open it again as the main window does
    assert page.form.editors["reply_content"].toPlainText() == ""
    page.open_record(row_id)
    values = page.form.values()
    assert values["reply_content"] == "已开展专项整治，查处非法采砂三起。"
    assert (values["reply_doc_no"], values["adoption"]) == ("宿水函〔2026〕8号", "部分采纳")
    assert values["replied_on"] == dt.date(2026, 11, 20) and values["served_on"] == dt.date(2026, 9, 25)
    assert values["service_method"] == "邮寄送达（检察专递）" and values["doc_no"] == "宿检行公建〔2026〕1号"
    assert (values["rectification"], values["rectification_detail"]) == ("整改中", "已拆除采砂船两艘。")
    assert (values["follow_up"], values["follow_up_due"]) == ("十二月回头看。", dt.date(2026, 12, 20))
    assert (values["objection"], values["review_result"]) == ("对第二项有异议。", "维持原建议。")
    assert page.form.editors["stage"].text() == "整改跟进"
    for title in ("制发", "送达", "回复", "异议与复核", "整改", "跟进/回头看", "结案/提起诉讼"):
        assert page.findChild(QLabel, f"section_{title}").isVisible()

    set_fields(page.form, {"reply_content": "已开展专项整治，查处非法采砂四起。"})     # correct the reply
    assert page.save()
    history = page.history_rows()
    corrected = [r for r in history if r[3] == "回复内容" and r[4] == "已开展专项整治，查处非法采砂三起。"]
    assert corrected and corrected[0][5] == "已开展专项整治，查处非法采砂四起。"
    page.open_record(row_id)
    assert page.form.values()["reply_content"] == "已开展专项整治，查处非法采砂四起。"

    set_fields(page.form, {"closed_on": "2026-12-30", "litigation": True})          # 结案/提起诉讼 on the form
    assert page.save()
    assert page.form.editors["stage"].text() == "已起诉"
    assert not page.step_buttons["close"].isEnabled()
    assert "已提起诉讼" in page.step_buttons["close"].toolTip()


def test_reply_period_of_the_letter_changes_the_due_date_on_top(qtbot, new_ctx, modal):
    _seed(new_ctx)
    page = _page(qtbot, new_ctx)
    set_fields(page.form, {"addressee_name": "宿州市水利局", "items": "整改。"})
    assert page.save()
    modal.then(fill_and_accept({"doc_no": "宿检行公建〔2026〕2号", "issued_on": "2026-11-01"}))
    assert page.actions.run("issue")
    modal.then(fill_and_accept({"served_on": "2026-11-02", "method": "直接送达"}))
    assert page.actions.run("serve")
    assert page.form.editors["reply_due"].text() == "2027-01-04"   # two months: 1-2 falls in 元旦 rest days
    assert "2027年1月4日" in page.clock_label.text() and "两个月" in page.clock_label.text()
    assert page.clock_label.property("level") == "green"

    set_fields(page.form, {"reply_period_days": "30"})
    assert page.save()
    assert page.form.editors["reply_due"].text() == "2026-12-02"
    assert "2026年12月2日" in page.clock_label.text() and "三十日" in page.clock_label.text()
    assert "还剩9天" in page.clock_label.text()
    assert page.clock_label.property("level") == "green"

    set_fields(page.form, {"reply_period_days": "22"})                 # due 11-24: tomorrow, so 临期 (yellow)
    assert page.save()
    assert page.clock_label.property("level") == "yellow" and "还剩1天" in page.clock_label.text()

    set_fields(page.form, {"reply_period_days": "三十"})
    assert not page.save()
    assert "天数" in page.form.error_text("reply_period_days")


def test_duplicate_doc_number_is_warned_at_once(qtbot, new_ctx, modal):
    _seed(new_ctx)
    page = _page(qtbot, new_ctx)
    set_fields(page.form, {"addressee_name": "宿州市水利局", "items": "整改。"})
    assert page.save()
    modal.then(fill_and_accept({"doc_no": "宿检行公建〔2026〕5号", "issued_on": "2026-09-01"}))
    assert page.actions.run("issue")

    page.new_record()
    set_fields(page.form, {"addressee_name": "某镇人民政府", "items": "整改。"})
    assert page.save()
    seen: list[tuple[str, str, bool]] = []

    def issue_with_taken_number(dialog: QWidget) -> None:
        proposed = dialog.form.editors["doc_no"].text()
        dialog.form.editors["doc_no"].setText("宿检行公建〔2026〕5号")        # typed: warned at once
        note = dialog.findChild(QLabel, "note_doc_no")
        seen.append((proposed, note.text(), note.isVisible()))
        dialog.reject()

    modal.then(issue_with_taken_number)
    assert not page.actions.run("issue")
    proposed, warning, visible = seen[0]
    assert proposed == "宿检行公建〔2026〕6号"                               # the next number is proposed
    assert visible and "文号与已有检察建议重复" in warning and "宿州市水利局" in warning

    page.form.editors["doc_no"].setText("宿检行公建〔2026〕5号")              # the form warns as well
    assert page.doc_no_note.isVisible() and "宿州市水利局" in page.doc_no_note.text()
    page.form.editors["doc_no"].setText("宿检行公建〔2026〕9号")
    assert page.doc_no_note.isHidden()


def test_issue_dialog_starts_from_the_saved_doc_number(qtbot, new_ctx, modal):
    _seed(new_ctx)
    page = _page(qtbot, new_ctx)
    set_fields(page.form, {"addressee_name": "宿州市水利局", "items": "整改。", "doc_no": "宿检行公建〔2026〕12号"})
    assert page.save()
    seen: list[str] = []

    def look(dialog: QWidget) -> None:
        seen.append(dialog.form.editors["doc_no"].text())
        dialog.reject()

    modal.then(look)
    page.actions.run("issue")
    assert seen == ["宿检行公建〔2026〕12号"]


def test_disabled_lifecycle_buttons_say_why(qtbot, new_ctx, modal):
    _seed(new_ctx)
    page = _page(qtbot, new_ctx)
    for button in page.step_buttons.values():                          # nothing saved yet
        assert not button.isEnabled() and button.toolTip()
    set_fields(page.form, {"addressee_name": "宿州市水利局", "items": "整改。"})
    assert page.save()
    buttons = page.step_buttons
    assert buttons["issue"].isEnabled() and buttons["issue"].toolTip() == ""
    for key in ("serve", "reply", "rectify", "close", "litigate", "receipt", "reminder"):
        assert not buttons[key].isEnabled() and buttons[key].toolTip(), key
    assert "尚未制发" in buttons["serve"].toolTip()
    modal.then(fill_and_accept({"doc_no": "宿检行公建〔2026〕3号", "issued_on": "2026-09-01"}))
    assert page.actions.run("issue")
    assert not buttons["issue"].isEnabled() and "已于2026-09-01制发" in buttons["issue"].toolTip()
    assert buttons["serve"].isEnabled() and "尚未送达" in buttons["reply"].toolTip()


def test_the_case_form_lists_its_suggestions_and_opens_one(qtbot, new_ctx):
    _seed(new_ctx)
    page = _page(qtbot, new_ctx)
    _pick_case(qtbot, page, "采砂")
    set_fields(page.form, {"addressee_name": "宿州市水利局", "items": "整改。", "doc_no": "宿检行公建〔2026〕4号"})
    assert page.save()
    suggestion_id = page.current_id
    page.new_record()
    page.search_edit.setText("不匹配任何建议")                          # a filter hides the record

    cases = CasePage(new_ctx)
    qtbot.addWidget(cases)
    cases.show()
    cases.open_requested.connect(lambda entity, row_id: page.open_record(row_id))
    sand = next(cases.model.row_id(r) for r in range(cases.model.rowCount())
                if cases.model.index(r, 1).data() == "某河道非法采砂公益诉讼案")
    cases.open_record(sand)
    assert cases.table.selectionModel().currentIndex().row() == cases.model.row_of(sand)
    table = cases.suggestion_table
    assert table.rowCount() == 1 and table.item(0, 0).text() == "宿检行公建〔2026〕4号"
    assert table.item(0, 1).text() == "宿州市水利局"
    import os
    if os.environ.get("FJLD_SCREENSHOT_DIR"):
        cases.resize(1400, 800)
        qtbot.wait(100)                        # let the layout settle before the picture
        cases.grab().save(os.path.join(os.environ["FJLD_SCREENSHOT_DIR"], "案件-本案检察建议.png"))
    with qtbot.waitSignal(cases.open_requested, timeout=1000):
        table.cellDoubleClicked.emit(0, 0)
    assert page.current_id == suggestion_id
    assert page.search_edit.text() == ""
    assert page.model.row_id(page.table.selectionModel().currentIndex().row()) == suggestion_id

    with qtbot.waitSignal(page.open_requested, timeout=1000) as opened:   # and back to the case
        page.case_button.click()
    assert opened.args == ["case", sand]


def _visible_texts(widget: QWidget) -> list[str]:
    from PySide6.QtWidgets import QAbstractButton, QGroupBox

    texts = [w.text() for w in widget.findChildren(QLabel) + widget.findChildren(QAbstractButton) if w.isVisible()]
    texts += [w.title() for w in widget.findChildren(QGroupBox) if w.isVisible()]
    return [t for t in texts if t]


def test_form_screenshots_in_each_stage_show_no_english(qtbot, new_ctx, modal, tmp_path):
    """One PNG per stage (in $FJLD_SCREENSHOT_DIR when set, to look at), and no Latin letters on screen."""
    import os
    import re
    from pathlib import Path

    shots = Path(os.environ.get("FJLD_SCREENSHOT_DIR") or tmp_path)
    shots.mkdir(parents=True, exist_ok=True)
    _seed(new_ctx)
    page = _page(qtbot, new_ctx)
    page.splitter.setSizes([300, 1100])
    _pick_case(qtbot, page, "采砂")
    set_fields(page.form, {"addressee_name": "宿州市水利局", "items": "依法查处非法采砂行为。\n建立河道巡查机制。",
                           "facts": "经查，河道内存在非法采砂。"})
    assert page.save()
    steps = [
        ("1-草稿", None, None),
        ("2-已制发", "issue", {"doc_no": "宿检行公建〔2026〕1号", "issued_on": "2026-09-01"}),
        ("3-待回复", "serve", {"served_on": "2026-09-25", "method": "直接送达"}),
        ("4-已回复", "reply", {"replied_on": "2026-11-20", "content": "已开展专项整治。", "adoption": "采纳"}),
        ("5-整改跟进", "rectify", {"status": "整改中", "detail": "已拆除采砂船两艘。", "follow_up": "十二月回头看。",
                                 "follow_up_due": "2026-12-20"}),
        ("6-已结案", "close", {"closed_on": "2026-12-30"}),
    ]
    for name, step, values in steps:
        if step is not None:
            modal.then(fill_and_accept(values))
            assert page.actions.run(step)
        path = shots / f"检察建议-{name}.png"
        assert page.grab().save(str(path))
        assert path.stat().st_size > 10_000
        assert page.heading.parentWidget().grab().save(str(shots / f"检察建议-{name}-整页.png"))  # the whole form
        english = [t for t in _visible_texts(page)
                   if set(re.findall(r"[A-Za-z]{2,}", t)) - ALLOWED_LATIN]  # product names may stay
        assert english == [], name
