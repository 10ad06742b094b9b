"""Chinese names of record fields, taken from the screens' own form labels (for the conflict view)."""
from __future__ import annotations

from functools import cache

from ui.i18n import tr

EXTRA = {"deleted": tr("删除"), "text": tr("内容"), "deadline_phrase": tr("完成时限"), "units_text": tr("责任单位"),
         "status": tr("状态"), "number": tr("序号"), "reporter": tr("填报单位"), "reported_on": tr("填报日期"),
         "reply_content": tr("回复内容"), "reply_doc_no": tr("回复文号"), "follow_up": tr("跟进调查"),
         "rectification_detail": tr("整改详情"), "litigation": tr("是否起诉"), "year": tr("年度"),
         "sort_key": tr("顺序"), "filename": tr("文件名")}


@cache
def _labels() -> dict[str, dict[str, str]]:
    from ui.case_page import CasePage
    from ui.meeting_page import MeetingPage
    from ui.suggestion_page import SuggestionPage
    from ui.unit_page import UnitPage

    return {entity: {s.name: s.label for s in page.specs}
            for entity, page in (("case", CasePage), ("suggestion", SuggestionPage), ("unit", UnitPage),
                                 ("meeting", MeetingPage))}


def field_label(entity: str, field: str) -> str:
    return _labels().get(entity, {}).get(field) or EXTRA.get(field) or field
