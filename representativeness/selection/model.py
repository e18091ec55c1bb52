"""Inputs and outputs of fair panel selection.

The pool is grouped into *types*: people who share every quota category, who are
free to be chosen (not confirmed in advance) and who share no household with anyone
else in the pool are interchangeable for every quota, so the solvers work with one
variable per type and a count. A person in a multi-person household, or a person who
must be on the panel, is a type of their own.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Mapping
from dataclasses import dataclass
from types import MappingProxyType

import numpy as np
import pandas as pd
from scipy import sparse

Quotas = Mapping[str, Mapping[str, tuple[int, int]]]
"""Quotas as ``{dimension: {category: (min, max)}}``."""

ALGORITHMS = ("leximin", "maximin", "legacy")


@dataclass(frozen=True)
class PersonType:
    """People who are interchangeable for the quotas.

    Attributes
    ----------
    categories : tuple of (dimension, category) pairs, one per quota dimension.
    members : ids of the people of this type, in pool order.
    must_include : whether these people are already confirmed for the panel.
    """

    categories: tuple[tuple[str, str], ...]
    members: tuple[str, ...]
    must_include: bool = False

    @property
    def size(self) -> int:
        """Number of people of this type."""
        return len(self.members)


@dataclass(frozen=True)
class TypePanel:
    """A panel described by how many people it takes from each type.

    ``counts[t]`` people are taken from ``types[t]``; which ones is drawn uniformly at
    random among the members of the type, so every member of type ``t`` is on the
    panel with conditional probability ``counts[t] / types[t].size``.
    """

    counts: tuple[int, ...]
    probability: float


@dataclass(frozen=True)
class SolverStats:
    """Figures from the optimiser.

    ``columns`` is the number of panels generated (columns of the master LP; for
    ``legacy``, distinct panels drawn); ``iterations`` the master LP solves (for
    ``legacy``, the draws; for ``"relaxation"``, the panels peeled off); ``rounds`` the
    LEXIMIN rounds (fixing steps). ``method`` says how the distribution was found:
    ``"relaxation"`` (LEXIMIN over the LP relaxation, written as a mixture of panels),
    ``"column_generation"`` or ``"legacy"``.
    """

    seconds: float
    columns: int
    iterations: int
    rounds: int
    n_types: int
    method: str = "column_generation"


@dataclass(frozen=True)
class ProgressEvent:
    """A progress report for long runs.

    ``phase`` is one of ``"feasibility"``, ``"initial"``, ``"decomposition"``,
    ``"column_generation"``, ``"fixed"``, ``"done"``; ``bound`` is the current optimum
    of the master LP (the probability being maximised in this round; in the
    decomposition, the LEXIMIN minimum of the relaxation); ``rounds_done`` the LEXIMIN
    rounds finished; ``minimum`` the smallest probability of the current distribution
    (the MAXIMIN optimum once the first round is done). A progress bar can show
    ``fixed_types / total_types``; in the decomposition, ``fixed_types`` is the share
    of the distribution written as panels so far, in units of types.
    """

    phase: str
    iteration: int
    bound: float
    fixed_types: int
    total_types: int
    rounds_done: int = 0
    minimum: float = 0.0


ProgressCallback = Callable[[ProgressEvent], None]


@dataclass(frozen=True)
class SelectionResult:
    """The outcome of a selection.

    Attributes
    ----------
    algorithm : ``"leximin"``, ``"maximin"`` or ``"legacy"``.
    k : panel size.
    types : the person types the distribution refers to.
    distribution : type-level panels with their probabilities (summing to 1). To
        draw, a type panel is drawn with these probabilities and then, within each
        type, ``counts[t]`` members are drawn uniformly at random; this gives each
        person exactly the probability in ``probabilities``. For ``legacy`` the
        distribution is the empirical one of repeated draws (an estimate).
    probabilities : each person's selection probability (id to probability);
        excluded people are not listed.
    panel : the ids of the drawn panel.
    seed : the seed of the generator used for the draw;
        ``draw_panel(result.types, result.distribution, result.seed)`` replays it.
    stats : solver figures.
    min_probability, mean_probability, gini, geometric_mean : summary of the
        probabilities over the pool.
    complete : whether the requested optimisation finished. False only for
        ``"leximin"`` stopped by ``time_limit``: the distribution is then
        MAXIMIN-optimal (``min_probability`` is the optimal minimum) but only its
        first ``leximin_levels_fixed`` LEXIMIN levels are reached.
    leximin_levels_fixed : LEXIMIN rounds finished (1 for ``"maximin"``, 0 for
        ``"legacy"``).
    levels : the probability reached at each of those rounds, smallest first.
    """

    algorithm: str
    k: int
    types: tuple[PersonType, ...]
    distribution: tuple[TypePanel, ...]
    probabilities: Mapping[str, float]
    panel: tuple[str, ...]
    seed: int
    stats: SolverStats
    min_probability: float
    mean_probability: float
    gini: float
    geometric_mean: float
    complete: bool = True
    leximin_levels_fixed: int = 0
    levels: tuple[float, ...] = ()

    def type_probabilities(self) -> np.ndarray:
        """Probability that a given member of each type is selected."""
        sizes = np.array([t.size for t in self.types], dtype=float)
        expected = np.zeros(len(self.types))
        for panel in self.distribution:
            expected += panel.probability * np.array(panel.counts, dtype=float)
        return expected / sizes


def gini(values: Iterable[float]) -> float:
    """Gini coefficient by the mean absolute difference.

    ``G = sum_i sum_j |x_i - x_j| / (2 n^2 mean(x))``, computed from the sorted
    values. Returns 0 for an empty or all-zero vector.
    """
    x = np.sort(np.asarray(list(values), dtype=float))
    n = x.size
    if n == 0 or x.sum() <= 0:
        return 0.0
    ranks = np.arange(1, n + 1)
    return float(((2 * ranks - n - 1) * x).sum() / (n * x.sum()))


def geometric_mean(values: Iterable[float]) -> float:
    """Geometric mean (0 when any value is 0)."""
    x = np.asarray(list(values), dtype=float)
    if x.size == 0 or (x <= 0).any():
        return 0.0
    return float(np.exp(np.log(x).mean()))


@dataclass(frozen=True)
class Instance:
    """A pool compiled to types, with the linear constraints every panel must meet.

    ``quota_rows`` are ``(dimension, category, min, max, type indices)``;
    ``household_rows`` are tuples of type indices of which at most one may be chosen
    (all such types have size 1); ``order`` lists the ids in pool order.
    """

    k: int
    dimensions: tuple[str, ...]
    quotas: Mapping[str, Mapping[str, tuple[int, int]]]
    types: tuple[PersonType, ...]
    quota_rows: tuple[tuple[str, str, int, int, tuple[int, ...]], ...]
    household_rows: tuple[tuple[int, ...], ...]
    order: tuple[str, ...] = ()

    @property
    def sizes(self) -> np.ndarray:
        """Number of people of each type."""
        return np.array([t.size for t in self.types], dtype=np.int64)

    @property
    def lower(self) -> np.ndarray:
        """Least count of each type on any panel (all members when confirmed)."""
        return np.array([t.size if t.must_include else 0 for t in self.types], dtype=np.int64)

    @property
    def n_people(self) -> int:
        """Number of people in the (non-excluded) pool."""
        return int(self.sizes.sum())


@dataclass(frozen=True)
class PanelRows:
    """The linear rows every panel's type counts ``c`` must meet.

    One row per quota category (its minimum and maximum), one ``sum(c) == k`` and one
    ``sum <= 1`` per shared household: ``lower <= matrix @ c <= upper``, with
    ``members[j]`` the types of row ``j``; and each type's bounds,
    ``least <= c <= most``.
    """

    lower: np.ndarray
    upper: np.ndarray
    members: tuple[tuple[int, ...], ...]
    matrix: sparse.csr_matrix  # sparse: there is a household row per shared household
    least: np.ndarray
    most: np.ndarray

    def for_highs(self) -> list[tuple[float, float, list[int], list[float]]]:
        """The rows as ``(lower, upper, column indices, coefficients)``."""
        return [
            (float(lo), float(hi), list(idx), [1.0] * len(idx))
            for lo, hi, idx in zip(self.lower, self.upper, self.members, strict=True)
        ]

    def met_by(self, counts: np.ndarray) -> bool:
        """Whether integer ``counts`` are a panel: within the type bounds, every row met."""
        if (counts < self.least).any() or (counts > self.most).any():
            return False
        sums = self.matrix @ counts
        return bool((sums >= self.lower).all() and (sums <= self.upper).all())


def panel_rows(instance: Instance) -> PanelRows:
    """The rows of :class:`PanelRows` for ``instance``."""
    n_types = len(instance.types)
    rows = [(float(lo), float(hi), tuple(idx)) for (_, _, lo, hi, idx) in instance.quota_rows]
    rows.append((float(instance.k), float(instance.k), tuple(range(n_types))))
    rows.extend((-np.inf, 1.0, tuple(h)) for h in instance.household_rows)
    members = tuple(idx for _, _, idx in rows)
    matrix = sparse.csr_matrix(
        (
            np.ones(sum(len(idx) for idx in members)),
            (
                np.repeat(np.arange(len(rows)), [len(idx) for idx in members]),
                np.concatenate([np.asarray(idx, dtype=np.int64) for idx in members]),
            ),
        ),
        shape=(len(rows), n_types),
    )
    return PanelRows(
        lower=np.array([r[0] for r in rows]),
        upper=np.array([r[1] for r in rows]),
        members=members,
        matrix=matrix,
        least=instance.lower,
        most=instance.sizes,
    )


def _format_choices(values: Iterable[str]) -> str:
    return ", ".join(sorted(str(v) for v in values))


def validate_quotas(quotas: Quotas, k: int) -> dict[str, dict[str, tuple[int, int]]]:
    """Check quota bounds and return a plain-dict copy with integer bounds."""
    if not isinstance(k, int | np.integer) or isinstance(k, bool) or k < 1:
        raise ValueError(
            f"panel size k={k!r} is not valid; it must be a whole number of at least 1"
        )
    if not quotas:
        raise ValueError("no quotas were given; give at least one dimension with categories")
    clean: dict[str, dict[str, tuple[int, int]]] = {}
    for dimension, categories in quotas.items():
        if not categories:
            raise ValueError(f"quota dimension '{dimension}' has no categories")
        clean[str(dimension)] = {}
        for category, bounds in categories.items():
            lo, hi = bounds
            if int(lo) != lo or int(hi) != hi:
                raise ValueError(
                    f"quota {dimension} = {category} has bounds ({lo}, {hi}); "
                    "minimum and maximum must be whole numbers"
                )
            if lo < 0 or hi < lo:
                raise ValueError(
                    f"quota {dimension} = {category} has minimum {lo} and maximum {hi}; "
                    "the minimum must be at least 0 and at most the maximum"
                )
            clean[str(dimension)][str(category)] = (int(lo), int(hi))
    return clean


def compile_instance(
    pool: pd.DataFrame,
    quotas: Quotas,
    k: int,
    *,
    id_column: str = "id",
    household_column: str | None = None,
    must_include: Collection[str] = (),
    exclude: Collection[str] = (),
) -> Instance:
    """Validate the inputs and group the pool into types.

    Raises
    ------
    ValueError
        With a sentence naming the bad value and the valid choices, for a missing
        column, a duplicated id, a person whose category is not in the quotas, an
        unknown id in ``must_include`` or ``exclude``, or a person both confirmed
        and excluded.
    """
    clean = validate_quotas(quotas, k)
    dimensions = tuple(clean)
    needed = [id_column, *dimensions] + ([household_column] if household_column else [])
    missing = [c for c in needed if c not in pool.columns]
    if missing:
        raise ValueError(
            f"the pool has no column {', '.join(repr(m) for m in missing)}; "
            f"its columns are: {_format_choices(map(str, pool.columns))}"
        )
    ids = [str(v) for v in pool[id_column]]
    seen: set[str] = set()
    for pid in ids:
        if pid in seen:
            raise ValueError(f"id '{pid}' appears more than once in column '{id_column}'")
        seen.add(pid)
    must = {str(p) for p in must_include}
    excl = {str(p) for p in exclude}
    for label, group in (("must be on the panel", must), ("are excluded", excl)):
        unknown = sorted(group - seen)
        if unknown:
            raise ValueError(
                f"the people who {label} include id(s) {', '.join(unknown)}, "
                f"which are not in the pool column '{id_column}'"
            )
    both = sorted(must & excl)
    if both:
        raise ValueError(f"id(s) {', '.join(both)} are both confirmed for the panel and excluded")

    columns = {d: [str(v) for v in pool[d]] for d in dimensions}
    for d in dimensions:
        valid = clean[d]
        for pid, value in zip(ids, columns[d], strict=True):
            if pid in excl:
                continue
            if value not in valid:
                raise ValueError(
                    f"person '{pid}' has {d} '{value}', which is not a category of '{d}'; "
                    f"valid categories are: {_format_choices(valid)}"
                )

    households: dict[str, list[int]] = {}
    if household_column is not None:
        for row, value in enumerate(pool[household_column]):
            if ids[row] in excl or pd.isna(value) or str(value).strip() == "":
                continue
            households.setdefault(str(value), []).append(row)
    shared_rows = {r for members in households.values() if len(members) > 1 for r in members}

    type_index: dict[tuple[str, ...], int] = {}
    members: list[list[str]] = []
    keys: list[tuple[str, ...]] = []
    forced: list[bool] = []
    row_type: dict[int, int] = {}
    for row, pid in enumerate(ids):
        if pid in excl:
            continue
        key = tuple(columns[d][row] for d in dimensions)
        alone = pid not in must and row not in shared_rows
        if alone and key in type_index:
            t = type_index[key]
            members[t].append(pid)
        else:
            t = len(members)
            if alone:
                type_index[key] = t
            members.append([pid])
            keys.append(key)
            forced.append(pid in must)
        row_type[row] = t

    types = tuple(
        PersonType(
            categories=tuple(zip(dimensions, key, strict=True)),
            members=tuple(m),
            must_include=f,
        )
        for key, m, f in zip(keys, members, forced, strict=True)
    )
    quota_rows = []
    for j, d in enumerate(dimensions):
        for category, (lo, hi) in clean[d].items():
            idx = tuple(t for t, key in enumerate(keys) if key[j] == category)
            quota_rows.append((d, category, lo, hi, idx))
    household_rows = tuple(
        tuple(row_type[r] for r in rows_) for rows_ in households.values() if len(rows_) > 1
    )
    return Instance(
        k=int(k),
        dimensions=dimensions,
        quotas=MappingProxyType({d: MappingProxyType(dict(c)) for d, c in clean.items()}),
        types=types,
        quota_rows=tuple(quota_rows),
        household_rows=household_rows,
        order=tuple(pid for pid in ids if pid not in excl),
    )
