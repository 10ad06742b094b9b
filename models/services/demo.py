"""Demo data: the real 2022 宿州 task list (resources/demo/tasklist_2022.json, converted from the
published list) plus realistic sample units, cases, suggestions at every stage, a 联席会议 and a few
线索移送, a 专项活动 and 信息共享 submissions (the registers, their clocks and the 通报/台账 figures show something).
Dates of the sample suggestions are relative to `today`, so the dashboard always shows something
overdue, something near due and something on track."""
from __future__ import annotations

import datetime as dt
import json
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from models.audit import append_audit
from models.errors import DomainError
from models.info_share import FROM_GOVERNMENT, FROM_PROCURATORATE
from models.permissions import require
from models.platform import resources_dir
from models.services import campaigns, cases, info_sharing, meetings, suggestions, tasks, transfers, units
from models.settings import set_setting
from models.tasklist import Measure, Task, TaskAspect
from models.transfer import TO_ADMINISTRATION, TO_PROCURATORATE

DEMO_UNITS = [  # (全称, 简称, 类型, 联络员, 电话)
    ("宿州市人民检察院", "市检察院", "检察院", "刘静", "0557-3021101"),
    ("宿州市司法局", "市司法局", "行政机关", "王磊", "0557-3022102"),
    ("宿州市生态环境局", "市生态环境局", "行政机关", "陈晓雯", "0557-3023103"),
    ("宿州市自然资源和规划局", "市自然资源和规划局", "行政机关", "赵刚", "0557-3024104"),
    ("宿州市市场监督管理局", "市市场监管局", "行政机关", "孙丽", "0557-3025105"),
    ("宿州市住房和城乡建设局", "市住建局", "行政机关", "周强", "0557-3026106"),
    ("宿州市应急管理局", "市应急管理局", "行政机关", "吴敏", "0557-3027107"),
    ("宿州市教育体育局", "市教育体育局", "行政机关", "郑玥", "0557-3028108"),
    ("宿州市公安局", "市公安局", "行政机关", "冯喆", "0557-3029109"),
    ("宿州市数据资源局", "市数据资源局", "行政机关", "褚堃", "0557-3020110"),
    ("宿州市水利局", "市水利局", "行政机关", "卫国平", "0557-3031111"),
    ("宿州市民政局", "市民政局", "行政机关", "蒋红", "0557-3032112"),
    ("宿州市中级人民法院", "市中院", "法院", "沈平", "0557-3033113"),
]

# Other names lists use for a unit (the 2022 list writes the 全称 without 宿州 for 市场监管).
DEMO_ALIASES = {"宿州市市场监督管理局": "市市场监督管理局"}

# (案号, 名称, 类型, 来源, 领域, 受理 days ago, 状态, 承办人, 关联单位)
DEMO_CASES = [
    ("宿检行公立〔{y}〕1号", "新汴河沿岸非法采砂破坏河道生态案", "行政公益诉讼", "12345热线", "生态环境和资源保护", 150, "诉前程序", "李明", "市水利局"),
    ("宿检行公立〔{y}〕2号", "城区校园周边食品经营者无证经营案", "行政公益诉讼", "自行发现", "食品药品安全", 120, "诉前程序", "张华", "市市场监管局"),
    ("宿检行公立〔{y}〕3号", "闲置国有土地出让金未足额征缴案", "行政公益诉讼", "两法衔接平台", "国有土地使用权出让", 110, "诉前程序", "李明", "市自然资源和规划局"),
    ("宿检行公立〔{y}〕4号", "燃气管道占压安全隐患案", "行政公益诉讼", "行政机关移送", "安全生产", 90, "诉前程序", "王芳", "市住建局、市应急管理局"),
    ("宿检行公立〔{y}〕5号", "烈士纪念设施管护不到位案", "行政公益诉讼", "自行发现", "英烈权益保护", 80, "诉前程序", "张华", "市民政局"),
    ("宿检行公立〔{y}〕6号", "未成年人文身治理监管缺位案", "行政公益诉讼", "信访", "未成年人保护", 70, "诉前程序", "王芳", "市市场监管局"),
    ("宿检行公立〔{y}〕7号", "医疗废物违规处置污染环境案", "行政公益诉讼", "12345热线", "生态环境和资源保护", 40, "诉前程序", "李明", "市生态环境局"),
    ("宿检行公立〔{y}〕8号", "学校体育场馆安全设施缺失案", "行政公益诉讼", "自行发现", "未成年人保护", 30, "立案", "张华", "市教育体育局"),
    ("宿检行监〔{y}〕3号", "某行政处罚决定违法行为监督案", "行政违法行为监督", "行政机关移送", "其他", 60, "立案", "赵敏", "市司法局"),
    ("宿检线〔{y}〕15号", "个人信息在政务公开中泄露线索", "线索", "益心为公平台", "个人信息保护", 10, "初核", "王芳", "市数据资源局"),
    ("宿检线〔{y}〕16号", "古桥文物本体损毁线索", "线索", "12345热线", "文物和文化遗产保护", 5, "线索登记", "赵敏", ""),
    ("宿检行公立〔{y0}〕21号", "农村饮用水水源地保护案", "行政公益诉讼", "自行发现", "生态环境和资源保护", 400, "结案", "李明", "市水利局"),
]

# (case index, 被建议单位, 文号 serial, issued days ago, served days ago or None, urgent, replied days ago, stage extras)
DEMO_SUGGESTIONS = [
    (0, "宿州市水利局", 11, 75, 72, False, None, {}),                                   # overdue
    (1, "宿州市市场监督管理局", 12, 60, 56, False, None, {}),                           # near due
    (3, "宿州市应急管理局", 13, 12, 10, True, None, {}),                                # urgent, near due
    (6, "宿州市生态环境局", 14, 20, 18, False, None, {}),                               # on track
    (2, "宿州市自然资源和规划局", 15, 100, 97, False, 45, {"rectification": "整改中"}),
    (4, "宿州市民政局", 16, 95, 93, False, 60, {"rectification": "已整改"}),
    (11, "宿州市水利局", 7, 380, 377, False, 330, {"rectification": "已整改", "closed_days_ago": 300}),
    (5, "宿州市市场监督管理局", 0, 0, None, False, None, {}),                           # draft
]


# 线索移送 (kind, direction, title, from, to, sent days ago, received days after, fed back days after receipt or None,
# case index or None): one answered on time, one awaiting feedback (near due), one overdue, a 反向衔接, a 两法衔接
DEMO_TRANSFERS = [
    ("线索移送", TO_PROCURATORATE, "新汴河非法采砂线索", "宿州市水利局", "宿州市人民检察院", 160, 1, 5, 0),
    ("线索移送", TO_PROCURATORATE, "校园周边无证经营线索", "宿州市市场监督管理局", "宿州市人民检察院", 5, 1, None, None),
    ("监督移送", TO_PROCURATORATE, "涉嫌非法占用农用地犯罪案件", "宿州市自然资源和规划局", "宿州市公安局", 12, 2, None,
     None),
    ("反向衔接", TO_ADMINISTRATION, "王某某非法捕捞不起诉案（建议给予行政处罚）", "宿州市人民检察院", "宿州市水利局", 40, 1, 6,
     None),
]

# 信息共享 (direction, category, 报送单位, 所属期间 by quarter offset, 报送频次, sent days ago, content)
DEMO_SHARES = [
    (FROM_GOVERNMENT, "行政复议数据", "宿州市司法局", "每季度首月10日前", 20, "行政复议案件收案、结案及纠错情况统计表"),
    (FROM_GOVERNMENT, "规范性文件备案", "宿州市司法局", "每半年首月15日前", 50, "上半年规范性文件备案审查目录"),
    (FROM_PROCURATORATE, "法律监督数据", "宿州市人民检察院", "每季度首月10日前", 18, "行政检察监督、公益诉讼办案数据"),
]


def _registers(session: Session, today: dt.date, case_rows: list) -> None:
    """A few 线索移送, a 专项活动 with its phases and links, and 信息共享 submissions, so the registers' screens,
    the due list and the 通报/台账 figures show something."""
    for serial, (kind, direction, title, sender, receiver, sent, received, fed, case_index) in enumerate(
            DEMO_TRANSFERS, start=1):
        sent_on = today - timedelta(days=sent)
        received_on = sent_on + timedelta(days=received)
        transfers.add_transfer(
            session, title, kind=kind, direction=direction, from_unit=sender, to_unit=receiver,
            doc_no=f"宿检移〔{sent_on.year}〕{serial}号" if direction == TO_ADMINISTRATION else "",
            sent_on=sent_on, received_on=received_on,
            feedback_on=received_on + timedelta(days=fed) if fed is not None else None,
            feedback="已立案调查，办理情况书面反馈。" if fed is not None else "",
            summary=f"{title}，依照府检联动线索移送机制移送。",
            case_id=case_rows[case_index].id if case_index is not None else None)
    campaign = campaigns.add_campaign(
        session, "饮用水水源地保护专项行动", lead_units="宿州市人民检察院、宿州市生态环境局",
        member_units="宿州市水利局、宿州市自然资源和规划局", started_on=today - timedelta(days=120),
        summary_due=today + timedelta(days=20), content="联合开展饮用水水源地违法问题排查整治。")
    spans = ((-120, -100), (-100, -60), (-60, 10), (10, 20))
    for phase, (start, end) in zip(campaigns.phase_rows(session, campaign.id), spans, strict=True):
        campaigns.edit_phase(session, phase.id, start_on=today + timedelta(days=start),
                             end_on=today + timedelta(days=end),
                             done_on=today + timedelta(days=end) if end < 0 else None)
    campaigns.link_record(session, campaign.id, "case", case_rows[0].id)
    campaigns.link_record(session, campaign.id, "case", case_rows[11].id)
    for direction, category, provider, schedule, sent, content in DEMO_SHARES:
        sent_on = today - timedelta(days=sent)
        quarter = (sent_on.month - 1) // 3  # the quarter before the one it was sent in
        year = sent_on.year if quarter else sent_on.year - 1
        info_sharing.add_info_share(session, direction=direction, category=category, provider=provider,
                                    period=f"{year}年第{'四一二三'[quarter]}季度", sent_on=sent_on, schedule=schedule,
                                    content=content)


def _progress_plan(number: int, index: int) -> tuple[str, str]:
    if number in (2, 9) and index == 0:
        return "滞后", "数据共享接口尚在协调，已召开两次会商会，预计推迟完成。"
    return "已完成", "已按期完成，相关制度文件已印发。"


def load_demo(session: Session, today: dt.date, *, keep_office: bool = False) -> dict[str, int]:
    """keep_office: the 院名/院代字 typed in the first-run wizard stay (the demo records keep their own
    宿州 unit names); otherwise the demo office 宿州市人民检察院 / 宿检 is set too."""
    require(session, "import")
    if session.scalars(select(Task).limit(1)).first() is not None:
        raise DomainError("demo_exists", "数据库中已有任务清单，演示数据只能载入空数据库")
    if not keep_office:
        set_setting(session, "office_name", "宿州市人民检察院")
        set_setting(session, "office_code", "宿检")
    for name, short, kind, liaison, phone in DEMO_UNITS:
        units.add_unit(session, name, short_name=short, kind=kind, code="宿检" if kind == "检察院" else "",
                       liaison_name=liaison, liaison_phone=phone, aliases=DEMO_ALIASES.get(name, ""))
    case_rows = []
    for no, title, kind, source, domain, days, status, handler, related in DEMO_CASES:
        received = today - timedelta(days=days)
        case_rows.append(cases.register_case(
            session, title, case_no=no.format(y=today.year, y0=today.year - 1), kind=kind, source=source,
            domain=domain, received_on=received,
            filed_on=received + timedelta(days=3) if status not in ("线索登记", "初核") else None,
            closed_on=today - timedelta(days=days - 90) if status == "结案" else None,
            status=status, handler=handler, related_units=related,
            summary=f"{title}：经初步调查，相关行政机关存在未依法全面履行监管职责的情形。"))
    for case_index, addressee, serial, issued, served, urgent, replied, extra in DEMO_SUGGESTIONS:
        case = case_rows[case_index]
        unit = units.find_unit_by_name(session, addressee)
        s = suggestions.draft_suggestion(
            session, addressee, addressee_unit_id=unit.id if unit else None, case_id=case.id, urgent=urgent,
            origin=f"本院在履行职责中发现{case.title.removesuffix('案')}的线索，依法立案调查。",
            facts=f"经调查查明，{addressee}对{case.title.removesuffix('案')}问题未依法全面履行监督管理职责，"
                  "致使国家利益和社会公共利益持续受到侵害。",
            legal_basis="依据《中华人民共和国行政诉讼法》第二十五条第四款及相关法律法规的规定。",
            reply_requirement="", copy_to="宿州市人民政府",
            items=["依法全面履行监督管理职责，对违法行为依法查处。",
                   "开展专项排查整治，建立长效监管机制，防止问题反弹回潮。"])
        if serial:
            issued_on = today - timedelta(days=issued)
            year = issued_on.year
            suggestions.issue(session, s.id, f"宿检行公建〔{year}〕{serial}号", issued_on)
        if served is not None:
            suggestions.mark_served(session, s.id, today - timedelta(days=served))
        if replied is not None:
            suggestions.record_reply(session, s.id, today - timedelta(days=replied),
                                     "收到检察建议后高度重视，已成立专班开展整改。", adoption="采纳",
                                     reply_doc_no=f"宿水函〔{(today - timedelta(days=replied)).year}〕{serial}号")
        if "rectification" in extra:
            suggestions.record_rectification(session, s.id, extra["rectification"], "已完成现场整治，建立巡查台账。")
        if extra.get("rectification") == "整改中":  # 回头看 due within the week: shows yellow on the dashboard
            suggestions.edit_suggestion(session, s.id, follow_up_due=today + timedelta(days=5))
        if "closed_days_ago" in extra:
            suggestions.close_suggestion(session, s.id, today - timedelta(days=extra["closed_days_ago"]))
    _registers(session, today, case_rows)
    path = resources_dir() / "demo" / "tasklist_2022.json"
    task_list = tasks.create_task_list_from_dict(session, json.loads(path.read_text(encoding="utf-8")))
    measures = session.execute(
        select(Measure, Task).join(Task, Measure.task_id == Task.id)
        .join(TaskAspect, Task.aspect_id == TaskAspect.id).where(TaskAspect.list_id == task_list.id)
        .order_by(Task.number, Measure.sort_key)).all()
    seen: dict[int, int] = {}
    for measure, task in measures:
        index = seen.get(task.number, 0)
        seen[task.number] = index + 1
        status, text = _progress_plan(task.number, index)
        tasks.add_progress(session, measure.id, status="推进中", text="已制定工作方案，正在推进。",
                           reported_on=dt.date(2022, 6, 30), reporter=measure.units_text[:20])
        tasks.add_progress(session, measure.id, status=status, text=text, reported_on=dt.date(2022, 12, 20),
                           reporter=measure.units_text[:20])
    meeting = meetings.add_meeting(
        session, "2022年度“府检联动”联席会议", dt.date(2022, 5, 10), attendees="市政府、市检察院及各成员单位",
        topics="审定2022年度“府检联动”重点工作任务清单", minutes="会议审议通过了年度重点工作任务清单。")
    meetings.add_decision(session, meeting.id, "各成员单位明确1名联络员，报府检联动工作办公室备案。")
    meetings.add_decision(session, meeting.id, "每季度末报送重点任务进展情况。")
    append_audit(session, "demo_loaded", detail={"today": today.isoformat()})
    return {"units": len(DEMO_UNITS), "cases": len(DEMO_CASES), "suggestions": len(DEMO_SUGGESTIONS),
            "measures": len(measures), "transfers": len(DEMO_TRANSFERS), "campaigns": 1, "info_shares": len(DEMO_SHARES)}
