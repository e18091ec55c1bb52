"""A member's own profile: contact details, access needs, availability, dates away, equality
answers and consent. Writes to the register go through the register's services, which check
everything before writing; nothing is half-written."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import delete, select
from sqlalchemy.orm import selectinload

from models import (
    ACCESS_NEEDS,
    CONSENT_PURPOSES,
    TIMES_OF_DAY,
    WEEKDAYS,
    ConsentRecord,
    ConsentWording,
    Member,
    MemberAvailability,
    MemberAway,
)
from panels import audit
from panels.errors import InvalidInput, NotFound
from panels.register.members import (
    InvalidMember,
    Problem,
    change_consent,
    current_wording,
    member_input_from,
    update_member,
)
from panels.register.taxonomy import DimensionInfo, Taxonomy, load_taxonomy
from panels.uow import UnitOfWork


def get_member(uow: UnitOfWork, member_id: int) -> Member:
    with uow:
        member = uow.session.scalar(
            select(Member)
            .where(Member.id == member_id)
            .options(selectinload(Member.access_needs), selectinload(Member.characteristics))
        )
        if member is None:
            raise NotFound(f"There is no member with id {member_id}.")
        return member


def _audit_staff_view(uow: UnitOfWork, member: Member, *, answers: bool, needs: bool) -> None:
    """Staff acting for a member see their answers and needs: that is audited like any
    staff view of them. A member reading their own is not."""
    if uow.actor.on_behalf_of_member is None:
        return
    if answers and member.characteristics:
        audit.record(uow, "view_characteristics", "member", member.id)
    if needs and (member.access_needs or member.access_needs_notes):
        audit.record(uow, "view_access_needs", "member", member.id)


@dataclass(frozen=True)
class AnswerRow:
    dimension: DimensionInfo
    answers: tuple[str, ...]
    """Labels of the categories chosen; empty if not answered."""


@dataclass(frozen=True)
class Profile:
    member: Member
    needs: tuple[str, ...]
    availability: dict[str, tuple[str, ...]]
    """Weekday code -> time-of-day codes that suit."""
    away: tuple[MemberAway, ...]
    answers: tuple[AnswerRow, ...]


def answer_rows(member: Member, taxonomy: Taxonomy) -> tuple[AnswerRow, ...]:
    chosen: dict[str, list[str]] = {}
    for row in member.characteristics:
        dimension, category = taxonomy.category_by_id(row.category_id)
        chosen.setdefault(dimension.key, []).append(category.label)
    return tuple(AnswerRow(d, tuple(sorted(chosen.get(d.key, ())))) for d in taxonomy.answerable)


def availability_of(uow: UnitOfWork, member_id: int) -> dict[str, tuple[str, ...]]:
    rows = uow.session.execute(
        select(MemberAvailability.weekday, MemberAvailability.time_of_day).where(
            MemberAvailability.member_id == member_id
        )
    ).all()
    found: dict[str, set[str]] = {}
    for weekday, part in rows:
        found.setdefault(weekday, set()).add(part)
    return {
        day: tuple(p for p in TIMES_OF_DAY if p in found[day]) for day in WEEKDAYS if day in found
    }


def away_of(uow: UnitOfWork, member_id: int) -> tuple[MemberAway, ...]:
    return tuple(
        uow.session.scalars(
            select(MemberAway)
            .where(MemberAway.member_id == member_id)
            .order_by(MemberAway.starts_on, MemberAway.id)
        )
    )


def needs_in_order(codes: Iterable[str]) -> tuple[str, ...]:
    """Labels of access needs, in the order the list of needs gives them."""
    chosen = set(codes)
    return tuple(label for code, label in ACCESS_NEEDS.items() if code in chosen)


def view_profile(uow: UnitOfWork, member_id: int) -> Profile:
    """Everything on the member's profile page (staff acting for them: audited)."""
    with uow:
        member = get_member(uow, member_id)
        taxonomy = load_taxonomy(uow.session)
        _audit_staff_view(uow, member, answers=True, needs=True)
        return Profile(
            member=member,
            needs=needs_in_order(n.need for n in member.access_needs),
            availability=availability_of(uow, member_id),
            away=away_of(uow, member_id),
            answers=answer_rows(member, taxonomy),
        )


def audit_form_view(uow: UnitOfWork, member_id: int, *, answers: bool, needs: bool) -> None:
    """A change form shows answers or needs as they are: audited when staff act for them."""
    with uow:
        _audit_staff_view(uow, get_member(uow, member_id), answers=answers, needs=needs)


def update_contact(
    uow: UnitOfWork,
    member_id: int,
    *,
    preferred_name: str | None,
    phone: str | None,
    address: str | None,
    postcode: str | None,
    preferred_contact: str | None,
) -> list[str]:
    """Change contact details and how they like to be contacted; returns what changed."""
    with uow:
        member = get_member(uow, member_id)
        data = member_input_from(member, load_taxonomy(uow.session))
        data.preferred_name = preferred_name
        data.phone = phone
        data.address = address
        data.postcode = postcode
        data.preferred_contact = preferred_contact
        problems = []
        if preferred_contact == "email" and not member.email:
            problems.append(
                Problem("preferred_contact", "email", "We do not have an email address for you")
            )
        if preferred_contact in ("phone", "text") and not (phone or "").strip():
            problems.append(Problem("phone", "", "Enter a phone number, so we can phone or text"))
        if preferred_contact == "post" and not (address or "").strip():
            problems.append(Problem("address", "", "Enter your address, so we can send letters"))
        if problems:
            raise InvalidMember(problems)
        return update_member(uow, member_id, data)


def update_access_needs(
    uow: UnitOfWork, member_id: int, needs: Iterable[str], notes: str | None
) -> list[str]:
    """Change communication and access needs (only kept with consent to keep them)."""
    with uow:
        member = get_member(uow, member_id)
        data = member_input_from(member, load_taxonomy(uow.session))
        data.access_needs = list(needs)
        data.access_needs_notes = notes
        return update_member(uow, member_id, data)


def set_answer(uow: UnitOfWork, member_id: int, dimension_key: str, codes: list[str]) -> list[str]:
    """Change the answer to one equality question ("Prefer not to say" is an answer)."""
    with uow:
        member = get_member(uow, member_id)
        taxonomy = load_taxonomy(uow.session)
        answerable = {d.key for d in taxonomy.answerable}
        if dimension_key not in answerable:
            raise NotFound(
                f"{dimension_key!r} is not a question you answer; the questions are: "
                f"{', '.join(sorted(answerable))}"
            )
        if not codes:
            raise InvalidMember([Problem(dimension_key, "", "Choose an answer")])
        if "prefer_not_to_say" in codes and len(codes) > 1:
            raise InvalidMember(
                [
                    Problem(
                        dimension_key,
                        ";".join(codes),
                        "Choose “Prefer not to say” on its own, or choose your answers",
                    )
                ]
            )
        data = member_input_from(member, taxonomy)
        data.answers[dimension_key] = codes
        return update_member(uow, member_id, data)


def set_availability(uow: UnitOfWork, member_id: int, slots: Iterable[tuple[str, str]]) -> bool:
    """Replace the days and times that suit; True if anything changed."""
    wanted = set(slots)
    for weekday, part in wanted:
        if weekday not in WEEKDAYS or part not in TIMES_OF_DAY:
            raise InvalidInput(
                f"{weekday!r} {part!r} is not a day and time; days are "
                f"{', '.join(WEEKDAYS)} and times are {', '.join(TIMES_OF_DAY)}"
            )
    with uow:
        get_member(uow, member_id)
        current = {
            (day, part) for day, parts in availability_of(uow, member_id).items() for part in parts
        }
        if current == wanted:
            return False
        uow.session.execute(
            delete(MemberAvailability).where(MemberAvailability.member_id == member_id)
        )
        for weekday, part in sorted(wanted):
            uow.session.add(
                MemberAvailability(member_id=member_id, weekday=weekday, time_of_day=part)
            )
        audit.record(uow, "change_availability", "member", member_id, slots=len(wanted))
    return True


def check_away(starts_on: date | None, ends_on: date | None, today: date) -> list[Problem]:
    """What is wrong with dates away (empty if nothing)."""
    problems = []
    if starts_on is None:
        problems.append(Problem("starts_on", "", "Enter the first day you are away"))
    if ends_on is None:
        problems.append(Problem("ends_on", "", "Enter the last day you are away"))
    if starts_on and ends_on and ends_on < starts_on:
        problems.append(
            Problem(
                "ends_on",
                ends_on.isoformat(),
                "The last day must be the same as or after the first day",
            )
        )
    elif ends_on and ends_on < today:
        problems.append(
            Problem("ends_on", ends_on.isoformat(), "The last day must be today or in the future")
        )
    return problems


def add_away(
    uow: UnitOfWork,
    member_id: int,
    starts_on: date | None,
    ends_on: date | None,
    today: date | None = None,
) -> MemberAway:
    """Add dates away (first and last day included)."""
    problems = check_away(starts_on, ends_on, today or date.today())
    if problems or starts_on is None or ends_on is None:
        raise InvalidMember(problems)
    with uow:
        get_member(uow, member_id)
        away = MemberAway(member_id=member_id, starts_on=starts_on, ends_on=ends_on)
        uow.session.add(away)
        uow.session.flush()
        audit.record(
            uow,
            "change_availability",
            "member",
            member_id,
            away_added=f"{starts_on.isoformat()} to {ends_on.isoformat()}",
        )
    return away


def get_away(uow: UnitOfWork, member_id: int, away_id: int) -> MemberAway:
    """Dates away of this member (another member's are not found)."""
    with uow:
        away = uow.session.get(MemberAway, away_id)
        if away is None or away.member_id != member_id:
            raise NotFound("We could not find those dates.")
        return away


def remove_away(uow: UnitOfWork, member_id: int, away_id: int) -> None:
    with uow:
        away = get_away(uow, member_id, away_id)
        uow.session.delete(away)
        audit.record(
            uow,
            "change_availability",
            "member",
            member_id,
            away_removed=f"{away.starts_on.isoformat()} to {away.ends_on.isoformat()}",
        )


@dataclass(frozen=True)
class ConsentStatus:
    purpose: str
    label: str
    given: bool
    wording: ConsentWording
    """The current wording, in full."""
    decided_at: datetime | None
    """When they last gave or withdrew it."""


def consent_overview(uow: UnitOfWork, member_id: int) -> list[ConsentStatus]:
    """Each purpose: the current wording, given or withdrawn, and when."""
    with uow:
        member = get_member(uow, member_id)
        latest: dict[str, datetime] = {}
        for record in uow.session.scalars(
            select(ConsentRecord)
            .where(ConsentRecord.member_id == member_id)
            .order_by(ConsentRecord.recorded_at, ConsentRecord.id)
        ):
            latest[record.purpose] = record.recorded_at
        return [
            ConsentStatus(
                purpose,
                label,
                bool(getattr(member, f"consent_{purpose}")),
                current_wording(uow.session, purpose),
                latest.get(purpose),
            )
            for purpose, label in CONSENT_PURPOSES.items()
        ]


def consent_status(uow: UnitOfWork, member_id: int, purpose: str) -> ConsentStatus:
    if purpose not in CONSENT_PURPOSES:
        raise NotFound(
            f"{purpose!r} is not something you agree to; they are: {', '.join(CONSENT_PURPOSES)}"
        )
    return next(s for s in consent_overview(uow, member_id) if s.purpose == purpose)


def decide_consent(
    uow: UnitOfWork, member_id: int, purpose: str, given: bool, method: str = "online"
) -> bool:
    """Give or withdraw one consent, at once (the register's consent service)."""
    if purpose not in CONSENT_PURPOSES:
        raise NotFound(
            f"{purpose!r} is not something you agree to; they are: {', '.join(CONSENT_PURPOSES)}"
        )
    return change_consent(uow, member_id, purpose, given, method)
