"""专项活动 use cases: the campaign, its phases (动员部署 → 总结提高) and the cases and suggestions linked to
it. Every function takes a Session first (write scope for changes, any scope for reads)."""
from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from models.campaign import LINK_ENTITIES, PHASE_NAMES, Campaign, CampaignLink, CampaignPhase
from models.case import Case
from models.errors import DomainError
from models.oplog import tombstone
from models.services.cases import case_label
from models.services.common import as_uuid, get_live, next_sort_key, update_fields
from models.services.edit_guard import EditBase
from models.services.transfers import OpenDeadline
from models.suggestion import Suggestion

CAMPAIGN_FIELDS = ("name", "lead_units", "member_units", "started_on", "summary_due", "summary_on", "content",
                   "summary")


@dataclass(frozen=True)
class CampaignRow:
    id: uuid.UUID
    name: str
    lead_units: str
    started_on: dt.date | None
    current_phase: str     # the first phase not done, or 已完成
    summary_due: dt.date | None
    summary_on: dt.date | None
    links: int


@dataclass(frozen=True)
class PhaseRow:
    id: uuid.UUID
    name: str
    start_on: dt.date | None
    end_on: dt.date | None
    done_on: dt.date | None


@dataclass(frozen=True)
class LinkRow:
    id: uuid.UUID
    target_entity: str
    target_id: uuid.UUID
    label: str


def _validate(campaign: Campaign) -> None:
    if not campaign.name.strip():
        raise DomainError("campaign_name_empty", "请填写专项活动名称")
    if campaign.started_on and campaign.summary_due and campaign.summary_due < campaign.started_on:
        raise DomainError("campaign_summary_before_start", "总结报送期限不能早于启动日期")


def add_campaign(session: Session, name: str, *, standard_phases: bool = True, **fields: object) -> Campaign:
    """A new 专项活动, by default with the four usual phases (dates to be filled in)."""
    campaign = Campaign(name=name.strip())
    update_fields(campaign, {k: v for k, v in fields.items() if v is not None})
    _validate(campaign)
    session.add(campaign)
    session.flush()
    if standard_phases:
        for phase_name in PHASE_NAMES:
            add_phase(session, campaign.id, phase_name)
    return campaign


def edit_campaign(session: Session, campaign_id: uuid.UUID | str, *, base: EditBase | None = None,
                  **changes: object) -> Campaign:
    """`base`: the field heads the form loaded (edit_guard); someone else's newer edit is not overwritten."""
    campaign = get_live(session, Campaign, campaign_id)
    update_fields(campaign, changes, base)
    _validate(campaign)
    session.flush()
    return campaign


def campaign_values(session: Session, campaign_id: uuid.UUID | str) -> dict[str, object]:
    campaign = get_live(session, Campaign, campaign_id)
    return {name: getattr(campaign, name) for name in CAMPAIGN_FIELDS}


def _validate_phase(phase: CampaignPhase) -> None:
    if not phase.name.strip():
        raise DomainError("phase_name_empty", "请填写阶段名称")
    if phase.start_on and phase.end_on and phase.end_on < phase.start_on:
        raise DomainError("phase_end_before_start", "阶段结束日期不能早于开始日期")


def _live_phases(session: Session, campaign_id: uuid.UUID) -> list[CampaignPhase]:
    return list(session.scalars(select(CampaignPhase).where(
        CampaignPhase.campaign_id == campaign_id, CampaignPhase.deleted.is_(False))
        .order_by(CampaignPhase.sort_key, CampaignPhase.created_hlc)))


def add_phase(session: Session, campaign_id: uuid.UUID | str, name: str, start_on: dt.date | None = None,
              end_on: dt.date | None = None) -> CampaignPhase:
    campaign = get_live(session, Campaign, campaign_id)
    phase = CampaignPhase(campaign_id=campaign.id, name=name.strip(), start_on=start_on, end_on=end_on,
                          sort_key=next_sort_key([p.sort_key for p in _live_phases(session, campaign.id)]))
    _validate_phase(phase)
    session.add(phase)
    session.flush()
    return phase


def edit_phase(session: Session, phase_id: uuid.UUID | str, *, base: EditBase | None = None,
               **changes: object) -> CampaignPhase:
    phase = get_live(session, CampaignPhase, phase_id)
    update_fields(phase, changes, base)
    _validate_phase(phase)
    session.flush()
    return phase


def remove_phase(session: Session, phase_id: uuid.UUID | str) -> None:
    tombstone(session, get_live(session, CampaignPhase, phase_id))
    session.flush()


def phase_rows(session: Session, campaign_id: uuid.UUID | str) -> list[PhaseRow]:
    return [PhaseRow(p.id, p.name, p.start_on, p.end_on, p.done_on)
            for p in _live_phases(session, as_uuid(campaign_id))]


def phase_values(session: Session, phase_id: uuid.UUID | str) -> dict[str, object]:
    phase = get_live(session, CampaignPhase, phase_id)
    return {"name": phase.name, "start_on": phase.start_on, "end_on": phase.end_on, "done_on": phase.done_on}


def _target_label(session: Session, entity: str, target_id: uuid.UUID | None) -> str:
    if target_id is None:
        return ""
    if entity == "case":
        case = session.get(Case, target_id)
        return f"案件 {case_label(case.case_no, case.title)}" if case and not case.deleted else ""
    suggestion = session.get(Suggestion, target_id)
    return (f"检察建议 {suggestion.doc_no} {suggestion.addressee_name}".strip()
            if suggestion and not suggestion.deleted else "")


def link_choices(session: Session) -> dict[str, tuple[str, uuid.UUID]]:
    """Every live case and suggestion by its label, for 关联案件/检察建议."""
    found: dict[str, tuple[str, uuid.UUID]] = {}
    for case in session.scalars(select(Case).where(Case.deleted.is_(False)).order_by(Case.case_no)):
        found[_target_label(session, "case", case.id)] = ("case", case.id)
    for s in session.scalars(select(Suggestion).where(Suggestion.deleted.is_(False)).order_by(Suggestion.doc_no)):
        found[_target_label(session, "suggestion", s.id)] = ("suggestion", s.id)
    return found


def link_record(session: Session, campaign_id: uuid.UUID | str, entity: str,
                target_id: uuid.UUID | str) -> CampaignLink:
    campaign = get_live(session, Campaign, campaign_id)
    if entity not in LINK_ENTITIES:
        raise DomainError("campaign_link_kind", "专项活动只能关联案件或检察建议")
    target = get_live(session, Case if entity == "case" else Suggestion, target_id)
    if any(link.target_id == target.id for link in _live_links(session, campaign.id)):
        raise DomainError("campaign_link_exists", "该记录已关联到本专项活动")
    link = CampaignLink(campaign_id=campaign.id, target_entity=entity, target_id=target.id)
    session.add(link)
    session.flush()
    return link


def unlink_record(session: Session, link_id: uuid.UUID | str) -> None:
    tombstone(session, get_live(session, CampaignLink, link_id))
    session.flush()


def _live_links(session: Session, campaign_id: uuid.UUID) -> list[CampaignLink]:
    return list(session.scalars(select(CampaignLink).where(
        CampaignLink.campaign_id == campaign_id, CampaignLink.deleted.is_(False)).order_by(CampaignLink.created_hlc)))


def link_rows(session: Session, campaign_id: uuid.UUID | str) -> list[LinkRow]:
    rows = []
    for link in _live_links(session, as_uuid(campaign_id)):
        label = _target_label(session, link.target_entity, link.target_id)
        if label and link.target_id is not None:   # a deleted case or suggestion drops out of the list
            rows.append(LinkRow(link.id, link.target_entity, link.target_id, label))
    return rows


def list_campaigns(session: Session) -> list[CampaignRow]:
    rows = []
    for c in session.scalars(select(Campaign).where(Campaign.deleted.is_(False))
                             .order_by(Campaign.started_on.desc(), Campaign.created_hlc.desc())):
        phases = _live_phases(session, c.id)
        current = next((p.name for p in phases if p.done_on is None), "已完成" if phases else "")
        rows.append(CampaignRow(c.id, c.name, c.lead_units, c.started_on, current, c.summary_due, c.summary_on,
                                len(link_rows(session, c.id))))
    return rows


def campaign_deadlines(session: Session) -> list[OpenDeadline]:
    """Phase ends not yet marked done and the 总结 deadline while no 总结 has been sent."""
    found = []
    for c in session.scalars(select(Campaign).where(Campaign.deleted.is_(False), Campaign.summary_on.is_(None))):
        party = c.lead_units
        for phase in _live_phases(session, c.id):
            if phase.end_on is not None and phase.done_on is None:
                found.append(OpenDeadline(phase.id, f"专项活动“{c.name[:30]}”{phase.name}阶段结束", party,
                                          phase.end_on, c.id))
        if c.summary_due is not None:
            found.append(OpenDeadline(c.id, f"专项活动“{c.name[:30]}”总结报送", party, c.summary_due))
    return found
