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

from collections.abc import Iterable, Sequence
from datetime import date

from sqlalchemy import ColumnElement, Select, and_, func, or_, select
from sqlalchemy.orm import Session

from models import Member, MemberCharacteristic
from panels.register.taxonomy import Taxonomy


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
