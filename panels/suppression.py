"""Small-count suppression: the one place that decides when a count is too small to show.

A count of 1 to 4 people could point at a person, so readers who may not see who they are
are shown "fewer than 5" instead. Zero is shown: it identifies no one. The threshold is the
``SUPPRESSION_THRESHOLD`` setting (default :data:`THRESHOLD`).

:func:`shown_count` is *primary* suppression of one count. A published table needs more:
with its row and column totals shown, one hidden cell in a row is the total minus the
others. :func:`protect_table` adds *secondary* suppression: it hides further cells ("not
shown") until no hidden small count can be worked out exactly from what is published. It
checks this the way someone trying to undo it would: for each hidden small count it finds
the smallest and largest whole numbers consistent with every published cell and total (and
with "fewer than 5" meaning 1 to 4), by integer programming (HiGHS),
and hides more until the two differ.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

import highspy
import numpy as np

from representativeness.selection._highs import (
    INTEGER,
    MAXIMIZE,
    MINIMIZE,
    OPTIMAL,
    add_rows,
    new_highs,
)

CONTINUOUS = highspy.HighsVarType.kContinuous

THRESHOLD = 5
"""Counts from 1 to ``THRESHOLD - 1`` are suppressed (unless the setting says otherwise)."""
SUPPRESSED_TEXT = f"fewer than {THRESHOLD}"
SECONDARY_TEXT = "not shown"
"""What a cell hidden by secondary suppression says (it may be any number, even large)."""


def threshold_of(settings: Mapping[str, Any]) -> int:
    """The ``SUPPRESSION_THRESHOLD`` setting, checked (3 or more, so "fewer than" hides a range)."""
    value = settings.get("SUPPRESSION_THRESHOLD", THRESHOLD)
    if isinstance(value, bool) or not isinstance(value, int) or value < 3:
        raise ValueError(
            f"SUPPRESSION_THRESHOLD is {value!r}; it must be a whole number of 3 or more "
            "(with 2, 'fewer than 2' would mean exactly 1)"
        )
    return value


def suppressed_text(threshold: int = THRESHOLD) -> str:
    return f"fewer than {threshold}"


def is_small(count: int, threshold: int = THRESHOLD) -> bool:
    """Whether a count is small enough to point at someone (1 to ``threshold - 1``)."""
    return 0 < count < threshold


@dataclass(frozen=True)
class ShownCount:
    """A count as a reader may see it: ``value`` is ``None`` when it is suppressed."""

    value: int | None
    threshold: int = THRESHOLD

    @property
    def suppressed(self) -> bool:
        return self.value is None

    def __str__(self) -> str:
        return suppressed_text(self.threshold) if self.value is None else str(self.value)


def shown_count(count: int, *, suppress: bool, threshold: int = THRESHOLD) -> ShownCount:
    """``count`` as a reader may see it: suppressed when ``suppress`` and it is small."""
    if count < 0:
        raise ValueError(f"a count of people cannot be negative; it is {count}")
    hide = suppress and is_small(count, threshold)
    return ShownCount(None if hide else count, threshold)


# --- tables -------------------------------------------------------------------------------------

Reason = Literal["shown", "small", "secondary"]


@dataclass(frozen=True)
class Cell:
    """One published count: ``value`` is ``None`` unless ``reason`` is "shown"."""

    value: int | None
    reason: Reason
    threshold: int = THRESHOLD

    @property
    def hidden(self) -> bool:
        return self.reason != "shown"

    def __str__(self) -> str:
        if self.reason == "small":
            return suppressed_text(self.threshold)
        if self.reason == "secondary":
            return SECONDARY_TEXT
        return str(self.value)


@dataclass(frozen=True)
class ProtectedTable:
    """A table of counts with its row totals, column totals and grand total, as published."""

    cells: tuple[tuple[Cell, ...], ...]
    row_totals: tuple[Cell, ...]
    column_totals: tuple[Cell, ...]
    total: Cell
    threshold: int

    @property
    def hidden_count(self) -> int:
        return sum(c.hidden for c in self.all_cells())

    def all_cells(self) -> list[Cell]:
        return [
            *(c for row in self.cells for c in row),
            *self.row_totals,
            *self.column_totals,
            self.total,
        ]


class Unprotectable(ValueError):
    """Small counts in these rows cannot be hidden from their (locked) row totals."""

    def __init__(self, rows: Sequence[int]) -> None:
        self.rows = tuple(rows)
        super().__init__(
            f"rows {', '.join(map(str, self.rows))} cannot be published without revealing a "
            "small count, even with every other cell hidden"
        )


class _Items:
    """Every published figure of a table as a vector of coefficients over its cells."""

    def __init__(self, counts: np.ndarray) -> None:
        rows, columns = counts.shape
        self.shape = (rows, columns)
        vectors: list[np.ndarray] = []
        self.values: list[int] = []
        self.lines: list[list[int]] = []  # each line: items that sum (the last is the total)
        index: dict[tuple[str, int, int], int] = {}

        def add(key: tuple[str, int, int], vector: np.ndarray) -> None:
            index[key] = len(vectors)
            vectors.append(vector)
            self.values.append(int(vector @ counts.ravel()))

        for i in range(rows):
            for j in range(columns):
                v = np.zeros(rows * columns)
                v[i * columns + j] = 1
                add(("cell", i, j), v)
        for i in range(rows):
            v = np.zeros((rows, columns))
            v[i, :] = 1
            add(("row", i, 0), v.ravel())
        for j in range(columns):
            v = np.zeros((rows, columns))
            v[:, j] = 1
            add(("column", j, 0), v.ravel())
        add(("total", 0, 0), np.ones(rows * columns))
        self.matrix = np.array(vectors)
        self.index = index
        for i in range(rows):
            self.lines.append([index["cell", i, j] for j in range(columns)] + [index["row", i, 0]])
        for j in range(columns):
            self.lines.append([index["cell", i, j] for i in range(rows)] + [index["column", j, 0]])
        self.lines.append([index["row", i, 0] for i in range(rows)] + [index["total", 0, 0]])
        self.lines.append([index["column", j, 0] for j in range(columns)] + [index["total", 0, 0]])


def _pinned(
    items: _Items, status: list[Reason], threshold: int, candidates: Sequence[int]
) -> list[int]:
    """Of ``candidates`` (hidden small counts), those whose smallest and largest consistent
    whole values are equal.

    One integer programme is built and re-solved with each objective. Every solution found
    is a table consistent with what is published, so a figure that takes two values across
    the solutions found so far is known not to be pinned without solving for it.
    """
    candidates = [k for k in candidates if status[k] == "small"]
    n = items.matrix.shape[1]
    highs = new_highs()
    highs.addVars(n, np.zeros(n), np.full(n, highspy.kHighsInf))
    rows: list[tuple[float, float, Sequence[int], Sequence[float]]] = []
    for k, reason in enumerate(status):
        columns = [int(c) for c in np.flatnonzero(items.matrix[k])]
        ones = [1.0] * len(columns)
        if reason == "shown":
            rows.append((float(items.values[k]), float(items.values[k]), columns, ones))
        elif reason == "small":
            rows.append((1.0, threshold - 1.0, columns, ones))
    add_rows(highs, rows)
    seen_low: dict[int, float] = {}
    seen_high: dict[int, float] = {}

    def remember(x: np.ndarray) -> None:
        for k in candidates:
            value = float(items.matrix[k] @ x)
            seen_low[k] = min(seen_low.get(k, value), value)
            seen_high[k] = max(seen_high.get(k, value), value)

    pinned = []
    everything = np.arange(n, dtype=np.int32)
    for k in candidates:
        if seen_high.get(k, 0) - seen_low.get(k, 0) >= 0.5:
            continue
        for sense in (MINIMIZE, MAXIMIZE):
            highs.changeColsCost(n, everything, items.matrix[k].astype(float))
            highs.changeObjectiveSense(sense)
            x = _solve(highs, n)
            remember(x)
            if seen_high[k] - seen_low[k] >= 0.5:
                break
        if seen_high[k] - seen_low[k] < 0.5:
            pinned.append(k)
    return pinned


def _solve(highs: highspy.Highs, n: int) -> np.ndarray:
    """An optimal table of whole numbers: the linear relaxation first (these tables' vertices
    are almost always whole), the integer programme when its answer is not whole."""
    highs.run()
    if highs.getModelStatus() != OPTIMAL:  # cannot happen: the true table is feasible
        raise RuntimeError(f"suppression audit failed: {highs.getModelStatus()}")
    x = np.asarray(highs.getSolution().col_value)
    if np.allclose(x, np.round(x), atol=1e-7):
        return np.round(x)
    everything = np.arange(n, dtype=np.int32)
    highs.changeColsIntegrality(n, everything, np.full(n, INTEGER))
    try:
        highs.run()
        if highs.getModelStatus() != OPTIMAL:
            raise RuntimeError(f"suppression audit failed: {highs.getModelStatus()}")
        return np.round(np.asarray(highs.getSolution().col_value))
    finally:
        highs.changeColsIntegrality(n, everything, np.full(n, CONTINUOUS))


def _first_pass(items: _Items, status: list[Reason], locked: set[int], totals_first: bool) -> None:
    """The classic rule: no line (a row or column with its total) has one hidden figure."""
    changed = True
    while changed:
        changed = False
        for line in items.lines:
            hidden = [k for k in line if status[k] != "shown"]
            if len(hidden) != 1:
                continue
            candidates = [k for k in line if status[k] == "shown" and k not in locked]
            if candidates:
                status[_cheapest(items, candidates, totals_first)] = "secondary"
                changed = True


def _cheapest(items: _Items, candidates: Sequence[int], totals_first: bool = False) -> int:
    """The figure whose hiding loses least: a cell before a total (or, ``totals_first``, a
    total before a cell), then the smallest."""
    cells = items.shape[0] * items.shape[1]
    return min(
        candidates,
        key=lambda k: ((k >= cells) != totals_first, items.values[k] == 0, items.values[k], k),
    )


def protect_table(
    counts: Sequence[Sequence[int]],
    *,
    threshold: int = THRESHOLD,
    lock_row_totals: bool = False,
    lock_column_totals: bool = False,
    hide_totals_first: bool = False,
) -> ProtectedTable:
    """Publishable counts: small ones hidden, and enough others that none can be worked out.

    Parameters
    ----------
    counts : rows of non-negative whole numbers
        The table's cells; its row totals, column totals and grand total are published too.
    threshold : int
        Counts from 1 to ``threshold - 1`` are hidden ("fewer than 5").
    lock_row_totals : bool
        Never hide a row total by secondary suppression (when the same totals are published
        elsewhere, such as a panel's size). Rows whose total is small are then refused.
    lock_column_totals : bool
        The same for column totals (a breakdown whose margins are published on their own).
    hide_totals_first : bool
        When a figure must be hidden, take an unlocked total before a cell (when the cells,
        such as each project's panel, matter more than the sums).

    Raises
    ------
    Unprotectable
        With ``lock_row_totals``, rows in which a small count would be pinned down even
        with every other cell hidden (for example 1, 1, 1, 1, 1 with a total of 5).

    Notes
    -----
    Primary suppression hides each small figure. Secondary suppression first applies the
    usual rule (no row or column, with its total, has exactly one hidden figure), hiding the
    smallest other figure of the line, then audits: for each hidden small figure it solves
    two integer programmes, the smallest and the largest value of that figure over all
    tables of non-negative whole numbers that agree with every shown figure and put every
    "fewer than" figure between 1 and ``threshold - 1``. While some figure's minimum equals
    its maximum, another figure on one of its lines is hidden. This is the audit of Cox
    (1980); hiding is greedy, so more may be hidden than the minimum possible.

    References
    ----------
    .. [1] Cox, L. H. (1980). "Suppression methodology and statistical disclosure
       control". Journal of the American Statistical Association 75(370), 377-385.
    """
    threshold_of({"SUPPRESSION_THRESHOLD": threshold})
    table = np.asarray(counts, dtype=np.int64)
    if table.ndim != 2 or table.shape[0] == 0 or table.shape[1] == 0:
        raise ValueError(f"counts must be a non-empty table of rows; its shape is {table.shape}")
    if (table < 0).any():
        raise ValueError(f"counts of people cannot be negative; the table holds {table.min()}")
    items = _Items(table)
    status: list[Reason] = ["small" if is_small(v, threshold) else "shown" for v in items.values]
    rows, columns = items.shape
    locked = {items.index["row", i, 0] for i in range(rows)} if lock_row_totals else set()
    if lock_column_totals:
        locked |= {items.index["column", j, 0] for j in range(columns)}
        if any(status[items.index["column", j, 0]] == "small" for j in range(columns)):
            raise Unprotectable(range(rows))
    if lock_row_totals:
        small_rows = [i for i in range(rows) if status[items.index["row", i, 0]] == "small"]
        if small_rows:
            raise Unprotectable(small_rows)
    _first_pass(items, status, locked, hide_totals_first)
    # Hiding more only widens what is consistent, so a figure found not pinned stays so.
    open_figures = [k for k, reason in enumerate(status) if reason == "small"]
    cells = rows * columns
    lines_of: dict[int, list[list[int]]] = {}
    for line in items.lines:
        for m in line:
            lines_of.setdefault(m, []).append(line)
    while pinned := _pinned(items, status, threshold, open_figures):
        open_figures = pinned
        stuck = []
        for k in pinned:
            # The figures that pin k share a line with it, or with a hidden figure that does
            # (a hidden cell next to k is worked out from its own column).
            hidden_near = {m for line in lines_of[k] for m in line if status[m] != "shown"}
            own = sorted({m for line in lines_of[k] for m in line if status[m] == "shown"} - locked)
            candidates = own or sorted(
                {m for h in hidden_near for line in lines_of[h] for m in line}
                - locked
                - {m for m, reason in enumerate(status) if reason != "shown"}
            )
            # A small total near it may pin it by its bounds alone (four cells of "fewer
            # than 5" in a column whose total is "fewer than 5" are 1 each): such a total is
            # shown as "not shown" instead, which says nothing of its size.
            small_totals = sorted(
                m
                for h in hidden_near
                for line in lines_of[h]
                for m in line
                if m >= cells and status[m] == "small" and m not in locked
            )
            small_cells = sorted(
                m for m in hidden_near if m != k and m < cells and status[m] == "small"
            )
            if small_totals:
                status[_cheapest(items, small_totals, totals_first=True)] = "secondary"
            elif candidates:
                status[_cheapest(items, candidates, hide_totals_first)] = "secondary"
            elif small_cells:
                status[_cheapest(items, small_cells)] = "secondary"
            else:
                stuck.append(k)
        if stuck and len(stuck) == len(pinned):
            stuck_rows = sorted({k // columns for k in stuck if k < rows * columns})
            others = [m for m, r in enumerate(status) if r == "shown" and m not in locked]
            if lock_row_totals or not others:
                # Nothing near these figures is left to hide: their rows cannot be published.
                raise Unprotectable(stuck_rows or range(rows))
            for m in others:  # a last resort: hide the rest of the table
                status[m] = "secondary"

    def cell(k: int) -> Cell:
        reason = status[k]
        return Cell(items.values[k] if reason == "shown" else None, reason, threshold)

    return ProtectedTable(
        cells=tuple(
            tuple(cell(items.index["cell", i, j]) for j in range(columns)) for i in range(rows)
        ),
        row_totals=tuple(cell(items.index["row", i, 0]) for i in range(rows)),
        column_totals=tuple(cell(items.index["column", j, 0]) for j in range(columns)),
        total=cell(items.index["total", 0, 0]),
        threshold=threshold,
    )
