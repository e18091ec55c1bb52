"""Members: validate, add, change, record consent. Each public function is one unit of work."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from models import (
    ACCESS_NEEDS,
    CONSENT_METHODS,
    CONSENT_PURPOSES,
    CONTACT_METHODS,
    JOINED_VIA,
    MEMBER_STATUSES,
    ConsentRecord,
    ConsentWording,
    Member,
    MemberAccessNeed,
    MemberCharacteristic,
)
from panels import audit
from panels.errors import InvalidInput, NotFound
from panels.register.taxonomy import Taxonomy, age_on, load_taxonomy
from panels.uow import UnitOfWork

POSTCODE = re.compile(r"^([A-Z]{1,2}[0-9][A-Z0-9]?) ?([0-9][A-Z]{2})$")
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
MINIMUM_AGE = 18
EMAIL_ON_REGISTER = "A member with this email address is already on the register"
EMAIL_TAKEN = "Another member already has this email address"


@dataclass
class MemberInput:
    """Everything staff or a file can say about a member, before it is checked."""

    first_name: str = ""
    last_name: str = ""
    preferred_name: str | None = None
    email: str | None = None
    phone: str | None = None
    address: str | None = None
    postcode: str | None = None
    preferred_contact: str | None = None
    date_of_birth: date | None = None
    status: str = "active"
    paused_until: date | None = None
    joined_via: str = "staff"
    referred_by: str | None = None
    access_needs: list[str] = field(default_factory=list)
    access_needs_notes: str | None = None
    preferred_times: str | None = None
    answers: dict[str, list[str]] = field(default_factory=dict)
    consents: dict[str, bool] = field(default_factory=dict)


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the input: which field, the value given, and what is allowed."""

    field: str
    value: str
    message: str


def normalise_postcode(value: str) -> str | None:
    match = POSTCODE.match(value.strip().upper().replace("  ", " "))
    if not match:
        return None
    return f"{match.group(1)} {match.group(2)}"


def _blank(value: str | None) -> str | None:
    if value is None:
        return None
    value = value.strip()
    return value or None


def check_member(data: MemberInput, taxonomy: Taxonomy, today: date | None = None) -> list[Problem]:
    """Check and normalise ``data`` in place; return every problem found (empty if none)."""
    today = today or date.today()
    problems: list[Problem] = []
    for name in (
        "preferred_name",
        "email",
        "phone",
        "address",
        "postcode",
        "referred_by",
        "access_needs_notes",
        "preferred_times",
        "preferred_contact",
    ):
        setattr(data, name, _blank(getattr(data, name)))
    data.first_name = (data.first_name or "").strip()
    data.last_name = (data.last_name or "").strip()
    if not data.first_name:
        problems.append(Problem("first_name", "", "Enter a first name"))
    if not data.last_name:
        problems.append(Problem("last_name", "", "Enter a last name"))
    if data.email:
        data.email = data.email.lower()
        if not EMAIL.match(data.email):
            problems.append(
                Problem(
                    "email",
                    data.email,
                    "Enter an email address in the correct format, like name@example.com",
                )
            )
    if data.postcode:
        normalised = normalise_postcode(data.postcode)
        if normalised is None:
            problems.append(
                Problem("postcode", data.postcode, "Enter a real UK postcode, like SW1A 1AA")
            )
        else:
            data.postcode = normalised
    if data.preferred_contact and data.preferred_contact not in CONTACT_METHODS:
        problems.append(
            Problem(
                "preferred_contact",
                data.preferred_contact,
                f"Preferred contact must be one of: {', '.join(CONTACT_METHODS)}",
            )
        )
    if data.date_of_birth is not None:
        age = age_on(data.date_of_birth, today)
        if data.date_of_birth > today:
            problems.append(
                Problem(
                    "date_of_birth",
                    data.date_of_birth.isoformat(),
                    "Date of birth must be in the past",
                )
            )
        elif age is not None and age < MINIMUM_AGE:
            problems.append(
                Problem(
                    "date_of_birth",
                    data.date_of_birth.isoformat(),
                    f"Members must be aged {MINIMUM_AGE} or over",
                )
            )
        elif age is not None and age > 120:
            problems.append(
                Problem(
                    "date_of_birth",
                    data.date_of_birth.isoformat(),
                    "Date of birth must be within the last 120 years",
                )
            )
    if data.status not in MEMBER_STATUSES:
        problems.append(
            Problem("status", data.status, f"Status must be one of: {', '.join(MEMBER_STATUSES)}")
        )
    if data.paused_until and data.status != "paused":
        data.paused_until = None
    if data.joined_via not in JOINED_VIA:
        problems.append(
            Problem(
                "joined_via",
                data.joined_via,
                f"How they joined must be one of: {', '.join(JOINED_VIA)}",
            )
        )
    unknown_needs = [need for need in data.access_needs if need not in ACCESS_NEEDS]
    for need in unknown_needs:
        problems.append(
            Problem("access_needs", need, f"Access need must be one of: {', '.join(ACCESS_NEEDS)}")
        )
    data.access_needs = sorted(set(data.access_needs) - set(unknown_needs))
    for purpose in data.consents:
        if purpose not in CONSENT_PURPOSES:
            problems.append(
                Problem(
                    "consents",
                    purpose,
                    f"Consent purpose must be one of: {', '.join(CONSENT_PURPOSES)}",
                )
            )
    answers: dict[str, list[str]] = {}
    answerable = {d.key: d for d in taxonomy.answerable}
    for key, values in data.answers.items():
        dimension = answerable.get(key)
        if dimension is None:
            problems.append(
                Problem(
                    key,
                    key,
                    f"{key!r} is not a dimension a member answers; "
                    f"valid dimensions are: {', '.join(answerable)}",
                )
            )
            continue
        values = [v for v in (value.strip() for value in values) if v]
        if len(values) > 1 and not dimension.multiple:
            problems.append(
                Problem(key, ";".join(values), f"{key!r} takes one answer, not {len(values)}")
            )
            continue
        codes = []
        for value in values:
            try:
                codes.append(dimension.find(value).code)
            except InvalidInput as error:
                problems.append(Problem(key, value, str(error)))
        if "prefer_not_to_say" in codes and len(codes) > 1:
            problems.append(
                Problem(
                    key,
                    ";".join(values),
                    f"'Prefer not to say' cannot be combined with other answers for {key!r}",
                )
            )
        if codes:
            answers[key] = sorted(set(codes))
    data.answers = answers
    if not data.consents.get("access_needs", False) and (
        data.access_needs or data.access_needs_notes
    ):
        problems.append(
            Problem(
                "access_needs",
                ";".join(data.access_needs),
                "Access needs can only be kept if the member agrees to us keeping them",
            )
        )
    return problems


def _raise_if(problems: list[Problem]) -> None:
    if problems:
        raise InvalidMember(problems)


class InvalidMember(InvalidInput):
    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__("; ".join(f"{p.field}: {p.message}" for p in problems))


def _is_duplicate_email(error: IntegrityError) -> bool:
    """Whether ``error`` is the unique index on members' email (SQLite or PostgreSQL wording)."""
    text = str(error.orig)
    return "uq_members_email" in text or "members.email" in text


def _email_taken(session: Session, email: str | None, member_id: int | None = None) -> bool:
    if not email:
        return False
    query = select(Member.id).where(Member.email == email)
    if member_id is not None:
        query = query.where(Member.id != member_id)
    return session.scalar(query) is not None


SIMPLE_FIELDS = (
    "first_name",
    "last_name",
    "preferred_name",
    "email",
    "phone",
    "address",
    "postcode",
    "preferred_contact",
    "date_of_birth",
    "status",
    "paused_until",
    "joined_via",
    "referred_by",
    "access_needs_notes",
    "preferred_times",
)


def apply_member(
    session: Session, member: Member, data: MemberInput, taxonomy: Taxonomy
) -> list[str]:
    """Write checked input onto a member (flush only); return the names of what changed."""
    changed = []
    for name in SIMPLE_FIELDS:
        if getattr(member, name) != getattr(data, name):
            setattr(member, name, getattr(data, name))
            changed.append(name)
    if "status" in changed:
        # When people left, for the reports' leavers by quarter.
        member.left_on = date.today() if member.status == "left" else None
    current_needs = sorted(n.need for n in member.access_needs)
    if current_needs != data.access_needs:
        member.access_needs = [MemberAccessNeed(need=need) for need in data.access_needs]
        changed.append("access_needs")
    current: dict[str, list[str]] = {}
    for row in member.characteristics:
        dimension, category = taxonomy.category_by_id(row.category_id)
        current.setdefault(dimension.key, []).append(category.code)
    wanted_ids = [
        taxonomy[key].find(code).id for key, codes in data.answers.items() for code in codes
    ]
    wanted = {key: sorted(codes) for key, codes in data.answers.items()}
    current = {key: sorted(codes) for key, codes in current.items()}
    if current != wanted:
        member.characteristics = [MemberCharacteristic(category_id=c) for c in wanted_ids]
        changed.extend(
            sorted(k for k in set(current) | set(wanted) if current.get(k) != wanted.get(k))
        )
    return changed


def current_wording(session: Session, purpose: str) -> ConsentWording:
    wording = session.scalars(
        select(ConsentWording)
        .where(ConsentWording.purpose == purpose)
        .order_by(ConsentWording.version.desc())
    ).first()
    if wording is None:
        raise InvalidInput(f"there is no consent wording for {purpose!r}; run `panels db upgrade`")
    return wording


def lock_members(session: Session, member_ids: Iterable[int]) -> None:
    """Lock these members until the transaction ends (flush only), so that a concurrent change
    to them waits for this one and then sees what it committed.

    PostgreSQL locks the rows (``SELECT ... FOR UPDATE``, in id order, so that two lockers
    never deadlock). SQLite has one writer at a time: a write that changes nothing takes the
    database's write lock, and reads after it see every committed change.
    """
    ids = sorted(set(member_ids))
    if not ids:
        return
    if session.get_bind().dialect.name == "sqlite":
        session.execute(
            update(Member)
            .where(Member.id == ids[0])
            .values(id=Member.id)
            .execution_options(synchronize_session=False)
        )
        return
    for start in range(0, len(ids), 1000):
        session.execute(
            select(Member.id)
            .where(Member.id.in_(ids[start : start + 1000]))
            .order_by(Member.id)
            .with_for_update()
        )


def set_consent(
    session: Session,
    member: Member,
    purpose: str,
    given: bool,
    method: str,
    recorded_by_id: int | None,
) -> bool:
    """Record a consent decision (flush only); returns True if it changed the current state.

    The member is locked and their consent read from the database first, so that two people
    withdrawing the same consent at once record it once: the second waits, then sees it is
    already withdrawn."""
    if purpose not in CONSENT_PURPOSES:
        raise InvalidInput(
            f"consent purpose {purpose!r} is not one of: {', '.join(CONSENT_PURPOSES)}"
        )
    if method not in CONSENT_METHODS:
        raise InvalidInput(f"consent method {method!r} is not one of: {', '.join(CONSENT_METHODS)}")
    attribute = f"consent_{purpose}"
    if member.id is not None:
        lock_members(session, [member.id])
        current = session.scalar(select(getattr(Member, attribute)).where(Member.id == member.id))
        set_committed_value(member, attribute, current)
        if (
            current == given
            and session.scalar(
                select(ConsentRecord.id)
                .where(ConsentRecord.member_id == member.id, ConsentRecord.purpose == purpose)
                .limit(1)
            )
            is not None
        ):
            return False
    setattr(member, attribute, given)
    if purpose == "access_needs" and not given:
        member.access_needs = []
        member.access_needs_notes = None
    session.flush()
    session.add(
        ConsentRecord(
            member_id=member.id,
            purpose=purpose,
            given=given,
            method=method,
            wording_id=current_wording(session, purpose).id,
            recorded_by_id=recorded_by_id,
        )
    )
    return True


def create_member(uow: UnitOfWork, data: MemberInput, method: str = "online") -> Member:
    """Add a member with their answers and consent decisions."""
    with uow:
        session = uow.session
        taxonomy = load_taxonomy(session)
        problems = check_member(data, taxonomy)
        if _email_taken(session, data.email):
            problems.append(
                Problem(
                    "email",
                    data.email or "",
                    EMAIL_ON_REGISTER,
                )
            )
        _raise_if(problems)
        member = Member(panels_served=0)
        session.add(member)
        try:
            apply_member(session, member, data, taxonomy)
            session.flush()
        except IntegrityError as error:
            # Someone added the same email between the check above and this insert.
            if not _is_duplicate_email(error):
                raise
            raise InvalidMember([Problem("email", data.email or "", EMAIL_ON_REGISTER)]) from None
        for purpose in CONSENT_PURPOSES:
            set_consent(
                session,
                member,
                purpose,
                bool(data.consents.get(purpose, False)),
                method,
                uow.actor.user_id,
            )
        audit.record(uow, "create_member", "member", member.id)
    return member


def update_member(
    uow: UnitOfWork, member_id: int, data: MemberInput, method: str = "online"
) -> list[str]:
    """Change a member's details, answers and consent; returns what changed (names only)."""
    with uow:
        session = uow.session
        taxonomy = load_taxonomy(session)
        problems = check_member(data, taxonomy)
        member = session.get(Member, member_id)
        if member is None:
            raise NotFound(f"there is no member with id {member_id}")
        if _email_taken(session, data.email, member_id):
            problems.append(Problem("email", data.email or "", EMAIL_TAKEN))
        _raise_if(problems)
        consent_changes = [
            f"consent_{purpose}"
            for purpose in CONSENT_PURPOSES
            if purpose in data.consents
            and set_consent(
                session, member, purpose, data.consents[purpose], method, uow.actor.user_id
            )
        ]
        try:
            changed = apply_member(session, member, data, taxonomy)
            session.flush()
        except IntegrityError as error:
            if not _is_duplicate_email(error):
                raise
            raise InvalidMember([Problem("email", data.email or "", EMAIL_TAKEN)]) from None
        if changed or consent_changes:
            audit.record(
                uow, "update_member", "member", member.id, changed=changed + consent_changes
            )
    return changed


def change_consent(
    uow: UnitOfWork, member_id: int, purpose: str, given: bool, method: str = "online"
) -> bool:
    """Give or withdraw one consent; takes effect at once. True if it changed anything."""
    with uow:
        session = uow.session
        member = session.get(Member, member_id)
        if member is None:
            raise NotFound(f"there is no member with id {member_id}")
        if not set_consent(session, member, purpose, given, method, uow.actor.user_id):
            return False
        audit.record(
            uow, "consent", "member", member.id, purpose=purpose, given=given, method=method
        )
    return True


def member_input_from(member: Member, taxonomy: Taxonomy) -> MemberInput:
    """The input that would recreate ``member`` (for edit forms and exports)."""
    data = MemberInput(**{name: getattr(member, name) for name in SIMPLE_FIELDS})
    data.access_needs = sorted(n.need for n in member.access_needs)
    for row in member.characteristics:
        dimension, category = taxonomy.category_by_id(row.category_id)
        data.answers.setdefault(dimension.key, []).append(category.code)
    data.answers = {k: sorted(v) for k, v in data.answers.items()}
    data.consents = {p: bool(getattr(member, f"consent_{p}")) for p in CONSENT_PURPOSES}
    return data
