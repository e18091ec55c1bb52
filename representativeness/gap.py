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
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
from scipy import special

from representativeness._exact import ExactMethod, TooCostly, exact_pvalue
from representativeness._montecarlo import DEFAULT_SEED, MonteCarloMethod, monte_carlo_pvalue

if TYPE_CHECKING:
    import pandas as pd

    from representativeness.target import TargetPopulation

__all__ = [
    "DEFAULT_SEED",
    "DEFAULT_UNKNOWN_VALUES",
    "METHODS",
    "CategoryGap",
    "Coverage",
    "ExactMethod",
    "GapAnalysis",
    "GapReport",
    "MonteCarloMethod",
    "gap_analysis",
    "gap_report",
    "gap_report_from_counts",
    "is_unknown",
]

#: Methods accepted by name by :func:`gap_analysis` (which also takes an
#: :class:`ExactMethod` or a :class:`MonteCarloMethod`).
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

#: ``method="auto"`` gives up on the exact p-value (and uses Monte Carlo instead)
#: when the exact algorithm would need to expand more states than this.
AUTO_EXACT_MAX_STATES = 400_000

#: Monte Carlo resamples when ``method`` is "auto" or "monte-carlo" and
#: ``n_resamples`` is not given.
DEFAULT_N_RESAMPLES = 100_000

_SEAT_EPS = 1e-9

Status = Literal["under", "within", "over"]
Method = Literal["asymptotic", "exact", "monte-carlo", "none"]

#: What ``method`` may be: a name from :data:`METHODS` or a method object.
MethodArgument = str | ExactMethod | MonteCarloMethod


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


# --------------------------------------------------------------------------- public API


def gap_analysis(
    f_obs: Mapping[str, int],
    target: Mapping[str, float],
    *,
    unknown: int = 0,
    method: MethodArgument = "auto",
    alpha: float = 0.05,
    rng: np.random.Generator | None = None,
    n_resamples: int | None = None,
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
    method : {"auto", "asymptotic", "exact", "monte-carlo"}, ExactMethod or MonteCarloMethod
        How to compute the p-value (see Notes); default "auto". "exact" is
        ``ExactMethod()`` and "monte-carlo" is
        ``MonteCarloMethod(n_resamples, rng)``; a method object sets the
        options itself, such as ``MonteCarloMethod(20_000, rng)`` or
        ``ExactMethod(max_states=10**6)``.
    alpha : float, default 0.05
        Significance level for :attr:`GapAnalysis.significant`.
    rng : numpy.random.Generator, optional
        Random generator for the Monte Carlo p-value under "monte-carlo", or
        "auto" when it falls back to Monte Carlo. When Monte Carlo is used and
        no generator was given, one seeded with ``DEFAULT_SEED`` is used (and a
        note says so), so results are reproducible. Not with a method object.
    n_resamples : int, optional
        Number of Monte Carlo multinomial tables under "monte-carlo" or "auto"
        (default ``DEFAULT_N_RESAMPLES`` = 100,000). Not with a method object.

    Returns
    -------
    GapAnalysis
        The test (``statistic``, ``dof``, ``pvalue``, ``method``), effect sizes
        (``effect_size``, ``dissimilarity``) and per-category seat quotas.

    Raises
    ------
    ValueError
        A category of `f_obs` that is not in `target`, a negative or fractional
        count, a negative share, an unknown `method`, `rng` or `n_resamples`
        beside a method object, or an exact p-value over the method's cost
        limits (under "auto" that falls back to Monte Carlo instead).

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
      sums). ``ExactMethod(algorithm=...)`` forces one of (a), (b), (c); all
      three refuse problems whose binomial tables need more than
      ``MAX_TABLE_CELLS`` = 1,000,000 cells, (k − 1)(n + 1)². ``"auto"``
      uses it whenever some expected count is below 5, within that limit and
      while (c) stays under ``AUTO_EXACT_MAX_STATES`` states.
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
    requested = _requested_method(method, rng, n_resamples)
    if not 0 < alpha < 1:
        raise ValueError(f"alpha must be between 0 and 1, not {alpha!r}.")
    unknown = _as_count(unknown, "unknown")
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
        chosen = "exact" if requested == "auto" else _method_name(requested)
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
        engine: Literal["asymptotic"] | ExactMethod | MonteCarloMethod
        if requested == "auto":
            # Cochran's rule: the chi-square approximation needs every E >= 5.
            if dof == 0 or bool(np.all(e_pos >= 5)):
                engine = "asymptotic"
            else:
                engine = ExactMethod(max_states=AUTO_EXACT_MAX_STATES)
        else:
            engine = requested
        chosen = _method_name(engine)
        if dof == 0:
            pvalue = 1.0
        elif engine == "asymptotic":
            pvalue = float(special.chdtrc(dof, statistic))
        elif isinstance(engine, ExactMethod):
            try:
                pvalue = exact_pvalue(o_pos, p_pos, engine)
            except TooCostly as error:
                if requested != "auto":
                    raise ValueError(f"{error}; use method 'auto' or 'monte-carlo'.") from None
                engine = _monte_carlo(rng, n_resamples)
                chosen = "monte-carlo"
                notes.append(
                    "Some expected counts are below 5 and the exact p-value would take too long, "
                    f"so it was estimated from {engine.n_resamples:,} Monte Carlo tables."
                )
        if dof > 0 and isinstance(engine, MonteCarloMethod):
            generator = engine.rng
            if generator is None:
                generator = np.random.default_rng(DEFAULT_SEED)
                notes.append(f"Monte Carlo used a generator seeded with {DEFAULT_SEED}.")
            pvalue = monte_carlo_pvalue(o_pos, p_pos, generator, engine.n_resamples)
            used_resamples = engine.n_resamples

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


def _requested_method(
    method: MethodArgument, rng: np.random.Generator | None, n_resamples: int | None
) -> Literal["auto", "asymptotic"] | ExactMethod | MonteCarloMethod:
    """The method asked for, as a name ("auto", "asymptotic") or a method object."""
    if isinstance(method, ExactMethod | MonteCarloMethod):
        if rng is not None or n_resamples is not None:
            raise ValueError(
                f"rng and n_resamples apply only to method 'auto' or 'monte-carlo', not to "
                f"{method!r}; give them to MonteCarloMethod(n_resamples, rng) instead."
            )
        return method
    if method == "auto":
        return "auto"
    if method == "asymptotic":
        return "asymptotic"
    if method == "exact":
        return ExactMethod()
    if method == "monte-carlo":
        return _monte_carlo(rng, n_resamples)
    raise ValueError(
        f"method {method!r} is not valid; valid methods are: {', '.join(METHODS)}, "
        "an ExactMethod or a MonteCarloMethod."
    )


def _monte_carlo(rng: np.random.Generator | None, n_resamples: int | None) -> MonteCarloMethod:
    return MonteCarloMethod(DEFAULT_N_RESAMPLES if n_resamples is None else n_resamples, rng)


def _method_name(method: Literal["asymptotic"] | ExactMethod | MonteCarloMethod) -> Method:
    if isinstance(method, ExactMethod):
        return "exact"
    if isinstance(method, MonteCarloMethod):
        return "monte-carlo"
    return method


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
    method: MethodArgument = "auto",
    alpha: float = 0.05,
    rng: np.random.Generator | None = None,
    n_resamples: int | None = None,
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
    method: MethodArgument = "auto",
    alpha: float = 0.05,
    rng: np.random.Generator | None = None,
    n_resamples: int | None = None,
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
