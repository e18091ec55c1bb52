"""A plain LEXIMIN, kept as a reference for the tests.

The published algorithm (Flanigan, Gölz, Gupta, Hennig and Procaccia, Nature 596,
2021, Methods) without any of the engine's speed-ups: no swap search, no smoothing, no
warm LP relaxation, no branch and bound, no pruning. Each round solves the master LP
over the panels found so far with ``scipy.optimize.linprog``, prices with one exact
integer program (``scipy.optimize.milp``) per iteration and adds a single panel; when
no panel beats the dual, the types with positive dual weight are fixed at the round's
optimum. It works over the same person types as the engine (by symmetry, LEXIMIN
gives every member of a type the same probability) but shares no code with it beyond
:func:`compile_instance`.
"""

from __future__ import annotations

import numpy as np
from scipy.optimize import Bounds, LinearConstraint, linprog, milp

from representativeness.selection.model import Instance

TOLERANCE = 1e-9
SLACK = 1e-9


def _constraints(instance: Instance) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Rows ``lo <= A c <= hi`` of the panel polytope (quotas, size, households)."""
    n_types = len(instance.types)
    rows, lo, hi = [], [], []
    for _, _, low, high, idx in instance.quota_rows:
        row = np.zeros(n_types)
        row[list(idx)] = 1.0
        rows.append(row)
        lo.append(low)
        hi.append(high)
    rows.append(np.ones(n_types))
    lo.append(instance.k)
    hi.append(instance.k)
    for members in instance.household_rows:
        row = np.zeros(n_types)
        row[list(members)] = 1.0
        rows.append(row)
        lo.append(0)
        hi.append(1)
    return np.array(rows), np.array(lo, dtype=float), np.array(hi, dtype=float)


def _best_panel(instance: Instance, weights: np.ndarray) -> tuple[np.ndarray, float]:
    """The panel maximising ``weights @ counts``, by one integer program."""
    a, lo, hi = _constraints(instance)
    result = milp(
        -weights,
        constraints=LinearConstraint(a, lo, hi),
        integrality=np.ones(len(weights)),
        bounds=Bounds(instance.lower.astype(float), instance.sizes.astype(float)),
        options={"mip_rel_gap": 1e-12},
    )
    assert result.status == 0, result.message
    counts = np.rint(result.x).astype(np.int64)
    return counts, float(weights @ counts)


def plain_leximin(instance: Instance) -> tuple[np.ndarray, np.ndarray]:
    """Return ``(type probabilities, panel weights)`` of the LEXIMIN distribution."""
    sizes = instance.sizes.astype(float)
    n_types = len(sizes)
    forced = np.array([t.must_include for t in instance.types])
    fixed = np.where(forced, 1.0, np.nan)
    panels = [_best_panel(instance, 1.0 / sizes)[0]]
    while True:
        unfixed = np.isnan(fixed)
        free = ~forced
        while True:
            shares = np.array(panels, dtype=float).T / sizes[:, None]  # types x panels
            m = shares.shape[1]
            # variables: lambda (m), z; maximise z
            cost = np.zeros(m + 1)
            cost[-1] = -1.0
            a_ub = np.hstack([-shares[free], unfixed[free, None].astype(float)])
            b_ub = -np.where(unfixed[free], 0.0, np.nan_to_num(fixed[free]) - SLACK)
            result = linprog(
                cost,
                A_ub=a_ub,
                b_ub=b_ub,
                A_eq=np.concatenate([np.ones(m), [0.0]])[None, :],
                b_eq=[1.0],
                bounds=[(0, None)] * m + [(0, 1)],
                method="highs",
            )
            assert result.status == 0, result.message
            z = float(result.x[-1])
            y = np.zeros(n_types)
            y[free] = -result.ineqlin.marginals
            mu = float(result.eqlin.marginals[0])
            counts, value = _best_panel(instance, y / sizes)
            # the dual of a column is mu: a panel worth more improves the master
            if value <= -mu + TOLERANCE or any((counts == p).all() for p in panels):
                break
            panels.append(counts)
        lam = result.x[:-1]
        if not unfixed.any():
            break
        positive = unfixed & (y > 1e-7)
        if not positive.any():
            positive = unfixed & (y == y[unfixed].max())
        fixed[positive] = z
        if np.isnan(fixed).sum() == 0:
            break
    probabilities = (np.array(panels, dtype=float).T @ lam) / sizes
    return probabilities, lam
