"""LEXIMIN finishes on generated 500-person co-production pools.

On some of these pools earlier versions ended a LEXIMIN round with an infeasible
master LP (seed 12), or ran the master LP into HiGHS status kUnknown after more than
a thousand iterations (seed 5 with k = 30); both raised RuntimeError.
"""

from __future__ import annotations

import pytest

from representativeness.selection import quotas_from_shares, select_panel
from representativeness.selection.synthetic import coproduction_pool

from .helpers import check_invariants


@pytest.mark.slow
@pytest.mark.parametrize(("seed", "k"), [(12, 24), (5, 30)])
def test_leximin_finishes_on_generated_pools(seed: int, k: int) -> None:
    pool, shares = coproduction_pool(seed=seed)
    quotas = quotas_from_shares(shares, k, tolerance=1)
    leximin = select_panel(pool, quotas, k, seed=seed)
    check_invariants(leximin, pool, quotas, k)
    maximin = select_panel(pool, quotas, k, seed=seed, algorithm="maximin")
    assert leximin.min_probability == pytest.approx(maximin.min_probability, abs=1e-7)
