"""The demo data holds a few 线索移送, a 专项活动 and 信息共享 submissions, so the registers' screens, the
due list and the 通报's 线索移送 table show something out of the box."""
from __future__ import annotations

from models.derived import default_calendar
from models.rules.warning import WarningLevel
from models.services.campaigns import link_rows, list_campaigns
from models.services.documents import quarterly_report
from models.services.due import register_items
from models.services.info_sharing import list_info_shares
from models.services.transfers import list_transfers
from tests.conftest import DEMO_TODAY


def test_demo_registers_have_records_at_every_state(demo_db):
    with demo_db.read_scope() as s:
        transfers = list_transfers(s, DEMO_TODAY, 7, default_calendar())
        campaigns = list_campaigns(s)
        shares = list_info_shares(s)
        links = link_rows(s, campaigns[0].id)
        due = register_items(s, DEMO_TODAY, 7)
    assert sorted(t.state for t in transfers) == ["已反馈", "已反馈", "待反馈", "待反馈"]
    assert {t.kind for t in transfers} == {"线索移送", "监督移送", "反向衔接"}
    waiting = {t.title: t.level for t in transfers if t.state == "待反馈"}
    assert waiting["涉嫌非法占用农用地犯罪案件"] is WarningLevel.RED
    assert waiting["校园周边无证经营线索"] is WarningLevel.YELLOW
    (campaign,) = campaigns
    assert campaign.current_phase == "集中整治" and campaign.links == 2 and len(links) == 2
    assert len(shares) == 3 and all(share.next_due and share.next_due > DEMO_TODAY for share in shares)
    assert {item.kind for item in due} >= {"transfer", "campaign", "info_share"}


def test_the_demo_bulletin_has_transfer_figures(demo_db):
    with demo_db.read_scope() as s:
        report = quarterly_report(s, DEMO_TODAY.year, 4, DEMO_TODAY)
    section = report.sections[-1]
    assert section.before[0].text.endswith("、线索移送情况") and section.table is not None
    total = section.table.rows[-1]
    assert total[0] == "合计" and total[2] == "3"  # 移送 in the quarter (the fourth one was sent in June)
