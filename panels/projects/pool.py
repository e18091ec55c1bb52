"""A project's eligible pool: who may be drawn, what they look like against the target, and
where the pool is too thin for a fair lottery.

Consent rules stay in :mod:`panels.register.queries`: the pool is built from
:func:`~panels.register.queries.selectable`, and answers come from
:func:`~panels.register.queries.answers_for` (one row a person, for the draw) or are counted
in the database by :func:`~panels.register.queries.count_answers` (for the eligibility page
and its warnings), both for the purpose "selection". The two agree: a person counts in a
category exactly when the draw's pool gives them that category.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

import pandas as pd
from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from models import Invitation, Member, Project
from panels.register.queries import (
    UNKNOWN,
    AnswerCounts,
    answers_for,
    characteristic_condition,
    count_answers,
    selectable,
)
from panels.register.taxonomy import Taxonomy
from representativeness import GapAnalysis, gap_analysis

NEW_VOICES_DIMENSION = "new_voice"
NEW_VOICE, FAMILIAR = "yes", "no"
FAMILIAR_PANELS = 3
"""Someone on this many panels in the last two years is a "familiar voice"."""


def eligible_query(project: Project, taxonomy: Taxonomy, today: date) -> Select:
    """The ``select(Member.id)`` of the project's eligible pool."""
    query = selectable(select(Member.id), today)
    for key, codes in (project.eligibility or {}).get("filters", {}).items():
        if codes:
            query = query.where(characteristic_condition(taxonomy, key, codes, today))
    excluded = [e.member_id for e in project.exclusions]
    if excluded:
        query = query.where(Member.id.not_in(excluded))
    return query


def eligible_ids(session: Session, project: Project, taxonomy: Taxonomy, today: date) -> list[int]:
    return list(session.scalars(eligible_query(project, taxonomy, today).order_by(Member.id)).all())


def service_history(
    session: Session, member_ids: Sequence[int], since: datetime
) -> dict[int, tuple[int, int]]:
    """Per member: (confirmed panels since ``since``, panels served in all, dated or not)."""
    recent: dict[int, int] = {}
    for chunk_start in range(0, len(member_ids), 5000):
        chunk = list(member_ids[chunk_start : chunk_start + 5000])
        recent.update(
            session.execute(
                select(Invitation.member_id, func.count())
                .join(Project, Project.id == Invitation.project_id)
                .where(
                    Invitation.member_id.in_(chunk),
                    Invitation.status == "accepted",
                    Project.confirmed_at.is_not(None),
                    Project.confirmed_at >= since,
                )
                .group_by(Invitation.member_id)
            ).all()
        )
    served = dict(
        session.execute(
            select(Member.id, Member.panels_served).where(Member.id.in_(member_ids or [-1]))
        ).all()
    )
    return {m: (recent.get(m, 0), served.get(m, 0)) for m in member_ids}


def months_before(day: date, months: int) -> datetime:
    """Midnight UTC ``months`` calendar months before ``day`` (end of month clamped)."""
    years, month_index = divmod(day.year * 12 + day.month - 1 - months, 12)
    month = month_index + 1
    last_day = (date(years + (month == 12), month % 12 + 1, 1) - timedelta(days=1)).day
    return datetime.combine(date(years, month, min(day.day, last_day)), time.min, UTC)


def is_new_voice(recent: int, served: int, dated_before: int = 0) -> bool:
    """Not on a panel in the window, and no panels recorded without a date either."""
    return recent == 0 and served - dated_before <= 0


@dataclass(frozen=True)
class Pool:
    """The eligible pool as the selection engine takes it: one row a person."""

    frame: pd.DataFrame
    dimensions: tuple[str, ...]

    @property
    def size(self) -> int:
        return len(self.frame)

    def counts(self, dimension: str) -> Counter[str]:
        return Counter(self.frame[dimension])


def build_pool(
    session: Session,
    project: Project,
    taxonomy: Taxonomy,
    dimensions: Sequence[str],
    today: date,
    *,
    new_voices_months: int | None = None,
    member_ids: Sequence[int] | None = None,
) -> Pool:
    """The pool table: ``id`` (a string) and one column per dimension (codes; no answer or
    "prefer not to say" as ``prefer_not_to_say``), plus ``new_voice`` when asked."""
    ids = (
        list(member_ids)
        if member_ids is not None
        else eligible_ids(session, project, taxonomy, today)
    )
    answers = answers_for(session, taxonomy, ids, purpose="selection", today=today)
    declined = {
        key: {c.code for c in taxonomy[key].categories if c.prefer_not_to_say} for key in dimensions
    }
    rows = []
    for member_id in ids:
        mine = answers.get(member_id)
        if mine is None:  # no consent to selection: never in a pool
            continue
        row = {"id": str(member_id)}
        for key in dimensions:
            codes = mine.get(key, ())
            row[key] = codes[0] if len(codes) == 1 and codes[0] not in declined[key] else UNKNOWN
        rows.append(row)
    columns = ["id", *dimensions]
    frame = pd.DataFrame(rows, columns=columns)
    names = tuple(dimensions)
    if new_voices_months:
        since = months_before(today, new_voices_months)
        history = service_history(session, [int(i) for i in frame["id"]], since)
        frame[NEW_VOICES_DIMENSION] = [
            NEW_VOICE if is_new_voice(*history[int(i)]) else FAMILIAR for i in frame["id"]
        ]
        names = (*names, NEW_VOICES_DIMENSION)
    return Pool(frame, names)


def pool_counts(
    session: Session,
    project: Project,
    taxonomy: Taxonomy,
    dimensions: Sequence[str],
    today: date,
) -> AnswerCounts:
    """The eligible pool counted by category in the database, without loading anyone: the
    same people and categories as :func:`build_pool` gives the draw."""
    return count_answers(
        session,
        taxonomy,
        eligible_query(project, taxonomy, today),
        [key for key in dimensions if key != NEW_VOICES_DIMENSION],
        purpose="selection",
        today=today,
    )


@dataclass(frozen=True)
class DimensionSummary:
    key: str
    label: str
    counts: Mapping[str, int]
    labels: Mapping[str, str]
    target: Mapping[str, float]
    gap: GapAnalysis | None
    warnings: tuple[str, ...]


def summarise(
    counted: Mapping[str, Mapping[str, int]],
    taxonomy: Taxonomy,
    target: Mapping[str, Mapping[str, float]],
    quotas: Mapping[str, Mapping[str, Sequence[int]]] | None = None,
) -> tuple[DimensionSummary, ...]:
    """The pool against the target, per counted dimension (people per category code, as
    :func:`pool_counts` or :meth:`Pool.counts` give them), with fairness warnings."""
    summaries = []
    for key, counts in counted.items():
        if key == NEW_VOICES_DIMENSION:
            continue
        dimension = taxonomy[key]
        shares = target.get(key, {})
        known = {c: counts.get(c, 0) for c in shares}
        unknown = sum(v for c, v in counts.items() if c not in shares)
        gap = gap_analysis(known, shares, unknown=unknown) if shares else None
        warnings = []
        for code, (low, _high) in (quotas or {}).get(key, {}).items():
            have = counts.get(code, 0)
            label = dimension.find(code).label if code != UNKNOWN else "Prefer not to say"
            if low and have < low:
                warnings.append(
                    f"{label}: the panel needs at least {low} but only {have} eligible "
                    f"{'person is' if have == 1 else 'people are'} in the pool, so no panel "
                    "can meet the quota."
                )
            elif low and have <= 2 * low:
                warnings.append(
                    f"{label}: only {have} eligible {'person' if have == 1 else 'people'} "
                    f"for at least {low} {'seat' if low == 1 else 'seats'}, so each would be "
                    f"chosen with a chance of {low / have:.0%} or more. The lottery cannot be "
                    "fair to this group until more people from it join the register."
                )
        summaries.append(
            DimensionSummary(
                key=key,
                label=dimension.label,
                counts=dict(counts),
                labels={c.code: c.label for c in dimension.categories},
                target=shares,
                gap=gap,
                warnings=tuple(warnings),
            )
        )
    return tuple(summaries)
