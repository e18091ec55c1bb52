"""Selection from register-scale pools with households and confirmed people.

Replacement draws confirm some people in advance; households allow one person each.
The whole LEXIMIN runs (over the relaxation, written as a mixture of panels); its
minimum is checked against MAXIMIN by column generation, which shares no code with it
but the compiled pool, and a budget of nothing gives that MAXIMIN, marked unfinished.
"""

from __future__ import annotations

import pytest

from representativeness.selection import select_panel

from .helpers import check_invariants
from .pools import register_pool


def _check_register_draw(
    n: int,
    k: int,
    seed: int,
    household_share: float,
    n_confirmed: int,
    against_maximin: bool = True,
):
    pool, quotas, confirmed = register_pool(
        n, k, seed, household_share=household_share, n_confirmed=n_confirmed
    )
    options = {"household_column": "household", "must_include": confirmed, "seed": seed}
    result = select_panel(pool, quotas, k, **options)
    check_invariants(result, pool, quotas, k, "household", confirmed)
    assert result.complete and result.stats.method == "relaxation"
    assert result.leximin_levels_fixed == len(result.levels) > 3
    if against_maximin:
        maximin = select_panel(pool, quotas, k, algorithm="maximin", **options)
        assert maximin.stats.method == "column_generation"
        assert result.min_probability == pytest.approx(maximin.min_probability, abs=1e-7)
    for pid in confirmed:
        assert result.probabilities[pid] == pytest.approx(1.0, abs=1e-9)
    # no two people of a shared household are ever on a panel together
    households = dict(zip(pool["id"], pool["household"], strict=True))
    for type_panel in result.distribution:
        homes = [
            households[t.members[0]]
            for t, c in zip(result.types, type_panel.counts, strict=True)
            if c and households[t.members[0]]
        ]
        assert len(homes) == len(set(homes))
    return result


def test_register_of_2000_with_households_and_confirmed_people() -> None:
    result = _check_register_draw(2000, 24, 11, household_share=0.1, n_confirmed=2)
    assert result.stats.n_types > 400


def test_register_of_5000_with_households_and_confirmed_people() -> None:
    result = _check_register_draw(5000, 30, 12, household_share=0.05, n_confirmed=3)
    assert result.stats.n_types > 800


@pytest.mark.slow
def test_register_of_20000_with_households_and_confirmed_people() -> None:
    # column generation's MAXIMIN takes over a minute here; the minimum is checked
    # against it at 2,000 and 5,000
    result = _check_register_draw(
        20000, 30, 13, household_share=0.05, n_confirmed=2, against_maximin=False
    )
    assert result.stats.n_types > 1500
