"""Reading a member for the member page: answers (audited), consent and change history."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from models import AuditEvent, ConsentRecord, Member, User
from panels import audit
from panels.errors import NotFound
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


def view_member(
    uow: UnitOfWork,
    member_id: int,
    taxonomy: Taxonomy,
    show_special: bool,
    today: date | None = None,
) -> MemberView:
    """A member with their answers; showing special-category answers is written to the audit log."""
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
                .where(AuditEvent.action != "view_characteristics")
                .order_by(AuditEvent.at.desc(), AuditEvent.id.desc())
                .limit(100)
            ).all()
        )
    return MemberView(member, age, tuple(answers), hidden, history, changes)
