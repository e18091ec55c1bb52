"""What the register holds about one member, for their "Download my data"."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from models import (
    ACCESS_NEEDS,
    CONSENT_METHODS,
    CONSENT_PURPOSES,
    CONTACT_METHODS,
    JOINED_VIA,
    MEMBER_STATUSES,
    AuditEvent,
    ConsentRecord,
    Member,
)
from panels.audit import sentence
from panels.errors import NotFound
from panels.features import DataSection
from panels.register.taxonomy import load_taxonomy
from panels.uow import UnitOfWork

LOOKED_AT = ("view_characteristics", "view_access_needs")


def _at(moment: datetime | None) -> str:
    return moment.strftime("%-d %B %Y at %H:%M UTC") if moment else ""


def register_personal_data(uow: UnitOfWork, member_id: int) -> list[DataSection]:
    """Details, equality answers, access needs, consent evidence (with its wording), and who
    looked at their equality or access information."""
    with uow:
        session = uow.session
        member = session.scalar(
            select(Member)
            .where(Member.id == member_id)
            .options(selectinload(Member.access_needs), selectinload(Member.characteristics))
        )
        if member is None:
            raise NotFound(f"There is no member with id {member_id}.")
        taxonomy = load_taxonomy(session)
        details = DataSection(
            "Your details",
            ("What", "What we hold"),
            (
                ("Register number", str(member.id)),
                ("First name", member.first_name),
                ("Last name", member.last_name),
                ("Name you like to be called", member.preferred_name or ""),
                ("Email address", member.email or ""),
                ("Phone number", member.phone or ""),
                ("Address", member.address or ""),
                ("Postcode", member.postcode or ""),
                (
                    "How you like us to contact you",
                    CONTACT_METHODS.get(member.preferred_contact or "", ""),
                ),
                (
                    "Date of birth",
                    member.date_of_birth.strftime("%-d %B %Y") if member.date_of_birth else "",
                ),
                ("Status", MEMBER_STATUSES[member.status]),
                ("How you joined", JOINED_VIA[member.joined_via]),
                ("Referred by", member.referred_by or ""),
                ("Times that suit you (notes)", member.preferred_times or ""),
                ("Panels you have been on", str(member.panels_served)),
                ("Added to the register", _at(member.created_at)),
            ),
        )
        chosen: dict[str, list[str]] = {}
        for row in member.characteristics:
            dimension, category = taxonomy.category_by_id(row.category_id)
            chosen.setdefault(dimension.key, []).append(category.label)
        answers = DataSection(
            "Your equality answers",
            ("Question", "Your answer"),
            tuple(
                (d.label, "; ".join(sorted(chosen.get(d.key, ()))) or "Not answered")
                for d in taxonomy.answerable
            ),
        )
        needs = DataSection(
            "Your communication and access needs",
            ("Need",),
            tuple((ACCESS_NEEDS[n.need],) for n in member.access_needs)
            + (((f"Notes: {member.access_needs_notes}",),) if member.access_needs_notes else ()),
            note="" if member.consent_access_needs else "We keep these only if you agree.",
        )
        records = session.scalars(
            select(ConsentRecord)
            .where(ConsentRecord.member_id == member_id)
            .options(selectinload(ConsentRecord.wording))
            .order_by(ConsentRecord.recorded_at, ConsentRecord.id)
        ).all()
        consent = DataSection(
            "What you agreed to, and when",
            ("What for", "Your choice", "When", "How", "Wording version", "The words we used"),
            tuple(
                (
                    CONSENT_PURPOSES[r.purpose],
                    "Agreed" if r.given else "Did not agree, or took it back",
                    _at(r.recorded_at),
                    CONSENT_METHODS[r.method],
                    str(r.wording.version),
                    r.wording.text,
                )
                for r in records
            ),
        )
        looks = session.scalars(
            select(AuditEvent)
            .where(
                AuditEvent.subject_type == "member",
                AuditEvent.subject_id == member_id,
                AuditEvent.action.in_(LOOKED_AT),
            )
            .order_by(AuditEvent.at, AuditEvent.id)
        ).all()
        looked = DataSection(
            "Who looked at your equality or access information",
            ("When", "Who", "What they looked at"),
            tuple((_at(e.at), e.actor, sentence(e.action)) for e in looks),
            note="Staff who look at this information are recorded every time.",
        )
    return [details, answers, needs, consent, looked]
