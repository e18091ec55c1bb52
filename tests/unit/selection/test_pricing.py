"""The pricing step of column generation against the exact integer program."""

from __future__ import annotations

import numpy as np
import pytest

from representativeness.selection import leximin, quotas_from_shares
from representativeness.selection.leximin import PanelOracle
from representativeness.selection.model import Instance, compile_instance
from representativeness.selection.synthetic import coproduction_pool

from .test_bruteforce import random_instance


def _instances() -> list[Instance]:
    found = []
    for seed in range(80):
        pool, quotas, k, household, _ = random_instance(seed, households=seed % 3 == 0)
        instance = compile_instance(pool, quotas, k, household_column=household)
        if PanelOracle(instance).best(np.zeros(len(instance.types))) is not None:
            found.append(instance)
    for seed in (12, 5, 1, 2, 3, 4):
        pool, shares = coproduction_pool(n=200, seed=seed)
        found.append(compile_instance(pool, quotas_from_shares(shares, 24, tolerance=1), 24))
    return found


def _is_panel(instance: Instance, counts: np.ndarray) -> bool:
    if counts.sum() != instance.k or (counts < instance.lower).any():
        return False
    if (counts > instance.sizes).any():
        return False
    for _, _, lo, hi, idx in instance.quota_rows:
        if not lo <= counts[list(idx)].sum() <= hi:
            return False
    return all(counts[list(h)].sum() <= 1 for h in instance.household_rows)


@pytest.mark.parametrize("branch_nodes", [0, leximin.BRANCH_NODES])
@pytest.mark.parametrize("instance", _instances())
def test_price_finds_the_optimum_or_proves_the_cutoff(
    instance: Instance, branch_nodes: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``price`` returns an optimal panel, or None exactly when none beats the cutoff.

    Weights are drawn like the duals of the master LP: non-negative, often sparse.
    With no branch and bound nodes allowed, every fractional LP goes to the ILP.
    """
    monkeypatch.setattr(leximin, "BRANCH_NODES", branch_nodes)
    oracle = PanelOracle(instance)
    n_types = len(instance.types)
    rng = np.random.default_rng(n_types)
    for _ in range(25):
        weights = rng.exponential(size=n_types) * (rng.random(n_types) < rng.random())
        weights /= instance.sizes
        best, optimum, _ = oracle.best(weights)
        worse = oracle.best(-weights)[0]
        for cutoff in (-np.inf, optimum - 1e-6, optimum + 1e-9):
            for known in ([], [best], [worse]):
                found = oracle.price(weights, cutoff, known.copy)
                if optimum <= cutoff:
                    assert found is None
                    continue
                assert found is not None
                panel, value = found
                assert value == pytest.approx(optimum, abs=1e-10)
                assert float(weights @ panel) == pytest.approx(value, abs=1e-12)
                assert _is_panel(instance, panel)
