"""首页 search: hits grouped by kind with their full counts, and "显示更多" pages through the rest."""
from models.services.cases import register_case
from models.services.suggestions import add_item, draft_suggestion
from ui.dashboard import Dashboard


def _texts(dashboard):
    return [dashboard.hits.item(i).text() for i in range(dashboard.hits.count())]


def test_grouped_hits_with_counts_and_more(qtbot, new_ctx):
    with new_ctx.db.write_scope() as session:
        for n in range(25):
            register_case(session, f"濉河排污第{n + 1}号线索")
        suggestion = draft_suggestion(session, "某区水务局")
        add_item(session, suggestion.id, "建议对濉河沿线排污口开展排查")
    dashboard = Dashboard(new_ctx)
    qtbot.addWidget(dashboard)
    dashboard.search_edit.setText("濉河")
    dashboard.run_search()
    texts = _texts(dashboard)
    assert "案件（25 条）" in texts and "建议事项（1 条）" in texts
    assert sum(t.strip().startswith("【案件】") for t in texts) == 20
    more = next(i for i, t in enumerate(texts) if "显示更多" in t)
    assert "还有 5 条" in texts[more]
    dashboard.hits.itemActivated.emit(dashboard.hits.item(more))
    texts = _texts(dashboard)
    assert sum(t.strip().startswith("【案件】") for t in texts) == 25
    assert not any("显示更多" in t for t in texts)
    # a 建议内容 hit opens its suggestion
    item_row = next(i for i, t in enumerate(texts) if t.strip().startswith("【检察建议】"))
    with qtbot.waitSignal(dashboard.open_record) as opened:
        dashboard.hits.itemActivated.emit(dashboard.hits.item(item_row))
    assert opened.args == ["suggestion", suggestion.id]


def test_traditional_characters_find_simplified_text(qtbot, new_ctx):
    with new_ctx.db.write_scope() as session:
        register_case(session, "督促检察建议落实案")
    dashboard = Dashboard(new_ctx)
    qtbot.addWidget(dashboard)
    dashboard.search_edit.setText("檢察建議")
    dashboard.run_search()
    assert "案件（1 条）" in _texts(dashboard)
