"""Feasibility of quotas: plain-language explanations and the smallest relaxation."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

import numpy as np

from . import _highs
from .leximin import PanelOracle
from .model import Instance


@dataclass(frozen=True)
class QuotaChange:
    """One change proposed to make the quotas feasible."""

    dimension: str
    category: str
    old_min: int
    old_max: int
    new_min: int
    new_max: int

    def describe(self) -> str:
        """A sentence for the lead."""
        parts = []
        if self.new_min != self.old_min:
            parts.append(f"lower the minimum from {self.old_min} to {self.new_min}")
        if self.new_max != self.old_max:
            parts.append(f"raise the maximum from {self.old_max} to {self.new_max}")
        return f"{self.dimension} = {self.category}: " + " and ".join(parts)


@dataclass(frozen=True)
class FeasibilityReport:
    """Whether any panel meets the quotas, and if not why and what to change.

    ``reasons`` are plain-language sentences; ``suggested_quotas`` is the full quota
    set after the smallest total relaxation (None when the quotas are feasible or
    when no relaxation of the quotas can help, e.g. the pool is smaller than k).
    """

    feasible: bool
    reasons: tuple[str, ...]
    changes: tuple[QuotaChange, ...]
    suggested_quotas: Mapping[str, Mapping[str, tuple[int, int]]] | None

    @property
    def explanation(self) -> str:
        """All reasons and proposed changes as one text."""
        lines = list(self.reasons)
        if self.changes:
            lines.append(
                "The smallest change that makes a panel possible: "
                + "; ".join(c.describe() for c in self.changes)
                + "."
            )
        return "\n".join(lines)


class InfeasibleQuotasError(ValueError):
    """No panel meets the quotas; ``report`` explains why and suggests a fix."""

    def __init__(self, report: FeasibilityReport) -> None:
        super().__init__(report.explanation)
        self.report = report


def _people(n: int) -> str:
    return "1 person" if n == 1 else f"{n} people"


def counting_reasons(instance: Instance) -> list[str]:
    """Quick counting checks, each failure as a sentence."""
    reasons: list[str] = []
    k = instance.k
    sizes = instance.sizes
    confirmed = instance.lower
    if instance.n_people < k:
        reasons.append(
            f"the panel needs {_people(k)} but only {_people(instance.n_people)} "
            "are in the pool (after exclusions)"
        )
    if confirmed.sum() > k:
        reasons.append(
            f"{_people(int(confirmed.sum()))} are already confirmed, more than the "
            f"panel size of {k}"
        )
    by_dim: dict[str, list[tuple[str, int, int, int]]] = {}
    for d, cat, lo, hi, idx in instance.quota_rows:
        available = int(sizes[list(idx)].sum())
        already = int(confirmed[list(idx)].sum())
        by_dim.setdefault(d, []).append((cat, lo, hi, available))
        if lo > available:
            reasons.append(
                f"the quotas ask for at least {_people(lo)} with {d} = {cat}, "
                f"but only {available} in the pool {'has' if available == 1 else 'have'} "
                f"{d} = {cat}"
            )
        if already > hi:
            reasons.append(
                f"{_people(already)} with {d} = {cat} are already confirmed, "
                f"more than the maximum of {hi}"
            )
    for d, rows in by_dim.items():
        total_min = sum(lo for _, lo, _, _ in rows)
        if total_min > k:
            reasons.append(
                f"the minimums for {d} add up to {total_min}, more than the panel size of {k}"
            )
        reachable = sum(min(hi, avail) for _, _, hi, avail in rows)
        if reachable < k:
            reasons.append(
                f"the maximums for {d}, counting only people available in the pool, "
                f"allow at most {_people(reachable)}, fewer than the panel size of {k}"
            )
    return reasons


def smallest_relaxation(instance: Instance) -> tuple[QuotaChange, ...] | None:
    """Solve the ILP that lowers minimums and raises maximums as little as possible.

    Variables: counts ``c_t`` per type as in :class:`PanelOracle`, and for every
    quota category integers ``a >= 0`` (how much the minimum is lowered, at most the
    minimum) and ``b >= 0`` (how much the maximum is raised). Minimise
    ``sum(a) + sum(b)`` subject to ``min - a <= sum c <= max + b``, ``sum(c) == k``
    and the household rows. Returns None when no relaxation helps.
    """
    n_types = len(instance.types)
    rows_q = instance.quota_rows
    m = len(rows_q)
    highs = _highs.new_highs(mip_gap=1e-10)
    lower = np.concatenate([instance.lower, np.zeros(2 * m)]).astype(float)
    upper = np.concatenate(
        [instance.sizes, [lo for (_, _, lo, _, _) in rows_q], [instance.k] * m]
    ).astype(float)
    n_vars = n_types + 2 * m
    highs.addVars(n_vars, lower, upper)
    highs.changeColsIntegrality(
        n_vars, np.arange(n_vars, dtype=np.int32), np.array([_highs.INTEGER] * n_vars)
    )
    cost = np.concatenate([np.zeros(n_types), np.ones(2 * m)])
    highs.changeColsCost(n_vars, np.arange(n_vars, dtype=np.int32), cost)
    rows = []
    for j, (_, _, lo, hi, idx) in enumerate(rows_q):
        members = list(idx)
        rows.append((float(lo), np.inf, [*members, n_types + j], [1.0] * len(members) + [1.0]))
        rows.append(
            (-np.inf, float(hi), [*members, n_types + m + j], [1.0] * len(members) + [-1.0])
        )
    rows.append((float(instance.k), float(instance.k), list(range(n_types)), [1.0] * n_types))
    rows.extend((-np.inf, 1.0, list(h), [1.0] * len(h)) for h in instance.household_rows)
    _highs.add_rows(highs, rows)
    highs.changeObjectiveSense(_highs.MINIMIZE)
    highs.run()
    if highs.getModelStatus() != _highs.OPTIMAL:
        return None
    x = np.rint(np.asarray(highs.getSolution().col_value)).astype(int)
    changes = []
    for j, (d, cat, lo, hi, _) in enumerate(rows_q):
        a, b = int(x[n_types + j]), int(x[n_types + m + j])
        if a or b:
            changes.append(QuotaChange(d, cat, lo, hi, lo - a, hi + b))
    return tuple(changes)


def check_feasibility(instance: Instance) -> FeasibilityReport:
    """Say whether any panel meets the quotas; if not, explain and propose a fix.

    Notes
    -----
    First the counting checks of :func:`counting_reasons`; then an ILP looks for any
    panel. When there is none, :func:`smallest_relaxation` proposes the quota change
    of least total size, and the suggested quotas are checked to be feasible.
    """
    reasons = counting_reasons(instance)
    no_weights = np.zeros(len(instance.types))
    if not reasons and PanelOracle(instance).price(no_weights, -np.inf) is not None:
        return FeasibilityReport(True, (), (), None)
    if not reasons:
        reasons.append(
            "each quota can be met on its own, but no panel of this pool meets all "
            "of them at once (the quotas of different dimensions conflict for the "
            "people available)"
        )
    changes = smallest_relaxation(instance)
    suggested = None
    if changes is not None:
        new = {d: dict(c) for d, c in instance.quotas.items()}
        for c in changes:
            new[c.dimension][c.category] = (c.new_min, c.new_max)
        suggested = MappingProxyType({d: MappingProxyType(c) for d, c in new.items()})
    else:
        reasons.append("no change to the quotas alone can make a panel possible")
    return FeasibilityReport(
        feasible=False,
        reasons=tuple(r[0].upper() + r[1:] + "." for r in reasons),
        changes=changes or (),
        suggested_quotas=suggested,
    )
