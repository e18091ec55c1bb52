"""Demo outreach for ``panels demo``: three partner organisations reaching groups the demo
register is short of, outreach logged through them, one person who joined through a
partner's link (accepted by staff) and one request still waiting to be checked."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select

from models import CONSENT_PURPOSES, Partner
from panels.outreach import joining
from panels.outreach.partners import ActionInput, PartnerInput, create_partner, log_action
from panels.uow import UnitOfWork

PARTNERS = (
    PartnerInput(
        name="Chapeltown Caribbean Elders",
        contact_name="Grace Walters",
        contact_email="grace@elders.example",
        reaches={"ethnicity_5": ["Black"], "age_band": ["65-74", "75-84", "85+"]},
        consent_to_contact=True,
        notes="Lunch club on Wednesdays; happy for us to come and talk.",
    ),
    PartnerInput(
        name="Carers Together",
        contact_name="Sam Patel",
        contact_phone="0113 496 0000",
        reaches={"unpaid_carer": ["Provides 50 or more hours unpaid care a week"]},
        consent_to_contact=True,
        notes="Runs a carers' coffee morning and a newsletter.",
    ),
    PartnerInput(
        name="Deaf Community Hub",
        reaches={"impairment_type": ["Hearing"], "disability": ["Limited a lot"]},
        consent_to_contact=False,
        notes="Has not yet agreed to be contacted about outreach: ask at the next forum.",
    ),
)


def seed_demo_outreach(uow: UnitOfWork, seed: int) -> list[str]:
    """Add the demo partners, outreach and joining requests unless they are there."""
    with uow:
        if uow.session.scalar(select(Partner.id).limit(1)) is not None:
            return []
        made = [create_partner(uow, PartnerInput(**vars(p))) for p in PARTNERS]
        elders, carers = made[0], made[1]
        log_action(
            uow,
            ActionInput(
                partner_id=elders.id,
                done_on=date.today() - timedelta(days=20),
                channel="meeting",
                description="A talk at the Wednesday lunch club; 25 people, joining cards left.",
                dimension="ethnicity_5",
                category="Black",
            ),
        )
        log_action(
            uow,
            ActionInput(
                partner_id=carers.id,
                done_on=date.today() - timedelta(days=10),
                channel="newsletter",
                description="A piece in the carers' newsletter with the joining link.",
                dimension="unpaid_carer",
                category="Provides 50 or more hours unpaid care a week",
            ),
        )
        wordings = joining.form_wordings(uow)
        ids = {p: wordings[p].id for p in CONSENT_PURPOSES}
        for n, (first, last, link) in enumerate(
            (("Winston", "Campbell", elders.links[0]), ("Pat", "Ellis", carers.links[0]))
        ):
            request = joining.submit_join_request(
                uow,
                joining.JoinInput(
                    first_name=first,
                    last_name=last,
                    email=f"{first.lower()}.{last.lower()}@joining.example",
                    preferred_contact="email",
                    consents={"contact": True, "selection": True, "statistics": True},
                    wording_ids=ids,
                ),
                link.token,
                f"demo-{seed}-{n}",
            )
            if request is not None and n == 0:
                joining.accept_join_request(uow, request.id)
    return [
        "Added 3 partner organisations, 2 outreach actions, and 2 requests to join "
        "(one accepted through a partner's link, one waiting)."
    ]
