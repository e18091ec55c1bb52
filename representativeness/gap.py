"""Gap analysis: does a group of people look like the population it should reflect?

For one characteristic (a *dimension*, such as ethnic group) :func:`gap_analysis`
compares the people per category in a group (a panel, or a whole register) with
the shares of a target population. It gives two kinds of answer:

* a goodness-of-fit test (Pearson's X², with an asymptotic, exact or Monte Carlo
  p-value), which says whether the differences are larger than chance would give;
* seat quotas per category (``min_seats``, ``max_seats``, ``shortfall``,
  ``excess``), which say which groups are short, by how many people. For a small
  panel the quotas are the practical verdict: a panel of 12 can almost never show
  a *significant* difference, so a large p-value does not mean "representative".

:func:`gap_report` runs the analysis for several dimensions of a table of people.
"""

from __future__ import annotations

import math
import operator
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
from scipy import special

if TYPE_CHECKING:
    import pandas as pd

    from representativeness.target import TargetPopulation

__all__ = [
    "DEFAULT_UNKNOWN_VALUES",
    "METHODS",
    "CategoryGap",
    "Coverage",
    "GapAnalysis",
    "GapReport",
    "gap_analysis",
    "gap_report",
    "gap_report_from_counts",
    "is_unknown",
]

#: Methods accepted by :func:`gap_analysis`.
METHODS = ("auto", "asymptotic", "exact", "monte-carlo")

#: Answers counted as "unknown" (case-insensitive, surrounding spaces ignored).
DEFAULT_UNKNOWN_VALUES = frozenset(
    {
        "",
        "prefer not to say",
        "not answered",
        "not known",
        "unknown",
        "not stated",
        "don't know",
        "n/a",
    }
)

#: Ties: a table whose statistic is within this relative distance of the observed
#: statistic counts as "at least as extreme" (guards against floating-point noise).
TIE_RTOL = 1e-9

#: ``method="auto"`` gives up on the exact p-value (and uses Monte Carlo instead)
#: when the exact algorithm would need to expand more states than this.
AUTO_EXACT_MAX_STATES = 400_000

#: The exact algorithm keeps (k - 1) binomial tables of (n + 1)² cells; above
#: this many cells ``method="exact"`` is refused and ``"auto"`` uses Monte Carlo.
EXACT_MAX_TABLE_CELLS = 1_000_000

#: When there are at most this many possible tables, the whole null distribution
#: of the statistic is computed once (and cached) for the shares and group size.
FULL_DISTRIBUTION_MAX_TABLES = 200_000

#: Otherwise, when each half of the categories has at most this many tables, the
#: distributions of the two halves are cached and combined for each p-value.
HALF_DISTRIBUTION_MAX_TABLES = 60_000

#: Seed of the generator used when Monte Carlo is needed and no ``rng`` was given.
DEFAULT_SEED = 20210321

_SEAT_EPS = 1e-9

Status = Literal["under", "within", "over"]
Method = Literal["asymptotic", "exact", "monte-carlo", "none"]


@dataclass(frozen=True)
class CategoryGap:
    """How one category of a group compares with its target share.

    Attributes
    ----------
    category : str
        The category label.
    observed : int
        People in the group in this category (``O``).
    expected : float
        ``n × target_share`` (``E``).
    share : float
        ``O / n`` (0 when ``n`` is 0).
    target_share : float
        The category's normalised share of the target population (``p``).
    residual : float
        Pearson residual ``(O - E) / sqrt(E)``.
    adjusted_residual : float
        ``(O - E) / sqrt(E (1 - p))``; roughly standard normal under the target,
        so values beyond ±2 point at the categories that drive a significant test.
    min_seats, max_seats : int
        ``floor(n p)`` and ``ceil(n p)``: the whole numbers of people nearest the
        exact proportional share.
    shortfall : int
        People needed to reach ``min_seats`` (0 if none).
    excess : int
        People above ``max_seats`` (0 if none).
    status : {"under", "within", "over"}
        Whether ``observed`` is below, within or above ``[min_seats, max_seats]``.
    """

    category: str
    observed: int
    expected: float
    share: float
    target_share: float
    residual: float
    adjusted_residual: float
    min_seats: int
    max_seats: int
    shortfall: int
    excess: int
    status: Status


@dataclass(frozen=True)
class GapAnalysis:
    """Result of :func:`gap_analysis` for one dimension.

    Attributes
    ----------
    n : int
        People with a known category (the people tested).
    unknown : int
        People with no answer or "prefer not to say", left out of the test.
    statistic : float
        Pearson's X² over the categories with a positive target share; ``inf``
        when someone is in a category whose target share is 0; ``nan`` when
        ``n`` is 0.
    dof : int
        Degrees of freedom, the number of categories with a positive target share
        minus 1.
    pvalue : float
        P(X² ≥ observed X²) under the multinomial distribution with the target
        shares (``nan`` when there is nothing to test).
    method : {"asymptotic", "exact", "monte-carlo", "none"}
        How the p-value was computed; "none" when there is nothing to test.
    effect_size : float
        Cohen's w, ``sqrt(X² / n)``.
    dissimilarity : float
        Half the sum of absolute differences between observed and target shares:
        the share of the group that would have to change category to match.
    categories : tuple of CategoryGap
        One entry per target category, in the target's order.
    alpha : float
        The significance level used for :attr:`significant`.
    n_resamples : int
        Monte Carlo resamples used (0 for other methods).
    notes : tuple of str
        Sentences about anything the reader should know (method fallbacks,
        categories with a zero target share, nothing to test).
    """

    n: int
    unknown: int
    statistic: float
    dof: int
    pvalue: float
    method: Method
    effect_size: float
    dissimilarity: float
    categories: tuple[CategoryGap, ...]
    alpha: float = 0.05
    n_resamples: int = 0
    notes: tuple[str, ...] = field(default=())

    @property
    def testable(self) -> bool:
        """Whether there was anything to test (at least one person with a known category)."""
        return self.n > 0

    @property
    def significant(self) -> bool:
        """Whether ``pvalue < alpha``. Not significant does not mean representative."""
        return bool(self.pvalue < self.alpha)

    @property
    def shortfall(self) -> int:
        """Total people needed to bring every category up to its ``min_seats``."""
        return sum(c.shortfall for c in self.categories)

    @property
    def excess(self) -> int:
        """Total people above the ``max_seats`` of their category."""
        return sum(c.excess for c in self.categories)

    @property
    def within_quotas(self) -> bool:
        """Whether every category lies within ``[min_seats, max_seats]``: the practical verdict."""
        return all(c.status == "within" for c in self.categories)

    def category(self, name: str) -> CategoryGap:
        """Return the :class:`CategoryGap` of one category."""
        for gap in self.categories:
            if gap.category == name:
                return gap
        valid = ", ".join(c.category for c in self.categories)
        raise KeyError(f"category {name!r} is not in this analysis; valid categories are: {valid}")


@dataclass(frozen=True)
class Coverage:
    """How many people answered a question.

    Attributes
    ----------
    dimension : str
        The dimension (question).
    answered : int
        People with a known category.
    unknown : int
        People with a blank or "prefer not to say" style answer.
    """

    dimension: str
    answered: int
    unknown: int

    @property
    def total(self) -> int:
        """All people."""
        return self.answered + self.unknown

    @property
    def rate(self) -> float:
        """Share of people who answered (``nan`` when there are no people)."""
        return self.answered / self.total if self.total else math.nan


@dataclass(frozen=True)
class GapReport:
    """Result of :func:`gap_report`: one analysis and one coverage per dimension.

    Attributes
    ----------
    analyses : Mapping[str, GapAnalysis]
        Gap analysis per dimension, in the order requested.
    coverage : Mapping[str, Coverage]
        Answered and unknown counts per dimension.
    notes : tuple of str
        Sentences about target categories left out of the comparison.
    """

    analyses: Mapping[str, GapAnalysis]
    coverage: Mapping[str, Coverage]
    notes: tuple[str, ...] = ()


# --------------------------------------------------------------------------- validation


def _as_count(value: object, what: str) -> int:
    if isinstance(value, bool):
        raise ValueError(f"{what} must be a whole number of people, not {value!r}.")
    try:
        count = operator.index(value)  # type: ignore[arg-type]
    except TypeError:
        if isinstance(value, float | np.floating) and float(value).is_integer():
            count = int(value)
        else:
            raise ValueError(f"{what} must be a whole number of people, not {value!r}.") from None
    if count < 0:
        raise ValueError(f"{what} must be zero or more, not {count}.")
    return count


def _normalise_target(target: Mapping[str, float]) -> tuple[list[str], np.ndarray]:
    categories = [str(c) for c in target]
    if not categories:
        raise ValueError("target has no categories; give at least one category with its share.")
    values = np.empty(len(categories))
    for i, (category, value) in enumerate(target.items()):
        v = float(value)
        if not math.isfinite(v) or v < 0:
            raise ValueError(
                f"target share of {category!r} must be a finite number of 0 or more, not {value!r}."
            )
        values[i] = v
    total = values.sum()
    if total <= 0:
        raise ValueError("target shares sum to 0; at least one category needs a positive share.")
    return categories, values / total


# --------------------------------------------------------------------------- exact p-value


@lru_cache(maxsize=16)
def _exact_tables(
    q: tuple[float, ...], n: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray, list[np.ndarray], list[np.ndarray]]:
    """Tables for the exact algorithm, for shares ``q`` (in processing order) and ``n`` people.

    Returns ``inv_q`` (1/q), ``min_rest`` with ``min_rest[i, r]`` the smallest
    possible ``sum(o_j**2 / q_j for j >= i)`` when ``r`` people remain, and per
    category ``i`` the conditional binomial table ``binom[i][r, o]`` =
    P(o of the r remaining people are in category i | they are in categories >= i)
    and its upper tail ``tails[i][r, o]`` = P(at least o of them are).
    """
    qa = np.asarray(q)
    k = len(qa)
    inv_q = 1.0 / qa
    # Greedy minimum of a separable convex integer sum: the cheapest r marginal
    # costs (2o + 1) / q_j over the remaining categories.
    o = np.arange(n)
    min_rest = np.zeros((k, n + 1))
    for i in range(k):
        costs = np.sort(((2 * o + 1)[None, :] * inv_q[i:, None]).ravel())[:n]
        min_rest[i, 1:] = np.cumsum(costs)
    min_rest[k - 1] = np.arange(n + 1) ** 2 * inv_q[k - 1]
    # Conditional binomials: category i takes o of the r people left, with
    # probability q_i / P_i, where P_i = sum(q_j for j >= i).
    log_tail = np.log(np.cumsum(qa[::-1])[::-1])
    r = np.arange(n + 1)[:, None]
    oo = np.arange(n + 1)[None, :]
    valid = oo <= r
    rr, ob = np.broadcast_arrays(r, oo)
    log_choose = special.gammaln(rr + 1) - special.gammaln(ob + 1) - special.gammaln(rr - ob + 1)
    binom: list[np.ndarray] = []
    tails: list[np.ndarray] = []
    for i in range(k - 1):
        log_hit = math.log(q[i]) - log_tail[i]
        log_miss = log_tail[i + 1] - log_tail[i]
        with np.errstate(invalid="ignore"):
            log_pmf = log_choose + ob * log_hit + (rr - ob) * log_miss
        table = np.where(valid, np.exp(np.where(valid, log_pmf, 0.0)), 0.0)
        binom.append(table)
        tail = np.zeros((n + 1, n + 2))
        tail[:, : n + 1] = np.cumsum(table[:, ::-1], axis=1)[:, ::-1]
        tails.append(tail)
    max_inv = np.maximum.accumulate(inv_q[::-1])[::-1]
    return inv_q, max_inv, min_rest, binom, tails


@lru_cache(maxsize=16)
def _prefix_bounds(q: tuple[float, ...], n: int) -> tuple[np.ndarray, np.ndarray]:
    """Bounds on ``sum(o_j**2 / q_j for j < i)`` when ``m`` people are in categories ``< i``.

    Returns ``min_prefix[i, m]`` (greedy minimum, ``inf`` when ``i`` is 0 and
    ``m`` > 0) and ``max_inv_prefix[i]`` = ``max(1 / q_j for j < i)``, so that
    the maximum is ``m**2 * max_inv_prefix[i]``.
    """
    inv_q = 1.0 / np.asarray(q)
    k = len(q)
    o = np.arange(n)
    min_prefix = np.full((k, n + 1), np.inf)
    min_prefix[:, 0] = 0.0
    for i in range(1, k):
        costs = np.sort(((2 * o + 1)[None, :] * inv_q[:i, None]).ravel())[:n]
        min_prefix[i, 1:] = np.cumsum(costs)
    max_inv_prefix = np.concatenate(([0.0], np.maximum.accumulate(inv_q)[:-1]))
    return min_prefix, max_inv_prefix


def _settle_backward(
    count: np.ndarray,
    value: np.ndarray,
    weight: np.ndarray,
    n: int,
    threshold: float,
    min_prefix: np.ndarray,
    max_inv_prefix: float,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Lump backward sums that reach the threshold whatever the first categories hold; drop
    those that cannot reach it whatever they hold."""
    rest = n - count
    value = np.where(value + min_prefix[rest] >= threshold, threshold, value)
    keep = value + (rest * rest) * max_inv_prefix >= threshold
    return count[keep], value[keep], weight[keep]


def _expand(
    count: np.ndarray,
    value: np.ndarray,
    weight: np.ndarray,
    width: np.ndarray,
    inv_q_i: float,
    table: np.ndarray,
    n: int,
    forward: bool,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Give category ``i`` each number ``o < width`` of the people left.

    Forward states count the people placed so far, backward states the people
    in the categories after ``i``; ``table`` is ``i``'s conditional binomial.
    """
    size = int(width.sum())
    parent = np.repeat(np.arange(len(count)), width)
    o = np.arange(size) - (np.cumsum(width) - width)[parent]
    new_count = count[parent] + o
    row = (n - count)[parent] if forward else new_count
    probability = table.ravel().take(row * (n + 1) + o)
    return new_count, value[parent] + (o * o) * inv_q_i, weight[parent] * probability


def _first_reaching(value: np.ndarray, inv_q_i: float, threshold: float) -> np.ndarray:
    """Smallest ``o`` with ``value + o*o*inv_q_i >= threshold``, in the states' own arithmetic."""
    o = np.ceil(np.sqrt(np.maximum(threshold - value, 0.0) / inv_q_i)).astype(np.int64)
    for _ in range(2):
        o = np.where((o > 0) & (value + ((o - 1) * (o - 1)) * inv_q_i >= threshold), o - 1, o)
        o = np.where(value + (o * o) * inv_q_i < threshold, o + 1, o)
    return o


def _merge(
    count: np.ndarray, value: np.ndarray, weight: np.ndarray, grid: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Merge states with the same count and (to ``grid``) the same value, sorted by both.

    Values lie in ``[0, 1e12 * grid]``, so (count, value on the grid) packs
    exactly into one 64-bit key.
    """
    key = (count << 41) + np.round(value / grid).astype(np.int64)
    idx = np.argsort(key)
    key_s = key[idx]
    start = np.ones(len(idx), dtype=bool)
    np.not_equal(key_s[1:], key_s[:-1], out=start[1:])
    starts = np.flatnonzero(start)
    return count[idx][starts], value[idx][starts], np.add.reduceat(weight[idx], starts)


def _merge_exact(
    count: np.ndarray, value: np.ndarray, weight: np.ndarray, grid: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Like :func:`_merge`, for values of any size (two-key sort, no packing)."""
    key = np.round(value / grid)
    idx = np.lexsort((key, count))
    key_s, count_s = key[idx], count[idx]
    start = np.ones(len(idx), dtype=bool)
    start[1:] = (key_s[1:] != key_s[:-1]) | (count_s[1:] != count_s[:-1])
    starts = np.flatnonzero(start)
    return count_s[starts], value[idx][starts], np.add.reduceat(weight[idx], starts)


def _sweep(
    q: tuple[float, ...], n: int, first: int, last: int, forward: bool
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Distribution of ``sum(o_i**2 / q_i)`` over categories ``first..last-1``.

    Forward (``first == 0``): states (people placed, sum) with their probability.
    Backward (``last == k``): for each number of people left, the conditional
    distribution of the sum. Sorted by count, then sum; equal sums merged.
    """
    inv_q, _, _, binom, _ = _exact_tables(q, n)
    grid = float(n * n) * 1e-12
    if forward:
        count, value, weight = np.zeros(1, dtype=np.int64), np.zeros(1), np.ones(1)
        steps = range(first, last)
    else:
        count = np.arange(n + 1, dtype=np.int64)
        value, weight = count * count * inv_q[last - 1], np.ones(n + 1)
        steps = range(last - 2, first - 1, -1)
    for i in steps:
        count, value, weight = _expand(
            count, value, weight, n - count + 1, inv_q[i], binom[i], n, forward=forward
        )
        count, value, weight = _merge_exact(count, value, weight, grid)
    return count, value, weight


@lru_cache(maxsize=16)
def _null_distribution(q: tuple[float, ...], n: int) -> tuple[np.ndarray, np.ndarray]:
    """Every value of ``sum(o_i**2 / q_i)`` under Multinomial(n, q), with upper tails.

    Returns the sorted distinct values (equal to 1e-12 relative merged) and
    ``tail[j]`` = P(sum >= values[j]), with a final 0.
    """
    inv_q = _exact_tables(q, n)[0]
    used, partial, weight = _sweep(q, n, 0, len(q) - 1, forward=True)
    rest = n - used
    values = partial + rest * rest * inv_q[-1]
    idx = np.argsort(values)
    values, weight = values[idx], weight[idx]
    tail = np.concatenate((np.cumsum(weight[::-1])[::-1], [0.0]))
    return values, tail


@lru_cache(maxsize=16)
def _half_distributions(
    q: tuple[float, ...], n: int
) -> tuple[list[tuple[np.ndarray, np.ndarray]], list[tuple[np.ndarray, np.ndarray]]]:
    """Forward and backward halves of the null distribution, grouped by count.

    ``front[m]`` = (sums, probabilities) of the first ``k // 2`` categories
    holding ``m`` people; ``back[r]`` = (sorted sums, upper tails) of the other
    categories given that they hold ``r`` people.
    """
    k = len(q)
    h = k // 2
    used, partial, weight = _sweep(q, n, 0, h, forward=True)
    count, value, weight_b = _sweep(q, n, h, k, forward=False)
    cut_f = np.searchsorted(used, np.arange(n + 2))
    cut_b = np.searchsorted(count, np.arange(n + 2))
    front = [
        (partial[cut_f[m] : cut_f[m + 1]], weight[cut_f[m] : cut_f[m + 1]]) for m in range(n + 1)
    ]
    back = []
    for r in range(n + 1):
        w = weight_b[cut_b[r] : cut_b[r + 1]]
        back.append(
            (value[cut_b[r] : cut_b[r + 1]], np.concatenate((np.cumsum(w[::-1])[::-1], [0.0])))
        )
    return front, back


def _exact_pvalue(
    f_obs: np.ndarray, p: np.ndarray, *, max_states: int | None = None
) -> float | None:
    """Exact P(X² ≥ observed) under Multinomial(n, p), or None if over ``max_states``.

    Small problems use the cached null distribution or its cached halves.
    Otherwise a meet-in-the-middle dynamic programme over the categories
    (smallest share first). Forward states (people placed, partial sum of o²/p) carry their
    exact probability; a state all of whose completions reach the observed sum
    adds its whole probability, one that none can reach is dropped. Backward
    states hold the exact distribution of the sum over the last categories for
    each number of people left (sums at or above the threshold lumped). Each
    step extends the smaller side; where they meet, each forward state takes the
    backward probability of reaching the threshold by a binary search. States
    with the same count and (to 1e-12 relative) the same sum merge.
    """
    order = np.argsort(-p, kind="stable")
    q = p[order]
    o_sorted = f_obs[order]
    n = int(f_obs.sum())
    k = len(q)
    observed_sum = 0.0
    for o_i, q_i in zip(o_sorted.tolist(), q.tolist(), strict=True):
        observed_sum += o_i * o_i * (1.0 / q_i)
    threshold = observed_sum * (1.0 - TIE_RTOL)
    if math.comb(n + k - 1, k - 1) <= FULL_DISTRIBUTION_MAX_TABLES:
        values, tail = _null_distribution(tuple(q.tolist()), n)
        return float(min(tail[np.searchsorted(values, threshold)], 1.0))
    if math.comb(n + k - k // 2, k - k // 2) <= HALF_DISTRIBUTION_MAX_TABLES:
        front_half, back_half = _half_distributions(tuple(q.tolist()), n)
        total = 0.0
        for m in range(n + 1):
            sums, probs = front_half[m]
            if len(sums):
                values, tail = back_half[n - m]
                total += float(probs @ tail[np.searchsorted(values, threshold - sums)])
        return float(min(max(total, 0.0), 1.0))
    # The pruned programme is fastest taking the smallest shares first.
    q = q[::-1].copy()
    inv_q, max_inv, min_rest, binom, tails = _exact_tables(tuple(q.tolist()), n)
    grid = observed_sum * 1e-12

    used = np.zeros(1, dtype=np.int64)
    partial = np.zeros(1)
    weight = np.ones(1)
    min_prefix, max_inv_prefix = _prefix_bounds(tuple(q.tolist()), n)
    back_count = np.arange(n + 1, dtype=np.int64)
    back_value = np.minimum(back_count * back_count * inv_q[k - 1], threshold)
    back_weight = np.ones(n + 1)
    back_count, back_value, back_weight = _settle_backward(
        back_count,
        back_value,
        back_weight,
        n,
        threshold,
        min_prefix[k - 1],
        max_inv_prefix[k - 1],
    )
    front, back = 0, k - 1  # forward states cover categories < front; backward >= back
    c_index = np.arange(n + 1)[:, None]  # backward count before a step
    r_index = np.arange(n + 1)[None, :]  # ... and after it
    o_index = np.maximum(r_index - c_index, 0)
    lower = r_index >= c_index
    total = 0.0
    states = 0
    while True:
        rest = n - used
        reach_all = partial + min_rest[front, rest] >= threshold
        total += float(weight[reach_all].sum())
        alive = ~reach_all & (partial + rest * rest * max_inv[front] >= threshold)
        if not alive.any():
            return float(min(max(total, 0.0), 1.0))
        used, partial, weight = used[alive], partial[alive], weight[alive]
        if front == back:
            break
        if len(used) <= len(back_count):
            # Forward: o people in category `front`; from the first o whose
            # square alone reaches the threshold on, add the binomial tail at once.
            rest = n - used
            width = np.minimum(_first_reaching(partial, inv_q[front], threshold), rest + 1)
            total += float(weight @ tails[front][rest, width])
            used, partial, weight = _expand(
                used, partial, weight, width, inv_q[front], binom[front], n, forward=True
            )
            front += 1
            rest = n - used
            reach_all = partial + min_rest[front, rest] >= threshold
            total += float(weight[reach_all].sum())
            alive = ~reach_all & (partial + rest * rest * max_inv[front] >= threshold)
            used, partial, weight = used[alive], partial[alive], weight[alive]
            if len(used) > 32:
                used, partial, weight = _merge(used, partial, weight, grid)
            states += len(used)
        else:
            # Backward: sums at or above the threshold are lumped per count.
            # A state (c, v) reaches it from o = cap on, adding weight
            # binom[c + o, o] to count c + o: summed over states by (c, cap)
            # first, so those children are never built one by one.
            back -= 1
            room = n - back_count + 1
            cap = np.minimum(_first_reaching(back_value, inv_q[back], threshold), room)
            by_cap = np.bincount(
                back_count * (n + 2) + cap, weights=back_weight, minlength=(n + 1) * (n + 2)
            ).reshape(n + 1, n + 2)
            reached = np.cumsum(by_cap, axis=1)  # reached[c, o]: weight with cap <= o
            lump = (
                np.where(lower, reached[c_index, o_index], 0.0) * binom[back][r_index, o_index]
            ).sum(axis=0)
            count, value, weight_b = _expand(
                back_count,
                back_value,
                back_weight,
                cap,
                inv_q[back],
                binom[back],
                n,
                forward=False,
            )
            count, value, weight_b = _settle_backward(
                count, value, weight_b, n, threshold, min_prefix[back], max_inv_prefix[back]
            )
            back_count, back_value, back_weight = _merge(
                np.concatenate((count, np.arange(n + 1))),
                np.concatenate((value, np.full(n + 1, threshold))),
                np.concatenate((weight_b, lump)),
                grid,
            )
            states += len(back_count)
        if max_states is not None and states > max_states:
            return None
    # Meet: backward states are sorted by (people, sum). For each forward state,
    # add the backward probability that the remaining sum reaches the threshold.
    span = 4.0 * threshold + 1.0
    keys = back_count * span + back_value
    suffix = np.concatenate((np.cumsum(back_weight[::-1])[::-1], [0.0]))
    group_end = np.searchsorted(back_count, np.arange(n + 1), side="right")
    rest = n - used
    start = np.searchsorted(keys, rest * span + (threshold - partial), side="left")
    total += float(weight @ (suffix[start] - suffix[group_end[rest]]))
    return float(min(max(total, 0.0), 1.0))


def _monte_carlo_pvalue(
    f_obs: np.ndarray, p: np.ndarray, rng: np.random.Generator, n_resamples: int
) -> float:
    """(b + 1) / (R + 1), b = resampled tables with X² at least the observed one."""
    n = int(f_obs.sum())
    inv_p = 1.0 / p
    threshold = float(f_obs.astype(float) ** 2 @ inv_p) * (1.0 - TIE_RTOL)
    hits = 0
    chunk = max(1, min(n_resamples, 2_000_000 // max(len(p), 1)))
    remaining = n_resamples
    while remaining > 0:
        size = min(chunk, remaining)
        draws = rng.multinomial(n, p, size=size)
        sums = (draws.astype(float) ** 2) @ inv_p
        hits += int(np.count_nonzero(sums >= threshold))
        remaining -= size
    return (hits + 1) / (n_resamples + 1)


# --------------------------------------------------------------------------- public API


def gap_analysis(
    f_obs: Mapping[str, int],
    target: Mapping[str, float],
    *,
    unknown: int = 0,
    method: str = "auto",
    alpha: float = 0.05,
    rng: np.random.Generator | None = None,
    n_resamples: int = 100_000,
) -> GapAnalysis:
    """Compare the people per category in a group with a target population.

    Parameters
    ----------
    f_obs : Mapping[str, int]
        People per category. Categories missing from `f_obs` count as 0.
    target : Mapping[str, float]
        Share (or count) of each category in the target population; normalised
        to sum to 1. Every category of `f_obs` must be in `target`.
    unknown : int, default 0
        People with no answer or "prefer not to say"; left out of the test and
        reported as :attr:`GapAnalysis.unknown`.
    method : {"auto", "asymptotic", "exact", "monte-carlo"}, default "auto"
        How to compute the p-value (see Notes).
    alpha : float, default 0.05
        Significance level for :attr:`GapAnalysis.significant`.
    rng : numpy.random.Generator, optional
        Random generator for the Monte Carlo p-value. When Monte Carlo is used
        and `rng` is None, a generator seeded with ``DEFAULT_SEED`` is used (and
        a note says so), so results are reproducible.
    n_resamples : int, default 100_000
        Number of Monte Carlo multinomial tables.

    Returns
    -------
    GapAnalysis
        The test (``statistic``, ``dof``, ``pvalue``, ``method``), effect sizes
        (``effect_size``, ``dissimilarity``) and per-category seat quotas.

    Raises
    ------
    ValueError
        A category of `f_obs` that is not in `target`, a negative or fractional
        count, a negative share, or an unknown `method`.

    Notes
    -----
    **Statistic.** Pearson's [1]_ ``X² = Σ (O_i − E_i)² / E_i`` with
    ``E_i = n p_i`` over the categories with a positive target share. The
    p-value is P(X² ≥ observed X²) when the ``n`` people are a multinomial
    sample with the target shares.

    * ``"asymptotic"``: the chi-square distribution with ``k − 1`` degrees of
      freedom, as :func:`scipy.stats.chisquare`. It is a large-sample
      approximation; following Cochran [2]_, ``"auto"`` uses it only when every
      expected count is at least 5.
    * ``"exact"``: the exact multinomial tail probability. Because
      ``X² = Σ O_i² / E_i − n``, the tail is P(Σ O_i² / p_i ≥ t). Categories
      are taken in order of share and the multinomial is built from
      conditional binomials, so every partial table carries its exact
      probability. Three equivalent algorithms, by problem size: (a) at most
      ``FULL_DISTRIBUTION_MAX_TABLES`` possible tables: the whole null
      distribution of the statistic, cached per shares and group size, so a
      p-value is one binary search; (b) two halves of at most
      ``HALF_DISTRIBUTION_MAX_TABLES`` tables each: both halves' distributions
      are cached and combined per count by binary search; (c) otherwise a
      meet-in-the-middle dynamic programme in the manner of the network
      algorithm [4]_: a forward state all of whose completions reach ``t``
      adds its whole probability at once, one none of whose completions can
      reach it is dropped (the bounds are the exact minimum and maximum of the
      remaining sum), backward sums at or above ``t`` are lumped, and equal
      states merge. Tables whose statistic equals the observed one up to a
      relative 1e-9 count as at least as extreme (this absorbs rounding in the
      sums). ``"auto"`` uses it whenever some expected count is below 5 and (c)
      stays under ``AUTO_EXACT_MAX_STATES`` states.
    * ``"monte-carlo"``: ``(b + 1) / (R + 1)`` where ``b`` of ``R = n_resamples``
      multinomial tables drawn with `rng` have X² at least the observed one (the
      observed table counts as one of the tables, so the p-value is never 0).
      ``"auto"`` falls back to it only when the exact computation is too costly.

    **Residuals.** ``residual`` is the Pearson residual ``(O − E)/√E``;
    ``adjusted_residual`` is ``(O − E)/√(E(1 − p))``, approximately standard
    normal under the target, so an absolute value above about 2 marks a category
    that departs from it (Agresti [3]_, section 2.4.5).

    **Not significant does not mean representative.** A panel of 12 has almost
    no power: most real gaps give p > alpha. The practical verdict is the seat
    quotas: ``min_seats = ⌊n p⌋`` and ``max_seats = ⌈n p⌉`` per category, with
    ``shortfall`` (people needed to reach ``min_seats``) and ``excess``. A group
    is as representative as its size allows when every category is ``"within"``
    (:attr:`GapAnalysis.within_quotas`). ``dissimilarity`` (the index of
    dissimilarity) is the share of the group that would have to change category
    to match the target.

    **Edge cases.** A category with a target share of 0 is left out of the test;
    if anyone is in it the statistic is infinite, the p-value 0 (such a table
    cannot occur under the target) and its residuals are infinite. With
    ``n = 0`` there is nothing to test: statistic and p-value are ``nan`` and
    ``method`` is ``"none"``. With a single category of positive share every
    table is the same: X² = 0 and the p-value is 1.

    References
    ----------
    .. [1] K. Pearson, "On the criterion that a given system of deviations from
       the probable in the case of a correlated system of variables is such that
       it can be reasonably supposed to have arisen from random sampling",
       Philosophical Magazine, Series 5, 50(302), 157-175, 1900.
    .. [2] W. G. Cochran, "Some methods for strengthening the common χ² tests",
       Biometrics, 10(4), 417-451, 1954.
    .. [3] A. Agresti, Categorical Data Analysis, 3rd ed., Wiley, 2013.
    .. [4] C. R. Mehta and N. R. Patel, "A network algorithm for performing
       Fisher's exact test in r × c contingency tables", Journal of the American
       Statistical Association, 78(382), 427-434, 1983.

    Examples
    --------
    >>> result = gap_analysis({"Asian": 0, "Black": 1, "White": 11},
    ...                       {"Asian": 9.3, "Black": 4.0, "White": 86.7})
    >>> result.method, result.category("Asian").shortfall
    ('exact', 1)
    """
    if method not in METHODS:
        raise ValueError(
            f"method {method!r} is not valid; valid methods are: {', '.join(METHODS)}."
        )
    if not 0 < alpha < 1:
        raise ValueError(f"alpha must be between 0 and 1, not {alpha!r}.")
    unknown = _as_count(unknown, "unknown")
    n_resamples = _as_count(n_resamples, "n_resamples")
    categories, p = _normalise_target(target)
    index = {c: i for i, c in enumerate(categories)}
    counts = np.zeros(len(categories), dtype=np.int64)
    for category, value in f_obs.items():
        i = index.get(str(category))
        if i is None:
            valid = ", ".join(categories)
            raise ValueError(
                f"category {category!r} is not in the target; valid categories are: {valid}."
            )
        counts[i] = _as_count(value, f"the count of {category!r}")
    n = int(counts.sum())
    notes: list[str] = []

    expected = n * p
    positive = p > 0
    k_pos = int(positive.sum())
    dof = k_pos - 1
    impossible = [categories[i] for i in np.flatnonzero(~positive & (counts > 0))]
    share = counts / n if n else np.zeros(len(categories))
    dissimilarity = 0.5 * float(np.abs(share - p).sum()) if n else math.nan

    used_resamples = 0
    chosen: Method
    if n == 0:
        statistic = pvalue = effect = math.nan
        chosen = "none"
        notes.append("Nobody has a known category, so there is nothing to test.")
    elif impossible:
        statistic, pvalue, effect = math.inf, 0.0, math.inf
        chosen = "exact" if method == "auto" else method  # type: ignore[assignment]
        listed = ", ".join(
            f"{categories[i]} ({int(counts[i])})" for i in np.flatnonzero(~positive & (counts > 0))
        )
        notes.append(
            f"The target share is 0 for categories that have people in the group: {listed}; "
            "such a group cannot arise from the target, so X² is infinite and the p-value 0."
        )
    else:
        o_pos, p_pos, e_pos = counts[positive], p[positive], expected[positive]
        statistic = float(np.sum((o_pos - e_pos) ** 2 / e_pos))
        effect = math.sqrt(statistic / n)
        if method == "auto":
            # Cochran's rule: the chi-square approximation needs every E >= 5.
            chosen = "asymptotic" if dof == 0 or bool(np.all(e_pos >= 5)) else "exact"
        else:
            chosen = method  # type: ignore[assignment]
        if dof == 0:
            pvalue = 1.0
        elif chosen == "asymptotic":
            pvalue = float(special.chdtrc(dof, statistic))
        elif chosen == "exact":
            cells = (k_pos - 1) * (n + 1) ** 2
            if cells > EXACT_MAX_TABLE_CELLS and method == "exact":
                raise ValueError(
                    f"the exact p-value for {n} people over {k_pos} categories is too costly "
                    f"(it needs (k - 1)(n + 1)² = {cells:,} table cells, more than "
                    f"{EXACT_MAX_TABLE_CELLS:,}); use method 'auto' or 'monte-carlo'."
                )
            budget = AUTO_EXACT_MAX_STATES if method == "auto" else None
            exact = (
                _exact_pvalue(o_pos, p_pos, max_states=budget)
                if cells <= EXACT_MAX_TABLE_CELLS
                else None
            )
            if exact is None:
                chosen = "monte-carlo"
                notes.append(
                    "Some expected counts are below 5 and the exact p-value would take too long, "
                    f"so it was estimated from {n_resamples:,} Monte Carlo tables."
                )
            else:
                pvalue = exact
        if chosen == "monte-carlo":
            if n_resamples < 1:
                raise ValueError(f"n_resamples must be at least 1, not {n_resamples}.")
            if rng is None:
                rng = np.random.default_rng(DEFAULT_SEED)
                notes.append(f"Monte Carlo used a generator seeded with {DEFAULT_SEED}.")
            pvalue = _monte_carlo_pvalue(o_pos, p_pos, rng, n_resamples)
            used_resamples = n_resamples

    gaps = tuple(_category_gaps(categories, counts, p, n))
    return GapAnalysis(
        n=n,
        unknown=unknown,
        statistic=statistic,
        dof=dof,
        pvalue=pvalue,
        method=chosen,
        effect_size=effect,
        dissimilarity=dissimilarity,
        categories=gaps,
        alpha=alpha,
        n_resamples=used_resamples,
        notes=tuple(notes),
    )


def _category_gaps(
    categories: Sequence[str], counts: np.ndarray, p: np.ndarray, n: int
) -> Iterable[CategoryGap]:
    for category, o, share_p in zip(categories, counts.tolist(), p.tolist(), strict=True):
        e = n * share_p
        diff = o - e
        if e > 0:
            residual = diff / math.sqrt(e)
            var = e * (1.0 - share_p)
            adjusted = diff / math.sqrt(var) if var > 0 else 0.0
        else:
            residual = adjusted = math.inf if o > 0 else 0.0
        min_seats = math.floor(e + _SEAT_EPS)
        max_seats = math.ceil(e - _SEAT_EPS)
        status: Status = "under" if o < min_seats else "over" if o > max_seats else "within"
        yield CategoryGap(
            category=category,
            observed=o,
            expected=e,
            share=o / n if n else 0.0,
            target_share=share_p,
            residual=residual,
            adjusted_residual=adjusted,
            min_seats=min_seats,
            max_seats=max_seats,
            shortfall=max(0, min_seats - o),
            excess=max(0, o - max_seats),
            status=status,
        )


def is_unknown(value: object, unknown_values: Iterable[str] = DEFAULT_UNKNOWN_VALUES) -> bool:
    """Whether an answer counts as unknown (missing, blank or a "prefer not to say" answer)."""
    if value is None:
        return True
    if isinstance(value, float) and math.isnan(value):
        return True
    try:
        if value is np.nan or bool(value != value):  # pandas NA / NaT
            return True
    except (TypeError, ValueError):
        return True
    return str(value).strip().casefold() in {u.strip().casefold() for u in unknown_values}


def gap_report(
    people: pd.DataFrame,
    target: TargetPopulation,
    dimensions: Sequence[str] | None = None,
    *,
    unknown_values: Iterable[str] = DEFAULT_UNKNOWN_VALUES,
    method: str = "auto",
    alpha: float = 0.05,
    rng: np.random.Generator | None = None,
    n_resamples: int = 100_000,
) -> GapReport:
    """Run :func:`gap_analysis` for several dimensions of a table of people.

    Parameters
    ----------
    people : pandas.DataFrame
        One row per person, one column per dimension, holding category labels.
    target : TargetPopulation
        The population the group should reflect.
    dimensions : sequence of str, optional
        Dimensions to analyse; by default every target dimension that is a
        column of `people`.
    unknown_values : iterable of str
        Answers counted as unknown (compared case-insensitively); missing
        values always are.
    method, alpha, rng, n_resamples
        As for :func:`gap_analysis` (one `rng` is shared by all dimensions).

    Returns
    -------
    GapReport
        One :class:`GapAnalysis` and one :class:`Coverage` per dimension.

    Raises
    ------
    KeyError
        A dimension that is not in `target` (the message lists the valid ones).
    ValueError
        A dimension that is not a column of `people`, or an answer that is not
        a category of the target.

    Notes
    -----
    Target categories that are themselves non-answers (for example the census
    "Not answered" category, when it is in `unknown_values`) are left out of the
    target and the rest renormalised, so that people who did not answer are
    left out on both sides; a note says so. As for :func:`gap_analysis`, a
    p-value above `alpha` does not show that a small group is representative;
    read the seat quotas.
    """
    columns = [str(c) for c in people.columns]
    if dimensions is None:
        dimensions = [d for d in target.dimension_names if d in columns]
        if not dimensions:
            raise ValueError(
                "none of the columns of the people table is a dimension of the target; "
                f"columns are: {', '.join(columns)}; "
                f"target dimensions are: {', '.join(target.dimension_names)}."
            )
    tallies: dict[str, Mapping[Any, int]] = {}
    for dimension in dimensions:
        target.dimension(dimension)
        if dimension not in columns:
            raise ValueError(
                f"dimension {dimension!r} is not a column of the people table; "
                f"columns are: {', '.join(columns)}."
            )
        tallies[dimension] = Counter(people[dimension].tolist())
    return gap_report_from_counts(
        tallies,
        target,
        dimensions,
        unknown_values=unknown_values,
        method=method,
        alpha=alpha,
        rng=rng,
        n_resamples=n_resamples,
    )


def gap_report_from_counts(
    counts: Mapping[str, Mapping[Any, int]],
    target: TargetPopulation,
    dimensions: Sequence[str] | None = None,
    *,
    unknown_values: Iterable[str] = DEFAULT_UNKNOWN_VALUES,
    method: str = "auto",
    alpha: float = 0.05,
    rng: np.random.Generator | None = None,
    n_resamples: int = 100_000,
) -> GapReport:
    """Like :func:`gap_report`, from people per category per dimension.

    Parameters
    ----------
    counts : Mapping[str, Mapping[Any, int]]
        For each dimension, people per answer; answers in `unknown_values`
        (and missing values) are counted as unknown.
    target, dimensions, unknown_values, method, alpha, rng, n_resamples
        As for :func:`gap_report`; `dimensions` defaults to the keys of
        `counts` (each must be a dimension of `target`).
    """
    unknown_set = {u.strip().casefold() for u in unknown_values}
    if dimensions is None:
        dimensions = list(counts)
    analyses: dict[str, GapAnalysis] = {}
    coverage: dict[str, Coverage] = {}
    notes: list[str] = []
    for dimension in dimensions:
        shares = target.shares(dimension)
        if dimension not in counts:
            raise ValueError(
                f"dimension {dimension!r} has no counts; dimensions with counts are: "
                f"{', '.join(counts)}."
            )
        dropped = [c for c in shares if c.strip().casefold() in unknown_set]
        if dropped and len(dropped) < len(shares):
            shares = {c: v for c, v in shares.items() if c not in dropped}
            notes.append(
                f"{dimension}: target categories {', '.join(dropped)} are non-answers and were "
                "left out of the target (shares renormalised)."
            )
        f_obs: dict[str, int] = {}
        n_unknown = 0
        for value, count in counts[dimension].items():
            if is_unknown(value, unknown_set):
                n_unknown += _as_count(count, f"the count of unknown {dimension}")
                continue
            label = str(value).strip()
            if label not in shares:
                raise ValueError(
                    f"{dimension} value {label!r} is not a category of the target; "
                    f"valid categories are: {', '.join(shares)}."
                )
            f_obs[label] = f_obs.get(label, 0) + _as_count(count, f"the count of {label!r}")
        analyses[dimension] = gap_analysis(
            f_obs,
            shares,
            unknown=n_unknown,
            method=method,
            alpha=alpha,
            rng=rng,
            n_resamples=n_resamples,
        )
        coverage[dimension] = Coverage(dimension, sum(f_obs.values()), n_unknown)
    return GapReport(analyses=analyses, coverage=coverage, notes=tuple(notes))
