"""LEXIMIN finishes on generated 500-person co-production pools.

On some of these pools earlier versions ended a LEXIMIN round with an infeasible
master LP (seed 12), or ran the master LP into HiGHS status kUnknown after more than
a thousand iterations (seed 5 with k = 30); both raised RuntimeError.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from representativeness.selection import quotas_from_shares, select_panel

from .helpers import check_invariants

# (target shares, shares among volunteers) per dimension, as in benchmarks/selection.py
DIMENSIONS = {
    "age": ({"18-29": 0.18, "30-44": 0.24, "45-64": 0.33, "65+": 0.25},
            [0.10, 0.20, 0.40, 0.30]),
    "gender": ({"woman": 0.51, "man": 0.47, "other": 0.02}, [0.62, 0.35, 0.03]),
    "ethnicity": ({"Asian": 0.09, "Black": 0.04, "Mixed": 0.03, "White": 0.82, "Other": 0.02},
                  [0.06, 0.03, 0.02, 0.87, 0.02]),
    "disability": ({"yes": 0.22, "no": 0.78}, [0.45, 0.55]),
    "area": ({"north": 0.25, "south": 0.25, "east": 0.25, "west": 0.25},
             [0.40, 0.25, 0.20, 0.15]),
    "role": ({"uses services": 0.5, "carer": 0.3, "both": 0.2}, [0.55, 0.35, 0.10]),
}


def generated_pool(seed: int, n: int = 500) -> tuple[pd.DataFrame, dict[str, dict[str, float]]]:
    rng = np.random.default_rng(seed)
    data: dict[str, list[str]] = {"id": [f"v{i:03d}" for i in range(n)]}
    shares = {}
    for dimension, (target, volunteers) in DIMENSIONS.items():
        data[dimension] = list(rng.choice(list(target), size=n, p=volunteers))
        shares[dimension] = target
    return pd.DataFrame(data), shares


@pytest.mark.slow
@pytest.mark.parametrize(("seed", "k"), [(12, 24), (5, 30)])
def test_leximin_finishes_on_generated_pools(seed: int, k: int) -> None:
    pool, shares = generated_pool(seed)
    quotas = quotas_from_shares(shares, k, tolerance=1)
    leximin = select_panel(pool, quotas, k, seed=seed)
    check_invariants(leximin, pool, quotas, k)
    maximin = select_panel(pool, quotas, k, seed=seed, algorithm="maximin")
    assert leximin.min_probability == pytest.approx(maximin.min_probability, abs=1e-7)
