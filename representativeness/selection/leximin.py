"""LEXIMIN and MAXIMIN selection on HiGHS.

LEXIMIN is first computed over the LP relaxation of the panels and written as a
mixture of integer panels (:mod:`representativeness.selection.relaxed`); when that
mixture cannot be found, and for MAXIMIN, the column generation of Flanigan, Gölz,
Gupta, Hennig and Procaccia (2021) runs instead, over person types instead of people
(see :mod:`representativeness.selection.model`).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from . import _highs, relaxed
from .model import Instance, ProgressCallback, ProgressEvent, panel_rows

# A new panel is added when it beats the master LP dual by more than this.
PRICING_TOLERANCE = 1e-9
# Swap search per iteration: from the best existing panels, then from each improved
# panel again with the weights of its members damped, to add diverse columns.
_STARTS = 3
_PERTURB = 3
_FACTOR = 0.8
# Weight of the best dual point in the smoothed pricing dual (see column_generation).
SMOOTHING = 0.5
# From this many master rows on, primal simplex runs without bound perturbation.
PERTURBATION_OFF_ROWS = 250
# The master keeps at most this many panels per row: beyond, the non-basic panels of
# worst reduced cost are dropped, which keeps its simplex iterations cheap.
PRUNE_FACTOR = 2.0
# A type whose dual weight exceeds this is fixed at the round's optimum.
DUAL_TOLERANCE = 1e-9
# A fixed type is held this little below its round's optimum (see _Master.fix).
FIX_SLACK = 1e-9
# A panel within this of the pricing LP bound is taken as optimal.
BOUND_TOLERANCE = 1e-12
# Nodes of the LP branch and bound in pricing before the ILP is solved instead.
BRANCH_NODES = 30
# Panel weights below this are dropped from the final distribution.
WEIGHT_CUTOFF = 1e-12


class PanelOracle:
    """An integer program whose solutions are exactly the quota-feasible panels.

    One integer variable ``c_t`` per type with ``lower_t <= c_t <= size_t``, one row
    per quota category, one row ``sum(c) == k`` and one row ``sum <= 1`` per shared
    household. :meth:`best` maximises a linear objective over the panels.
    """

    def __init__(self, instance: Instance) -> None:
        self.instance = instance
        self.highs = _highs.new_highs(mip_gap=1e-10)
        # Tiny models: presolve and primal heuristics cost more than they save.
        self.highs.setOptionValue("presolve", "off")
        self.highs.setOptionValue("mip_heuristic_effort", 0.0)
        self.highs.setOptionValue("mip_heuristic_run_feasibility_jump", False)
        n_types = len(instance.types)
        self.n_types = n_types
        self.highs.addVars(n_types, instance.lower.astype(float), instance.sizes.astype(float))
        self.highs.changeColsIntegrality(
            n_types,
            np.arange(n_types, dtype=np.int32),
            np.array([_highs.INTEGER] * n_types),
        )
        self.rows = panel_rows(instance)
        rows = self.rows.for_highs()
        _highs.add_rows(self.highs, rows)
        self.highs.changeObjectiveSense(_highs.MAXIMIZE)
        self.solves = 0
        # The LP relaxation of the same model, kept warm between calls: only the
        # objective changes, so its optimal basis stays primal feasible and primal
        # simplex re-optimises in a fraction of a millisecond (see :meth:`price`).
        self.relaxation = _highs.new_highs()
        self.relaxation.setOptionValue("presolve", "off")
        self.relaxation.setOptionValue("simplex_strategy", 4)
        for name in ("primal_feasibility_tolerance", "dual_feasibility_tolerance"):
            self.relaxation.setOptionValue(name, 1e-10)
        self.relaxation.addVars(n_types, instance.lower.astype(float), instance.sizes.astype(float))
        _highs.add_rows(self.relaxation, rows)
        self.relaxation.changeObjectiveSense(_highs.MAXIMIZE)
        self.lp_solves = 0
        self._columns = np.arange(n_types, dtype=np.int32)
        self._lower = instance.lower.astype(np.int64)
        self._upper = instance.sizes.astype(np.int64)

    def best(self, weights: np.ndarray) -> tuple[np.ndarray, float, float] | None:
        """Return ``(counts, value, upper bound)`` of a panel maximising ``weights @ c``.

        Returns None when no panel exists.
        """
        self.highs.changeColsCost(
            self.n_types, np.arange(self.n_types, dtype=np.int32), weights.astype(float)
        )
        self.highs.run()
        self.solves += 1
        status = self.highs.getModelStatus()
        if status == _highs.INFEASIBLE:
            return None
        if status != _highs.OPTIMAL:
            raise RuntimeError(f"the panel search stopped with HiGHS status {status}")
        counts = np.rint(np.asarray(self.highs.getSolution().col_value)).astype(np.int64)
        value = float(weights @ counts)
        info = self.highs.getInfo()
        bound = max(value, float(info.mip_dual_bound))
        return counts, value, bound

    def price(
        self,
        weights: np.ndarray,
        cutoff: float,
        candidates: Callable[[], Sequence[np.ndarray]] | None = None,
    ) -> tuple[np.ndarray, float] | None:
        """Return ``(counts, value)`` of a panel maximising ``weights @ c``, or None.

        None means that no panel is worth more than ``cutoff`` (or that there is no
        panel at all). The warm LP relaxation is solved first: when its optimum is
        at most ``cutoff``, so is every panel's value; when its optimal vertex is
        integral, it is an optimal panel. Otherwise ``candidates`` (called only once
        the bound exceeds ``cutoff``) may supply known panels, and one that reaches
        the bound is optimal too. Only failing all this is the integer program
        solved, so the answer is that of :meth:`best`, up to ties.
        """
        self.relaxation.changeColsCost(self.n_types, self._columns, weights.astype(float))
        self.relaxation.run()
        self.lp_solves += 1
        status = self.relaxation.getModelStatus()
        if status == _highs.INFEASIBLE:
            return None
        if status == _highs.OPTIMAL:
            bound = float(self.relaxation.getInfo().objective_function_value)
            if bound <= cutoff:
                return None
            x = np.asarray(self.relaxation.getSolution().col_value)
            counts = np.rint(x).astype(np.int64)
            known = candidates() if candidates is not None else ()
            if np.abs(x - counts).max() <= 1e-9 and self._feasible(counts):
                return counts, float(weights @ counts)
            incumbent = None
            if known:
                incumbent = max(known, key=lambda c: float(weights @ c))
                if float(weights @ incumbent) >= bound - BOUND_TOLERANCE:
                    return incumbent, float(weights @ incumbent)
            searched = self._branch_and_bound(weights, cutoff, x, incumbent)
            if searched is not None:
                return searched[0]
        found = self.best(weights)
        if found is None:
            return None
        counts, value, bound = found
        if bound <= cutoff:
            return None
        return counts, value

    def _branch_and_bound(
        self,
        weights: np.ndarray,
        cutoff: float,
        x: np.ndarray,
        incumbent: np.ndarray | None,
    ) -> tuple[tuple[np.ndarray, float] | None] | None:
        """A small depth-first branch and bound on the warm LP relaxation.

        ``x`` is the fractional optimum at the root. Returns ``(answer,)``, the answer
        of :meth:`price`, or None when more than ``BRANCH_NODES`` nodes would be
        needed (then the ILP is solved instead). The bounds of the relaxation are
        restored before returning.
        """
        best_counts = incumbent
        best_value = -np.inf if incumbent is None else float(weights @ incumbent)
        nodes = 0
        highs = self.relaxation
        lower = self._lower.astype(float)
        upper = self._upper.astype(float)

        def explore(point: np.ndarray) -> bool:
            """Search below a node whose LP optimum is ``point``; False to give up."""
            nonlocal best_counts, best_value, nodes
            j = int(np.argmax(np.abs(point - np.rint(point))))
            floor = float(np.floor(point[j]))
            old = (lower[j], upper[j])
            children = [(old[0], floor), (floor + 1.0, old[1])]
            if point[j] - floor > 0.5:
                children.reverse()
            try:
                for lo, hi in children:
                    nodes += 1
                    if nodes > BRANCH_NODES:
                        return False
                    lower[j], upper[j] = lo, hi
                    highs.changeColBounds(j, lo, hi)
                    highs.run()
                    status = highs.getModelStatus()
                    if status == _highs.INFEASIBLE:
                        continue
                    if status != _highs.OPTIMAL:
                        return False
                    value = float(highs.getInfo().objective_function_value)
                    if value <= max(cutoff, best_value + BOUND_TOLERANCE):
                        continue
                    y = np.asarray(highs.getSolution().col_value)
                    counts = np.rint(y).astype(np.int64)
                    if np.abs(y - counts).max() <= 1e-9:
                        if not self._feasible(counts):
                            return False
                        best_counts, best_value = counts, float(weights @ counts)
                    elif not explore(y):
                        return False
                return True
            finally:
                lower[j], upper[j] = old
                highs.changeColBounds(j, old[0], old[1])

        # A bound change keeps the basis dual feasible: dual simplex suits the nodes.
        highs.setOptionValue("simplex_strategy", 1)
        try:
            complete = explore(x)
        finally:
            highs.setOptionValue("simplex_strategy", 4)
        highs.run()  # back to the root optimum, a warm start for the next call
        if not complete:
            return None
        if best_counts is None or best_value <= cutoff:
            return (None,)
        return ((best_counts, best_value),)

    def _feasible(self, counts: np.ndarray) -> bool:
        """Whether integer ``counts`` meet the type bounds and every row exactly."""
        return self.rows.met_by(counts)


class SwapSearch:
    """A fast heuristic for the pricing problem: best-improvement swaps.

    Starting from a feasible panel, repeatedly take one person of type ``a`` off and
    put one of type ``b`` on, choosing the feasible swap of largest gain, until no
    swap gains. It proves nothing (the exact ILP does), but finds many improving
    panels in about a millisecond, several per master LP solve.
    """

    def __init__(self, instance: Instance) -> None:
        n_types = len(instance.types)
        # The dimensions of a swap are tracked as bits of one integer.
        self.enabled = len(instance.dimensions) <= 63
        row_of = {(d, c): j for j, (d, c, _, _, _) in enumerate(instance.quota_rows)}
        self.cat = np.array(
            [[row_of[pair] for pair in t.categories] for t in instance.types], dtype=np.int64
        ).reshape(n_types, len(instance.dimensions))
        self.lo = np.array([r[2] for r in instance.quota_rows])
        self.hi = np.array([r[3] for r in instance.quota_rows])
        self.lower = instance.lower
        self.upper = instance.sizes
        self.household = np.full(n_types, -1)
        for h, members in enumerate(instance.household_rows):
            self.household[list(members)] = h
        self.n_rows = len(self.lo)
        # Bit d of a mask stands for quota dimension d.
        n_dims = min(self.cat.shape[1], 63)
        self.mask_type = np.min_scalar_type((1 << n_dims) - 1)
        self.bits = np.left_shift(1, np.arange(n_dims, dtype=np.uint64)).astype(self.mask_type)
        self.all_bits = self.mask_type.type((1 << n_dims) - 1)
        # row_bits[j, t]: the bit of row j's dimension when type t is in row j's category
        self.row_bits = np.zeros((self.n_rows, n_types), dtype=self.mask_type)
        for d, bit in enumerate(self.bits):
            self.row_bits[self.cat[:, d], np.arange(n_types)] = bit

    def _same(self, a_idx: np.ndarray) -> np.ndarray:
        """Masks of the dimensions in which each type of ``a_idx`` and each type agree.

        Computed for the few types on a panel only, so memory stays linear in the
        number of types.
        """
        # each type's rows hold distinct bits, so their sum is their bitwise or
        return self.row_bits[self.cat[a_idx, : len(self.bits)]].sum(axis=1, dtype=self.mask_type)

    def improve(self, counts: np.ndarray, weights: np.ndarray) -> np.ndarray:
        """Return a panel at least as good as ``counts`` under ``weights``.

        Taking a person of type ``a`` off and one of type ``b`` on keeps the quotas
        when, in every dimension where ``a`` and ``b`` differ, the category of ``a``
        is above its minimum and that of ``b`` below its maximum.
        """
        c = counts.copy()
        sums = np.bincount(
            self.cat.ravel(), weights=np.repeat(c, self.cat.shape[1]), minlength=self.n_rows
        )
        n_households = int(self.household.max()) + 1
        in_household = self.household >= 0
        n = len(c)
        for _ in range(2 * int(c.sum()) + 10):
            a_idx = np.flatnonzero(c > self.lower)
            # dimensions where taking a off, or putting b on, keeps the quotas (the bits
            # are distinct powers of two, so a sum of them is their bitwise or)
            dec = (sums > self.lo)[self.cat[a_idx]] @ self.bits
            inc = (sums < self.hi)[self.cat] @ self.bits
            ok = (self._same(a_idx) | (dec[:, None] & inc[None, :])) == self.all_bits
            ok &= (c < self.upper)[None, :]
            if n_households:
                used = np.bincount(
                    self.household[in_household],
                    weights=c[in_household],
                    minlength=n_households,
                )
                free = ~in_household | (used[np.maximum(self.household, 0)] == 0)
                home = self.household[a_idx][:, None]
                ok &= free[None, :] | ((home == self.household[None, :]) & (home >= 0))
            gain = np.where(ok, weights[None, :] - weights[a_idx, None], -np.inf)
            flat = int(np.argmax(gain))
            i, b = divmod(flat, n)
            if not gain[i, b] > 1e-13:
                break
            a = a_idx[i]
            c[a] -= 1
            c[b] += 1
            sums[self.cat[a]] -= 1
            sums[self.cat[b]] += 1
        return c


@dataclass(frozen=True)
class ColumnGenerationResult:
    """Type-level distribution found by column generation.

    ``fixed`` holds the LEXIMIN level of each type fixed so far (NaN where not fixed);
    ``levels`` the optimum of each finished round, in order; ``complete`` is False when
    the time limit stopped LEXIMIN after its first round (the distribution is then
    MAXIMIN-optimal, with the first ``len(levels)`` levels of LEXIMIN reached).
    """

    panels: np.ndarray  # (n_panels, n_types) counts
    weights: np.ndarray  # (n_panels,) probabilities summing to 1
    fixed: np.ndarray
    columns_generated: int
    seconds: float
    iterations: int
    rounds: int
    levels: tuple[float, ...] = ()
    complete: bool = True
    method: str = "column_generation"


class _Master:
    """The master LP: maximise z with sum_P lambda_P c_t(P)/n_t >= z (or >= fixed)."""

    def __init__(self, instance: Instance) -> None:
        self.sizes = instance.sizes.astype(float)
        self.free = np.array([not t.must_include for t in instance.types])
        self.rows_of = np.full(len(instance.types), -1)
        self.rows_of[self.free] = np.arange(int(self.free.sum()))
        self.n_rows = int(self.free.sum())
        self.highs = _highs.new_highs()
        for name in ("primal_feasibility_tolerance", "dual_feasibility_tolerance"):
            self.highs.setOptionValue(name, 1e-10)
        # Columns are added to an optimal basis, which stays primal feasible: primal
        # simplex re-optimises in far fewer iterations than the default dual simplex.
        self.highs.setOptionValue("simplex_strategy", 4)
        # Primal simplex perturbs the bounds against degeneracy and then cleans up with
        # the dual simplex; here the master's optimum moves far at every solve and the
        # clean-up costs more than the perturbation saves (about 40% of the master's
        # time on the 2,000-person pools of issue 11). On small masters (the 122 types
        # of sortition_algorithms_fixture) the perturbation pays, so it stays there.
        if self.n_rows >= PERTURBATION_OFF_ROWS:
            self.highs.setOptionValue("primal_simplex_bound_perturbation_multiplier", 0.0)
        self.highs.changeObjectiveSense(_highs.MAXIMIZE)
        # column 0 is z
        self.highs.addVar(0.0, 1.0)
        self.highs.changeColCost(0, 1.0)
        rows = [(0.0, np.inf, [0], [-1.0]) for _ in range(self.n_rows)]
        rows.append((1.0, 1.0, [], []))
        _highs.add_rows(self.highs, rows)
        self.sum_row = self.n_rows
        self.panels: list[np.ndarray] = []
        self.keys: set[bytes] = set()
        self._matrix = np.zeros((64, len(self.sizes)))

    @property
    def matrix(self) -> np.ndarray:
        """The panels found so far, one row each."""
        return self._matrix[: len(self.panels)]

    def add(self, counts: np.ndarray) -> bool:
        key = counts.tobytes()
        if key in self.keys:
            return False
        self.keys.add(key)
        if len(self.panels) == len(self._matrix):
            self._matrix = np.vstack([self._matrix, np.zeros_like(self._matrix)])
        self._matrix[len(self.panels)] = counts
        self.panels.append(counts)
        share = counts / self.sizes
        idx = [int(self.rows_of[t]) for t in np.flatnonzero(counts) if self.free[t]]
        vals = [float(share[t]) for t in np.flatnonzero(counts) if self.free[t]]
        idx.append(self.sum_row)
        vals.append(1.0)
        self.highs.addCol(0.0, 0.0, np.inf, len(idx), np.array(idx, dtype=np.int32), np.array(vals))
        return True

    def prune(self, limit: int) -> np.ndarray:
        """Drop non-basic panels, worst reduced cost first, to keep at most ``limit``.

        Returns the mask of the panels kept. Only columns at zero weight leave, so the
        basis and the solution stay optimal; a dropped panel that is needed again is
        found again by pricing (its key is forgotten).
        """
        n = len(self.panels)
        keep = np.ones(n, dtype=bool)
        if n <= limit:
            return keep
        basic = np.array(
            [s == _highs.BASIC for s in self.highs.getBasis().col_status[1:]], dtype=bool
        )
        reduced = np.asarray(self.highs.getSolution().col_dual)[1:]
        order = [j for j in np.argsort(reduced) if not basic[j]]
        drop = np.sort(np.array(order[: n - limit], dtype=np.int32))
        if drop.size == 0:
            return keep
        self.highs.deleteCols(len(drop), drop + 1)
        keep[drop] = False
        for j in drop:
            self.keys.discard(self.panels[j].tobytes())
        self.panels = [p for p, k in zip(self.panels, keep, strict=True) if k]
        self._matrix[: len(self.panels)] = self._matrix[:n][keep]
        return keep

    def fix(self, t: int, value: float) -> float:
        """Hold type ``t`` at ``value`` or above from now on; return the row's bound."""
        row = int(self.rows_of[t])
        self.highs.changeCoeff(row, 0, 0.0)
        # The optimal basis meets ``value`` only within HiGHS's feasibility tolerance;
        # a bound exactly at ``value`` has made later rounds infeasible after a few
        # pivots, so it is set a little lower.
        bound = max(0.0, value - FIX_SLACK)
        self.highs.changeRowBounds(row, bound, np.inf)
        return bound

    def solve(self) -> tuple[float, np.ndarray, float, np.ndarray]:
        """Return ``(z, type weights y, mu, lambda)``."""
        self.highs.run()
        status = self.highs.getModelStatus()
        if status != _highs.OPTIMAL:
            # Simplex updates to a long-lived basis can end in numerical trouble
            # (HiGHS status kUnknown); solving again from scratch gets past it.
            self.highs.clearSolver()
            self.highs.run()
            status = self.highs.getModelStatus()
        if status != _highs.OPTIMAL:
            raise RuntimeError(f"the master LP stopped with HiGHS status {status}")
        sol = self.highs.getSolution()
        duals = np.asarray(sol.row_dual)
        y = np.zeros(len(self.sizes))
        # HiGHS reports non-positive duals for >= rows of a maximisation.
        y[self.free] = np.maximum(0.0, -duals[: self.n_rows])
        mu = float(duals[self.sum_row])
        cols = np.asarray(sol.col_value)
        return float(cols[0]), y, mu, cols[1:].copy()


def _swap_panels(
    search: SwapSearch, master: _Master, w: np.ndarray, useful: Callable[[np.ndarray], bool]
) -> list[np.ndarray]:
    """Panels met by the swap search under weights ``w``, kept when ``useful``.

    The search starts from the best existing panels, then from each improved panel
    again with the weights of its members damped, to find diverse columns.
    """
    found: list[np.ndarray] = []
    if not search.enabled:
        return found
    # einsum, not @: a matrix-vector product this large goes to a multithreaded BLAS
    # whose idle threads spin, taking CPU from HiGHS (a third of the CPU time at 5,000)
    values = np.einsum("ij,j->i", master.matrix, w)
    for start_at in np.argsort(-values)[:_STARTS]:
        candidate = search.improve(master.panels[start_at], w)
        penalised = w.copy()
        for _ in range(_PERTURB + 1):
            if not useful(candidate) or candidate.tobytes() in master.keys:
                break
            found.append(candidate)
            penalised = np.where(candidate > 0, penalised * _FACTOR, penalised)
            candidate = search.improve(candidate, penalised)
    return found


def _by_relaxation(
    instance: Instance, start: float, deadline: float, progress: ProgressCallback | None
) -> tuple[ColumnGenerationResult | None, np.ndarray]:
    """LEXIMIN over the relaxation, written as a mixture of panels.

    Returns the result when the mixture reproduces the relaxation's LEXIMIN point,
    else None with the panels of the first try (a warm start for column generation).
    A try is not cut short by ``deadline``: until it ends there is no distribution at
    all, and it ends long before column generation's MAXIMIN round would. Only a new
    try after a failed one waits for the time left.
    """
    n_types = len(instance.types)
    warm = np.zeros((0, n_types), dtype=np.int64)
    try:
        point = relaxed.relaxed_leximin(instance)
    except RuntimeError:  # HiGHS in numerical trouble: column generation instead
        return None, warm
    levels = point.levels
    shown = 0

    def report(phase: str, iteration: int, share: float, rounds: int = 0) -> None:
        nonlocal shown
        # a new try starts again from nothing; the bar does not go back
        shown = max(shown, int(share * n_types))
        if progress is not None:
            progress(
                ProgressEvent(
                    phase=phase,
                    iteration=iteration,
                    bound=levels[0],
                    fixed_types=shown,
                    total_types=n_types,
                    rounds_done=rounds,
                    minimum=levels[0],
                )
            )

    report("initial", 0, 0.0)
    mixture = None
    for attempt in range(relaxed.ATTEMPTS):
        if attempt and time.perf_counter() > deadline:
            break
        tried = relaxed.decompose(
            instance,
            point.x,
            progress=lambda steps, covered: report("decomposition", steps, covered),
            attempt=attempt,
        )
        if tried.exact:
            mixture = tried
            break
        if attempt == 0:
            warm = tried.panels
    if mixture is None:
        return None, warm
    for done in range(1, len(levels) + 1):
        report("fixed", mixture.steps, 1.0, done)
    report("done", mixture.steps, 1.0, len(levels))
    keep = mixture.weights > WEIGHT_CUTOFF
    weights = mixture.weights[keep]
    result = ColumnGenerationResult(
        panels=mixture.panels[keep],
        weights=weights / weights.sum(),
        fixed=point.fixed,
        columns_generated=len(mixture.panels),
        seconds=time.perf_counter() - start,
        iterations=mixture.steps,
        rounds=len(levels),
        levels=levels,
        method="relaxation",
    )
    return result, warm


def column_generation(
    instance: Instance,
    *,
    leximin: bool = True,
    progress: ProgressCallback | None = None,
    time_limit: float | None = None,
    relaxation: bool = True,
) -> ColumnGenerationResult:
    """Find a LEXIMIN (or MAXIMIN) distribution over type-level panels.

    Parameters
    ----------
    instance : the compiled pool.
    leximin : False to stop after the first round (MAXIMIN).
    progress : called after every master LP solve and every finished round.
    time_limit : seconds; once they have run out and the first round (the MAXIMIN
        optimum) is finished, LEXIMIN stops and the result has ``complete=False``.
        The first round always runs to its end, however long it takes. A try at the
        relaxation's mixture is not cut short either (it is the quicker way to a fair
        distribution): the budget bounds column generation, when that is needed.
    relaxation : for LEXIMIN, whether to try the relaxation first (False runs column
        generation only, as the tests do to compare the two).

    Returns
    -------
    ColumnGenerationResult

    Notes
    -----
    LEXIMIN over the LP relaxation of the panels is computed first, in a few small LPs
    over the types, and written as a mixture of integer panels by
    :func:`relaxed.decompose`. The relaxation holds every mixture of panels, so when
    its LEXIMIN point is such a mixture, that mixture is LEXIMIN-optimal, each level
    certified by the dual of its round; the mixture's panels are checked against
    every quota and the household rows, and its probabilities against the levels,
    within ``relaxed.MATCH_TOLERANCE``. When no mixture is found (the point may lie
    outside the panels' hull), column generation over panels starts from the panels
    of the first try, as follows.

    Each round maximises the smallest probability ``z`` among the types not yet fixed,
    adding panels found by the pricing ILP until none beats the LP dual; the types
    with positive dual weight are then fixed at ``z`` (they are at ``z`` in every
    optimal solution, by complementary slackness), and the next round starts.

    The duals of a restricted master swing widely from one iteration to the next, and
    a round takes many iterations to settle. Pricing is therefore done at a smoothed
    dual (Wentges, 1997): a convex combination of the master's dual and the best dual
    point seen in the round, the one with the smallest Lagrangian bound
    ``max_P y.a_P - sum_fixed y_t f_t`` on the round's optimum. A panel found there is
    added when it also improves the master; when it does not (a mispricing), pricing
    is repeated at the master's own dual. A round ends only when exact pricing at the
    master's dual finds no panel beating it by more than ``PRICING_TOLERANCE``, so
    every round's optimum is certified by a dual solution, as without smoothing.

    Besides the exact panel, each iteration adds the improving panels that
    :class:`SwapSearch` meets from the best panels found so far. Before the first
    round every type that can be on some panel is put on one.
    """
    start = time.perf_counter()
    deadline = np.inf if time_limit is None else start + time_limit
    warm = np.zeros((0, len(instance.types)), dtype=np.int64)
    if leximin and relaxation:
        found_by_relaxation, warm = _by_relaxation(instance, start, deadline, progress)
        if found_by_relaxation is not None:
            return found_by_relaxation
    oracle = PanelOracle(instance)
    search = SwapSearch(instance)
    master = _Master(instance)
    n_types = len(instance.types)
    sizes = instance.sizes.astype(float)
    free = master.free
    fixed = np.full(n_types, np.nan)
    fixed[~free] = 1.0
    # the bound of each fixed type's row in the master (see _Master.fix)
    floor = np.zeros(n_types)
    levels: list[float] = []

    def report(phase: str, iteration: int, bound: float) -> None:
        if progress is not None:
            progress(
                ProgressEvent(
                    phase=phase,
                    iteration=iteration,
                    bound=bound,
                    fixed_types=int((~np.isnan(fixed)).sum()),
                    total_types=n_types,
                    rounds_done=len(levels),
                    minimum=levels[0] if levels else bound,
                )
            )

    first = oracle.price(1.0 / sizes, -np.inf)
    if first is None:
        raise RuntimeError("no panel meets the quotas; check feasibility first")
    master.add(first[0])
    for counts in warm:
        master.add(counts)
    # Cover every type that can be selected at all, so the first LP is informative:
    # each new panel takes as many of the uncovered types as it can.
    uncovered = free & (master.matrix.sum(axis=0) == 0)
    while uncovered.any():
        w = np.where(uncovered, 1.0 / sizes, 0.0)
        candidate = search.improve(master.panels[-1], w) if search.enabled else first[0]
        if not candidate[uncovered].any():
            found = oracle.price(w, 0.0)
            if found is None or not found[0][uncovered].any():
                break  # no panel takes any of the remaining types
            candidate = found[0]
        master.add(candidate)
        uncovered &= candidate == 0
    report("initial", 0, 0.0)

    iterations = 0
    complete = True
    lam = np.zeros(len(master.panels))
    while np.isnan(fixed).any():
        center: np.ndarray | None = None
        best_bound = np.inf
        while True:
            iterations += 1
            z, y, mu, lam = master.solve()
            lam = lam[master.prune(int(PRUNE_FACTOR * (master.n_rows + 1)))]
            report("column_generation", iterations, z)
            if levels and time.perf_counter() > deadline:
                complete = False
                break
            w = y / sizes
            cutoff = mu + PRICING_TOLERANCE

            def improves(c: np.ndarray, w: np.ndarray = w, cutoff: float = cutoff) -> bool:
                return float(w @ c) > cutoff

            found = None
            if center is not None:
                y_s = SMOOTHING * center + (1.0 - SMOOTHING) * y
                w_s = y_s / sizes
                extra = _swap_panels(search, master, w_s, improves)
                at_center = oracle.price(w_s, -np.inf, extra.copy)
                if at_center is not None:
                    bound = at_center[1] - float(y_s @ floor)
                    if bound < best_bound:
                        best_bound, center = bound, y_s
                    if improves(at_center[0]):
                        found = at_center
            if found is None:
                # No smoothing yet, or a mispricing: price at the master's own dual.
                extra = _swap_panels(search, master, w, improves)
                found = oracle.price(w, cutoff, extra.copy)
                if found is None:
                    break
                bound = found[1] - float(y @ floor)
                if center is None or bound < best_bound:
                    best_bound, center = bound, y
            added = int(master.add(found[0]))
            added += sum(master.add(c) for c in extra)
            if not added:
                break
        if not complete:
            break
        positive = [int(t) for t in np.flatnonzero(np.isnan(fixed)) if y[t] > DUAL_TOLERANCE]
        if not positive:
            # The duals of the unfixed types add up to 1, so this only guards round-off.
            unfixed = np.flatnonzero(np.isnan(fixed))
            positive = [int(unfixed[np.argmax(y[unfixed])])]
        for t in positive:
            fixed[t] = z
            floor[t] = master.fix(int(t), z)
        levels.append(z)
        report("fixed", iterations, z)
        if not leximin:
            break
    panels = np.array(master.panels[: len(lam)])
    weights = np.where(lam > WEIGHT_CUTOFF, lam, 0.0)
    keep = weights > 0
    panels, weights = panels[keep], weights[keep]
    weights = weights / weights.sum()
    report("done", iterations, levels[0])
    return ColumnGenerationResult(
        panels=panels,
        weights=weights,
        fixed=fixed,
        columns_generated=len(master.panels),
        seconds=time.perf_counter() - start,
        iterations=iterations,
        rounds=len(levels),
        levels=tuple(levels),
        complete=complete or not np.isnan(fixed).any(),
    )
