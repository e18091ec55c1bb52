"""Select a panel: check the quotas, optimise the lottery, draw."""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Collection
from types import MappingProxyType

import numpy as np
import pandas as pd

from .feasibility import InfeasibleQuotasError, check_feasibility
from .legacy import legacy_draw
from .leximin import column_generation
from .model import (
    ALGORITHMS,
    Instance,
    PersonType,
    ProgressCallback,
    ProgressEvent,
    Quotas,
    SelectionResult,
    SolverStats,
    TypePanel,
    compile_instance,
    geometric_mean,
    gini,
)

SEED_BOUND = 2**63 - 1


def draw_panel(
    types: tuple[PersonType, ...], distribution: tuple[TypePanel, ...], seed: int
) -> tuple[str, ...]:
    """Draw a panel (ids in type order) from a type-level distribution, seeded by ``seed``.

    A type panel is drawn with its probability, then ``counts[t]`` members of each
    type ``t`` uniformly at random without replacement. The same ``seed`` always
    gives the same panel, so a recorded draw can be replayed and audited.
    """
    rng = np.random.default_rng(seed)
    weights = np.array([p.probability for p in distribution])
    chosen = distribution[int(rng.choice(len(distribution), p=weights / weights.sum()))]
    panel: list[str] = []
    for person_type, count in zip(types, chosen.counts, strict=True):
        if count:
            picks = rng.choice(person_type.size, size=count, replace=False)
            panel.extend(person_type.members[i] for i in sorted(picks))
    return tuple(panel)


def _result(
    instance: Instance,
    algorithm: str,
    panels: np.ndarray,
    weights: np.ndarray,
    seed: int,
    stats: SolverStats,
    panel: tuple[str, ...] | None = None,
    levels: tuple[float, ...] = (),
    complete: bool = True,
) -> SelectionResult:
    distribution = tuple(
        TypePanel(counts=tuple(int(c) for c in counts), probability=float(w))
        for counts, w in zip(panels, weights, strict=True)
    )
    sizes = instance.sizes.astype(float)
    type_prob = (weights[:, None] * panels).sum(axis=0) / sizes
    by_id = {
        pid: float(p)
        for person_type, p in zip(instance.types, type_prob, strict=True)
        for pid in person_type.members
    }
    probabilities = {pid: by_id[pid] for pid in instance.order}
    values = list(probabilities.values())
    if panel is None:
        panel = draw_panel(instance.types, distribution, seed)
    position = {pid: i for i, pid in enumerate(instance.order)}
    panel = tuple(sorted(panel, key=position.__getitem__))
    return SelectionResult(
        algorithm=algorithm,
        k=instance.k,
        types=instance.types,
        distribution=distribution,
        probabilities=MappingProxyType(probabilities),
        panel=panel,
        seed=seed,
        stats=stats,
        min_probability=float(min(values)),
        mean_probability=float(np.mean(values)),
        gini=gini(values),
        geometric_mean=geometric_mean(values),
        complete=complete,
        leximin_levels_fixed=len(levels),
        levels=levels,
    )


def select_panel(
    pool: pd.DataFrame,
    quotas: Quotas,
    k: int,
    *,
    rng: np.random.Generator | None = None,
    seed: int | None = None,
    algorithm: str = "leximin",
    id_column: str = "id",
    household_column: str | None = None,
    must_include: Collection[str] = (),
    exclude: Collection[str] = (),
    progress: ProgressCallback | None = None,
    legacy_draws: int = 1000,
    time_limit: float | None = None,
    relaxation: bool = True,
) -> SelectionResult:
    """Select a panel of ``k`` people meeting the quotas, as fairly as the quotas allow.

    Parameters
    ----------
    pool : one row per person, with an id column and one column per quota dimension.
    quotas : ``{dimension: {category: (min, max)}}``; every person's category must be
        listed (give ``(0, k)`` for categories that are not constrained).
    k : panel size.
    rng : source of randomness; the draw seed is drawn from it and recorded.
    seed : the draw seed itself, instead of ``rng`` (to replay a recorded draw: the
        optimisation is deterministic, so the same inputs and seed give the same panel).
    algorithm : ``"leximin"`` (default), ``"maximin"`` or ``"legacy"``.
    id_column : column holding unique person ids.
    household_column : optional column; at most one person per household is chosen
        (empty values mean a household of one).
    must_include : ids already confirmed for the panel (probability 1).
    exclude : ids that must not be chosen (left out of the pool).
    progress : called with a :class:`ProgressEvent` during long runs.
    legacy_draws : for ``"legacy"``, how many draws estimate the probabilities.
    time_limit : for ``"leximin"``, a budget in seconds for the optimisation. When it
        runs out, LEXIMIN stops at the end of its current master LP solve and the
        result has ``complete=False``: its distribution is MAXIMIN-optimal (everyone's
        probability at least the optimal minimum) with the first
        ``leximin_levels_fixed`` LEXIMIN levels reached. The first round, which finds
        the MAXIMIN optimum, always runs to its end, even past the budget: a draw is
        never made from a distribution that is not provably fair in that sense. For the
        same reason a try at writing the relaxation's LEXIMIN point as a mixture of
        panels runs to its end (it is much quicker than that first round, and when it
        succeeds LEXIMIN is complete): the budget bounds column generation, which runs
        only when no mixture is found.
    relaxation : for ``"leximin"``, whether to compute LEXIMIN over the LP relaxation
        first and write it as a mixture of panels (the default, and much the fastest);
        False runs column generation only, as engines before 0.2.0 did. The two give
        the same probabilities but may mix different panels, so a draw is replayed
        with the method it was made with.

    Returns
    -------
    SelectionResult

    Raises
    ------
    InfeasibleQuotasError
        When no panel meets the quotas; its ``report`` explains why in plain
        language and suggests the smallest relaxation.
    ValueError
        For invalid inputs (unknown algorithm, missing column, unknown category...).
    LegacyFailure
        For ``"legacy"`` only, when the greedy draw keeps failing although the quotas
        are feasible (a known weakness of that algorithm).

    Notes
    -----
    LEXIMIN (Flanigan, Gölz, Gupta, Hennig and Procaccia, "Fair algorithms for
    selecting citizens' assemblies", Nature 596, 2021) maximises the smallest
    selection probability, then the second smallest, and so on. It is computed over
    the LP relaxation of the panels, then written as a mixture of panels (see
    :mod:`representativeness.selection.relaxed`); if no mixture is found, by column
    generation with a master LP over panels and a pricing ILP, both on HiGHS. Both
    work over types of interchangeable people: by symmetry the LEXIMIN probabilities
    are equal within a type, so a distribution over type counts, completed by drawing
    uniformly within each type, is optimal for the people.
    """
    if (rng is None) == (seed is None):
        raise ValueError("give exactly one of rng (a numpy Generator) and seed (an integer)")
    if seed is not None and not 0 <= seed <= SEED_BOUND:
        raise ValueError(f"seed={seed} is not valid; it must be between 0 and {SEED_BOUND}")
    if time_limit is not None and not time_limit >= 0:
        raise ValueError(
            f"time_limit={time_limit!r} is not valid; it must be a number of seconds, 0 or more"
        )
    if algorithm not in ALGORITHMS:
        raise ValueError(
            f"algorithm '{algorithm}' is not known; valid algorithms are: {', '.join(ALGORITHMS)}"
        )
    instance = compile_instance(
        pool,
        quotas,
        k,
        id_column=id_column,
        household_column=household_column,
        must_include=must_include,
        exclude=exclude,
    )
    if progress is not None:
        progress(ProgressEvent("feasibility", 0, 0.0, 0, len(instance.types)))
    report = check_feasibility(instance)
    if not report.feasible:
        raise InfeasibleQuotasError(report)
    if seed is None:
        assert rng is not None
        seed = int(rng.integers(SEED_BOUND))
    if algorithm == "legacy":
        return _legacy(instance, seed, legacy_draws)
    found = column_generation(
        instance,
        leximin=algorithm == "leximin",
        progress=progress,
        time_limit=time_limit,
        relaxation=relaxation,
    )
    stats = SolverStats(
        seconds=found.seconds,
        columns=found.columns_generated,
        iterations=found.iterations,
        rounds=found.rounds,
        n_types=len(instance.types),
        method=found.method,
    )
    return _result(
        instance,
        algorithm,
        found.panels,
        found.weights,
        seed,
        stats,
        levels=found.levels,
        complete=found.complete,
    )


def _legacy(instance: Instance, seed: int, draws: int) -> SelectionResult:
    start = time.perf_counter()
    sizes = instance.sizes
    person_type = np.repeat(np.arange(len(sizes)), sizes)
    starts = np.concatenate([[0], np.cumsum(sizes)])

    def to_ids(positions: list[int]) -> tuple[str, ...]:
        return tuple(
            instance.types[person_type[p]].members[p - starts[person_type[p]]]
            for p in sorted(positions)
        )

    panel = to_ids(legacy_draw(instance, np.random.default_rng(seed)))
    estimate_rng = np.random.default_rng([seed, 1])
    tally: Counter[tuple[int, ...]] = Counter()
    for _ in range(draws):
        positions = legacy_draw(instance, estimate_rng)
        counts = np.bincount(person_type[positions], minlength=len(sizes))
        tally[tuple(int(c) for c in counts)] += 1
    panels = np.array(list(tally), dtype=np.int64)
    weights = np.array(list(tally.values()), dtype=float) / draws
    stats = SolverStats(
        seconds=time.perf_counter() - start,
        columns=len(panels),
        iterations=draws,
        rounds=0,
        n_types=len(instance.types),
        method="legacy",
    )
    return _result(instance, "legacy", panels, weights, seed, stats, panel=panel)
