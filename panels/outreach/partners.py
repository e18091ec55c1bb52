"""Partner organisations, their joining links and the outreach done through them.

Each public function is one unit of work; helpers flush, never commit.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from models import OUTREACH_CHANNELS, JoinLink, OutreachAction, Partner
from panels import audit
from panels.errors import InvalidInput, NotFound
from panels.register.taxonomy import Taxonomy, load_taxonomy
from panels.text import MULTI_LINE, reject_control_characters
from panels.uow import UnitOfWork

EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


@dataclass
class PartnerInput:
    """What staff say about a partner organisation, before it is checked."""

    name: str = ""
    contact_name: str = ""
    contact_email: str = ""
    contact_phone: str = ""
    reaches: dict[str, list[str]] = field(default_factory=dict)
    consent_to_contact: bool = False
    notes: str = ""


@dataclass(frozen=True)
class ActionInput:
    partner_id: int
    done_on: date
    channel: str
    description: str
    dimension: str = ""
    category: str = ""


def clean_reaches(reaches: Mapping[str, Sequence[str]], taxonomy: Taxonomy) -> dict[str, list[str]]:
    """The groups a partner reaches as register category codes, checked against the taxonomy."""
    clean: dict[str, list[str]] = {}
    for key, codes in reaches.items():
        dimension = taxonomy[key]
        found = sorted({dimension.find(code).code for code in codes if code})
        if found:
            clean[key] = found
    return clean


def _check_partner(data: PartnerInput, taxonomy: Taxonomy) -> PartnerInput:
    for name in ("name", "contact_name", "contact_email", "contact_phone"):
        value = getattr(data, name).strip()
        reject_control_characters(name.replace("_", " "), value)
        setattr(data, name, value)
    reject_control_characters("notes", data.notes, MULTI_LINE)
    if not data.name:
        raise InvalidInput("Enter the organisation's name")
    data.contact_email = data.contact_email.lower()
    if data.contact_email and not EMAIL.match(data.contact_email):
        raise InvalidInput(
            f"{data.contact_email!r} is not an email address; enter one like name@example.com"
        )
    data.reaches = clean_reaches(data.reaches, taxonomy)
    return data


def _new_link(partner: Partner | None = None, campaign: str = "") -> JoinLink:
    return JoinLink(token=secrets.token_urlsafe(12), partner=partner, campaign=campaign)


def _name_taken(uow: UnitOfWork, name: str, partner_id: int | None = None) -> bool:
    query = select(Partner.id).where(func.lower(Partner.name) == name.lower())
    if partner_id is not None:
        query = query.where(Partner.id != partner_id)
    return uow.session.scalar(query) is not None


def create_partner(uow: UnitOfWork, data: PartnerInput) -> Partner:
    """Add a partner organisation, with its own link to the joining form."""
    with uow:
        data = _check_partner(data, load_taxonomy(uow.session))
        if _name_taken(uow, data.name):
            raise InvalidInput(f"There is already a partner called {data.name!r}")
        partner = Partner(**vars(data))
        uow.session.add(partner)
        uow.session.add(_new_link(partner))
        try:
            uow.session.flush()
        except IntegrityError:
            raise InvalidInput(f"There is already a partner called {data.name!r}") from None
        audit.record(uow, "create_partner", "partner", partner.id)
    return partner


def update_partner(uow: UnitOfWork, partner_id: int, data: PartnerInput) -> Partner:
    with uow:
        partner = get_partner(uow, partner_id)
        data = _check_partner(data, load_taxonomy(uow.session))
        if _name_taken(uow, data.name, partner_id):
            raise InvalidInput(f"There is already a partner called {data.name!r}")
        changed = [name for name, value in vars(data).items() if getattr(partner, name) != value]
        for name, value in vars(data).items():
            setattr(partner, name, value)
        if changed:
            audit.record(uow, "update_partner", "partner", partner.id, changed=changed)
    return partner


def get_partner(uow: UnitOfWork, partner_id: int) -> Partner:
    with uow:
        partner = uow.session.scalar(
            select(Partner).where(Partner.id == partner_id).options(selectinload(Partner.links))
        )
        if partner is None:
            raise NotFound(f"There is no partner organisation with id {partner_id}.")
        return partner


def create_campaign_link(uow: UnitOfWork, campaign: str) -> JoinLink:
    """A joining link for a campaign run without a partner (a stall, a poster, a newsletter)."""
    campaign = campaign.strip()
    reject_control_characters("campaign", campaign)
    if not campaign:
        raise InvalidInput("Enter a name for the campaign, such as 'Library stall, May 2026'")
    with uow:
        link = _new_link(campaign=campaign)
        uow.session.add(link)
        uow.session.flush()
        audit.record(uow, "create_join_link", "join_link", link.id, campaign=campaign)
    return link


def campaign_links(uow: UnitOfWork) -> list[JoinLink]:
    with uow:
        return list(
            uow.session.scalars(
                select(JoinLink).where(JoinLink.partner_id.is_(None)).order_by(JoinLink.id)
            )
        )


def log_action(uow: UnitOfWork, data: ActionInput) -> OutreachAction:
    """Record something done through a partner to reach a group."""
    if data.channel not in OUTREACH_CHANNELS:
        raise InvalidInput(
            f"channel {data.channel!r} is not one of: {', '.join(OUTREACH_CHANNELS)}"
        )
    description = data.description.strip()
    reject_control_characters("what was done", description, MULTI_LINE)
    if not description:
        raise InvalidInput("Say what was done")
    with uow:
        partner = get_partner(uow, data.partner_id)
        dimension, category = data.dimension, data.category
        if dimension or category:
            found = load_taxonomy(uow.session)[dimension].find(category)
            category = found.code
        action = OutreachAction(
            partner_id=partner.id,
            done_on=data.done_on,
            dimension=dimension,
            category=category,
            channel=data.channel,
            description=description,
            recorded_by_id=uow.actor.user_id,
        )
        uow.session.add(action)
        uow.session.flush()
        audit.record(uow, "log_outreach", "partner", partner.id, outreach_action=action.id)
    return action


def actions_for(uow: UnitOfWork, partner_id: int | None = None) -> list[OutreachAction]:
    """Outreach actions, newest first (one partner's, or everyone's)."""
    with uow:
        query = select(OutreachAction).order_by(
            OutreachAction.done_on.desc(), OutreachAction.id.desc()
        )
        if partner_id is not None:
            query = query.where(OutreachAction.partner_id == partner_id)
        return list(uow.session.scalars(query))
