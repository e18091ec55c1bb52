"""Shared checks for the selection tests: invariants and a brute-force LEXIMIN."""

from __future__ import annotations

import itertools
from collections.abc import Mapping

import numpy as np
import pandas as pd
from scipy.optimize import linprog

from representativeness.selection import SelectionResult

TOL = 1e-7


def panel_ok(
    members: list[str] | tuple[str, ...],
    pool: pd.DataFrame,
    quotas: Mapping[str, Mapping[str, tuple[int, int]]],
    k: int,
    household_column: str | None = None,
    id_column: str = "id",
) -> bool:
    """Whether a set of ids is a panel meeting every quota and the household rule."""
    rows = pool.set_index(id_column).loc[list(members)]
    if len(set(members)) != k:
        return False
    for dimension, categories in quotas.items():
        counts = rows[dimension].value_counts()
        for category, (lo, hi) in categories.items():
            if not lo <= counts.get(category, 0) <= hi:
                return False
    if household_column is not None:
        households = [h for h in rows[household_column] if str(h).strip() != ""]
        if len(households) != len(set(households)):
            return False
    return True


def check_invariants(
    result: SelectionResult,
    pool: pd.DataFrame,
    quotas: Mapping[str, Mapping[str, tuple[int, int]]],
    k: int,
    household_column: str | None = None,
    must_include: tuple[str, ...] = (),
) -> None:
    """Every panel is feasible; probabilities sum to k and match the distribution."""
    weights = np.array([p.probability for p in result.distribution])
    assert (weights > 0).all()
    assert abs(weights.sum() - 1) < 1e-9
    sizes = [t.size for t in result.types]
    ids_by_type = [t.members for t in result.types]
    for type_panel in result.distribution:
        assert sum(type_panel.counts) == k
        assert all(0 <= c <= n for c, n in zip(type_panel.counts, sizes, strict=True))
        # Any choice of members within types is a valid panel: check the first ones.
        members = [
            pid for ids, c in zip(ids_by_type, type_panel.counts, strict=True) for pid in ids[:c]
        ]
        assert panel_ok(members, pool, quotas, k, household_column)
    for t in result.types:
        if t.must_include:
            assert all(p.counts[result.types.index(t)] == t.size for p in result.distribution)
    assert panel_ok(result.panel, pool, quotas, k, household_column)
    assert set(must_include) <= set(result.panel)
    probs = result.probabilities
    assert abs(sum(probs.values()) - k) < 1e-7
    type_probs = result.type_probabilities()
    for t, p in zip(result.types, type_probs, strict=True):
        for pid in t.members:
            assert abs(probs[pid] - p) < 1e-12
    values = np.array(list(probs.values()))
    assert result.min_probability == values.min()
    assert abs(result.mean_probability - values.mean()) < 1e-12


def feasible_panels(
    pool: pd.DataFrame,
    quotas: Mapping[str, Mapping[str, tuple[int, int]]],
    k: int,
    household_column: str | None = None,
    must_include: tuple[str, ...] = (),
) -> list[tuple[str, ...]]:
    """Enumerate every feasible panel of a small pool."""
    ids = list(pool["id"])
    must = {ids.index(pid) for pid in must_include}
    checks = []
    for dimension, categories in quotas.items():
        values = pool[dimension].to_numpy()
        for category, (lo, hi) in categories.items():
            checks.append((values == category, lo, hi))
    households = [str(h) for h in pool[household_column]] if household_column is not None else None
    panels = []
    for combo in itertools.combinations(range(len(ids)), k):
        if not must <= set(combo):
            continue
        chosen = list(combo)
        if not all(lo <= mask[chosen].sum() <= hi for mask, lo, hi in checks):
            continue
        if households is not None:
            named = [households[i] for i in chosen if households[i].strip() != ""]
            if len(named) != len(set(named)):
                continue
        panels.append(tuple(ids[i] for i in chosen))
    return panels


def brute_force_leximin(ids: list[str], panels: list[tuple[str, ...]]) -> dict[str, float]:
    """LEXIMIN probabilities by the textbook LP sequence over all feasible panels.

    Round: maximise z with p_i >= z for the unfixed people and p_i >= fixed_i for the
    fixed ones; then every unfixed person whose probability cannot exceed z (checked
    by one LP per person) is fixed at z. Independent of the column generation and of
    dual values.
    """
    n, m = len(ids), len(panels)
    a = np.zeros((n, m))
    index = {pid: i for i, pid in enumerate(ids)}
    for j, panel in enumerate(panels):
        for pid in panel:
            a[index[pid], j] = 1.0
    fixed: dict[int, float] = {}
    slack = 1e-9
    while len(fixed) < n:
        unfixed = [i for i in range(n) if i not in fixed]
        # variables: lambda (m), z
        c = np.zeros(m + 1)
        c[-1] = -1.0
        a_ub = []
        b_ub = []
        for i in unfixed:
            a_ub.append(np.concatenate([-a[i], [1.0]]))
            b_ub.append(0.0)
        for i, v in fixed.items():
            a_ub.append(np.concatenate([-a[i], [0.0]]))
            b_ub.append(-(v - slack))
        a_eq = [np.concatenate([np.ones(m), [0.0]])]
        res = linprog(
            c,
            A_ub=np.array(a_ub),
            b_ub=b_ub,
            A_eq=np.array(a_eq),
            b_eq=[1.0],
            bounds=[(0, None)] * m + [(0, 1)],
            method="highs",
        )
        assert res.status == 0
        z = -res.fun
        newly = []
        for i in unfixed:
            # maximise p_i keeping everyone unfixed >= z and fixed >= their value
            c2 = np.concatenate([-a[i], [0.0]])
            bounds = [(0, None)] * m + [(z - slack, z - slack)]
            res2 = linprog(
                c2,
                A_ub=np.array(a_ub),
                b_ub=b_ub,
                A_eq=np.array(a_eq),
                b_eq=[1.0],
                bounds=bounds,
                method="highs",
            )
            assert res2.status == 0
            if -res2.fun <= z + 1e-6:
                newly.append(i)
        if not newly:  # numerical safety: cannot happen in exact arithmetic
            newly = unfixed
        for i in newly:
            fixed[i] = z
    return {ids[i]: fixed[i] for i in range(n)}


def brute_force_maximin(ids: list[str], panels: list[tuple[str, ...]]) -> float:
    """The MAXIMIN optimum over all feasible panels."""
    n, m = len(ids), len(panels)
    a = np.zeros((n, m))
    index = {pid: i for i, pid in enumerate(ids)}
    for j, panel in enumerate(panels):
        for pid in panel:
            a[index[pid], j] = 1.0
    c = np.zeros(m + 1)
    c[-1] = -1.0
    a_ub = np.hstack([-a, np.ones((n, 1))])
    res = linprog(
        c,
        A_ub=a_ub,
        b_ub=np.zeros(n),
        A_eq=[np.concatenate([np.ones(m), [0]])],
        b_eq=[1.0],
        bounds=[(0, None)] * m + [(0, 1)],
        method="highs",
    )
    assert res.status == 0
    return float(-res.fun)
