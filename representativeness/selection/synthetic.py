"""Synthetic co-production pools, for benchmarks and tests.

Who volunteers for co-production differs from the population a service affects (more
older people, more White British people, fewer younger adults), so each dimension has
two sets of shares: the target population's, and the volunteers' from which a pool is
drawn. The figures are illustrative, not from a survey.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .quotas import quotas_from_shares

# dimension: (target shares, shares among volunteers, in the same category order)
COPRODUCTION_DIMENSIONS: dict[str, tuple[dict[str, float], list[float]]] = {
    "age": ({"18-29": 0.18, "30-44": 0.24, "45-64": 0.33, "65+": 0.25}, [0.10, 0.20, 0.40, 0.30]),
    "gender": ({"woman": 0.51, "man": 0.47, "other": 0.02}, [0.62, 0.35, 0.03]),
    "ethnicity": (
        {"Asian": 0.09, "Black": 0.04, "Mixed": 0.03, "White": 0.82, "Other": 0.02},
        [0.06, 0.03, 0.02, 0.87, 0.02],
    ),
    "disability": ({"yes": 0.22, "no": 0.78}, [0.45, 0.55]),
    "area": ({"north": 0.25, "south": 0.25, "east": 0.25, "west": 0.25}, [0.40, 0.25, 0.20, 0.15]),
    "role": ({"uses services": 0.5, "carer": 0.3, "both": 0.2}, [0.55, 0.35, 0.10]),
}


def coproduction_pool(
    n: int = 500, seed: int = 2024
) -> tuple[pd.DataFrame, dict[str, dict[str, float]]]:
    """Return ``(pool, target shares)``: ``n`` volunteers with an ``id`` column and one
    column per dimension of :data:`COPRODUCTION_DIMENSIONS`, reproducible from ``seed``."""
    rng = np.random.default_rng(seed)
    data: dict[str, list[str]] = {"id": [f"v{i:03d}" for i in range(n)]}
    shares = {}
    for dimension, (target, volunteers) in COPRODUCTION_DIMENSIONS.items():
        data[dimension] = list(rng.choice(list(target), size=n, p=volunteers))
        shares[dimension] = target
    return pd.DataFrame(data), shares


def register_pool(
    n: int,
    k: int,
    seed: int,
    *,
    household_share: float = 0.0,
    n_confirmed: int = 0,
) -> tuple[pd.DataFrame, dict[str, dict[str, tuple[int, int]]], tuple[str, ...]]:
    """Return ``(pool, quotas, confirmed)``: a register-scale co-production pool.

    The pool is :func:`coproduction_pool`'s with a ``household`` column: about
    ``household_share`` of the people live in two-person households (empty for everyone
    else). ``n_confirmed`` people, drawn from those living alone, are already confirmed,
    as in a replacement draw. The quotas are those of the target shares with tolerance
    1, which the confirmed people count towards.
    """
    pool, shares = coproduction_pool(n, seed)
    rng = np.random.default_rng([seed, 1])
    households = np.array([""] * n, dtype=object)
    in_household = rng.permutation(n)[: 2 * int(n * household_share / 2)]
    for h, pair in enumerate(in_household.reshape(-1, 2)):
        households[pair] = f"h{h}"
    pool = pool.assign(household=households)
    alone = np.flatnonzero(households == "")
    confirmed = tuple(str(pool["id"].iloc[i]) for i in rng.choice(alone, n_confirmed, False))
    return pool, quotas_from_shares(shares, k, tolerance=1), confirmed
