"""Reading a member for the member page: answers and access needs (both audited), consent
and change history; and what a consent change would do, for its confirmation page."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from models import (
    ACCESS_NEEDS,
    CONSENT_PURPOSES,
    AuditEvent,
    ConsentRecord,
    ConsentWording,
    Member,
    User,
)
from panels import audit
from panels.errors import InvalidInput, NotFound
from panels.register.members import current_wording
from panels.register.taxonomy import Taxonomy
from panels.uow import UnitOfWork


@dataclass(frozen=True)
class Answer:
    dimension: str
    question: str
    answers: tuple[str, ...]
    special_category: bool


@dataclass(frozen=True)
class ConsentEvent:
    purpose: str
    given: bool
    method: str
    recorded_at: object
    recorded_by: str
    wording_version: int
    wording: str


@dataclass(frozen=True)
class MemberView:
    member: Member
    age: int | None
    answers: tuple[Answer, ...]
    special_hidden: bool
    consent_history: tuple[ConsentEvent, ...]
    changes: tuple[AuditEvent, ...]
    access_needs: tuple[str, ...] = ()
    """Labels of their recorded needs; empty unless the viewer may see access needs."""
    access_needs_hidden: bool = False


VIEW_ACTIONS = ("view_characteristics", "view_access_needs")
"""Audit actions that record someone reading a member, not a change to them."""


def _record_access_needs_view(uow: UnitOfWork, member: Member) -> tuple[str, ...]:
    """The labels of a member's recorded needs; reading any of them is written to the audit log.

    Access needs (a BSL interpreter, a quiet space, the notes) can reveal health, so they are
    treated like special-category answers.
    """
    needs = tuple(ACCESS_NEEDS[row.need] for row in member.access_needs)
    if needs or member.access_needs_notes:
        audit.record(uow, "view_access_needs", "member", member.id)
    return needs


def view_member(
    uow: UnitOfWork,
    member_id: int,
    taxonomy: Taxonomy,
    show_special: bool,
    today: date | None = None,
    show_access_needs: bool = False,
) -> MemberView:
    """A member with their answers; showing special-category answers or access needs is
    written to the audit log."""
    today = today or date.today()
    with uow:
        session = uow.session
        member = session.scalar(
            select(Member)
            .where(Member.id == member_id)
            .options(selectinload(Member.characteristics), selectinload(Member.access_needs))
        )
        if member is None:
            raise NotFound(f"There is no member with id {member_id}.")
        chosen: dict[str, list[str]] = {}
        for row in member.characteristics:
            dimension, category = taxonomy.category_by_id(row.category_id)
            chosen.setdefault(dimension.key, []).append(category.label)
        age = member.age_on(today)
        answers = []
        hidden = False
        for dimension in taxonomy.dimensions:
            values: tuple[str, ...]
            if dimension.derived_from == "date_of_birth":
                band = dimension.age_band(age)
                values = (band.label,) if band else ()
            elif dimension.derived_from:
                source = taxonomy[dimension.derived_from]
                values = tuple(
                    dimension.find(c.rolls_up_to).label
                    for c in source.categories
                    if c.label in chosen.get(source.key, ()) and c.rolls_up_to
                )
            else:
                values = tuple(sorted(chosen.get(dimension.key, ())))
            if dimension.special_category and not show_special:
                hidden = True
                continue
            answers.append(
                Answer(dimension.key, dimension.label, values, dimension.special_category)
            )
        if show_special and any(a.special_category for a in answers):
            audit.record(uow, "view_characteristics", "member", member.id)
        needs = _record_access_needs_view(uow, member) if show_access_needs else ()
        consent_rows = session.execute(
            select(ConsentRecord, User.email)
            .outerjoin(User, User.id == ConsentRecord.recorded_by_id)
            .where(ConsentRecord.member_id == member.id)
            .options(selectinload(ConsentRecord.wording))
            .order_by(ConsentRecord.recorded_at.desc(), ConsentRecord.id.desc())
        ).all()
        history = tuple(
            ConsentEvent(
                purpose=record.purpose,
                given=record.given,
                method=record.method,
                recorded_at=record.recorded_at,
                recorded_by=email or "the member or an import",
                wording_version=record.wording.version,
                wording=record.wording.text,
            )
            for record, email in consent_rows
        )
        changes = tuple(
            session.scalars(
                select(AuditEvent)
                .where(AuditEvent.subject_type == "member", AuditEvent.subject_id == member.id)
                .where(AuditEvent.action.not_in(VIEW_ACTIONS))
                .order_by(AuditEvent.at.desc(), AuditEvent.id.desc())
                .limit(100)
            ).all()
        )
    return MemberView(
        member,
        age,
        tuple(answers),
        hidden,
        history,
        changes,
        access_needs=needs,
        access_needs_hidden=not show_access_needs,
    )


@dataclass(frozen=True)
class ConsentChange:
    """What giving or withdrawing one consent would do, for the page that confirms it."""

    member: Member
    purpose: str
    given_now: bool
    wording: ConsentWording
    """The current wording: what the member agrees to (or agreed to) in full."""
    needs_deleted: tuple[str, ...] = ()
    """Withdrawing consent to keep access needs deletes these (labels)."""
    notes_deleted: bool = False


def consent_change(
    uow: UnitOfWork, member_id: int, purpose: str, show_access_needs: bool
) -> ConsentChange:
    """The confirmation of a consent change; listing the needs it would delete is audited."""
    if purpose not in CONSENT_PURPOSES:
        raise InvalidInput(
            f"consent purpose {purpose!r} is not one of: {', '.join(CONSENT_PURPOSES)}"
        )
    with uow:
        session = uow.session
        member = session.scalar(
            select(Member).where(Member.id == member_id).options(selectinload(Member.access_needs))
        )
        if member is None:
            raise NotFound(f"There is no member with id {member_id}.")
        given_now = bool(getattr(member, f"consent_{purpose}"))
        needs: tuple[str, ...] = ()
        if purpose == "access_needs" and given_now and show_access_needs:
            needs = _record_access_needs_view(uow, member)
        return ConsentChange(
            member=member,
            purpose=purpose,
            given_now=given_now,
            wording=current_wording(session, purpose),
            needs_deleted=needs,
            notes_deleted=purpose == "access_needs" and bool(member.access_needs_notes),
        )


def consent_wordings(uow: UnitOfWork) -> dict[str, ConsentWording]:
    """The current wording of each consent purpose (what a member agrees to now)."""
    with uow:
        return {purpose: current_wording(uow.session, purpose) for purpose in CONSENT_PURPOSES}
