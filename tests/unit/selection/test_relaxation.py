"""LEXIMIN over the LP relaxation, written as a mixture of panels, against column
generation over panels (the engine without the relaxation) and against brute force."""

from __future__ import annotations

import numpy as np
import pytest

from representativeness.selection import ProgressEvent, compile_instance, relaxed, select_panel
from representativeness.selection.leximin import column_generation

from .helpers import brute_force_leximin, check_invariants, feasible_panels
from .pools import register_pool
from .test_bruteforce import random_instance


@pytest.mark.parametrize(
    ("n", "k", "seed", "household_share", "n_confirmed"),
    [(500, 24, 3, 0.1, 1), (1000, 24, 5, 0.0, 0)],
)
def test_the_relaxation_gives_the_levels_of_column_generation(
    n: int, k: int, seed: int, household_share: float, n_confirmed: int
) -> None:
    pool, quotas, confirmed = register_pool(
        n, k, seed, household_share=household_share, n_confirmed=n_confirmed
    )
    options = {"household_column": "household", "must_include": confirmed}
    result = select_panel(pool, quotas, k, seed=seed, **options)
    check_invariants(result, pool, quotas, k, "household", confirmed)
    assert result.complete and result.stats.method == "relaxation"
    instance = compile_instance(pool, quotas, k, **options)
    by_panels = column_generation(instance, relaxation=False)
    assert by_panels.method == "column_generation" and by_panels.complete
    expected = (by_panels.weights @ by_panels.panels) / instance.sizes
    np.testing.assert_allclose(result.type_probabilities(), expected, rtol=0, atol=1e-6)
    assert len(np.unique(np.round(expected, 6))) > 3, "the instance should have several levels"
    np.testing.assert_allclose(result.levels[0], by_panels.levels[0], atol=1e-7)


def test_the_mixture_reproduces_the_relaxations_point_with_valid_panels() -> None:
    pool, quotas, confirmed = register_pool(2000, 24, 8, household_share=0.1, n_confirmed=2)
    instance = compile_instance(
        pool, quotas, 24, household_column="household", must_include=confirmed
    )
    point = relaxed.relaxed_leximin(instance)
    # every type is at its level (within the LP's tolerances), the levels rise, the
    # panel size is met in expectation
    sizes = instance.sizes.astype(float)
    assert (point.x / sizes >= point.fixed - 1e-9).all()
    np.testing.assert_allclose(point.x / sizes, point.fixed, atol=1e-7)
    assert list(point.levels) == sorted(point.levels)
    assert point.x.sum() == pytest.approx(24, abs=1e-8)
    mixture = relaxed.decompose(instance, point.x)
    assert mixture.exact and not mixture.stopped_by_deadline
    assert mixture.weights.sum() == pytest.approx(1.0, abs=1e-12)
    np.testing.assert_allclose(mixture.weights @ mixture.panels, point.x, atol=1e-7)
    # Carathéodory: no more panels than the face has dimensions, plus one
    assert len(mixture.panels) <= len(instance.types) + 1
    for counts in mixture.panels:
        assert counts.sum() == 24
        assert (counts >= instance.lower).all() and (counts <= instance.sizes).all()
        for _, _, lo, hi, idx in instance.quota_rows:
            assert lo <= counts[list(idx)].sum() <= hi
        for household in instance.household_rows:
            assert counts[list(household)].sum() <= 1


def test_when_no_mixture_is_found_column_generation_finds_leximin() -> None:
    # On this small pool the relaxation's point is a mixture of panels (brute force
    # reaches its levels), but peeling panels off greedily leaves a rest outside the
    # panels' hull, so column generation takes over, from the panels found.
    pool, quotas, k, household_column, must_include = random_instance(0)
    instance = compile_instance(pool, quotas, k)
    point = relaxed.relaxed_leximin(instance)
    assert not relaxed.decompose(instance, point.x).exact
    result = select_panel(pool, quotas, k, seed=0)
    assert result.stats.method == "column_generation" and result.complete
    check_invariants(result, pool, quotas, k)
    expected = brute_force_leximin(list(pool["id"]), feasible_panels(pool, quotas, k))
    for pid, p in expected.items():
        assert result.probabilities[pid] == pytest.approx(p, abs=1e-7)
    assert sorted(set(np.round(list(expected.values()), 7))) == pytest.approx(
        sorted(set(np.round(point.levels, 7))), abs=1e-7
    )


def test_a_budget_long_enough_for_the_relaxation_gives_full_leximin() -> None:
    pool, quotas, confirmed = register_pool(2000, 24, 9, household_share=0.1, n_confirmed=1)
    options = {"household_column": "household", "must_include": confirmed, "seed": 4}
    result = select_panel(pool, quotas, 24, time_limit=60.0, **options)
    assert result.complete and result.stats.method == "relaxation"
    assert result.leximin_levels_fixed == len(result.levels) > 3
    # a budget of nothing stops before the first panel is peeled off: column
    # generation's MAXIMIN, with the same minimum
    stopped = select_panel(pool, quotas, 24, time_limit=0.0, **options)
    assert not stopped.complete and stopped.stats.method == "column_generation"
    assert stopped.min_probability == pytest.approx(result.min_probability, abs=1e-7)


def test_a_draw_replays_with_column_generation_when_asked() -> None:
    pool, quotas, confirmed = register_pool(300, 20, 2, household_share=0.1, n_confirmed=1)
    options = {"household_column": "household", "must_include": confirmed, "seed": 11}
    fast = select_panel(pool, quotas, 20, **options)
    slow = select_panel(pool, quotas, 20, relaxation=False, **options)
    assert (fast.stats.method, slow.stats.method) == ("relaxation", "column_generation")
    assert slow.panel == select_panel(pool, quotas, 20, relaxation=False, **options).panel
    assert fast.panel == select_panel(pool, quotas, 20, **options).panel
    for pid, p in slow.probabilities.items():
        assert fast.probabilities[pid] == pytest.approx(p, abs=1e-6)


def test_the_progress_bar_moves_while_panels_are_peeled_off() -> None:
    pool, quotas, _ = register_pool(2000, 24, 10)
    events: list[ProgressEvent] = []
    result = select_panel(pool, quotas, 24, seed=2, progress=events.append)
    peeling = [e for e in events if e.phase == "decomposition"]
    assert len(peeling) >= 5
    shares = [e.fixed_types for e in peeling]
    assert shares == sorted(shares) and 0 < shares[0] < shares[-1] <= result.stats.n_types
    assert all(e.minimum == pytest.approx(result.min_probability, abs=1e-7) for e in peeling)
    assert [e.rounds_done for e in events if e.phase == "fixed"] == list(
        range(1, result.leximin_levels_fixed + 1)
    )
    assert events[-1].phase == "done" and events[-1].fixed_types == events[-1].total_types
