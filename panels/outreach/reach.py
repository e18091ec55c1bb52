"""Who the register does not reach yet, which partners reach them, and what outreach yielded.

Two signs that a group is under-reached:

- **Short of its share.** Among the people who can be chosen for panels, the group's share is
  below its share of the target population (Census 2021 for England and Wales for the
  register, unpaid care from England's; each project's own target for its eligible pool), by
  :func:`representativeness.gap_analysis`'s verdict (fewer than ``floor(n × p)`` people).
  People needed: the smallest ``x`` with ``(O + x) / (n + x) ≥ p``, that is
  ``x = ceil((n p − O) / (1 − p))``, because each new member from the group also adds one
  to the people counted.
- **A high chance in draws.** In a project's latest draw, the group's members had an average
  chance of selection at least :data:`HIGH_CHANCE_RATIO` times the pool's typical (median)
  chance: the quotas need more of them than the pool holds. The group fills about
  ``S = Σ p`` seats on average; at the typical chance ``m`` each, that takes ``S / m``
  people, so the register needs about ``ceil(S / m − g)`` more of the group's ``g``.
"""

from __future__ import annotations

import math
import statistics
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select

from models import Draw, JoinLink, JoinRequest, Member, OutreachAction, Partner, Project
from panels.errors import InvalidInput
from panels.projects.pool import NEW_VOICES_DIMENSION
from panels.projects.service import pool_view
from panels.projects.targets import map_target
from panels.register.queries import UNKNOWN, answers_for, count_answers, selectable
from panels.register.taxonomy import Taxonomy, load_taxonomy
from panels.suppression import THRESHOLD, ShownCount, shown_count
from panels.uow import UnitOfWork
from representativeness import builtin_target, gap_analysis

REGISTER_TARGETS = ("england-and-wales", "england")
"""Built-in Census 2021 figures the register is compared with; a characteristic takes the
first that has it (unpaid care is published for England only)."""
HIGH_CHANCE_RATIO = 1.5
"""A group's average chance in a draw this many times the typical chance is flagged."""


@dataclass(frozen=True)
class UnderReached:
    """One group the register falls short on, where, why, and how many more people it needs."""

    scope: str
    """"the register" or the project's title."""
    project_id: int | None
    dimension: str
    dimension_label: str
    category: str
    category_label: str
    kind: str
    """"share" (short of the target share) or "chance" (a high chance in draws)."""
    observed: ShownCount
    needed: tuple[int, int]
    """More people needed, as ``(low, high)``: one number when the count is shown; when it
    is suppressed, the range over every count it could be (1 to 4), so that the number
    needed cannot give the hidden count away."""
    reason: str
    """The sentence saying what was found and how many more people are needed."""

    @property
    def needed_text(self) -> str:
        low, high = self.needed
        return str(low) if low == high else f"{low} to {high}"


def _more(needed: tuple[int, int]) -> str:
    low, high = needed
    if low == high:
        return f"About {low} more {'person' if low == 1 else 'people'}"
    return f"Between {low} and {high} more people"


def _hidden_range() -> range:
    """The counts a suppressed count may stand for."""
    return range(1, THRESHOLD)


def people_to_reach_share(observed: int, n: int, target_share: float) -> int:
    """The fewest people from a group to add so that its share of ``n + x`` reaches the target."""
    if not 0 <= target_share < 1:
        raise ValueError(f"a target share must be in [0, 1); it is {target_share!r}")
    return max(0, math.ceil((n * target_share - observed) / (1 - target_share) - 1e-9))


def people_to_typical_chance(chances: Sequence[float], typical: float) -> int:
    """More people a group needs so that its members' chance falls to ``typical``."""
    if typical <= 0:
        raise ValueError(f"the typical chance must be above 0; it is {typical!r}")
    return max(0, math.ceil(math.fsum(chances) / typical - len(chances) - 1e-9))


def _share_gaps(
    scope: str,
    project_id: int | None,
    taxonomy: Taxonomy,
    counts: Mapping[str, Mapping[str, int]],
    shares: Mapping[str, Mapping[str, float]],
    suppress: bool,
) -> list[UnderReached]:
    found = []
    for key, target in shares.items():
        dimension = taxonomy[key]
        mine = counts.get(key, {})
        known = {code: mine.get(code, 0) for code in target}
        unknown = sum(v for code, v in mine.items() if code not in target)
        if not sum(known.values()):
            continue
        gap = gap_analysis(known, target, unknown=unknown)
        for category in gap.categories:
            if category.status != "under" or category.target_share >= 1:
                continue
            label = dimension.find(category.category).label
            observed = shown_count(
                category.observed, suppress=suppress and dimension.special_category
            )
            if observed.suppressed:
                # Any of 1 to 4 among the others: the share and the number needed say no more.
                others = gap.n - category.observed
                options = [
                    people_to_reach_share(o, others + o, category.target_share)
                    for o in _hidden_range()
                ]
                needed = (min(options), max(options))
                found_text = (
                    f"{observed} of the people with an answer to “{dimension.label}” are {label}"
                )
            else:
                exact = people_to_reach_share(category.observed, gap.n, category.target_share)
                needed = (exact, exact)
                found_text = (
                    f"{label} is {category.share:.0%} of the {gap.n} people with an answer "
                    f"to “{dimension.label}” ({observed} "
                    f"{'person' if category.observed == 1 else 'people'})"
                )
            found.append(
                UnderReached(
                    scope=scope,
                    project_id=project_id,
                    dimension=key,
                    dimension_label=dimension.label,
                    category=category.category,
                    category_label=label,
                    kind="share",
                    observed=observed,
                    needed=needed,
                    reason=(
                        f"{found_text}, against {category.target_share:.0%} of the population. "
                        f"{_more(needed)} from this group would bring the share up to the "
                        "target (each new member counts in the total too)."
                    ),
                )
            )
    return found


def register_under_reached(
    uow: UnitOfWork, *, suppress: bool, today: date | None = None
) -> list[UnderReached]:
    """Groups where the people who can be chosen for panels fall short of Census 2021
    (:data:`REGISTER_TARGETS`), for every characteristic the census and the register share."""
    today = today or date.today()
    with uow:
        taxonomy = load_taxonomy(uow.session)
        shares: dict[str, dict[str, float]] = {}
        for name in REGISTER_TARGETS:
            for dimension in map_target(builtin_target(name), taxonomy).dimensions:
                shares.setdefault(dimension.key, dict(dimension.shares))
        counted = count_answers(
            uow.session,
            taxonomy,
            selectable(select(Member.id), today),
            list(shares),
            purpose="selection",
            today=today,
        )
        return _share_gaps("the register", None, taxonomy, counted.counts, shares, suppress)


def latest_draw(uow: UnitOfWork, project_id: int) -> Draw | None:
    return uow.session.scalars(
        select(Draw)
        .where(Draw.project_id == project_id, Draw.status == "done")
        .order_by(Draw.number.desc())
    ).first()


def draw_chance_gaps(
    project: Project, draw: Draw, taxonomy: Taxonomy, suppress: bool
) -> list[UnderReached]:
    """Groups whose members had a high chance of selection in ``draw``."""
    chances = {str(k): float(v) for k, v in (draw.probabilities or {}).items()}
    if not chances or not draw.pool:
        return []
    typical = draw.median_probability or statistics.median(chances.values())
    if typical <= 0:
        return []
    groups: dict[tuple[str, str], list[float]] = {}
    for row in draw.pool:
        p = chances.get(str(row.get("id")))
        if p is None:
            continue
        for key, code in row.items():
            if key in ("id", NEW_VOICES_DIMENSION) or code == UNKNOWN:
                continue
            groups.setdefault((key, str(code)), []).append(p)
    found = []
    for (key, code), ps in sorted(groups.items()):
        mean = math.fsum(ps) / len(ps)
        if mean < HIGH_CHANCE_RATIO * typical:
            continue
        try:
            dimension = taxonomy[key]
            label = dimension.find(code).label
        except InvalidInput:  # a category removed since the draw: nothing to say about it
            continue
        observed = shown_count(len(ps), suppress=suppress and dimension.special_category)
        if observed.suppressed:
            # The group's size and its average chance together would give the count away.
            ratio = math.fsum(ps) / len(ps) / typical
            options = [max(0, math.ceil(g * ratio - g - 1e-9)) for g in _hidden_range()]
            needed = (min(options), max(options))
            chance_text = (
                f"{observed} people in the pool are {label}, and they had a chance of being "
                f"chosen at least {HIGH_CHANCE_RATIO:g} times the typical chance of {typical:.0%}"
            )
        else:
            exact = people_to_typical_chance(ps, typical)
            needed = (exact, exact)
            chance_text = (
                f"the {observed} people in the pool who are {label} had on average a "
                f"{mean:.0%} chance of being chosen, against a typical chance of {typical:.0%}"
            )
        found.append(
            UnderReached(
                scope=project.title,
                project_id=project.id,
                dimension=key,
                dimension_label=dimension.label,
                category=code,
                category_label=label,
                kind="chance",
                observed=observed,
                needed=needed,
                reason=(
                    f"In draw {draw.number}, {chance_text}: the quotas need more of them than "
                    f"the register holds. {_more(needed)} from this group would bring their "
                    "chance down to the typical one."
                ),
            )
        )
    return found


def projects_under_reached(
    uow: UnitOfWork, *, suppress: bool, today: date | None = None
) -> list[UnderReached]:
    """For each open project: groups short of its target in its eligible pool, and groups
    with a high chance in its latest draw."""
    today = today or date.today()
    found: list[UnderReached] = []
    with uow:
        taxonomy = load_taxonomy(uow.session)
        projects = uow.session.scalars(
            select(Project).where(Project.status != "closed").order_by(Project.title)
        ).all()
        for project in projects:
            if project.target is not None and project.target.chosen and project.eligibility_set:
                view = pool_view(uow, project.id, today)
                counts = {s.key: s.counts for s in view.summaries}
                shares = {s.key: s.target for s in view.summaries if s.target}
                found.extend(
                    _share_gaps(project.title, project.id, taxonomy, counts, shares, suppress)
                )
            draw = latest_draw(uow, project.id)
            if draw is not None:
                found.extend(draw_chance_gaps(project, draw, taxonomy, suppress))
    return found


# --- yield ------------------------------------------------------------------------------------


def partner_members(uow: UnitOfWork) -> dict[int, set[int]]:
    """Members who joined through each partner: accepted requests through its link, and
    members recorded as referred by it (``joined_via='partner'``, ``referred_by`` its name)."""
    session = uow.session
    found: dict[int, set[int]] = {}
    for partner_id, member_id in session.execute(
        select(JoinLink.partner_id, JoinRequest.member_id)
        .join(JoinLink, JoinLink.id == JoinRequest.link_id)
        .where(
            JoinRequest.status == "accepted",
            JoinRequest.member_id.is_not(None),
            JoinLink.partner_id.is_not(None),
        )
    ):
        if partner_id is not None and member_id is not None:
            found.setdefault(partner_id, set()).add(member_id)
    for partner_id, member_id in session.execute(
        select(Partner.id, Member.id).join(
            Member,
            (Member.joined_via == "partner")
            & (func.lower(Member.referred_by) == func.lower(Partner.name)),
        )
    ):
        found.setdefault(partner_id, set()).add(member_id)
    return found


@dataclass(frozen=True)
class GroupYield:
    dimension: str
    dimension_label: str
    category: str
    category_label: str
    joined: ShownCount


@dataclass(frozen=True)
class PartnerYield:
    partner_id: int
    joined: ShownCount
    """Everyone who joined through the partner; protected like a special-category count
    when the partner reaches a special-category group (its yield would say who they are)."""
    groups: tuple[GroupYield, ...]
    """Of those who allow their answers in anonymous statistics, per group the partner
    reaches or outreach through it aimed at."""


def _group_counts(
    uow: UnitOfWork, taxonomy: Taxonomy, member_ids: set[int], today: date
) -> Counter[tuple[str, str]]:
    answers = answers_for(uow.session, taxonomy, member_ids, purpose="statistics", today=today)
    counts: Counter[tuple[str, str]] = Counter()
    for mine in answers.values():
        for key, codes in mine.items():
            for code in codes:
                counts[(key, code)] += 1
    return counts


def partner_yield(
    uow: UnitOfWork, partner_id: int, *, suppress: bool, today: date | None = None
) -> PartnerYield:
    """What a partnership yielded: people who joined, per group it reaches or was aimed at."""
    today = today or date.today()
    with uow:
        taxonomy = load_taxonomy(uow.session)
        partner = uow.session.get(Partner, partner_id)
        ids = partner_members(uow).get(partner_id, set())
        counts = _group_counts(uow, taxonomy, ids, today)
        wanted = {
            (key, code)
            for key, codes in (partner.reaches if partner else {}).items()
            for code in codes
        }
        wanted |= {
            (key, code)
            for key, code in uow.session.execute(
                select(OutreachAction.dimension, OutreachAction.category).where(
                    OutreachAction.partner_id == partner_id, OutreachAction.dimension != ""
                )
            )
        }
        aimed_at = set(wanted)
        wanted |= set(counts)
        groups = []
        for key, code in sorted(wanted):
            try:
                dimension = taxonomy[key]
                category = dimension.find(code)
            except InvalidInput:  # a category removed since: nothing to count it by
                continue
            if category.prefer_not_to_say:
                continue
            groups.append(
                GroupYield(
                    key,
                    dimension.label,
                    code,
                    category.label,
                    shown_count(
                        counts[(key, code)], suppress=suppress and dimension.special_category
                    ),
                )
            )
        special = any(
            taxonomy[key].special_category
            for key, _code in aimed_at
            if key in {d.key for d in taxonomy.dimensions}
        )
    return PartnerYield(
        partner_id, shown_count(len(ids), suppress=suppress and special), tuple(groups)
    )


# --- suggestions ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Suggestion:
    partner: Partner
    reaches_group: bool
    group_yield: ShownCount
    total_yield: ShownCount
    actions_for_group: int
    why: str


def suggest_partners(
    uow: UnitOfWork, dimension: str, category: str, *, suppress: bool, today: date | None = None
) -> list[Suggestion]:
    """Partners who agreed to be contacted, ranked: first those who reach the group, then by
    how many people from the group joined through them, then by everyone who joined."""
    today = today or date.today()
    with uow:
        taxonomy = load_taxonomy(uow.session)
        found_dimension = taxonomy[dimension]
        code = found_dimension.find(category).code
        members = partner_members(uow)
        partners = uow.session.scalars(
            select(Partner).where(Partner.consent_to_contact.is_(True)).order_by(Partner.name)
        ).all()
        aimed = Counter(
            uow.session.scalars(
                select(OutreachAction.partner_id).where(
                    OutreachAction.dimension == dimension, OutreachAction.category == code
                )
            )
        )
        ranked = []
        for partner in partners:
            ids = members.get(partner.id, set())
            in_group = _group_counts(uow, taxonomy, ids, today)[(dimension, code)] if ids else 0
            reaches = code in (partner.reaches or {}).get(dimension, [])
            if not reaches and not in_group:
                continue
            shown = shown_count(in_group, suppress=suppress and found_dimension.special_category)
            special = found_dimension.special_category or any(
                d.special_category for d in taxonomy.dimensions if d.key in (partner.reaches or {})
            )
            total = shown_count(len(ids), suppress=suppress and special)
            parts = []
            if reaches:
                parts.append("reaches this group")
            parts.append(f"{shown} from this group joined through them")
            parts.append(f"{total} joined in all")
            if aimed[partner.id]:
                parts.append(
                    f"{aimed[partner.id]} outreach "
                    f"{'action' if aimed[partner.id] == 1 else 'actions'} aimed at this group"
                )
            why = "; ".join(parts)
            ranked.append(
                (
                    (not reaches, -in_group, -len(ids), partner.name.casefold()),
                    Suggestion(
                        partner,
                        reaches,
                        shown,
                        total,
                        aimed[partner.id],
                        why[0].upper() + why[1:] + ".",
                    ),
                )
            )
    return [suggestion for _key, suggestion in sorted(ranked, key=lambda pair: pair[0])]


@dataclass(frozen=True)
class PartnerSummary:
    partner: Partner
    joined: ShownCount
    actions: int
    last_action: date | None


def partner_summaries(uow: UnitOfWork, *, suppress: bool) -> list[PartnerSummary]:
    """Every partner with how many people joined through it and the outreach done through it,
    so that a manager can see which partnerships work."""
    with uow:
        taxonomy = load_taxonomy(uow.session)
        special_keys = {d.key for d in taxonomy.dimensions if d.special_category}
        members = partner_members(uow)
        actions: dict[int, tuple[int, date | None]] = {}
        aimed_special: set[int] = set()
        for partner_id, done_on, dimension in uow.session.execute(
            select(OutreachAction.partner_id, OutreachAction.done_on, OutreachAction.dimension)
        ):
            count, last = actions.get(partner_id, (0, None))
            actions[partner_id] = (count + 1, max(done_on, last) if last else done_on)
            if dimension in special_keys:
                aimed_special.add(partner_id)
        found = []
        for partner in uow.session.scalars(select(Partner).order_by(Partner.name)):
            special = partner.id in aimed_special or bool(special_keys & set(partner.reaches or {}))
            count, last = actions.get(partner.id, (0, None))
            found.append(
                PartnerSummary(
                    partner,
                    shown_count(len(members.get(partner.id, ())), suppress=suppress and special),
                    count,
                    last,
                )
            )
    return found
