"""The registers travel between workstations: a full peer gets everything; a government peer gets the
transfers marked 送政府方 (without the case link) and the 信息共享 register, and may write back only the
接收/反馈 of a transfer and its own 信息共享 figures."""
from __future__ import annotations

import datetime as dt

import pytest

from models.campaign import Campaign, CampaignPhase
from models.errors import DomainError
from models.info_share import InfoShare
from models.services.campaigns import add_campaign, edit_phase, link_record, phase_rows
from models.services.cases import register_case
from models.services.info_sharing import add_info_share
from models.services.transfers import add_transfer, edit_transfer
from models.services.trash import delete_record
from models.transfer import Transfer
from tests.sync.workstations import Workstation

D = dt.date


@pytest.fixture
def office_and_liaison(tmp_path):
    office, liaison = Workstation(tmp_path / "o", "o"), Workstation(tmp_path / "l", "l", role="liaison")
    office.pair(liaison)
    liaison.pair(office)
    yield office, liaison
    office.close()
    liaison.close()


def test_registers_made_on_one_workstation_reach_another(office_and_liaison):
    office, liaison = office_and_liaison
    with office.db.write_scope() as session:
        case = register_case(session, "非法采砂案", case_no="宿检行公〔2026〕9号")
        transfer_id = add_transfer(session, "非法采砂线索", from_unit="宿州市水利局", sent_on=D(2026, 11, 2),
                                   case_id=case.id).id
        campaign_id = add_campaign(session, "河道采砂专项整治", summary_due=D(2026, 12, 20)).id
        edit_phase(session, phase_rows(session, campaign_id)[0].id, end_on=D(2026, 9, 15))
        link_record(session, campaign_id, "case", case.id)
        share_id = add_info_share(session, provider="宿州市司法局", sent_on=D(2026, 7, 8),
                                  schedule="每季度首月10日前").id
    liaison.import_file(office.export_to(liaison).path)
    with liaison.db.read_scope() as session:
        assert session.get(Transfer, transfer_id).case_id == case.id
        assert session.get(Campaign, campaign_id).summary_due == D(2026, 12, 20)
        assert session.query(CampaignPhase).filter_by(campaign_id=campaign_id).count() == 4
        assert session.get(InfoShare, share_id).next_due == D(2026, 10, 10)
    with liaison.db.write_scope() as session:   # the answer comes back, and a deletion travels too
        edit_transfer(session, transfer_id, feedback_on=D(2026, 11, 6), feedback="已立案")
        delete_record(session, "campaign", campaign_id)
    office.import_file(liaison.export_to(office).path)
    with office.db.read_scope() as session:
        assert session.get(Transfer, transfer_id).feedback == "已立案"
        assert session.get(Campaign, campaign_id).deleted
        assert all(p.deleted for p in session.query(CampaignPhase).filter_by(campaign_id=campaign_id))
    assert office.dump() == liaison.dump()


def test_government_peer_holds_shared_transfers_and_the_info_register(tmp_path):
    office, gov = Workstation(tmp_path / "o", "o"), Workstation(tmp_path / "g", "g", role="government")
    office.pair(gov, profile="gov_view")
    gov.pair(office)
    try:
        with office.db.write_scope() as session:
            case = register_case(session, "机密案件", case_no="宿检行公〔2026〕1号")
            shared = add_transfer(session, "张某不起诉后应予行政处罚", kind="反向衔接", to_unit="宿州市市场监督管理局",
                                  sent_on=D(2026, 11, 2), case_id=case.id, to_government=True).id
            add_transfer(session, "内部线索（不送政府方）", sent_on=D(2026, 11, 2))
            add_campaign(session, "不共享的专项活动")
            share_id = add_info_share(session, provider="宿州市人民检察院", direction="检察院报送政府方",
                                      category="法律监督数据", sent_on=D(2026, 10, 9), schedule="每季度").id
        package = office.export_to(gov)
        assert "内部线索".encode() not in package.path.read_bytes()
        gov.import_file(package.path)
        with gov.db.read_scope() as session:
            rows = session.query(Transfer).all()
            assert [(r.id, r.case_id) for r in rows] == [(shared, None)]
            assert session.query(Campaign).count() == 0
            assert session.get(InfoShare, share_id).next_due == D(2026, 12, 31)
        with gov.db.write_scope() as session:   # the government side records its 反馈 and sends its figures
            edit_transfer(session, shared, received_on=D(2026, 11, 3), feedback_on=D(2026, 11, 9),
                          feedback="已立案给予行政处罚")
            gov_share = add_info_share(session, provider="宿州市司法局", category="行政复议数据",
                                       sent_on=D(2026, 10, 8), schedule="每季度首月10日前").id
        with pytest.raises(DomainError):   # but not rewrite what the procuratorate sent
            with gov.db.write_scope() as session:
                edit_transfer(session, shared, title="改过的名称")
        office.import_file(gov.export_to(office).path)
        with office.db.read_scope() as session:
            row = session.get(Transfer, shared)
            assert (row.feedback, row.case_id, row.title) == ("已立案给予行政处罚", case.id, "张某不起诉后应予行政处罚")
            assert session.get(InfoShare, gov_share).provider == "宿州市司法局"
        assert office.dump("gov_view") == gov.dump("gov_view")
    finally:
        office.close()
        gov.close()
