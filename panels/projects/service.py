"""Projects: the lead's journey from a project to a drawn panel. Each public function is one
use case that takes a unit of work from its caller."""

from __future__ import annotations

import hashlib
import json
import statistics
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from importlib import metadata
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session, selectinload

from models import (
    PROJECT_LEVELS,
    PROJECT_STATUSES,
    Draw,
    Invitation,
    Job,
    Member,
    Project,
    ProjectExclusion,
    ProjectTarget,
    utcnow,
)
from panels import audit
from panels.errors import InvalidInput, NotAllowed, NotFound
from panels.projects.pool import (
    FAMILIAR,
    NEW_VOICE,
    NEW_VOICES_DIMENSION,
    UNKNOWN,
    DimensionSummary,
    Pool,
    build_pool,
    pool_counts,
    summarise,
)
from panels.projects.targets import manual_shares, map_target, read_population_file
from panels.register.taxonomy import Taxonomy, load_taxonomy
from panels.text import reject_control_characters
from panels.uow import UnitOfWork
from representativeness import (
    TargetPopulation,
    builtin_target,
)

if TYPE_CHECKING:
    import numpy as np

from representativeness.selection import (
    FeasibilityReport,
    InfeasibleQuotasError,
    ProgressEvent,
    check_feasibility,
    compile_instance,
    quotas_from_shares,
    select_panel,
)

BUILTIN_TARGETS = {
    "england-and-wales": "England and Wales, Census 2021",
    "england": "England, Census 2021",
}
ALGORITHM = "leximin"
Quotas = dict[str, dict[str, list[int]]]


# Engines that computed LEXIMIN by column generation only; their draws are replayed so.
COLUMN_GENERATION_ONLY = frozenset({"coproduction-panels 0.1.0"})


def engine_version() -> str:
    try:
        return f"coproduction-panels {metadata.version('coproduction-panels')}"
    except metadata.PackageNotFoundError:  # pragma: no cover - run from a bare checkout
        return "coproduction-panels (unversioned)"


@dataclass
class ProjectInput:
    """What a lead says about a project, before it is checked."""

    title: str = ""
    purpose: str = ""
    level: str = ""
    service: str = ""
    first_meeting: date | None = None
    decision_date: date | None = None
    status: str = "planning"


def _check_project(data: ProjectInput) -> None:
    for name in ("title", "purpose", "service"):
        value = (getattr(data, name) or "").strip()
        reject_control_characters(name, value)
        setattr(data, name, value)
    if not data.title:
        raise InvalidInput("Enter a title for the project")
    if len(data.title) > 200:
        raise InvalidInput(f"The title must be 200 characters or fewer; it has {len(data.title)}")
    if not data.purpose:
        raise InvalidInput("Say in plain words what the project is for")
    if data.level not in PROJECT_LEVELS:
        raise InvalidInput(
            f"level {data.level!r} is not valid; choose one of: {', '.join(PROJECT_LEVELS)}"
        )
    if data.status not in PROJECT_STATUSES:
        raise InvalidInput(
            f"status {data.status!r} is not valid; choose one of: {', '.join(PROJECT_STATUSES)}"
        )
    if data.first_meeting and data.decision_date and data.decision_date < data.first_meeting:
        raise InvalidInput("The date decisions are made must be on or after the first meeting")


def create_project(uow: UnitOfWork, data: ProjectInput) -> Project:
    """Start a project; the lead who creates it owns it."""
    _check_project(data)
    with uow:
        project = Project(
            title=data.title,
            purpose=data.purpose,
            level=data.level,
            service=data.service,
            first_meeting=data.first_meeting,
            decision_date=data.decision_date,
            status=data.status,
            owner_id=uow.actor.user_id,
            eligibility={"filters": {}},
            quotas={},
            new_voices={},
        )
        uow.session.add(project)
        uow.session.flush()
        audit.record(uow, "create_project", "project", project.id, title=project.title)
    return project


def update_project(uow: UnitOfWork, project_id: int, data: ProjectInput) -> Project:
    _check_project(data)
    with uow:
        project = get_project(uow, project_id, for_update=True)
        changed = []
        for name in (
            "title",
            "purpose",
            "level",
            "service",
            "first_meeting",
            "decision_date",
            "status",
        ):
            if getattr(project, name) != getattr(data, name):
                setattr(project, name, getattr(data, name))
                changed.append(name)
        if changed:
            audit.record(uow, "update_project", "project", project.id, changed=changed)
    return project


def get_project(uow: UnitOfWork, project_id: int, *, for_update: bool = False) -> Project:
    query = (
        select(Project)
        .where(Project.id == project_id)
        .options(selectinload(Project.target), selectinload(Project.exclusions))
    )
    if for_update:
        lock_project_row(uow, project_id)
        query = query.with_for_update().execution_options(populate_existing=True)
    project = uow.session.scalar(query)
    if project is None:
        raise NotFound(f"There is no project with id {project_id}.")
    return project


def lock_project_row(uow: UnitOfWork, project_id: int) -> None:
    """Hold the project's row until the unit of work ends, so changes to its panel queue up.

    PostgreSQL locks the row with ``SELECT ... FOR UPDATE``. SQLite has no row locks, so a
    no-op ``UPDATE`` makes this transaction the database's writer now, before it reads what
    it will decide on; another writer waits for it (``busy_timeout``) instead of deciding on
    the same old state.
    """
    if uow.session.get_bind().dialect.name == "sqlite":
        uow.session.execute(update(Project).where(Project.id == project_id).values(id=Project.id))


def list_projects(uow: UnitOfWork) -> list[Project]:
    return list(
        uow.session.scalars(
            select(Project).order_by(
                (Project.status == "closed"), Project.created_at.desc(), Project.id.desc()
            )
        ).all()
    )


def _not_drawn(uow: UnitOfWork, project: Project, what: str) -> None:
    if draw_count(uow, project.id):
        raise NotAllowed(
            f"The panel has already been drawn, so {what} can no longer change: the draw "
            "record must show what the lottery was asked to do."
        )


# --- the target population ---------------------------------------------------------------


def _save_target(
    uow: UnitOfWork, project: Project, kind: str, name: str, area: str, dimensions: dict
) -> ProjectTarget:
    chosen = list(project.target.chosen) if project.target else []
    chosen = [key for key in chosen if key in dimensions] or list(dimensions)
    if project.target is None:
        project.target = ProjectTarget(kind=kind, name=name, area=area)
    target = project.target
    target.kind, target.name, target.area = kind, name, area
    target.dimensions = dimensions
    target.chosen = chosen
    uow.session.flush()
    audit.record(uow, "set_target", "project", project.id, kind=kind, name=name, area=area)
    return target


def _set_population(
    uow: UnitOfWork, project_id: int, kind: str, population: TargetPopulation, area: str = ""
) -> ProjectTarget:
    with uow:
        project = get_project(uow, project_id, for_update=True)
        _not_drawn(uow, project, "the target population")
        mapped = map_target(population, load_taxonomy(uow.session))
        dimensions = mapped.as_json()
        for key in dimensions:
            dimensions[key]["notes"] = list(dimensions[key]["notes"])
        target = _save_target(uow, project, kind, population.name, area, dimensions)
        target.dimensions = {**dimensions, "_notes": {"notes": list(mapped.notes)}}
    return target


def set_builtin_target(uow: UnitOfWork, project_id: int, name: str) -> ProjectTarget:
    """Use built-in Census 2021 figures (``england-and-wales`` or ``england``)."""
    if name not in BUILTIN_TARGETS:
        raise InvalidInput(
            f"built-in figures {name!r} do not exist; choose one of: {', '.join(BUILTIN_TARGETS)}"
        )
    return _set_population(uow, project_id, "builtin", builtin_target(name))


def set_target_from_file(
    uow: UnitOfWork, project_id: int, kind: str, path: Path, file_name: str, area: str = ""
) -> ProjectTarget:
    """Use an ONS "Create a custom dataset" download (one area) or a tidy CSV."""
    population = read_population_file(path, kind, file_name, area)
    return _set_population(uow, project_id, kind, population, area)


def set_manual_shares(
    uow: UnitOfWork,
    project_id: int,
    key: str,
    percentages: Mapping[str, float],
    source: str,
) -> ProjectTarget:
    """Shares typed in for one question (for example, the people who use a day service)."""
    reject_control_characters("source", source)
    source = source.strip()
    if not source:
        raise InvalidInput("Say where the figures come from, so that others can check them")
    with uow:
        project = get_project(uow, project_id, for_update=True)
        _not_drawn(uow, project, "the target population")
        taxonomy = load_taxonomy(uow.session)
        if taxonomy[key].multiple:
            raise InvalidInput(
                f"{taxonomy[key].label} allows several answers per person, so it cannot have "
                "population shares; choose a question with one answer each"
            )
        shares = manual_shares(key, percentages, taxonomy)
        dimensions = {
            k: v for k, v in (project.target.dimensions if project.target else {}).items()
        }
        dimensions[key] = {"categories": shares, "source": source, "notes": ["Entered by hand."]}
        kind = project.target.kind if project.target else "manual"
        name = project.target.name if project.target else "Figures entered by hand"
        target = _save_target(uow, project, kind, name, "", dimensions)
        if key not in target.chosen:
            target.chosen = [*target.chosen, key]
    return target


def choose_dimensions(uow: UnitOfWork, project_id: int, keys: Sequence[str]) -> None:
    """Which characteristics matter for this project (they get quotas)."""
    with uow:
        project = get_project(uow, project_id, for_update=True)
        _not_drawn(uow, project, "the characteristics that matter")
        if project.target is None:
            raise InvalidInput("Choose the target population first")
        available = [k for k in project.target.dimensions if not k.startswith("_")]
        unknown = [k for k in keys if k not in available]
        if unknown:
            raise InvalidInput(
                f"{', '.join(map(repr, unknown))} not in the target population; choose from: "
                f"{', '.join(available)}"
            )
        if not keys:
            raise InvalidInput("Choose at least one characteristic that matters for this project")
        project.target.chosen = [k for k in available if k in keys]
        project.quotas = {}
        audit.record(uow, "set_target", "project", project.id, chosen=list(project.target.chosen))


def target_shares(project: Project) -> dict[str, dict[str, float]]:
    """The chosen dimensions' shares, in the register's categories."""
    if project.target is None:
        return {}
    return {
        key: dict(project.target.dimensions[key]["categories"])
        for key in project.target.chosen
        if key in project.target.dimensions
    }


# --- who is eligible ------------------------------------------------------------------------


def set_eligibility(uow: UnitOfWork, project_id: int, filters: Mapping[str, Sequence[str]]) -> None:
    """Register filters every member of the pool must match (codes per question)."""
    with uow:
        project = get_project(uow, project_id, for_update=True)
        _not_drawn(uow, project, "who is eligible")
        taxonomy = load_taxonomy(uow.session)
        clean: dict[str, list[str]] = {}
        for key, codes in filters.items():
            dimension = taxonomy[key]
            found = [dimension.find(code).code for code in codes if code]
            if found:
                clean[key] = sorted(set(found))
        project.eligibility = {"filters": clean}
        project.eligibility_set = True
        audit.record(uow, "set_eligibility", "project", project.id, filters=sorted(clean))


def exclude_member(uow: UnitOfWork, project_id: int, member_id: int, reason: str) -> None:
    reject_control_characters("reason", reason)
    with uow:
        project = get_project(uow, project_id, for_update=True)
        _not_drawn(uow, project, "who is left out")
        if uow.session.get(Member, member_id) is None:
            raise NotFound(f"There is no member with id {member_id}.")
        if any(e.member_id == member_id for e in project.exclusions):
            return
        project.exclusions.append(ProjectExclusion(member_id=member_id, reason=reason.strip()))
        audit.record(uow, "set_eligibility", "project", project.id, excluded=member_id)


def include_member(uow: UnitOfWork, project_id: int, member_id: int) -> None:
    with uow:
        project = get_project(uow, project_id, for_update=True)
        _not_drawn(uow, project, "who is left out")
        project.exclusions = [e for e in project.exclusions if e.member_id != member_id]
        audit.record(uow, "set_eligibility", "project", project.id, included=member_id)


def project_pool(uow: UnitOfWork, project: Project, today: date | None = None) -> Pool:
    """The eligible pool, one row a person, with the project's chosen characteristics (and
    new voices): what the draw and the feasibility check take. Pages use :func:`pool_view`."""
    today = today or date.today()
    taxonomy = load_taxonomy(uow.session)
    months = int(project.new_voices.get("months", 0)) if project.new_voices else 0
    return build_pool(
        uow.session,
        project,
        taxonomy,
        _chosen(project),
        today,
        new_voices_months=months or None,
    )


def _chosen(project: Project) -> list[str]:
    return list(project.target.chosen if project.target else ())


@dataclass(frozen=True)
class PoolView:
    """The eligible pool as the eligibility page shows it: how many, and per chosen
    characteristic the counts against the target with the fairness warnings."""

    size: int
    summaries: tuple[DimensionSummary, ...]
    taxonomy: Taxonomy


def pool_view(uow: UnitOfWork, project_id: int, today: date | None = None) -> PoolView:
    """The pool's size and its gaps against the target, counted in the database (no one is
    loaded); used by the eligibility page."""
    today = today or date.today()
    with uow:
        project = get_project(uow, project_id)
        taxonomy = load_taxonomy(uow.session)
        counted = pool_counts(uow.session, project, taxonomy, _chosen(project), today)
        summaries = summarise(
            counted.counts, taxonomy, target_shares(project), project.quotas or None
        )
    return PoolView(counted.total, summaries, taxonomy)


# --- panel size and quotas --------------------------------------------------------------------


def propose_quotas(
    uow: UnitOfWork,
    project_id: int,
    panel_size: int,
    tolerance: int,
    new_voices_share: float | None = None,
    new_voices_months: int = 24,
) -> Quotas:
    """Quotas from the target shares: ⌊k·p⌋ − tolerance to ⌈k·p⌉ + tolerance per category."""
    if not 1 <= panel_size <= 500:
        raise InvalidInput(f"A panel of {panel_size} is not possible; choose 1 to 500 people")
    if not 0 <= tolerance <= panel_size:
        raise InvalidInput(f"A tolerance of {tolerance} is not valid; choose 0 to {panel_size}")
    if new_voices_share is not None and not 0 < new_voices_share <= 1:
        raise InvalidInput("The share of new voices must be more than 0% and at most 100%")
    with uow:
        project = get_project(uow, project_id, for_update=True)
        _not_drawn(uow, project, "the panel size and quotas")
        shares = target_shares(project)
        if not shares:
            raise InvalidInput("Choose the target population and what matters first")
        proposed = quotas_from_shares(shares, panel_size, tolerance)
        quotas: Quotas = {
            dim: {cat: [lo, hi] for cat, (lo, hi) in cats.items()} for dim, cats in proposed.items()
        }
        if new_voices_share:
            need = -(-int(round(new_voices_share * panel_size * 1000)) // 1000)
            quotas[NEW_VOICES_DIMENSION] = {
                NEW_VOICE: [need, panel_size],
                FAMILIAR: [0, panel_size],
            }
            project.new_voices = {"months": new_voices_months, "min_share": new_voices_share}
        else:
            project.new_voices = {}
        project.panel_size = panel_size
        project.tolerance = tolerance
        project.quotas = quotas
        audit.record(uow, "set_quotas", "project", project.id, k=panel_size, tolerance=tolerance)
    return quotas


def save_quotas(
    uow: UnitOfWork, project_id: int, quotas: Mapping[str, Mapping[str, Sequence[int]]]
) -> None:
    """Quotas as the lead edited them; each minimum at most its maximum, within 0..k."""
    with uow:
        project = get_project(uow, project_id, for_update=True)
        _not_drawn(uow, project, "the quotas")
        k = project.panel_size
        if not k:
            raise InvalidInput("Choose the panel size first")
        current = project.quotas or {}
        clean: Quotas = {}
        for dim, cats in current.items():
            clean[dim] = {}
            for cat, old in cats.items():
                lo, hi = quotas.get(dim, {}).get(cat, old)
                if not (0 <= lo <= hi <= k):
                    raise InvalidInput(
                        f"The quota for {cat!r} in {dim!r} ({lo} to {hi}) is not valid; the "
                        f"minimum must be 0 or more, at most the maximum, and the maximum at "
                        f"most the panel size ({k})"
                    )
                clean[dim][cat] = [int(lo), int(hi)]
        project.quotas = clean
        audit.record(uow, "set_quotas", "project", project.id, edited=True)


def engine_quotas(project: Project, pool: Pool) -> dict[str, dict[str, tuple[int, int]]]:
    """The quotas as the engine takes them: unknown answers unconstrained."""
    k = project.panel_size or 0
    quotas = {
        dim: {cat: (int(lo), int(hi)) for cat, (lo, hi) in cats.items()}
        for dim, cats in (project.quotas or {}).items()
        if dim in pool.dimensions
    }
    for dim in quotas:
        if dim != NEW_VOICES_DIMENSION:
            quotas[dim].setdefault(UNKNOWN, (0, k))
    return quotas


def check_quotas(uow: UnitOfWork, project_id: int, today: date | None = None) -> FeasibilityReport:
    """Whether any panel from the pool meets the quotas, and if not, the smallest change."""
    with uow:
        project = get_project(uow, project_id)
        if not project.panel_size or not project.quotas:
            raise InvalidInput("Choose the panel size and quotas first")
        pool = project_pool(uow, project, today)
        if pool.size == 0:
            raise InvalidInput("No one is eligible yet, so no panel can be drawn")
        instance = compile_instance(pool.frame, engine_quotas(project, pool), project.panel_size)
        return check_feasibility(instance)


def accept_relaxation(uow: UnitOfWork, project_id: int, today: date | None = None) -> Quotas:
    """Take the engine's suggested smallest relaxation of the quotas."""
    with uow:
        report = check_quotas(uow, project_id, today)
        if report.feasible:
            raise InvalidInput("The quotas can already be met; there is nothing to relax")
        if report.suggested_quotas is None:
            raise InvalidInput(
                "No change to the quotas can make a panel possible: " + " ".join(report.reasons)
            )
        project = get_project(uow, project_id, for_update=True)
        relaxed: Quotas = {
            dim: {cat: [int(lo), int(hi)] for cat, (lo, hi) in cats.items() if cat != UNKNOWN}
            for dim, cats in report.suggested_quotas.items()
        }
        project.quotas = relaxed
        audit.record(
            uow,
            "set_quotas",
            "project",
            project.id,
            relaxed=[f"{c.dimension}/{c.category}" for c in report.changes],
        )
    return relaxed


# --- draws -------------------------------------------------------------------------------------


def draw_count(uow: UnitOfWork, project_id: int) -> int:
    return int(
        uow.session.scalar(
            select(func.count())
            .select_from(Draw)
            .where(Draw.project_id == project_id, Draw.status == "done")
        )
        or 0
    )


def input_hash(
    pool_rows: Sequence[Mapping[str, Any]],
    quotas: Mapping[str, Any],
    k: int,
    algorithm: str,
    must_include: Sequence[str],
    excluded: Sequence[str] = (),
) -> str:
    """SHA-256 of the draw's inputs in a canonical form (sorted keys, rows by id)."""
    canonical = json.dumps(
        {
            "pool": sorted(pool_rows, key=lambda row: str(row["id"])),
            "quotas": {d: {c: list(v) for c, v in cats.items()} for d, cats in quotas.items()},
            "k": k,
            "algorithm": algorithm,
            "must_include": sorted(must_include),
            "excluded": sorted(excluded),
        },
        sort_keys=True,
        separators=(",", ":"),
    )
    return hashlib.sha256(canonical.encode()).hexdigest()


ProgressFn = Callable[[int, int, str], None]


def _engine_progress(progress: ProgressFn | None) -> Callable[[ProgressEvent], None] | None:
    if progress is None:
        return None

    def report(event: ProgressEvent) -> None:
        phases = {
            "feasibility": "Checking the quotas can be met",
            "initial": "Finding first panels",
            "decomposition": "Making chances as equal as possible",
            "column_generation": "Making chances as equal as possible",
            "fixed": "Making chances as equal as possible",
            "done": "Drawing the panel",
        }
        progress(event.fixed_types, max(event.total_types, 1), phases.get(event.phase, "Working"))

    return report


def _draw_state(uow: UnitOfWork, project_id: int) -> tuple:
    """What a draw depends on besides the pool: the draws done and every seat's status."""
    draws = draw_count(uow, project_id)
    seats = tuple(
        uow.session.execute(
            select(Invitation.id, Invitation.status)
            .where(Invitation.project_id == project_id)
            .order_by(Invitation.id)
        ).all()
    )
    return draws, seats


@dataclass(frozen=True)
class DrawRequest:
    project_id: int
    kind: str = "first"
    reason: str = ""
    seed: int | None = None
    replace_invitation_ids: tuple[int, ...] = field(default=())


def refuse_draw_if_hand_built(session: Session, project_id: int) -> None:
    """A panel being built by hand cannot also be drawn (see :mod:`panels.projects.shortlist`)."""
    from panels.projects import shortlist

    shortlist.refuse_draw_if_hand_built(session, project_id)


def draw_panel(
    uow: UnitOfWork,
    request: DrawRequest,
    *,
    progress: ProgressFn | None = None,
    today: date | None = None,
    rng: np.random.Generator | None = None,
) -> Draw:
    """Draw the panel (or redraw it with a reason, or draw replacements) by LEXIMIN lottery.

    The first draw stands: a redraw needs a written reason and is kept beside the first. A
    replacement keeps everyone who holds a seat (must-include) and fills the seats of the
    invitations being replaced. The draw record keeps the pool, quotas, algorithm, engine
    version, seed and a hash of the inputs, so :func:`verify_draw` can replay it.
    """
    import numpy as np

    reason = (request.reason or "").strip()
    reject_control_characters("reason", reason)
    with uow:
        # The solve can take seconds, so it runs without holding the project's lock; the
        # state it was planned on is checked again under the lock before anything is written.
        project = get_project(uow, request.project_id)
        planned_on = _draw_state(uow, project.id)
        if project.confirmed_at is not None:
            raise NotAllowed("The panel is confirmed, so it cannot be drawn again.")
        refuse_draw_if_hand_built(uow.session, project.id)
        done = draw_count(uow, project.id)
        if request.kind == "first" and done:
            raise NotAllowed(
                "The panel has been drawn. The first draw stands: to draw again, give a reason "
                "(it is kept beside the first draw)."
            )
        if request.kind == "redraw":
            if not done:
                raise InvalidInput("There is no draw yet to redraw")
            if not reason:
                raise InvalidInput("Give the reason for drawing again; it is kept in the record")
            sent = uow.session.scalar(
                select(func.count())
                .select_from(Invitation)
                .where(Invitation.project_id == project.id, Invitation.status != "shortlisted")
            )
            if sent:
                raise NotAllowed(
                    "Invitations have gone out, so the panel cannot be redrawn; draw "
                    "replacements for the people who decline instead."
                )
        if request.kind not in ("first", "redraw", "replacement"):
            raise InvalidInput(
                f"draw kind {request.kind!r} is not one of: first, redraw, replacement"
            )
        k = project.panel_size
        if not k or not project.quotas:
            raise InvalidInput("Choose the panel size and quotas first")
        pool = project_pool(uow, project, today)
        invitations = list(
            uow.session.scalars(select(Invitation).where(Invitation.project_id == project.id))
        )
        must_include: list[str] = []
        replacing: list[Invitation] = []
        exclude: list[str] = []
        if request.kind == "replacement":
            if not done:
                raise InvalidInput("Draw the panel before drawing replacements")
            wanted = set(request.replace_invitation_ids)
            replacing = [i for i in invitations if i.id in wanted]
            if not replacing or len(replacing) != len(wanted):
                raise InvalidInput("Choose the people to replace")
            for invitation in replacing:
                if invitation.status not in ("declined", "no_answer", "withdrawn"):
                    raise InvalidInput(
                        "Only people who declined, did not answer or withdrew can be replaced"
                    )
            must_include = [
                str(i.member_id) for i in invitations if i.status in ("invited", "accepted")
            ]
            # Anyone already asked (whatever they said) is not drawn again.
            exclude = [
                str(i.member_id) for i in invitations if str(i.member_id) not in must_include
            ]
            in_pool = set(pool.frame["id"])
            exclude = [m for m in exclude if m in in_pool]
            missing = [m for m in must_include if m not in in_pool]
            if missing:
                raise InvalidInput(
                    f"{len(missing)} of the people holding a seat are no longer eligible "
                    "(their consent or status changed), so the quotas cannot be kept by a "
                    "replacement draw; review the panel first"
                )
        quotas = engine_quotas(project, pool)
        rows = pool.frame.to_dict("records")
        number = (
            uow.session.scalar(select(func.max(Draw.number)).where(Draw.project_id == project.id))
            or 0
        ) + 1
        try:
            result = select_panel(
                pool.frame,
                quotas,
                k,
                rng=rng
                if rng is not None
                else (None if request.seed is not None else np.random.default_rng()),
                seed=request.seed,
                algorithm=ALGORITHM,
                must_include=must_include,
                exclude=exclude,
                progress=_engine_progress(progress),
            )
        except InfeasibleQuotasError as error:
            raise InvalidInput(
                "No panel can meet the quotas from this pool. " + error.report.explanation
            ) from None
        project = get_project(uow, request.project_id, for_update=True)
        if project.confirmed_at is not None:
            raise NotAllowed("The panel was confirmed while the draw was running, so it stands.")
        if _draw_state(uow, project.id) != planned_on:
            raise InvalidInput(
                "The panel changed while the lottery was running (someone answered, or another "
                "draw finished), so this draw was not kept; draw again"
            )
        probabilities = {pid: round(float(p), 12) for pid, p in result.probabilities.items()}
        values = sorted(probabilities.values())
        draw = Draw(
            project_id=project.id,
            number=number,
            kind=request.kind,
            status="done",
            reason=reason,
            algorithm=ALGORITHM,
            engine_version=engine_version(),
            seed=int(result.seed),
            k=k,
            pool=rows,
            quotas={d: {c: list(v) for c, v in cats.items()} for d, cats in quotas.items()},
            must_include=must_include,
            excluded=exclude,
            input_hash=input_hash(rows, quotas, k, ALGORITHM, must_include, exclude),
            panel=list(result.panel),
            probabilities=probabilities,
            min_probability=values[0] if values else None,
            median_probability=statistics.median(values) if values else None,
            drawn_by=uow.actor.name,
            drawn_by_id=uow.actor.user_id,
            finished_at=utcnow(),
        )
        uow.session.add(draw)
        uow.session.flush()
        chosen = [int(pid) for pid in result.panel]
        if request.kind in ("first", "redraw"):
            for invitation in invitations:
                uow.session.delete(invitation)
            uow.session.flush()
            for member_id in chosen:
                uow.session.add(
                    Invitation(project_id=project.id, member_id=member_id, draw_id=draw.id)
                )
        else:
            held = {int(m) for m in must_include}
            new = [m for m in chosen if m not in held]
            for old, member_id in zip(replacing, new, strict=False):
                old.status = "replaced"
                uow.session.add(
                    Invitation(
                        project_id=project.id,
                        member_id=member_id,
                        draw_id=draw.id,
                        replaces_id=old.id,
                    )
                )
        if project.status == "planning":
            project.status = "recruiting"
        audit.record(
            uow,
            "draw",
            "project",
            project.id,
            draw=draw.number,
            kind=request.kind,
            reason=reason,
            seed=draw.seed,
            input_hash=draw.input_hash,
        )
    return draw


@dataclass(frozen=True)
class Verification:
    draw: Draw
    hash_matches: bool
    panel_matches: bool
    replayed_panel: tuple[str, ...]

    @property
    def confirmed(self) -> bool:
        return self.hash_matches and self.panel_matches


def verify_draw(uow: UnitOfWork, draw_id: int) -> Verification:
    """Replay a draw from its record: same inputs (by hash) and the same panel."""
    import pandas as pd

    with uow:
        draw = uow.session.get(Draw, draw_id)
        if draw is None:
            raise NotFound(f"There is no draw with id {draw_id}.")
        quotas = {d: {c: tuple(v) for c, v in cats.items()} for d, cats in draw.quotas.items()}
        rows = list(draw.pool)
        recomputed = input_hash(
            rows, quotas, draw.k, draw.algorithm, draw.must_include, draw.excluded
        )
        columns = list(rows[0]) if rows else ["id"]
        result = select_panel(
            pd.DataFrame(rows, columns=columns),
            quotas,
            draw.k,
            seed=int(draw.seed),
            algorithm=draw.algorithm,
            must_include=list(draw.must_include),
            exclude=list(draw.excluded),
            relaxation=draw.engine_version not in COLUMN_GENERATION_ONLY,
        )
        audit.record(uow, "verify_draw", "project", draw.project_id, draw=draw.number)
    return Verification(
        draw=draw,
        hash_matches=recomputed == draw.input_hash,
        panel_matches=sorted(result.panel) == sorted(draw.panel),
        replayed_panel=tuple(result.panel),
    )


def start_draw(uow: UnitOfWork, request: DrawRequest) -> Job:
    """Check the request can be drawn, then run the draw as a background job."""
    from panels.jobs.service import start_job

    with uow:
        project = get_project(uow, request.project_id)
        if not project.panel_size or not project.quotas:
            raise InvalidInput("Choose the panel size and quotas first")
        refuse_draw_if_hand_built(uow.session, project.id)
        if request.kind == "first" and draw_count(uow, project.id):
            raise NotAllowed(
                "The panel has been drawn. The first draw stands: to draw again, give a reason."
            )
        if request.kind == "redraw" and not request.reason.strip():
            raise InvalidInput("Give the reason for drawing again; it is kept in the record")
        return start_job(
            uow,
            "draw_panel",
            {
                "project_id": request.project_id,
                "kind": request.kind,
                "reason": request.reason,
                "replace": list(request.replace_invitation_ids),
            },
        )
