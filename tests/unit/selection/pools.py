"""Generated pools for the tests: co-production pools with households and confirmed people."""

from __future__ import annotations

import numpy as np
import pandas as pd

from representativeness.selection import quotas_from_shares
from representativeness.selection.model import Quotas
from representativeness.selection.synthetic import coproduction_pool


def register_pool(
    n: int,
    k: int,
    seed: int,
    *,
    household_share: float = 0.0,
    n_confirmed: int = 0,
) -> tuple[pd.DataFrame, Quotas, tuple[str, ...]]:
    """A co-production pool with quotas (tolerance 1), households and confirmed people.

    About ``household_share`` of the people live in two-person households (column
    ``household``; empty for everyone else). ``n_confirmed`` people, drawn from those
    living alone, are already confirmed, as in a replacement draw; the quotas are the
    usual ones, which these people then count towards.
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
