"""Selection from register-scale pools with households and confirmed people.

Replacement draws confirm some people in advance; households allow one person each.
The whole LEXIMIN takes longer at this scale, so these tests give it no time budget
beyond its first round (MAXIMIN) and check the fairness guarantee of that result.
"""

from __future__ import annotations

import pytest

from representativeness.selection import select_panel

from .helpers import check_invariants
from .pools import register_pool


def _check_register_draw(n: int, k: int, seed: int, household_share: float, n_confirmed: int):
    pool, quotas, confirmed = register_pool(
        n, k, seed, household_share=household_share, n_confirmed=n_confirmed
    )
    options = {"household_column": "household", "must_include": confirmed, "seed": seed}
    result = select_panel(pool, quotas, k, time_limit=0.0, **options)
    check_invariants(result, pool, quotas, k, "household", confirmed)
    assert result.leximin_levels_fixed >= 1
    maximin = select_panel(pool, quotas, k, algorithm="maximin", **options)
    assert result.min_probability == pytest.approx(maximin.min_probability, abs=1e-7)
    for pid in confirmed:
        assert result.probabilities[pid] == pytest.approx(1.0, abs=1e-9)
    return result


def test_register_of_2000_with_households_and_confirmed_people() -> None:
    result = _check_register_draw(2000, 24, 11, household_share=0.1, n_confirmed=2)
    assert result.stats.n_types > 400


@pytest.mark.slow
def test_register_of_5000_with_households_and_confirmed_people() -> None:
    _check_register_draw(5000, 30, 12, household_share=0.05, n_confirmed=3)
