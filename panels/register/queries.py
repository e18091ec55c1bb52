"""The one place where consent limits what the register can be used for.

Every search that offers people for invitation, every use of equality information to
select people, and every statistic goes through these functions:

- without consent to be contacted (a), a member is never offered for invitation;
- without consent to selection use (b), a member's characteristics are never used to find
  or choose them: characteristic filters do not match them and selection gets no answers;
- without consent to statistics (c), a member is left out of statistics;
- without consent to keep access needs (d), none are kept (withdrawal deletes them).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Integer,
    Select,
    and_,
    case,
    cast,
    func,
    literal_column,
    null,
    or_,
    select,
    union_all,
)
from sqlalchemy.orm import Session, aliased

from models import Member, MemberCharacteristic
from panels.errors import NotFound
from panels.register.taxonomy import CategoryInfo, DimensionInfo, Taxonomy
from panels.uow import UnitOfWork

UNKNOWN = "prefer_not_to_say"
"""The code under which :func:`count_answers` counts people with no usable answer."""


def add_years(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def available_today(today: date) -> ColumnElement[bool]:
    """Active, or paused with a pause that has ended."""
    return or_(
        Member.status == "active",
        and_(
            Member.status == "paused", Member.paused_until.is_not(None), Member.paused_until < today
        ),
    )


def invitable(query: Select | None = None, today: date | None = None) -> Select:
    """Members who may be offered for invitation: available and consenting to contact."""
    query = query if query is not None else select(Member)
    return query.where(available_today(today or date.today()), Member.consent_contact.is_(True))


def selectable(query: Select | None = None, today: date | None = None) -> Select:
    """Members who may be drawn for a panel: invitable, and consenting to the use of their
    equality information for selection (a pool is chosen by those answers)."""
    return invitable(query, today).where(Member.consent_selection.is_(True))


def characteristic_condition(
    taxonomy: Taxonomy, dimension_key: str, codes: Sequence[str], today: date | None = None
) -> ColumnElement[bool]:
    """A condition matching members in any of ``codes`` of a dimension, roll-ups and derived
    age bands included, and only for members who allow selection use of their answers."""
    today = today or date.today()
    dimension = taxonomy[dimension_key]
    categories = [dimension.find(code) for code in codes]
    if dimension.derived_from == "date_of_birth":
        ranges: list[ColumnElement[bool]] = []
        for category in categories:
            if category.prefer_not_to_say:
                ranges.append(Member.date_of_birth.is_(None))
                continue
            # age >= min  <=>  born on or before today - min years
            condition = Member.date_of_birth <= add_years(today, -(category.min_age or 0))
            if category.max_age is not None:
                condition = and_(
                    condition, Member.date_of_birth > add_years(today, -(category.max_age + 1))
                )
            ranges.append(condition)
        matched = or_(*ranges)
    else:
        if dimension.derived_from:
            source = taxonomy[dimension.derived_from]
            wanted = {c.code for c in categories}
            category_ids = [c.id for c in source.categories if c.rolls_up_to in wanted]
            category_ids += [
                c.id
                for c in source.categories
                if c.prefer_not_to_say and any(x.prefer_not_to_say for x in categories)
            ]
        else:
            category_ids = [c.id for c in categories]
        # "id IN (members with these answers)" rather than a correlated EXISTS: PostgreSQL
        # plans both as the same semi-join, and SQLite can then start from the answers' index
        # instead of probing it once for every member (about three times faster there).
        matched = Member.id.in_(
            select(MemberCharacteristic.member_id).where(
                MemberCharacteristic.category_id.in_(category_ids or [-1])
            )
        )
    return and_(Member.consent_selection.is_(True), matched)


def answers_for(
    session: Session,
    taxonomy: Taxonomy,
    member_ids: Iterable[int],
    *,
    purpose: str,
    today: date | None = None,
) -> dict[int, dict[str, tuple[str, ...]]]:
    """Answers per member for ``purpose`` ('selection' or 'statistics'); members without that
    consent are left out entirely. Derived dimensions are worked out here."""
    if purpose not in ("selection", "statistics"):
        raise ValueError(f"purpose {purpose!r} is not one of: selection, statistics")
    today = today or date.today()
    consent = Member.consent_selection if purpose == "selection" else Member.consent_statistics
    ids = list(member_ids)
    rows: dict[int, dict[str, list[str]]] = {}
    age_dimension = next(
        (d for d in taxonomy.dimensions if d.derived_from == "date_of_birth"), None
    )
    derived_keys: dict[str, list[str]] = {}
    for derived in taxonomy.dimensions:
        if derived.derived_from:
            derived_keys.setdefault(derived.derived_from, []).append(derived.key)
    for chunk_start in range(0, len(ids), 5000):
        chunk = ids[chunk_start : chunk_start + 5000]
        members = session.execute(
            select(Member.id, Member.date_of_birth).where(Member.id.in_(chunk), consent.is_(True))
        ).all()
        for member_id, born in members:
            rows[member_id] = {}
            if age_dimension is not None and born is not None:
                band = age_dimension.age_band(
                    today.year - born.year - ((today.month, today.day) < (born.month, born.day))
                )
                if band is not None:
                    rows[member_id][age_dimension.key] = [band.code]
        allowed = [member_id for member_id, _ in members]
        for member_id, category_id in session.execute(
            select(MemberCharacteristic.member_id, MemberCharacteristic.category_id).where(
                MemberCharacteristic.member_id.in_(allowed or [-1])
            )
        ):
            dimension, category = taxonomy.category_by_id(category_id)
            mine = rows[member_id]
            mine.setdefault(dimension.key, []).append(category.code)
            for derived_key in derived_keys.get(dimension.key, ()):
                code = "prefer_not_to_say" if category.prefer_not_to_say else category.rolls_up_to
                if code:
                    mine.setdefault(derived_key, []).append(code)
    return {m: {k: tuple(sorted(v)) for k, v in answers.items()} for m, answers in rows.items()}


@dataclass(frozen=True)
class AnswerCounts:
    """How many people give each answer, per dimension (see :func:`count_answers`)."""

    total: int
    """People counted: those in the query who consent to the purpose."""
    counts: Mapping[str, Mapping[str, int]]
    """Per dimension key: category code to people, :data:`UNKNOWN` for no usable answer.
    Categories nobody gave are left out; the counts of a dimension add up to ``total``."""


def count_answers(
    session: Session,
    taxonomy: Taxonomy,
    member_query: Select,
    dimension_keys: Sequence[str],
    *,
    purpose: str = "selection",
    today: date | None = None,
) -> AnswerCounts:
    """Count by category in the database, for the members of ``member_query`` (a
    ``select(Member.id)`` naming each member once) who consent to ``purpose``; the rest are
    left out entirely. One statement, whatever the number of members or dimensions.

    A person counts in a category when it is their one answer for the dimension, exactly as
    :func:`answers_for` gives it and a selection pool takes it: age bands from the date of
    birth, derived dimensions through each category's roll-up. No answer, "prefer not to
    say" or an age outside every band counts as :data:`UNKNOWN`, never guessed; so do
    several answers to a multi-answer dimension (the draw cannot place such a person in
    one category either).

    Dimensions that take one answer are counted per category without grouping by person,
    which is what makes this fast: the register refuses a second answer to them on every
    way in (:func:`panels.register.members.check_member`).
    """
    if purpose not in ("selection", "statistics"):
        raise ValueError(f"purpose {purpose!r} is not one of: selection, statistics")
    today = today or date.today()
    consent = Member.consent_selection if purpose == "selection" else Member.consent_statistics
    selected = list(member_query.selected_columns)
    if len(selected) != 1 or not selected[0].compare(Member.__table__.c.id):
        raise ValueError(
            f"member_query selects {', '.join(str(c) for c in selected)}; it must select "
            "Member.id alone (select(Member.id) with conditions)"
        )
    members = member_query.where(consent.is_(True))
    people = members.subquery("people")
    person = people.c.id
    # Aliased, so that a characteristic filter inside member_query is never correlated to it.
    answer = aliased(MemberCharacteristic, name="answer")
    keys = list(dict.fromkeys(dimension_keys))
    age_key: str | None = None
    bands: list[CategoryInfo] = []
    single: dict[str, Mapping[int, str]] = {}
    several: dict[str, Mapping[int, str]] = {}
    for key in keys:
        dimension = taxonomy[key]
        if dimension.derived_from == "date_of_birth":
            age_key, bands = key, [c for c in dimension.categories if c.min_age is not None]
            continue
        source = taxonomy[dimension.derived_from] if dimension.derived_from else dimension
        (several if source.multiple else single)[key] = _codes_by_category(taxonomy, dimension)

    # Branch -1: everyone counted, by age band (NULL for no band or no age band asked for),
    # read from the members the query finds rather than joined back to them.
    banded = members.with_only_columns(_age_band(bands, today).label("band")).subquery("banded")
    branches = [select(literal_column("-1"), banded.c.band, func.count()).group_by(banded.c.band)]
    # Branch 0: answers to single-answer dimensions, per category.
    single_ids = sorted({i for codes in single.values() for i in codes})
    if single_ids:
        branches.append(
            select(literal_column("0"), answer.category_id, func.count())
            .select_from(people)
            .join(answer, answer.member_id == person)
            .where(answer.category_id.in_(single_ids))
            .group_by(answer.category_id)
        )
    # Branch i: a multi-answer dimension, per person first (one answer, or none usable).
    several_keys = list(several)
    for index, key in enumerate(several_keys, start=1):
        ids = sorted(several[key])
        per_person = (
            select(
                func.count().label("answers"),
                func.min(answer.category_id).label("category_id"),
            )
            .select_from(people)
            .join(answer, answer.member_id == person)
            .where(answer.category_id.in_(ids or [-1]))
            .group_by(answer.member_id)
            .subquery(f"several_{index}")
        )
        branches.append(
            select(literal_column(str(index)), per_person.c.category_id, func.count())
            .where(per_person.c.answers == 1)
            .group_by(per_person.c.category_id)
        )

    total = 0
    counts: dict[str, dict[str, int]] = {key: {} for key in keys}

    def add(key: str, code: str, n: int) -> None:
        if code != UNKNOWN:
            counts[key][code] = counts[key].get(code, 0) + n

    for branch, code, n in session.execute(union_all(*branches)):
        if branch < 0:
            total += n
            if code is not None and age_key:
                add(age_key, bands[code].code, n)
        elif branch == 0:
            for key, codes in single.items():
                if code in codes:
                    add(key, codes[code], n)
        else:
            key = several_keys[branch - 1]
            add(key, several[key][code], n)
    for key in keys:
        unknown = total - sum(counts[key].values())
        if unknown:
            counts[key][UNKNOWN] = unknown
    return AnswerCounts(total, counts)


def _age_band(bands: Sequence[CategoryInfo], today: date) -> ColumnElement[Any]:
    """The index of the first band the age on ``today`` fits, as DimensionInfo.age_band picks
    it; NULL for no date of birth or an age in no band."""
    if not bands:
        return cast(null(), Integer)  # typed, for PostgreSQL's UNION
    whens: list[tuple[ColumnElement[bool], ColumnElement[Any]]] = []
    for index, band in enumerate(bands):
        # age >= min  <=>  born on or before today - min years (as characteristic_condition)
        condition = Member.date_of_birth <= add_years(today, -(band.min_age or 0))
        if band.max_age is not None:
            condition = and_(
                condition, Member.date_of_birth > add_years(today, -(band.max_age + 1))
            )
        whens.append((condition, literal_column(str(index))))
    return case(*whens, else_=null())


def _codes_by_category(taxonomy: Taxonomy, dimension: DimensionInfo) -> dict[int, str]:
    """The answer categories that give a code in ``dimension``, and the code each gives
    ("prefer not to say" as :data:`UNKNOWN`)."""
    if not dimension.derived_from:
        return {c.id: UNKNOWN if c.prefer_not_to_say else c.code for c in dimension.categories}
    source = taxonomy[dimension.derived_from]
    return {
        c.id: UNKNOWN if c.prefer_not_to_say else str(c.rolls_up_to)
        for c in source.categories
        if c.prefer_not_to_say or c.rolls_up_to
    }


def count_by_category(session: Session, taxonomy: Taxonomy, dimension_key: str) -> dict[str, int]:
    """Register statistics for one dimension, over members who allow statistics use only."""
    ids = session.scalars(select(Member.id).where(Member.consent_statistics.is_(True))).all()
    counts: dict[str, int] = {}
    for answers in answers_for(session, taxonomy, ids, purpose="statistics").values():
        for code in answers.get(dimension_key, ("unknown",)):
            counts[code] = counts.get(code, 0) + 1
    return counts


def member_count(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(Member)) or 0


class NotLinked(NotFound):
    """A member's account with no register entry linked to it."""


def member_for_user(uow: UnitOfWork, user_id: int | None) -> Member:
    """The register entry linked to a member's account (raises :class:`NotLinked`)."""
    with uow:
        member = (
            uow.session.scalar(select(Member).where(Member.user_id == user_id))
            if user_id is not None
            else None
        )
        if member is None:
            raise NotLinked(
                "Your account is not linked to the people register yet. Please contact us and "
                "we will link it."
            )
        return member
