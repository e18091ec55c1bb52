"""LEXIMIN and MAXIMIN against brute force on small random pools."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from representativeness.selection import InfeasibleQuotasError, select_panel

from .helpers import (
    brute_force_leximin,
    brute_force_maximin,
    check_invariants,
    feasible_panels,
    panel_ok,
)

DIMENSIONS = {"age": ["18-34", "35-64", "65+"], "gender": ["f", "m"], "area": ["n", "s"]}


def random_instance(seed: int, households: bool = False, must: bool = False):
    rng = np.random.default_rng(seed)
    n = int(rng.integers(8, 13))
    k = int(rng.integers(3, 6))
    dims = list(DIMENSIONS)[: int(rng.integers(2, 4))]
    data = {"id": [f"p{i}" for i in range(n)]}
    for d in dims:
        cats = DIMENSIONS[d]
        # skewed shares so that some people are hard to select
        shares = rng.dirichlet(np.ones(len(cats)) * 0.8)
        data[d] = list(rng.choice(cats, size=n, p=shares))
    if households:
        data["household"] = [
            f"h{int(h)}" if rng.random() < 0.6 else "" for h in rng.integers(0, n // 2, size=n)
        ]
    pool = pd.DataFrame(data)
    quotas = {}
    # Half the instances ask for equal numbers per category (over-representing rare
    # categories), which gives unequal LEXIMIN probabilities.
    equal = rng.random() < 0.6
    for d in dims:
        quotas[d] = {}
        for cat in DIMENSIONS[d]:
            share = 1 / len(DIMENSIONS[d]) if equal else (pool[d] == cat).mean()
            lo = max(0, int(np.floor(k * share)) - int(rng.integers(0, 2)))
            hi = min(k, int(np.ceil(k * share)) + int(rng.integers(0, 2)))
            quotas[d][cat] = (lo, hi)
    must_include = (str(pool["id"].iloc[int(rng.integers(n))]),) if must else ()
    return pool, quotas, k, ("household" if households else None), must_include


CASES = [(seed, False, False) for seed in range(30)]
CASES += [(seed, True, False) for seed in range(100, 115)]
CASES += [(seed, False, True) for seed in range(200, 210)]


@pytest.mark.parametrize(("seed", "households", "must"), CASES)
def test_leximin_matches_brute_force(seed: int, households: bool, must: bool) -> None:
    pool, quotas, k, household_column, must_include = random_instance(seed, households, must)
    panels = feasible_panels(pool, quotas, k, household_column, must_include)
    if not panels:
        with pytest.raises(InfeasibleQuotasError) as caught:
            select_panel(
                pool,
                quotas,
                k,
                seed=0,
                household_column=household_column,
                must_include=must_include,
            )
        suggested = caught.value.report.suggested_quotas
        if suggested is not None:
            assert feasible_panels(pool, suggested, k, household_column, must_include)
        return
    expected = brute_force_leximin(list(pool["id"]), panels)
    # by the relaxation (or column generation, where no mixture is found), and by
    # column generation alone
    for relaxation in (True, False):
        result = select_panel(
            pool,
            quotas,
            k,
            seed=seed,
            household_column=household_column,
            must_include=must_include,
            relaxation=relaxation,
        )
        check_invariants(result, pool, quotas, k, household_column, must_include)
        for pid, p in expected.items():
            assert result.probabilities[pid] == pytest.approx(p, abs=1e-6), pid
        assert result.min_probability == pytest.approx(
            brute_force_maximin(list(pool["id"]), panels), abs=1e-7
        )


FEASIBLE_SEEDS = [0, 2, 6, 10, 14, 15, 16, 17, 21, 23]


@pytest.mark.parametrize("seed", FEASIBLE_SEEDS)
def test_maximin_matches_brute_force(seed: int) -> None:
    pool, quotas, k, _, _ = random_instance(seed)
    panels = feasible_panels(pool, quotas, k)
    assert panels, "the seeds are chosen to give feasible instances"
    result = select_panel(pool, quotas, k, seed=seed, algorithm="maximin")
    check_invariants(result, pool, quotas, k)
    assert result.min_probability == pytest.approx(
        brute_force_maximin(list(pool["id"]), panels), abs=1e-7
    )


def test_types_are_used_and_draws_are_uniform_within_a_type() -> None:
    pool = pd.DataFrame({"id": [f"p{i}" for i in range(12)], "gender": ["f"] * 9 + ["m"] * 3})
    quotas = {"gender": {"f": (2, 2), "m": (2, 2)}}
    result = select_panel(pool, quotas, 4, seed=1)
    assert result.stats.n_types == 2
    assert result.probabilities["p0"] == pytest.approx(2 / 9)
    assert result.probabilities["p11"] == pytest.approx(2 / 3)
    counts = dict.fromkeys(pool["id"], 0)
    from representativeness.selection import draw_panel

    draws = 3000
    for seed in range(draws):
        for pid in draw_panel(result.types, result.distribution, seed):
            counts[pid] += 1
    for pid, p in result.probabilities.items():
        assert counts[pid] / draws == pytest.approx(p, abs=0.035)
    assert panel_ok(result.panel, pool, quotas, 4)
