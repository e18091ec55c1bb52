"""The exact multinomial p-value of Pearson's X² (private engine of :mod:`representativeness.gap`).

Under Multinomial(n, p), ``X² = Σ O_i² / (n p_i) − n``, so P(X² ≥ observed) is
P(Σ O_i² / p_i ≥ t). Three equivalent algorithms compute it, by problem size:
the whole null distribution (cached per shares and group size), its two halves
(cached and combined by binary search), or a threshold-pruned meet-in-the-middle
dynamic programme. :class:`ExactMethod` chooses among them and bounds the cost;
:func:`exact_pvalue` is the entry point.
"""

from __future__ import annotations

import math
import operator
from dataclasses import dataclass
from functools import lru_cache
from typing import Literal

import numpy as np
from scipy import special

__all__ = ["ALGORITHMS", "ExactMethod", "TooCostly", "clear_caches", "exact_pvalue"]

#: Ties: a table whose statistic is within this relative distance of the observed
#: statistic counts as "at least as extreme" (guards against floating-point noise).
TIE_RTOL = 1e-9

#: The tables of conditional binomials have (k - 1)(n + 1)² cells; above this many
#: the exact p-value is refused (8 bytes a cell, twice: tables and their tails).
MAX_TABLE_CELLS = 1_000_000

#: The whole null distribution is used when there are at most this many possible tables.
FULL_DISTRIBUTION_MAX_TABLES = 200_000

#: Otherwise the two halves are used when each has at most this many tables.
HALF_DISTRIBUTION_MAX_TABLES = 60_000

#: Algorithms of :class:`ExactMethod`.
ALGORITHMS = ("auto", "full", "halves", "pruned")

Algorithm = Literal["auto", "full", "halves", "pruned"]


class TooCostly(Exception):
    """The exact p-value would cost more than the method allows; the message says why."""


@dataclass(frozen=True)
class ExactMethod:
    """Ask :func:`~representativeness.gap_analysis` for the exact multinomial p-value.

    Parameters
    ----------
    max_states : int, optional
        Most states the pruned dynamic programme may expand before it gives up
        (``None``: no limit). Giving up is an error, except under
        ``method="auto"``, which then estimates the p-value by Monte Carlo.
    algorithm : {"auto", "full", "halves", "pruned"}, default "auto"
        Which of the three equivalent algorithms to use. ``"auto"`` takes the
        whole null distribution when there are at most
        ``FULL_DISTRIBUTION_MAX_TABLES`` possible tables, its two halves when
        each has at most ``HALF_DISTRIBUTION_MAX_TABLES``, and the pruned
        programme otherwise. Forcing one is for tests and benchmarks; "full"
        and "halves" are refused beyond those sizes, since their memory grows
        with the number of tables.

    Notes
    -----
    Every algorithm refuses problems whose binomial tables would have more
    than ``MAX_TABLE_CELLS`` = 1,000,000 cells, that is (k − 1)(n + 1)² for
    ``n`` people over ``k`` categories.
    """

    max_states: int | None = None
    algorithm: Algorithm = "auto"

    def __post_init__(self) -> None:
        if self.algorithm not in ALGORITHMS:
            raise ValueError(
                f"algorithm {self.algorithm!r} is not valid; valid algorithms are: "
                f"{', '.join(ALGORITHMS)}."
            )
        if self.max_states is not None:
            if isinstance(self.max_states, bool):
                raise ValueError(f"max_states must be a whole number, not {self.max_states!r}.")
            try:
                states = operator.index(self.max_states)
            except TypeError:
                raise ValueError(
                    f"max_states must be a whole number, not {self.max_states!r}."
                ) from None
            if states < 1:
                raise ValueError(f"max_states must be at least 1, not {states}.")


def clear_caches() -> None:
    """Forget the cached tables and null distributions (for benchmarks of a cold start)."""
    for cached in (_exact_tables, _prefix_bounds, _null_distribution, _half_distributions):
        cached.cache_clear()


def exact_pvalue(f_obs: np.ndarray, p: np.ndarray, method: ExactMethod) -> float:
    """Exact P(X² ≥ observed) when ``f_obs.sum()`` people are Multinomial(n, p).

    Parameters
    ----------
    f_obs : numpy.ndarray of int
        People per category, for categories with a positive share only.
    p : numpy.ndarray of float
        Their shares, positive and summing to 1.
    method : ExactMethod
        The algorithm and the cost limit.

    Returns
    -------
    float
        The p-value, in [0, 1].

    Raises
    ------
    TooCostly
        The problem is over ``MAX_TABLE_CELLS``, over ``method.max_states``, or
        too large for the forced algorithm.
    """
    order = np.argsort(-p, kind="stable")
    q = p[order]
    o_sorted = f_obs[order]
    n = int(f_obs.sum())
    k = len(q)
    cells = (k - 1) * (n + 1) ** 2
    if cells > MAX_TABLE_CELLS:
        raise TooCostly(
            f"the exact p-value for {n} people over {k} categories is too costly "
            f"(it needs (k - 1)(n + 1)² = {cells:,} table cells, more than {MAX_TABLE_CELLS:,})"
        )
    observed_sum = 0.0
    for o_i, q_i in zip(o_sorted.tolist(), q.tolist(), strict=True):
        observed_sum += o_i * o_i * (1.0 / q_i)
    threshold = observed_sum * (1.0 - TIE_RTOL)
    full_tables = math.comb(n + k - 1, k - 1)
    half_tables = math.comb(n + k - k // 2, k - k // 2)
    algorithm = method.algorithm
    if algorithm == "auto":
        if full_tables <= FULL_DISTRIBUTION_MAX_TABLES:
            algorithm = "full"
        elif half_tables <= HALF_DISTRIBUTION_MAX_TABLES:
            algorithm = "halves"
        else:
            algorithm = "pruned"
    if algorithm == "full":
        if full_tables > FULL_DISTRIBUTION_MAX_TABLES:
            raise TooCostly(
                f"the full null distribution for {n} people over {k} categories has "
                f"{full_tables:,} tables, more than {FULL_DISTRIBUTION_MAX_TABLES:,}"
            )
        return _full_pvalue(tuple(q.tolist()), n, threshold)
    if algorithm == "halves":
        if half_tables > HALF_DISTRIBUTION_MAX_TABLES:
            raise TooCostly(
                f"half of the null distribution for {n} people over {k} categories has "
                f"{half_tables:,} tables, more than {HALF_DISTRIBUTION_MAX_TABLES:,}"
            )
        return _halves_pvalue(tuple(q.tolist()), n, threshold)
    pvalue = _pruned_pvalue(q, n, observed_sum, threshold, method.max_states)
    if pvalue is None:
        raise TooCostly(
            f"the exact p-value for {n} people over {k} categories needs more than "
            f"{method.max_states:,} states"
        )
    return pvalue


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


def _full_pvalue(q: tuple[float, ...], n: int, threshold: float) -> float:
    """P(sum >= threshold) from the cached whole null distribution (one binary search)."""
    values, tail = _null_distribution(q, n)
    return float(min(tail[np.searchsorted(values, threshold)], 1.0))


def _halves_pvalue(q: tuple[float, ...], n: int, threshold: float) -> float:
    """P(sum >= threshold) from the cached halves, combined per count by binary search."""
    front_half, back_half = _half_distributions(q, n)
    total = 0.0
    for m in range(n + 1):
        sums, probs = front_half[m]
        if len(sums):
            values, tail = back_half[n - m]
            total += float(probs @ tail[np.searchsorted(values, threshold - sums)])
    return float(min(max(total, 0.0), 1.0))


def _pruned_pvalue(
    q: np.ndarray, n: int, observed_sum: float, threshold: float, max_states: int | None
) -> float | None:
    """P(sum >= threshold) by the pruned meet-in-the-middle programme; None if over budget.

    A dynamic programme over the categories (smallest share first). Forward
    states (people placed, partial sum of o²/p) carry their exact probability; a
    state all of whose completions reach the observed sum adds its whole
    probability, one that none can reach is dropped. Backward states hold the
    exact distribution of the sum over the last categories for each number of
    people left (sums at or above the threshold lumped). Each step extends the
    smaller side; where they meet, each forward state takes the backward
    probability of reaching the threshold by a binary search. States with the
    same count and (to 1e-12 relative) the same sum merge.
    """
    k = len(q)
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
