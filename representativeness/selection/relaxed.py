"""LEXIMIN over the LP relaxation of the panel polytope, and its decomposition.

Over types, a distribution over panels is summed up by the expected count of each
type, ``x_t``, a point of the convex hull of the integer panels. That hull lies inside
the LP relaxation ``R`` of the panel constraints (type bounds, quota rows, the panel
size and the household rows). LEXIMIN over ``R`` is a handful of small LPs over the
types, with no panel generated; its optimum ``x*`` is at least as good, in the
LEXIMIN order, as anything over the hull, with each round certified by its dual. When
``x*`` can be written as a convex combination of integer panels, that combination is
therefore a LEXIMIN-optimal distribution over panels.

:func:`relaxed_leximin` computes ``x*``; :func:`decompose` finds the combination, or
reports that it found none, in which case the caller falls back to column generation
over panels (see :mod:`representativeness.selection.leximin`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import highspy
import numpy as np

from . import _highs
from .model import Instance, panel_rows

# A type whose dual weight exceeds this is fixed at the round's optimum.
DUAL_TOLERANCE = 1e-9
# A fixed type is held this little below its round's optimum.
FIX_SLACK = 1e-10
# A count or a row sum within this of a bound is taken as at the bound.
TIGHT = 1e-9
# The decomposition is accepted when no type's probability is further than this
# from its LEXIMIN level.
MATCH_TOLERANCE = 1e-7
# A count within this of a whole number is taken as whole.
INTEGRAL = 1e-9
# Counts fixed by one rounding dive before the integer program is solved instead.
DIVE_DEPTH = 60
# Relative gap of that integer program: any panel on the face will do, a good one
# only peels off more at once.
MIP_GAP = 0.1
# The decomposition stops when less mass than this is left to cover.
MASS_LEFT = 1e-12
# The face's LP is built again without the counts the face has fixed once they are
# this share of its columns (and at least COMPACT_MIN of them).
COMPACT_SHARE = 0.15
COMPACT_MIN = 50
# Steps between two progress reports of the decomposition.
PROGRESS_EVERY = 25
# Tries at the decomposition, each along other panels, before column generation.
ATTEMPTS = 3


@dataclass(frozen=True)
class RelaxedLeximin:
    """LEXIMIN over the relaxation: expected counts ``x``, each round's optimum."""

    x: np.ndarray
    levels: tuple[float, ...]
    fixed: np.ndarray  # probability of each type, fixed in the round that reached it


def relaxed_leximin(instance: Instance) -> RelaxedLeximin:
    """LEXIMIN over the LP relaxation of the panels, in rounds as over panels.

    Each round maximises ``z`` with ``x_t >= z * n_t`` for the types not yet fixed and
    ``x_t >= f_t * n_t`` for the fixed ones; the types of positive dual weight are at
    ``z`` in every optimum of the round and are fixed there.
    """
    n_types = len(instance.types)
    sizes = instance.sizes.astype(float)
    lower = instance.lower.astype(float)
    highs = _highs.new_highs()
    for name in ("primal_feasibility_tolerance", "dual_feasibility_tolerance"):
        highs.setOptionValue(name, 1e-10)
    highs.changeObjectiveSense(_highs.MAXIMIZE)
    highs.addVars(n_types, lower, sizes)
    highs.addVar(0.0, 1.0)  # z, column n_types
    highs.changeColCost(n_types, 1.0)
    rows = panel_rows(instance).for_highs()
    free = np.array([not t.must_include for t in instance.types])
    level_rows = {}
    for t in np.flatnonzero(free):
        level_rows[int(t)] = len(rows)
        rows.append((0.0, np.inf, [int(t), n_types], [1.0, -float(sizes[t])]))
    _highs.add_rows(highs, rows)
    fixed = np.full(n_types, np.nan)
    fixed[~free] = 1.0
    levels: list[float] = []
    if not free.any():
        highs.run()
    while np.isnan(fixed).any():
        highs.run()
        if highs.getModelStatus() != _highs.OPTIMAL:
            raise RuntimeError(
                f"the relaxed LEXIMIN stopped with HiGHS status {highs.getModelStatus()}"
            )
        sol = highs.getSolution()
        z = float(sol.col_value[n_types])
        duals = np.asarray(sol.row_dual)
        unfixed = np.flatnonzero(np.isnan(fixed))
        weight = np.array([-duals[level_rows[int(t)]] for t in unfixed])
        positive = unfixed[weight > DUAL_TOLERANCE]
        if positive.size == 0:
            positive = unfixed[[int(np.argmax(weight))]]
        for t in positive:
            fixed[t] = z
            row = level_rows[int(t)]
            highs.changeCoeff(row, n_types, 0.0)
            highs.changeRowBounds(row, max(0.0, z - FIX_SLACK) * sizes[t], np.inf)
        levels.append(z)
    x = np.asarray(highs.getSolution().col_value)[:n_types]
    return RelaxedLeximin(x=np.clip(x, lower, sizes), levels=tuple(levels), fixed=fixed)


@dataclass(frozen=True)
class Decomposition:
    """Integer panels (counts per type) with weights summing to 1.

    ``exact`` when they are all quota-feasible and reproduce the LEXIMIN point within
    ``MATCH_TOLERANCE`` on every probability; ``steps`` is the number of panels peeled,
    ``integer_programs`` the number of them found by the integer program over a face.
    """

    panels: np.ndarray
    weights: np.ndarray
    exact: bool
    steps: int
    integer_programs: int = 0


class _Face:
    """The smallest face of the relaxation that holds the current point, as bounds.

    Holds a warm LP over the face (see :class:`_FaceLP`), and builds an integer program
    over it only if a rounding dive ever fails.
    """

    def __init__(self, instance: Instance) -> None:
        self.n_types = len(instance.types)
        self.rows = panel_rows(instance)
        self.lower, self.sizes = instance.lower, instance.sizes
        self.col_lo = self.lower.astype(float)
        self.col_hi = self.sizes.astype(float)
        # the face's row bounds (the panels' own stay in self.rows)
        self.row_lo = self.rows.lower.copy()
        self.row_hi = self.rows.upper.copy()
        self.matrix = self.rows.matrix
        self.columns = np.arange(self.n_types, dtype=np.int32)
        self.lp = _FaceLP(self)
        self.mip: highspy.Highs | None = None
        self.mip_solves = 0

    def tighten(self, q: np.ndarray) -> None:
        """Hold every bound that the point ``q`` meets from now on."""
        open_ = self.col_hi > self.col_lo
        at_lo = open_ & (q <= self.col_lo + TIGHT)
        at_hi = open_ & (q >= self.col_hi - TIGHT)
        self.col_hi[at_lo] = self.col_lo[at_lo]
        self.col_lo[at_hi] = self.col_hi[at_hi]
        sums = self.matrix @ q
        open_ = self.row_hi > self.row_lo
        r_lo = open_ & (sums <= self.row_lo + TIGHT)
        r_hi = open_ & (sums >= self.row_hi - TIGHT)
        self.row_hi[r_lo] = self.row_lo[r_lo]
        self.row_lo[r_hi] = self.row_hi[r_hi]
        if at_lo.any() or at_hi.any() or r_lo.any() or r_hi.any():
            self.lp.follow()

    def panel(self, weights: np.ndarray) -> np.ndarray | None:
        """An integer panel on the face, good for ``weights``; None when there is none.

        The LP's optimal vertex is often integral; when not, a rounding dive on the
        warm LP usually finds a panel in a few re-solves; only then is the integer
        program over the face solved.
        """
        v = self.lp.solve(weights)
        if v is None:
            return None
        counts = np.rint(v)
        if np.abs(v - counts).max() <= INTEGRAL:
            return counts
        dived = self.lp.dive(v)
        return dived if dived is not None else self._solve_integer(weights)

    def _solve_integer(self, weights: np.ndarray) -> np.ndarray | None:
        if self.mip is None:
            self.mip = _highs.new_highs(mip_gap=MIP_GAP)
            self.mip.changeObjectiveSense(_highs.MAXIMIZE)
            self.mip.addVars(self.n_types, self.lower.astype(float), self.sizes.astype(float))
            _highs.add_rows(self.mip, self.rows.for_highs())
            self.mip.changeColsIntegrality(
                self.n_types, self.columns, np.array([_highs.INTEGER] * self.n_types)
            )
        self.mip.changeColsBounds(self.n_types, self.columns, self.col_lo, self.col_hi)
        _highs.change_rows_bounds(self.mip, self.row_lo, self.row_hi)
        self.mip.changeColsCost(self.n_types, self.columns, weights)
        self.mip.run()
        self.mip_solves += 1
        if self.mip.getModelStatus() != _highs.OPTIMAL:
            return None
        return np.rint(np.asarray(self.mip.getSolution().col_value))

    def step(self, r: np.ndarray, m: float, v: np.ndarray) -> float:
        """The largest ``lam <= m`` keeping ``(r - lam v) / (m - lam)`` in the face."""
        lam = m
        for a, b, lo, hi in (
            (r, v, self.col_lo, self.col_hi),
            (self.matrix @ r, self.matrix @ v, self.row_lo, self.row_hi),
        ):
            down = (b > lo + 1e-12) & np.isfinite(lo)
            if down.any():
                lam = min(lam, float(np.min((a[down] - m * lo[down]) / (b[down] - lo[down]))))
            up = (b < hi - 1e-12) & np.isfinite(hi)
            if up.any():
                lam = min(lam, float(np.min((m * hi[up] - a[up]) / (hi[up] - b[up]))))
        return max(lam, 0.0)


class _FaceLP:
    """A warm LP over a face, on the counts the face still leaves free.

    As the walk goes on, the face fixes more and more counts. Once the fixed ones make
    up ``COMPACT_SHARE`` of the model, the model is built again without them (their
    values move into the row bounds, and rows left with no free count go), so each
    re-solve works on a smaller LP; the warm start is lost only at that rebuild.
    """

    def __init__(self, face: _Face) -> None:
        self.face = face
        self._build()

    def _build(self) -> None:
        face = self.face
        self.cols = np.flatnonzero(face.col_hi > face.col_lo)
        self.fixed = np.where(face.col_hi > face.col_lo, 0.0, face.col_lo)
        self.row_const = face.matrix @ self.fixed
        sub = face.matrix[:, self.cols].tocsr()
        self.rows_in = np.flatnonzero(np.diff(sub.indptr) > 0)
        sub = sub[self.rows_in]
        self.index = np.arange(len(self.cols), dtype=np.int32)
        # the model's column of each count (-1 for the counts left out)
        self.position = np.full(face.n_types, -1)
        self.position[self.cols] = self.index
        self.row_index = np.arange(len(self.rows_in), dtype=np.int32)
        highs = _highs.new_highs()
        highs.setOptionValue("presolve", "off")
        for name in ("primal_feasibility_tolerance", "dual_feasibility_tolerance"):
            highs.setOptionValue(name, 1e-10)
        # re-solves mostly change the objective, which keeps the basis primal feasible
        highs.setOptionValue("simplex_strategy", 4)
        highs.changeObjectiveSense(_highs.MAXIMIZE)
        highs.addVars(len(self.cols), face.col_lo[self.cols], face.col_hi[self.cols])
        lo, hi = self._row_bounds()
        highs.addRows(
            len(self.rows_in),
            lo,
            hi,
            sub.nnz,
            sub.indptr[:-1].astype(np.int32),
            sub.indices.astype(np.int32),
            sub.data.astype(float),
        )
        self.highs = highs

    def _row_bounds(self) -> tuple[np.ndarray, np.ndarray]:
        const = self.row_const[self.rows_in]
        return self.face.row_lo[self.rows_in] - const, self.face.row_hi[self.rows_in] - const

    def follow(self) -> None:
        """Take on the face's new bounds, building the model again when it pays."""
        face = self.face
        closed = int((face.col_hi[self.cols] <= face.col_lo[self.cols]).sum())
        if closed >= COMPACT_MIN and closed >= COMPACT_SHARE * len(self.cols):
            self._build()
            return
        self._push_columns()
        lo, hi = self._row_bounds()
        _highs.change_rows_bounds(self.highs, lo, hi)

    def _push_columns(self) -> None:
        lo, hi = self.face.col_lo[self.cols], self.face.col_hi[self.cols]
        self.highs.changeColsBounds(len(self.cols), self.index, lo, hi)

    def _point(self) -> np.ndarray:
        v = self.fixed.copy()
        v[self.cols] = np.asarray(self.highs.getSolution().col_value)
        return v

    def solve(self, weights: np.ndarray) -> np.ndarray | None:
        """The optimal vertex for ``weights`` (all counts), or None when the face is empty."""
        self.highs.changeColsCost(len(self.cols), self.index, weights[self.cols])
        self.highs.run()
        if self.highs.getModelStatus() != _highs.OPTIMAL:
            return None
        return self._point()

    def dive(self, v: np.ndarray) -> np.ndarray | None:
        """Round ``v`` by fixing one fractional count at a time, re-solving the LP.

        The count of largest fractional part goes up to its ceiling (down to its floor
        when that leaves no solution). Gives up after ``DIVE_DEPTH`` fixings or at a
        dead end. The face's own bounds are restored either way.
        """
        lo, hi = self.face.col_lo.copy(), self.face.col_hi.copy()
        # bound changes keep the basis dual feasible: dual simplex suits them
        self.highs.setOptionValue("simplex_strategy", 1)
        try:
            for _ in range(DIVE_DEPTH):
                part = v - np.floor(v)
                fractional = np.abs(v - np.rint(v)) > INTEGRAL
                if not fractional.any():
                    return np.rint(v)
                j = int(np.argmax(np.where(fractional, part, -1.0)))
                point = None
                for bound in ((float(np.ceil(v[j])), hi[j]), (lo[j], float(np.floor(v[j])))):
                    self.highs.changeColBounds(int(self.position[j]), *bound)
                    self.highs.run()
                    if self.highs.getModelStatus() == _highs.OPTIMAL:
                        point = self._point()
                        lo[j], hi[j] = bound
                        break
                if point is None:
                    return None
                v = point
            return None
        finally:
            self._push_columns()
            self.highs.setOptionValue("simplex_strategy", 4)


def decompose(
    instance: Instance,
    x: np.ndarray,
    *,
    progress: Callable[[int, float], None] | None = None,
    attempt: int = 0,
) -> Decomposition:
    """Write ``x`` as a convex combination of integer panels, if this finds one.

    Carathéodory's construction: from the point ``q = r / m`` (the rest ``r`` of ``x``
    still to cover, with mass ``m``), take an integer panel ``v`` on the smallest face
    of the relaxation holding ``q``, with the largest weight that keeps the new rest in
    the relaxation. The new rest meets one more bound, so lies on a smaller face, and
    there are at most as many steps as the face has dimensions. Steps stop when the
    mass is used up, or when a face holds no integer panel: ``x`` may then lie outside
    the panels' hull, or the rest has left it. The panels are checked against every
    constraint and their mixture against ``x`` before ``exact`` is set.

    The panel at each step is a good one for the weights ``q`` (it peels off more at
    once); an ``attempt`` above 0 scales them by seeded random factors between 1 and 2,
    for another try along other panels. ``progress(steps, mass covered)`` is called
    every ``PROGRESS_EVERY`` steps.
    """
    face = _Face(instance)
    noise = None
    if attempt:
        noise = 1.0 + np.random.default_rng(attempt).random(len(x))
    r = x.astype(float).copy()
    m = 1.0
    panels: list[np.ndarray] = []
    weights: list[float] = []
    while m > MASS_LEFT:
        q = r / m
        face.tighten(q)
        counts = face.panel(q if noise is None else q * noise)
        if counts is None:
            break
        lam = face.step(r, m, counts)
        if lam <= 0.0:
            break
        panels.append(counts.astype(np.int64))
        weights.append(lam)
        r = r - lam * counts
        m -= lam
        if progress is not None and len(panels) % PROGRESS_EVERY == 0:
            progress(len(panels), 1.0 - m)
    if not panels:
        return Decomposition(np.zeros((0, len(x)), dtype=np.int64), np.zeros(0), False, 0)
    matrix = np.array(panels)
    w = np.array(weights)
    # the same panel may be peeled twice: merge, then spread the mass left over
    unique, inverse = np.unique(matrix, axis=0, return_inverse=True)
    merged = np.bincount(inverse.ravel(), weights=w, minlength=len(unique))
    merged = merged / merged.sum()
    sizes = instance.sizes.astype(float)
    achieved = (merged @ unique) / sizes
    exact = all(face.rows.met_by(c) for c in unique) and bool(
        np.abs(achieved - x / sizes).max() <= MATCH_TOLERANCE
    )
    return Decomposition(unique, merged, exact, len(panels), face.mip_solves)
