"""Tests of gap_analysis: reference p-values, method choice, quotas and properties."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from representativeness import ExactMethod, MonteCarloMethod, gap_analysis
from representativeness.gap import DEFAULT_SEED

ETHNICITY_19 = [
    74.4,
    0.9,
    0.1,
    0.2,
    6.2,
    0.9,
    0.4,
    0.8,
    0.8,
    3.1,
    2.7,
    1.1,
    0.7,
    1.6,
    2.5,
    1.0,
    0.5,
    0.6,
    1.6,
]


def compositions(n: int, k: int):
    """Every way of putting n people into k categories."""
    for bars in itertools.combinations(range(n + k - 1), k - 1):
        previous = -1
        table = []
        for bar in bars:
            table.append(bar - previous - 1)
            previous = bar
        table.append(n + k - 1 - previous - 1)
        yield table


def brute_force_pvalue(f_obs: list[int], shares: list[float]) -> float:
    """P(X² >= observed) by enumerating every table (independent of the library)."""
    n = sum(f_obs)
    total = sum(shares)
    p = [s / total for s in shares]

    def x2(table):
        return sum((o - n * pi) ** 2 / (n * pi) for o, pi in zip(table, p, strict=True))

    observed = x2(f_obs)
    pvalue = 0.0
    for table in compositions(n, len(p)):
        if x2(table) >= observed - 1e-9 * max(observed, 1.0):
            log_prob = math.lgamma(n + 1) + sum(
                o * math.log(pi) - math.lgamma(o + 1) for o, pi in zip(table, p, strict=True)
            )
            pvalue += math.exp(log_prob)
    return pvalue


def labelled(values):
    return {f"c{i}": v for i, v in enumerate(values)}


# Worked by hand: (f_obs, shares, p-value).
HAND_CASES = [
    ([4, 0], [1, 1], 2 / 16),  # only (4,0) and (0,4) are as extreme
    ([3, 1], [1, 1], 1 - 6 / 16),  # everything but (2,2)
    ([2, 2], [1, 1], 1.0),
    ([3, 0, 0], [1, 1, 1], 3 / 27),  # the three tables with everyone in one category
    ([2, 1, 0], [1, 1, 1], 1 - 6 / 27),  # everything but (1,1,1)
    ([1, 1], [3, 1], 1.0),  # (2,0) and (1,1) both have X² = 2/3, the smallest
    ([3, 0], [3, 1], 37 / 64),  # X² = 1, 1/9, 25/9, 9 for 3, 2, 1, 0 in the first category
    ([1, 2], [3, 1], 10 / 64),
]


@pytest.mark.parametrize(("f_obs", "shares", "expected"), HAND_CASES)
def test_exact_pvalue_matches_hand_worked_cases(f_obs, shares, expected):
    result = gap_analysis(labelled(f_obs), labelled(shares), method="exact")
    assert result.method == "exact"
    assert result.pvalue == pytest.approx(expected, abs=1e-12)


BRUTE_CASES = [
    ([0, 1, 11], [9.3, 4.0, 86.7]),
    ([2, 0, 1, 9, 0], [9.3, 4.0, 2.9, 81.7, 2.1]),
    ([1, 1, 1, 1, 1], [9.3, 4.0, 2.9, 81.7, 2.1]),
    ([0, 0, 0, 12, 0], [9.3, 4.0, 2.9, 81.7, 2.1]),
    ([3, 3, 3, 3], [1, 1, 1, 1]),
    ([5, 0, 0, 0], [1, 1, 1, 1]),
    ([1, 2, 3, 4, 2], [1, 2, 3, 4, 5]),
    ([6, 4, 2], [0.5, 0.3, 0.2]),
    ([0, 0, 10], [0.01, 0.04, 0.95]),  # 1/0.01 == 2**2/0.04: ties between different tables
    ([1, 0, 9], [0.01, 0.04, 0.95]),
    ([4, 1, 0, 0, 2], [40, 30, 15, 10, 5]),
]


# The exact p-value has three equivalent algorithms, chosen by problem size:
# the whole cached null distribution, cached halves, and the threshold-pruned
# meet-in-the-middle. Each is checked against brute force by forcing it.
ALGORITHMS = ("full", "halves", "pruned")


@pytest.mark.parametrize(("f_obs", "shares"), BRUTE_CASES)
@pytest.mark.parametrize("algorithm", ALGORITHMS)
def test_exact_pvalue_matches_brute_force(f_obs, shares, algorithm):
    result = gap_analysis(
        labelled(f_obs), labelled(shares), method=ExactMethod(algorithm=algorithm)
    )
    assert result.method == "exact"
    assert result.pvalue == pytest.approx(brute_force_pvalue(f_obs, shares), abs=1e-9)


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.integers(1, 100), min_size=2, max_size=5).flatmap(
        lambda shares: st.tuples(
            st.just(shares),
            st.lists(st.integers(0, 4), min_size=len(shares), max_size=len(shares)),
        )
    ),
    st.sampled_from(ALGORITHMS),
)
def test_exact_pvalue_matches_brute_force_on_random_tables(case, algorithm):
    shares, f_obs = case
    result = gap_analysis(
        labelled(f_obs), labelled(shares), method=ExactMethod(algorithm=algorithm)
    )
    if sum(f_obs) == 0:
        assert result.method == "none"
    else:
        assert result.pvalue == pytest.approx(brute_force_pvalue(f_obs, shares), abs=1e-9)


ASYMPTOTIC_CASES = [
    ([20, 30, 50], [0.2, 0.3, 0.5]),
    ([10, 25, 65], [0.25, 0.25, 0.5]),
    ([120, 80], [30420202, 29177340]),
    ([60, 20, 15, 300, 5], [9.3, 4.0, 2.9, 81.7, 2.1]),
]


@pytest.mark.parametrize(("f_obs", "shares"), ASYMPTOTIC_CASES)
def test_asymptotic_agrees_with_scipy_and_auto_chooses_it(f_obs, shares):
    result = gap_analysis(labelled(f_obs), labelled(shares))
    n = sum(f_obs)
    f_exp = n * np.asarray(shares, float) / sum(shares)
    assert min(f_exp) >= 5
    reference = stats.chisquare(f_obs, f_exp)
    assert result.method == "asymptotic"
    assert result.statistic == pytest.approx(reference.statistic, rel=1e-12)
    assert result.pvalue == pytest.approx(reference.pvalue, rel=1e-10, abs=1e-300)
    assert result.dof == len(f_obs) - 1


def test_asymptotic_on_request_agrees_with_scipy_even_for_small_counts():
    result = gap_analysis(labelled([0, 1, 11]), labelled([9.3, 4.0, 86.7]), method="asymptotic")
    reference = stats.chisquare([0, 1, 11], 12 * np.array([0.093, 0.04, 0.867]))
    assert result.method == "asymptotic"
    assert result.pvalue == pytest.approx(reference.pvalue, rel=1e-10)


def test_auto_uses_exact_when_an_expected_count_is_below_five():
    result = gap_analysis(labelled([20, 20, 4]), labelled([0.4, 0.5, 0.1]))
    assert result.method == "exact"
    assert min(c.expected for c in result.categories) < 5


def test_exact_algorithms_agree_on_a_30_person_panel_over_8_categories():
    shares = [3602100, 8050600, 7737300, 7912100, 7484700, 5923100, 3687300, 1453000]
    rng = np.random.default_rng(11)
    for _ in range(5):
        f_obs = labelled(rng.multinomial(30, np.array(shares) / sum(shares)).tolist())
        halves = gap_analysis(f_obs, labelled(shares), method="exact").pvalue
        pruned = gap_analysis(
            f_obs, labelled(shares), method=ExactMethod(algorithm="pruned")
        ).pvalue
        assert halves == pytest.approx(pruned, abs=1e-12)


def test_auto_uses_exact_for_a_30_person_panel_over_19_categories():
    rng = np.random.default_rng(7)
    f_obs = rng.multinomial(30, np.array(ETHNICITY_19) / sum(ETHNICITY_19))
    result = gap_analysis(labelled(f_obs.tolist()), labelled(ETHNICITY_19))
    assert result.method == "exact"
    check = gap_analysis(
        labelled(f_obs.tolist()),
        labelled(ETHNICITY_19),
        method="monte-carlo",
        rng=np.random.default_rng(1),
        n_resamples=40_000,
    )
    se = math.sqrt(result.pvalue * (1 - result.pvalue) / 40_000)
    assert abs(check.pvalue - result.pvalue) < 3 * se + 1 / 40_000


def test_exact_over_its_state_budget_is_an_error_naming_the_budget():
    f_obs = labelled([20, 1, 0, 0, 2, 0, 1, 0, 1, 1, 0, 2, 0, 0, 1, 0, 0, 1, 0])
    with pytest.raises(
        ValueError,
        match=r"for 30 people over 19 categories needs more than 10 states; "
        r"use method 'auto' or 'monte-carlo'",
    ):
        gap_analysis(
            f_obs, labelled(ETHNICITY_19), method=ExactMethod(max_states=10, algorithm="pruned")
        )


def test_auto_falls_back_to_seeded_monte_carlo_when_exact_is_too_costly():
    f_obs = labelled([1500] + [30] * 18)  # 2,040 people: the exact tables would be too large
    first = gap_analysis(f_obs, labelled(ETHNICITY_19), n_resamples=2_000)
    second = gap_analysis(f_obs, labelled(ETHNICITY_19), n_resamples=2_000)
    assert first.method == "monte-carlo"
    assert first.n_resamples == 2_000
    assert first.pvalue == second.pvalue
    assert any("estimated from 2,000 Monte Carlo tables" in note for note in first.notes)
    assert any(str(DEFAULT_SEED) in note for note in first.notes)


def test_a_forced_algorithm_beyond_its_size_is_an_error():
    f_obs = labelled([20, 1, 0, 0, 2, 0, 1, 0, 1, 1, 0, 2, 0, 0, 1, 0, 0, 1, 0])
    with pytest.raises(ValueError, match=r"full null distribution .* more than 200,000"):
        gap_analysis(f_obs, labelled(ETHNICITY_19), method=ExactMethod(algorithm="full"))


MONTE_CARLO_CASES = [
    ([2, 0, 1, 9, 0], [9.3, 4.0, 2.9, 81.7, 2.1]),
    ([5, 0, 0, 0], [1, 1, 1, 1]),
    ([6, 4, 2], [0.5, 0.3, 0.2]),
]


@pytest.mark.parametrize(("f_obs", "shares"), MONTE_CARLO_CASES)
def test_monte_carlo_is_within_three_standard_errors_of_exact(f_obs, shares):
    resamples = 20_000
    exact = brute_force_pvalue(f_obs, shares)
    result = gap_analysis(
        labelled(f_obs),
        labelled(shares),
        method="monte-carlo",
        rng=np.random.default_rng(12345),
        n_resamples=resamples,
    )
    se = math.sqrt(exact * (1 - exact) / resamples)
    assert result.method == "monte-carlo"
    assert abs(result.pvalue - exact) <= 3 * se + 1 / (resamples + 1)


def test_monte_carlo_is_reproducible_and_counts_the_observed_table():
    f_obs, shares = labelled([0, 0, 12]), labelled([0.45, 0.45, 0.1])
    a = gap_analysis(
        f_obs, shares, method="monte-carlo", rng=np.random.default_rng(3), n_resamples=999
    )
    b = gap_analysis(
        f_obs, shares, method="monte-carlo", rng=np.random.default_rng(3), n_resamples=999
    )
    assert a.pvalue == b.pvalue
    assert a.pvalue == pytest.approx(1 / 1000)  # (0 + 1) / (999 + 1): nothing this extreme


def test_a_monte_carlo_method_object_is_the_same_as_the_loose_arguments():
    f_obs, shares = labelled([2, 0, 1, 9, 0]), labelled([9.3, 4.0, 2.9, 81.7, 2.1])
    loose = gap_analysis(
        f_obs, shares, method="monte-carlo", rng=np.random.default_rng(5), n_resamples=3_000
    )
    method = MonteCarloMethod(n_resamples=3_000, rng=np.random.default_rng(5))
    as_object = gap_analysis(f_obs, shares, method=method)
    assert (as_object.method, as_object.n_resamples) == ("monte-carlo", 3_000)
    assert as_object.pvalue == loose.pvalue
    assert not any("seeded with" in note for note in as_object.notes)


def test_an_exact_method_object_is_the_same_as_the_name():
    f_obs, shares = labelled([0, 1, 11]), labelled([9.3, 4.0, 86.7])
    assert gap_analysis(f_obs, shares, method=ExactMethod()) == gap_analysis(
        f_obs, shares, method="exact"
    )


def test_rng_beside_a_method_object_is_an_error():
    with pytest.raises(ValueError, match="give them to MonteCarloMethod"):
        gap_analysis(
            {"a": 1},
            {"a": 1, "b": 1},
            method=MonteCarloMethod(100),
            rng=np.random.default_rng(1),
        )


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda: MonteCarloMethod(0), "n_resamples must be at least 1, not 0"),
        (lambda: MonteCarloMethod(2.5), "n_resamples must be a whole number, not 2.5"),
        (lambda: MonteCarloMethod(10, rng=7), "rng must be a numpy.random.Generator"),
        (lambda: ExactMethod(max_states=0), "max_states must be at least 1, not 0"),
        (
            lambda: ExactMethod(algorithm="network"),
            "algorithm 'network' is not valid; valid algorithms are: auto, full, halves, pruned",
        ),
    ],
)
def test_bad_method_objects_are_errors(make, message):
    with pytest.raises(ValueError, match=message):
        make()


def test_quotas_residuals_and_effect_sizes():
    result = gap_analysis(
        {"Asian": 0, "Black": 1, "White": 11}, {"Asian": 9.3, "Black": 4.0, "White": 86.7}
    )
    asian = result.category("Asian")
    assert asian.expected == pytest.approx(12 * 0.093)
    assert (asian.min_seats, asian.max_seats, asian.shortfall, asian.status) == (1, 2, 1, "under")
    black = result.category("Black")
    assert (black.min_seats, black.max_seats, black.status) == (0, 1, "within")
    white = result.category("White")
    assert (white.min_seats, white.max_seats, white.excess, white.status) == (10, 11, 0, "within")
    e = 12 * 0.04
    assert black.residual == pytest.approx((1 - e) / math.sqrt(e))
    assert black.adjusted_residual == pytest.approx((1 - e) / math.sqrt(e * 0.96))
    x2 = sum((c.observed - c.expected) ** 2 / c.expected for c in result.categories)
    assert result.statistic == pytest.approx(x2)
    assert result.effect_size == pytest.approx(math.sqrt(x2 / 12))
    assert result.dissimilarity == pytest.approx(
        0.5 * (0.093 + abs(1 / 12 - 0.04) + abs(11 / 12 - 0.867))
    )
    assert result.shortfall == 1
    assert not result.within_quotas
    assert not result.significant  # a panel of 12 rarely is: read the quotas instead


def test_exact_whole_seats_are_not_split_by_rounding():
    result = gap_analysis({"a": 3, "b": 7}, {"a": 0.3, "b": 0.7})
    assert [(c.min_seats, c.max_seats) for c in result.categories] == [(3, 3), (7, 7)]
    assert result.within_quotas


def test_missing_categories_count_as_zero_and_unknown_is_reported():
    result = gap_analysis({"a": 2}, {"a": 1, "b": 1}, unknown=3)
    assert result.n == 2
    assert result.unknown == 3
    assert result.category("b").observed == 0


def test_zero_target_share_with_people_is_an_infinite_gap():
    result = gap_analysis({"a": 3, "b": 2, "c": 1}, {"a": 0.5, "b": 0.5, "c": 0.0})
    assert result.statistic == math.inf
    assert result.pvalue == 0.0
    c = result.category("c")
    assert c.residual == math.inf
    assert c.status == "over"
    assert c.excess == 1
    assert (
        "target share is 0 for categories that have people in the group: c (1)" in (result.notes[0])
    )


def test_zero_target_share_without_people_is_left_out_of_the_test():
    with_zero = gap_analysis({"a": 3, "b": 1}, {"a": 0.5, "b": 0.5, "c": 0.0})
    without = gap_analysis({"a": 3, "b": 1}, {"a": 0.5, "b": 0.5})
    assert with_zero.pvalue == pytest.approx(without.pvalue)
    assert with_zero.dof == 1
    assert with_zero.category("c").status == "within"


def test_nobody_known_means_nothing_to_test():
    result = gap_analysis({}, {"a": 1, "b": 1}, unknown=4)
    assert result.method == "none"
    assert not result.testable
    assert math.isnan(result.pvalue) and math.isnan(result.statistic)
    assert result.unknown == 4
    assert "nothing to test" in result.notes[0]


def test_single_category_has_pvalue_one():
    result = gap_analysis({"a": 5}, {"a": 1.0, "b": 0.0})
    assert (result.statistic, result.dof, result.pvalue) == (0.0, 0, 1.0)


def test_unknown_category_is_an_error_naming_it_and_the_valid_ones():
    with pytest.raises(
        ValueError,
        match=r"'Other Asian' is not in the target; valid categories "
        r"are: Asian, White",
    ):
        gap_analysis({"Other Asian": 1}, {"Asian": 0.5, "White": 0.5})


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"method": "fisher"}, "method 'fisher' is not valid; valid methods are: auto"),
        ({"unknown": -1}, "unknown must be zero or more"),
        ({"alpha": 1.5}, "alpha must be between 0 and 1"),
    ],
)
def test_bad_arguments_are_errors(kwargs, message):
    with pytest.raises(ValueError, match=message):
        gap_analysis({"a": 1}, {"a": 1, "b": 1}, **kwargs)


def test_bad_counts_and_shares_are_errors():
    with pytest.raises(ValueError, match="whole number of people, not 1.5"):
        gap_analysis({"a": 1.5}, {"a": 1, "b": 1})
    with pytest.raises(ValueError, match="zero or more, not -2"):
        gap_analysis({"a": -2}, {"a": 1, "b": 1})
    with pytest.raises(ValueError, match="share of 'b' must be a finite number"):
        gap_analysis({"a": 1}, {"a": 1, "b": -1})
    with pytest.raises(ValueError, match="sum to 0"):
        gap_analysis({"a": 1}, {"a": 0, "b": 0})


# --------------------------------------------------------------------------- properties

tables = st.lists(st.integers(1, 50), min_size=2, max_size=7).flatmap(
    lambda shares: st.tuples(
        st.just(shares),
        st.lists(st.integers(0, 6), min_size=len(shares), max_size=len(shares)),
    )
)


@settings(max_examples=80, deadline=None)
@given(tables, st.sampled_from(["auto", "asymptotic", "exact", "monte-carlo"]))
def test_pvalue_lies_in_unit_interval(case, method):
    shares, f_obs = case
    result = gap_analysis(
        labelled(f_obs),
        labelled(shares),
        method=method,
        rng=np.random.default_rng(0),
        n_resamples=200,
    )
    if result.testable:
        assert 0.0 <= result.pvalue <= 1.0
    else:
        assert math.isnan(result.pvalue)


@settings(max_examples=60, deadline=None)
@given(tables, st.randoms(use_true_random=False))
def test_relabelling_categories_changes_nothing(case, random):
    shares, f_obs = case
    original = gap_analysis(labelled(f_obs), labelled(shares))
    order = list(range(len(shares)))
    random.shuffle(order)
    names = {f"c{i}": f"group {j}" for i, j in zip(range(len(shares)), order, strict=True)}
    relabelled = gap_analysis(
        {names[f"c{i}"]: f_obs[i] for i in order},
        {names[f"c{i}"]: shares[i] for i in order},
    )
    assert relabelled.method == original.method
    if original.testable:
        assert relabelled.statistic == pytest.approx(original.statistic, rel=1e-12)
        assert relabelled.pvalue == pytest.approx(original.pvalue, abs=1e-12)
        assert relabelled.dissimilarity == pytest.approx(original.dissimilarity)
    for gap in original.categories:
        other = relabelled.category(names[gap.category])
        fields = ("observed", "min_seats", "max_seats", "shortfall", "status")
        assert [getattr(other, f) for f in fields] == [getattr(gap, f) for f in fields]


@settings(max_examples=100, deadline=None)
@given(tables)
def test_shortfall_is_zero_exactly_when_every_category_reaches_min_seats(case):
    shares, f_obs = case
    result = gap_analysis(labelled(f_obs), labelled(shares), method="asymptotic")
    reaches = all(c.observed >= c.min_seats for c in result.categories)
    assert (result.shortfall == 0) == reaches
    for c in result.categories:
        assert c.min_seats <= c.expected + 1e-9 and c.max_seats >= c.expected - 1e-9
        assert c.max_seats - c.min_seats in (0, 1)
        assert (c.shortfall > 0) == (c.status == "under")
        assert (c.excess > 0) == (c.status == "over")


def test_large_groups_with_small_expected_counts():
    shares = labelled(ETHNICITY_19)
    f_obs = labelled([1500] + [30] * 18)
    auto = gap_analysis(f_obs, shares, rng=np.random.default_rng(0), n_resamples=2_000)
    assert auto.method == "monte-carlo"  # 2,040 people: exact tables would be too large
    assert auto.n_resamples == 2_000
    with pytest.raises(ValueError, match="too costly.*use method 'auto' or 'monte-carlo'"):
        gap_analysis(f_obs, shares, method="exact")


@pytest.mark.parametrize(
    ("shares", "n"),
    [
        ([1] * 7, 15),  # equal shares: many tied statistics
        ([40, 20, 10, 10, 10, 5, 5], 16),  # round percentages: coincident sums
        ([74.4, 6.2, 3.1, 2.7, 2.5, 1.6, 0.9], 14),
    ],
)
def test_the_three_exact_algorithms_agree_on_medium_tables(shares, n):
    rng = np.random.default_rng(n)
    p = np.array(shares, float) / sum(shares)
    tables = [rng.multinomial(n, p).tolist() for _ in range(6)] + [[n] + [0] * (len(p) - 1)]
    for f_obs in tables:
        results = {
            algorithm: gap_analysis(
                labelled(f_obs), labelled(shares), method=ExactMethod(algorithm=algorithm)
            ).pvalue
            for algorithm in ALGORITHMS
        }
        assert results["halves"] == pytest.approx(results["full"], abs=1e-12)
        assert results["pruned"] == pytest.approx(results["full"], abs=1e-12)
