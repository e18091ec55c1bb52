"""Concentration of participation: the top tenth's share of seats and the Gini coefficient,
checked against brute-force computations."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from representativeness import concentration
from representativeness.selection import gini as selection_gini


def brute_gini(values: list[int]) -> float:
    """Σ_i Σ_j |x_i − x_j| / (2 n² mean), over every ordered pair."""
    n = len(values)
    total = sum(values)
    if n == 0 or total == 0:
        return 0.0
    pairs = sum(abs(a - b) for a, b in itertools.product(values, repeat=2))
    return pairs / (2 * n * n * (total / n))


def brute_top_share(values: list[int], fraction: float) -> float:
    """Try every set of ceil(n·fraction) people; the most seats any such set holds."""
    total = sum(values)
    if not total:
        return 0.0
    size = math.ceil(len(values) * fraction)
    best = max(sum(c) for c in itertools.combinations(values, size))
    return best / total


@pytest.mark.parametrize(
    ("values", "gini", "top_share"),
    [
        ([0, 0, 0, 0], 0.0, 0.0),
        ([2, 2, 2, 2, 2, 2, 2, 2, 2, 2], 0.0, 0.1),
        ([0] * 9 + [10], 0.9, 1.0),  # one person holds every seat: G = 1 - 1/n
        ([1, 2, 3, 4], 0.25, 0.4),  # mean |diff| = 20/16, G = 1.25 / (2 * 2.5)
        ([5], 0.0, 1.0),
    ],
)
def test_known_values(values, gini, top_share):
    result = concentration(values)
    assert result.gini == pytest.approx(gini, abs=1e-12)
    assert result.top_share == pytest.approx(top_share, abs=1e-12)
    assert result.seats == sum(values) and result.n == len(values)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.integers(0, 12), min_size=1, max_size=9), st.sampled_from([0.1, 0.25, 0.5]))
def test_matches_brute_force(values, fraction):
    result = concentration(values, top_fraction=fraction)
    assert result.gini == pytest.approx(brute_gini(values), abs=1e-12)
    assert result.gini == pytest.approx(selection_gini(values), abs=1e-12)
    assert result.top_share == pytest.approx(brute_top_share(values, fraction), abs=1e-12)
    assert result.top_people == math.ceil(len(values) * fraction)


def test_the_top_tenth_of_a_hundred_is_ten_people():
    values = list(range(100))
    result = concentration(values)
    assert result.top_people == 10
    assert result.top_seats == sum(range(90, 100))


def test_order_does_not_matter():
    rng = np.random.default_rng(1)
    values = [int(v) for v in rng.poisson(1.5, 500)]
    shuffled = list(rng.permutation(values))
    assert concentration(values) == concentration(shuffled)


def test_an_empty_register_has_no_concentration():
    result = concentration([])
    assert (result.n, result.seats, result.top_people, result.top_share, result.gini) == (
        0,
        0,
        0,
        0.0,
        0.0,
    )


@pytest.mark.parametrize("bad", [-1, 1.5])
def test_counts_must_be_whole_and_not_negative(bad):
    with pytest.raises(ValueError, match=f"{bad!r} is not one"):
        concentration([1, bad])


@pytest.mark.parametrize("fraction", [0, -0.1, 1.5])
def test_fraction_must_be_in_range(fraction):
    with pytest.raises(ValueError, match="top_fraction must be in"):
        concentration([1, 2], top_fraction=fraction)
