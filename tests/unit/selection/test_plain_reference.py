"""The engine's LEXIMIN against a plain implementation of the published algorithm."""

from __future__ import annotations

import numpy as np
import pytest

from representativeness.selection import compile_instance, select_panel

from .helpers import check_invariants
from .plain_leximin import plain_leximin
from .pools import register_pool


@pytest.mark.parametrize(
    ("n", "k", "seed", "household_share", "n_confirmed"),
    # the third is mid-size: 300 people, 167 types, 8 levels (about 11 s for the plain one)
    [(150, 15, 1, 0.0, 0), (120, 12, 4, 0.3, 2), (300, 20, 2, 0.1, 1)],
)
def test_leximin_matches_the_plain_algorithm(
    n: int, k: int, seed: int, household_share: float, n_confirmed: int
) -> None:
    pool, quotas, confirmed = register_pool(
        n, k, seed, household_share=household_share, n_confirmed=n_confirmed
    )
    options = {"household_column": "household", "must_include": confirmed}
    instance = compile_instance(pool, quotas, k, **options)
    expected, _ = plain_leximin(instance)
    assert len(np.unique(np.round(expected, 6))) > 2, "the instance should have several levels"
    result = select_panel(pool, quotas, k, seed=seed, **options)
    check_invariants(result, pool, quotas, k, "household", confirmed)
    assert result.complete
    # compile_instance is deterministic, so the types come in the same order
    assert [t.members for t in result.types] == [t.members for t in instance.types]
    np.testing.assert_allclose(result.type_probabilities(), expected, rtol=0, atol=1e-6)
    levels = np.unique(np.round(expected[expected < 1 - 1e-9], 6))
    assert result.leximin_levels_fixed >= len(levels)
