"""The time budget of LEXIMIN: a MAXIMIN-optimal distribution, marked as unfinished.

The budget bounds column generation, which runs when the relaxation's LEXIMIN point is
no mixture of panels (see test_relaxation.py for such a pool, and for the budget not
cutting a mixture short); here column generation is asked for directly.
"""

from __future__ import annotations

import numpy as np
import pytest

from representativeness.selection import ProgressEvent, select_panel

from .helpers import check_invariants
from .pools import register_pool


@pytest.fixture(scope="module")
def pool_500():
    return register_pool(500, 24, 7, household_share=0.1, n_confirmed=1)


def _select(pool_500, **options):
    pool, quotas, confirmed = pool_500
    return select_panel(
        pool,
        quotas,
        24,
        seed=3,
        household_column="household",
        must_include=confirmed,
        relaxation=False,
        **options,
    )


def test_a_budget_too_short_gives_a_maximin_optimal_distribution(pool_500) -> None:
    pool, quotas, confirmed = pool_500
    stopped = _select(pool_500, time_limit=0.0)
    check_invariants(stopped, pool, quotas, 24, "household", confirmed)
    assert not stopped.complete
    assert stopped.leximin_levels_fixed == len(stopped.levels) >= 1
    maximin = _select(pool_500, algorithm="maximin")
    assert maximin.complete and maximin.leximin_levels_fixed == 1
    assert stopped.min_probability == pytest.approx(maximin.min_probability, abs=1e-7)
    assert stopped.levels[0] == pytest.approx(maximin.min_probability, abs=1e-7)
    # everyone is at least at the MAXIMIN optimum
    assert min(stopped.probabilities.values()) >= maximin.min_probability - 1e-7


def test_without_a_budget_leximin_finishes_and_dominates(pool_500) -> None:
    events: list[ProgressEvent] = []
    full = _select(pool_500, progress=events.append)
    stopped = _select(pool_500, time_limit=0.0)
    assert full.complete
    assert full.leximin_levels_fixed > stopped.leximin_levels_fixed
    assert list(full.levels) == sorted(full.levels)
    assert full.levels[: len(stopped.levels)] == pytest.approx(stopped.levels, abs=1e-7)
    # LEXIMIN dominates within its tolerance: the sorted probabilities are
    # lexicographically at least those of the stopped run (1e-6: a round's optimum is
    # met only within the LP tolerances, and a type of small dual may exceed it a little)
    lex = np.sort(list(full.probabilities.values()))
    cut = np.sort(list(stopped.probabilities.values()))
    first = np.flatnonzero(np.abs(lex - cut) > 1e-6)
    assert first.size == 0 or lex[first[0]] > cut[first[0]]
    # the progress bar moves: rounds and fixed types only go up, the minimum is reported
    rounds = [e.rounds_done for e in events]
    assert rounds == sorted(rounds) and rounds[-1] == full.leximin_levels_fixed
    fixed = [e.fixed_types for e in events]
    assert fixed == sorted(fixed) and fixed[-1] == events[-1].total_types
    after_first = [e.minimum for e in events if e.rounds_done >= 1]
    assert after_first == pytest.approx([full.min_probability] * len(after_first), abs=1e-7)


@pytest.mark.parametrize("limit", [-1.0, float("nan")])
def test_time_limit_must_be_a_number_of_seconds(pool_500, limit: float) -> None:
    with pytest.raises(ValueError, match="time_limit=.* is not valid"):
        _select(pool_500, time_limit=limit)
