"""修改记录 shows each change of the selected record with Chinese field names, old and new values."""
from models.services.cases import edit_case, register_case


def test_history_lists_the_edit_with_before_and_after(qtbot, new_ctx):
    from ui.case_page import CasePage

    with new_ctx.db.session_scope() as session:
        case_id = register_case(session, "壬案", handler="李明").id
    with new_ctx.db.session_scope() as session:
        edit_case(session, case_id, handler="王芳")
    page = CasePage(new_ctx)
    qtbot.addWidget(page)
    assert not page.history_button.isEnabled()
    page.select(case_id)
    assert page.history_button.isEnabled()
    rows = page.history_rows()
    assert rows[0][1:] == ("测试员", "本机", "承办人", "李明", "王芳")
    assert ("案件名称", "", "壬案") in [row[3:] for row in rows]
