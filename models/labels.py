"""Chinese names of record fields: one table per entity, shared by the forms, 修改记录, the conflict
view, the 台账 and the CLI, so a field is called the same everywhere and no field code (e.g.
`to_government`) ever reaches a clerk."""
from __future__ import annotations

# Names of the replicated entities, as a clerk says them.
ENTITY_LABELS = {"unit": "单位", "case": "案件", "suggestion": "检察建议", "suggestion_item": "建议事项",
                 "meeting": "会议", "meeting_decision": "议定事项", "task_list": "任务清单", "task_aspect": "方面",
                 "task": "任务", "measure": "措施", "progress_entry": "进展", "attachment": "附件",
                 "transfer": "线索移送", "campaign": "专项活动", "campaign_phase": "活动阶段",
                 "campaign_link": "活动关联记录", "info_share": "信息共享"}

# Fields every entity has.
COMMON_LABELS = {"deleted": "删除", "sort_key": "顺序"}

FIELD_LABELS: dict[str, dict[str, str]] = {
    "unit": {"name": "单位全称", "short_name": "简称", "code": "代字", "kind": "类型", "parent_id": "上级单位",
             "liaison_name": "联络员", "liaison_phone": "联系电话", "note": "备注", "aliases": "别名"},
    "case": {"case_no": "案号", "title": "案件名称", "kind": "类型", "source": "线索来源", "domain": "领域",
             "received_on": "受理日期", "filed_on": "立案日期", "closed_on": "结案日期", "handler": "承办人",
             "status": "办理状态", "related_units": "涉及单位", "summary": "案情摘要", "department": "办案部门"},
    "suggestion": {
        "doc_no": "文号", "kind": "建议类型", "case_id": "关联案件", "addressee_unit_id": "被建议单位（名录）",
        "addressee_name": "被建议单位", "domain": "领域", "origin": "案件来源", "facts": "查明的事实",
        "legal_basis": "认定依据", "reply_requirement": "回复要求", "issued_on": "制发日期",
        "service_method": "送达方式", "served_on": "送达日期", "urgent": "紧急（十五日内回复）",
        "reply_period_days": "建议书规定的回复期限（日）", "reply_due": "回复期限", "replied_on": "回复日期",
        "reply_doc_no": "回复文号", "reply_content": "回复内容", "adoption": "采纳情况", "objection": "异议",
        "review_result": "复核意见", "rectification": "整改情况", "rectification_detail": "整改详情",
        "follow_up": "跟进调查/回头看", "follow_up_due": "下次回头看日期", "litigation": "已提起诉讼",
        "closed_on": "结案日期", "copy_to": "抄送", "to_government": "送政府方", "department": "办案部门"},
    "suggestion_item": {"suggestion_id": "所属检察建议", "text": "建议内容"},
    "meeting": {"title": "会议名称", "held_on": "会议日期", "kind": "会议类型", "attendees": "参会单位",
                "topics": "议题", "minutes": "会议纪要"},
    "meeting_decision": {"meeting_id": "所属会议", "text": "议定事项", "task_id": "转为任务"},
    "task_list": {"year": "年度", "title": "清单名称"},
    "task_aspect": {"list_id": "所属清单", "title": "方面"},
    "task": {"aspect_id": "所属方面", "number": "序号", "text": "任务内容", "deadlines_cell": "完成时限（原表）",
             "units_cell": "责任单位（原表）"},
    "measure": {"task_id": "所属任务", "text": "措施内容", "deadline_phrase": "完成时限", "units_text": "责任单位",
                "carried_from": "延续自（上年措施）"},
    "progress_entry": {"measure_id": "所属措施", "reported_on": "填报日期", "period": "填报期次", "status": "状态",
                       "text": "进展情况", "reporter": "填报人", "unit_name": "填报单位", "unit_id": "填报单位（名录）",
                       "review": "核对状态"},
    "attachment": {"owner_entity": "所属记录类型", "owner_id": "所属记录", "filename": "文件名", "mime": "文件类型",
                   "size": "大小", "sha256": "校验值"},
    "transfer": {"kind": "移送类型", "direction": "移送方向", "doc_no": "移送文号", "title": "线索名称",
                 "from_unit": "移送单位", "to_unit": "接收单位", "sent_on": "移送日期", "received_on": "接收日期",
                 "feedback_days": "反馈期限（日）", "feedback_on": "反馈日期", "feedback": "反馈情况",
                 "summary": "线索内容", "case_id": "关联案件", "to_government": "送政府方"},
    "campaign": {"name": "活动名称", "lead_units": "牵头单位", "member_units": "参与单位", "started_on": "启动日期",
                 "summary_due": "总结报送期限", "summary_on": "总结报送日期", "content": "活动内容",
                 "summary": "工作总结"},
    "campaign_phase": {"campaign_id": "所属专项活动", "name": "阶段", "start_on": "开始日期", "end_on": "结束日期",
                       "done_on": "完成日期"},
    "campaign_link": {"campaign_id": "所属专项活动", "target_entity": "关联记录类型", "target_id": "关联记录"},
    "info_share": {"direction": "报送方向", "category": "信息类别", "provider": "报送单位", "period": "所属期间",
                   "sent_on": "报送日期", "schedule": "报送频次", "next_due": "下次报送期限", "content": "主要内容",
                   "note": "备注"},
}


def field_label(entity: str, field: str) -> str:
    """The Chinese name of `entity.field`; an unknown field keeps its code (a newer peer's field)."""
    return FIELD_LABELS.get(entity, {}).get(field) or COMMON_LABELS.get(field) or field


def entity_label(entity: str) -> str:
    return ENTITY_LABELS.get(entity, entity)
