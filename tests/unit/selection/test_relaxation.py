"""LEXIMIN over the LP relaxation, written as a mixture of panels, against column
generation over panels (the engine without the relaxation) and against brute force."""

from __future__ import annotations

import numpy as np
import pytest

from representativeness.selection import ProgressEvent, compile_instance, relaxed, select_panel
from representativeness.selection.leximin import column_generation

from .helpers import brute_force_leximin, brute_force_maximin, check_invariants, feasible_panels
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
    assert mixture.exact
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


def test_without_rounding_dives_the_integer_program_finds_the_panels(monkeypatch) -> None:
    pool, quotas, confirmed = register_pool(300, 20, 5, household_share=0.1, n_confirmed=1)
    instance = compile_instance(
        pool, quotas, 20, household_column="household", must_include=confirmed
    )
    point = relaxed.relaxed_leximin(instance)
    with_dives = relaxed.decompose(instance, point.x)
    # the dives find nearly every panel; here a couple need the integer program
    assert with_dives.exact and with_dives.integer_programs < with_dives.steps / 20
    monkeypatch.setattr(relaxed, "DIVE_DEPTH", 0)
    without = relaxed.decompose(instance, point.x)
    assert without.exact and without.integer_programs > 5 * max(1, with_dives.integer_programs)
    np.testing.assert_allclose(without.weights @ without.panels, point.x, atol=1e-7)


def test_another_try_along_other_panels_finds_the_mixture() -> None:
    # On this small pool the relaxation's point is a mixture of panels (brute force
    # reaches its levels), but the first greedy peeling leaves a rest outside the
    # panels' hull; a later try, with the panels' weights shaken, finds the mixture.
    pool, quotas, k, _, _ = random_instance(0)
    instance = compile_instance(pool, quotas, k)
    point = relaxed.relaxed_leximin(instance)
    tries = [relaxed.decompose(instance, point.x, attempt=a).exact for a in range(3)]
    assert tries == [False, False, True]
    result = select_panel(pool, quotas, k, seed=0)
    assert result.stats.method == "relaxation" and result.complete
    check_invariants(result, pool, quotas, k)
    expected = brute_force_leximin(list(pool["id"]), feasible_panels(pool, quotas, k))
    for pid, p in expected.items():
        assert result.probabilities[pid] == pytest.approx(p, abs=1e-7)


def _outside_the_hull():
    """A pool with households whose relaxation promises more than any lottery gives."""
    pool, quotas, k, household_column, _ = random_instance(2, households=True)
    return pool, quotas, k, household_column


def test_when_the_relaxation_promises_too_much_column_generation_finds_leximin() -> None:
    pool, quotas, k, household_column = _outside_the_hull()
    instance = compile_instance(pool, quotas, k, household_column=household_column)
    point = relaxed.relaxed_leximin(instance)
    panels = feasible_panels(pool, quotas, k, household_column)
    expected = brute_force_leximin(list(pool["id"]), panels)
    levels = sorted(set(np.round(list(expected.values()), 6)))
    # the second level of the relaxation (1/2) is above LEXIMIN's (2/5): its point is
    # no mixture of panels, so every try fails
    assert levels == pytest.approx([0.2, 0.4, 0.6], abs=1e-6)
    assert point.levels == pytest.approx((0.2, 0.5), abs=1e-7)
    assert not any(relaxed.decompose(instance, point.x, attempt=a).exact for a in range(3))
    result = select_panel(pool, quotas, k, seed=0, household_column=household_column)
    assert result.stats.method == "column_generation" and result.complete
    check_invariants(result, pool, quotas, k, household_column)
    for pid, p in expected.items():
        assert result.probabilities[pid] == pytest.approx(p, abs=1e-7)
    # with no time to spare, column generation stops after MAXIMIN, and says so
    stopped = select_panel(pool, quotas, k, seed=0, household_column=household_column, time_limit=0)
    assert not stopped.complete and stopped.levels == pytest.approx((0.2,), abs=1e-9)
    assert stopped.min_probability == pytest.approx(brute_force_maximin(list(pool["id"]), panels))


def test_a_budget_does_not_cut_the_mixture_short() -> None:
    pool, quotas, confirmed = register_pool(2000, 24, 9, household_share=0.1, n_confirmed=1)
    options = {"household_column": "household", "must_include": confirmed, "seed": 4}
    result = select_panel(pool, quotas, 24, **options)
    assert result.complete and result.stats.method == "relaxation"
    assert result.leximin_levels_fixed == len(result.levels) > 3
    # until the mixture is found there is no distribution at all, and it is found long
    # before column generation's MAXIMIN round would end: a budget of nothing gets the
    # whole LEXIMIN
    hurried = select_panel(pool, quotas, 24, time_limit=0.0, **options)
    assert hurried.complete and hurried.stats.method == "relaxation"
    assert hurried.probabilities == result.probabilities and hurried.panel == result.panel


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
