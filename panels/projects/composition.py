"""How well a project's panel reflects its target population, and who the familiar voices are.

The panel is, before confirmation, everyone holding or offered a seat (chosen, invited or
accepted, whether drawn by lottery or built by hand); once the panel is confirmed, the
people who accepted. Each characteristic that matters for the project gets the gap
analysis that suits the panel's size (:func:`representativeness.gap_analysis` with
``method="auto"``: exact for small panels) and a verdict in people.

"Familiar voices" are people who served on :data:`FAMILIAR_PANELS` or more panels in the
last :data:`WINDOW_MONTHS` months. A panel is dated by its confirmation; panels counted in
``Member.panels_served`` with no confirmed project behind them (for example, imported
history) have no date, so they are never counted as recent: people whose undated panels
*could* make them familiar are reported separately, as "may be familiar voices".
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from models import Invitation, Member, Project
from panels.charts import Bar, BarChart
from panels.errors import NotFound
from panels.projects.pool import FAMILIAR_PANELS, UNKNOWN, months_before, service_history
from panels.projects.service import get_project, target_shares
from panels.register.queries import answers_for
from panels.register.taxonomy import DimensionInfo, Taxonomy, load_taxonomy
from panels.suppression import ShownCount, is_small, shown_count
from panels.uow import UnitOfWork
from representativeness import CategoryGap, Concentration, GapAnalysis, concentration, gap_analysis

WINDOW_MONTHS = 24
"""The look-back for familiar voices: two years."""
PANEL_STATUSES = ("shortlisted", "invited", "accepted")
"""Invitation statuses that make up a panel before it is confirmed."""
_DAWN = datetime(1900, 1, 1, tzinfo=UTC)


def _people(count: int) -> str:
    return "person" if count == 1 else "people"


def people_phrase(dimension: DimensionInfo, label: str, count: int) -> str:
    """Words for people in a category, after "2 more people": "aged 18-24", "who are White"."""
    verb = "is" if count == 1 else "are"
    if dimension.derived_from == "date_of_birth":
        return f"aged {label}"
    if dimension.key == "sex":
        return f"who {verb} {label.lower()}"
    if dimension.key in ("ethnicity", "ethnicity_5"):
        return f"who {verb} {label}"
    return f"whose answer for {dimension.label.lower()} is “{label}”"


@dataclass(frozen=True)
class CategoryRow:
    """One category of one characteristic, as the reader may see it."""

    code: str
    label: str
    observed: ShownCount
    share: float | None
    """The panel's share (of people with a known answer); ``None`` when the count is hidden."""
    target_share: float
    min_seats: int
    max_seats: int
    status: str
    verdict: str
    """A sentence in people: "2 more people aged 18-24 would meet the target"."""


@dataclass(frozen=True)
class DimensionComposition:
    key: str
    label: str
    suppressed: bool
    """Whether small counts are hidden (a special-category breakdown for a manager)."""
    gap: GapAnalysis
    rows: tuple[CategoryRow, ...]
    unknown: ShownCount
    summary: str

    @property
    def within_target(self) -> bool:
        return self.gap.within_quotas

    @property
    def verdicts(self) -> tuple[str, ...]:
        return tuple(r.verdict for r in self.rows if r.status != "within")

    def chart(self, chart_id: str | None = None) -> BarChart:
        return BarChart(
            chart_id=chart_id or f"chart-{self.key.replace('_', '-')}",
            title=f"{self.label}: the panel's share of each group against the target",
            description=self.summary,
            bars=tuple(
                Bar(
                    label=row.label,
                    share=row.share,
                    target=row.target_share,
                    value_text=(
                        f"Panel {row.observed} {_people(2)}"
                        if row.share is None
                        else f"Panel {row.share:.0%} ({row.observed})"
                    )
                    + f" · target {row.target_share:.0%} ({_seats(row)})",
                )
                for row in self.rows
            ),
        )


def _seats(row: CategoryRow) -> str:
    if row.min_seats == row.max_seats:
        return f"{row.min_seats} {_people(row.min_seats)}"
    return f"{row.min_seats} to {row.max_seats} people"


def _verdict(dimension: DimensionInfo, label: str, c: CategoryGap, hidden: bool) -> str:
    target = f"the target of {c.min_seats}" + (
        f" to {c.max_seats}" if c.max_seats != c.min_seats else ""
    )
    if c.status == "under":
        if hidden:
            return (
                f"More people {people_phrase(dimension, label, 2)} would meet {target} "
                "(the panel has fewer than 5)"
            )
        return (
            f"{c.shortfall} more {_people(c.shortfall)} "
            f"{people_phrase(dimension, label, c.shortfall)} would meet the target"
        )
    if c.status == "over":
        if hidden:
            return (
                f"Fewer people {people_phrase(dimension, label, 2)} would meet {target} "
                "(the panel has fewer than 5)"
            )
        return (
            f"{c.excess} {_people(c.excess)} fewer "
            f"{people_phrase(dimension, label, c.excess)} would meet the target"
        )
    return f"Within the target for people {people_phrase(dimension, label, 2)}"


def _summary(
    label: str, gap: GapAnalysis, rows: Sequence[CategoryRow], seats: int, hide: bool
) -> str:
    if not gap.unknown:
        answered = f"all {seats}"
    elif hide and is_small(gap.unknown):
        answered = f"{seats} people, fewer than 5 of them with no answer"
    else:
        answered = f"{gap.n} of the {seats} with an answer"
    off = [r.verdict for r in rows if r.status != "within"]
    if not off:
        verdict = f"the panel meets the target for {label.lower()} ({answered})."
    else:
        verdict = f"for {label.lower()} ({answered}): " + "; ".join(off) + "."
    if gap.method == "none":
        test = ""
    elif gap.significant:
        test = (
            f" The difference from the target is larger than chance would give "
            f"({_method(gap)} test, p = {gap.pvalue:.3f})."
        )
    else:
        test = (
            f" The difference is within what chance would give ({_method(gap)} test, "
            f"p = {gap.pvalue:.2f}); for a panel this size that does not mean it is "
            "representative, so the counts above are the verdict."
        )
    return verdict[0].upper() + verdict[1:] + test


def _method(gap: GapAnalysis) -> str:
    return {"exact": "exact", "asymptotic": "chi-square", "monte-carlo": "Monte Carlo"}.get(
        gap.method, gap.method
    )


def analyse_dimension(
    dimension: DimensionInfo,
    counts: Mapping[str, int],
    shares: Mapping[str, float],
    seats: int,
    *,
    suppress: bool,
) -> DimensionComposition:
    """The gap analysis of one characteristic, with small counts hidden when ``suppress``."""
    known = {code: counts.get(code, 0) for code in shares}
    unknown = seats - sum(known.values())
    gap = gap_analysis(known, shares, unknown=unknown, method="auto")
    hide = suppress and dimension.special_category
    labels = {c.code: c.label for c in dimension.categories}
    rows = []
    for c in gap.categories:
        label = labels.get(c.category, c.category)
        observed = shown_count(c.observed, suppress=hide)
        rows.append(
            CategoryRow(
                code=c.category,
                label=label,
                observed=observed,
                share=None if observed.suppressed else c.share,
                target_share=c.target_share,
                min_seats=c.min_seats,
                max_seats=c.max_seats,
                status=c.status,
                verdict=_verdict(dimension, label, c, observed.suppressed),
            )
        )
    return DimensionComposition(
        key=dimension.key,
        label=dimension.label,
        suppressed=hide,
        gap=gap,
        rows=tuple(rows),
        unknown=shown_count(unknown, suppress=hide),
        summary=_summary(dimension.label, gap, rows, seats, hide),
    )


# --- familiar voices ---------------------------------------------------------------------------


@dataclass(frozen=True)
class History:
    """One person's panels: ``recent`` dated in the window, ``undated`` with no date at all."""

    recent: int
    undated: int

    @property
    def familiar(self) -> bool:
        return self.recent >= FAMILIAR_PANELS

    @property
    def maybe_familiar(self) -> bool:
        """Not familiar on dated panels, but would be if the undated ones were recent."""
        return not self.familiar and self.recent + self.undated >= FAMILIAR_PANELS


def histories(
    session: Session,
    member_ids: Sequence[int],
    today: date,
    *,
    leave_out: Project | None = None,
) -> dict[int, History]:
    """Each member's recent and undated panels; ``leave_out`` (the panel being looked at,
    once confirmed) is not counted as one of their other panels."""
    since = months_before(today, WINDOW_MONTHS)
    recent = service_history(session, member_ids, since)
    ever = service_history(session, member_ids, _DAWN)
    this_recent: set[int] = set()
    if leave_out is not None and leave_out.confirmed_at is not None:
        accepted = set(
            session.scalars(
                select(Invitation.member_id).where(
                    Invitation.project_id == leave_out.id, Invitation.status == "accepted"
                )
            )
        )
        confirmed = leave_out.confirmed_at
        if confirmed.tzinfo is None:
            confirmed = confirmed.replace(tzinfo=UTC)
        this_recent = accepted if confirmed >= since else set()
    result = {}
    for member_id in member_ids:
        dated_recent, served = recent[member_id]
        dated_ever = ever[member_id][0]
        result[member_id] = History(
            recent=dated_recent - (member_id in this_recent),
            # panels_served counts every panel, dated or not (this one too, once counted).
            undated=max(0, served - dated_ever),
        )
    return result


def familiar_warning(name: str, history: History) -> str | None:
    """The warning a lead sees before choosing someone who has served often."""
    if history.familiar:
        return (
            f"{name} has been on {history.recent} panels in the last two years: "
            "consider someone new."
        )
    if history.maybe_familiar:
        dated = f"{history.recent} {'panel' if history.recent == 1 else 'panels'}"
        return (
            f"{name} has been on {dated} in the last two years and {history.undated} more "
            f"with no date recorded, so may have served on {FAMILIAR_PANELS} or more recently: "
            "consider someone new."
        )
    return None


@dataclass(frozen=True)
class FamiliarVoices:
    """Seats on one panel held by familiar voices."""

    seats: int
    familiar: int
    maybe: int

    @property
    def share(self) -> float:
        return self.familiar / self.seats if self.seats else 0.0

    @property
    def sentence(self) -> str:
        if not self.seats:
            return "No one is on the panel yet."
        text = (
            f"{self.familiar} of {self.seats} seats ({self.share:.0%}) are held by people who "
            f"have served on {FAMILIAR_PANELS} or more other panels in the last two years."
        )
        if self.maybe:
            text += (
                f" {self.maybe} more {'person has' if self.maybe == 1 else 'people have'} "
                "panels recorded without a date that would make them familiar voices if "
                "those panels were recent."
            )
        return text


# --- the panel's composition ------------------------------------------------------------------


@dataclass(frozen=True)
class Composition:
    project_id: int
    basis: str
    """What the panel is: "none", "hand-built", "drawn" or "confirmed"."""
    seats: int
    dimensions: tuple[DimensionComposition, ...]
    familiar: FamiliarVoices
    has_target: bool

    def dimension(self, key: str) -> DimensionComposition:
        for found in self.dimensions:
            if found.key == key:
                return found
        valid = ", ".join(d.key for d in self.dimensions) or "none"
        raise NotFound(
            f"{key!r} is not a characteristic of this panel's analysis; valid ones are: {valid}"
        )

    @property
    def basis_text(self) -> str:
        return {
            "none": "No one has been chosen yet.",
            "hand-built": "The panel as built by hand so far (everyone on the shortlist).",
            "drawn": "The panel as drawn: everyone chosen, invited or accepted.",
            "confirmed": "The confirmed panel: the people who accepted.",
        }[self.basis]


def panel_member_ids(session: Session, project: Project) -> tuple[str, list[int]]:
    """What the panel is (see :attr:`Composition.basis`) and its members' ids."""
    statuses = ("accepted",) if project.confirmed_at is not None else PANEL_STATUSES
    rows = session.execute(
        select(Invitation.member_id, Invitation.draw_id)
        .where(Invitation.project_id == project.id, Invitation.status.in_(statuses))
        .order_by(Invitation.member_id)
    ).all()
    if project.confirmed_at is not None:
        basis = "confirmed"
    elif not rows:
        basis = "none"
    elif any(draw_id is not None for _, draw_id in rows):
        basis = "drawn"
    else:
        basis = "hand-built"
    return basis, [member_id for member_id, _ in rows]


def panel_counts(
    session: Session,
    taxonomy: Taxonomy,
    member_ids: Sequence[int],
    keys: Sequence[str],
    today: date,
) -> dict[str, dict[str, int]]:
    """People per category for each key, from the answers members allow for selection; no
    answer, several answers, "prefer not to say" or no consent count as unknown."""
    answers = answers_for(session, taxonomy, member_ids, purpose="selection", today=today)
    counts: dict[str, dict[str, int]] = {key: {} for key in keys}
    for member_id in member_ids:
        mine = answers.get(member_id, {})
        for key in keys:
            codes = mine.get(key, ())
            code = codes[0] if len(codes) == 1 else UNKNOWN
            counts[key][code] = counts[key].get(code, 0) + 1
    return counts


def panel_composition(
    uow: UnitOfWork,
    project_id: int,
    *,
    suppress_special: bool,
    today: date | None = None,
) -> Composition:
    """The panel against the target, per chosen characteristic, and its familiar voices.

    ``suppress_special`` hides counts of 1 to 4 in special-category breakdowns (for readers
    who may not see special-category answers, such as managers). No names are returned.
    """
    today = today or date.today()
    with uow:
        project = get_project(uow, project_id)
        taxonomy = load_taxonomy(uow.session)
        basis, ids = panel_member_ids(uow.session, project)
        shares = target_shares(project)
        dimensions: list[DimensionComposition] = []
        if ids and shares:
            counts = panel_counts(uow.session, taxonomy, ids, list(shares), today)
            for key, target in shares.items():
                dimensions.append(
                    analyse_dimension(
                        taxonomy[key], counts[key], target, len(ids), suppress=suppress_special
                    )
                )
        history = histories(uow.session, ids, today, leave_out=project)
        familiar = FamiliarVoices(
            seats=len(ids),
            familiar=sum(h.familiar for h in history.values()),
            maybe=sum(h.maybe_familiar for h in history.values()),
        )
    return Composition(
        project_id=project.id,
        basis=basis,
        seats=len(ids),
        dimensions=tuple(dimensions),
        familiar=familiar,
        has_target=bool(shares),
    )


# --- across the register --------------------------------------------------------------------


@dataclass(frozen=True)
class RegisterFamiliarity:
    """Participation across the whole register."""

    concentration: Concentration
    """Of ``Member.panels_served`` over every member (those who never served included)."""
    recent_seats: int
    """Seats on panels confirmed in the last two years."""
    familiar_members: int
    """Members who held :data:`FAMILIAR_PANELS` or more of those seats."""
    familiar_seats: int
    """The recent seats those members held."""
    undated_seats: int
    """Panels in ``panels_served`` with no confirmed project behind them."""

    @property
    def familiar_share(self) -> float:
        return self.familiar_seats / self.recent_seats if self.recent_seats else 0.0


@dataclass(frozen=True)
class ProjectFamiliarity:
    project_id: int
    title: str
    status: str
    familiar: FamiliarVoices


def projects_familiarity(uow: UnitOfWork, today: date | None = None) -> list[ProjectFamiliarity]:
    """Familiar voices on each open project's panel (closed projects and empty panels left out)."""
    today = today or date.today()
    since = months_before(today, WINDOW_MONTHS)
    with uow:
        projects = list(
            uow.session.scalars(
                select(Project).where(Project.status != "closed").order_by(Project.title)
            )
        )
        seats: dict[int, list[int]] = {}
        accepted: dict[int, list[int]] = {}
        for project_id, member_id, status in uow.session.execute(
            select(Invitation.project_id, Invitation.member_id, Invitation.status).where(
                Invitation.project_id.in_([p.id for p in projects] or [-1]),
                Invitation.status.in_(PANEL_STATUSES),
            )
        ):
            seats.setdefault(project_id, []).append(member_id)
            if status == "accepted":
                accepted.setdefault(project_id, []).append(member_id)
        everyone = sorted({m for ids in seats.values() for m in ids})
        history = histories(uow.session, everyone, today)
    found = []
    for project in projects:
        confirmed = project.confirmed_at
        if confirmed is not None and confirmed.tzinfo is None:
            confirmed = confirmed.replace(tzinfo=UTC)
        ids = (accepted if confirmed is not None else seats).get(project.id, [])
        if not ids:
            continue
        # A confirmed panel is not one of its own members' other panels.
        this = 1 if confirmed is not None and confirmed >= since else 0
        mine = [History(history[m].recent - this, history[m].undated) for m in ids]
        found.append(
            ProjectFamiliarity(
                project_id=project.id,
                title=project.title,
                status=project.status,
                familiar=FamiliarVoices(
                    seats=len(ids),
                    familiar=sum(h.familiar for h in mine),
                    maybe=sum(h.maybe_familiar for h in mine),
                ),
            )
        )
    return found


def register_familiarity(uow: UnitOfWork, today: date | None = None) -> RegisterFamiliarity:
    """How concentrated participation is across the register, and the familiar voices' share
    of recent seats."""
    today = today or date.today()
    since = months_before(today, WINDOW_MONTHS)
    with uow:
        session = uow.session
        served = session.scalars(select(Member.panels_served)).all()
        recent = dict(
            session.execute(
                select(Invitation.member_id, func.count())
                .join(Project, Project.id == Invitation.project_id)
                .where(Invitation.status == "accepted", Project.confirmed_at >= since)
                .group_by(Invitation.member_id)
            ).all()
        )
        dated_ever = int(
            session.scalar(
                select(func.count())
                .select_from(Invitation)
                .join(Project, Project.id == Invitation.project_id)
                .where(Invitation.status == "accepted", Project.confirmed_at.is_not(None))
            )
            or 0
        )
    familiar = {m: s for m, s in recent.items() if s >= FAMILIAR_PANELS}
    return RegisterFamiliarity(
        concentration=concentration(int(v) for v in served),
        recent_seats=sum(recent.values()),
        familiar_members=len(familiar),
        familiar_seats=sum(familiar.values()),
        undated_seats=max(0, sum(int(v) for v in served) - dated_ever),
    )
