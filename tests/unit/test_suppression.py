"""Small-count suppression: nothing from 1 to 4 is shown, and no hidden small count can be
worked out from what a table publishes (its cells, row totals, column totals and total)."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.optimize import Bounds, LinearConstraint, milp

from panels.suppression import (
    ProtectedTable,
    Unprotectable,
    protect_table,
    shown_count,
    threshold_of,
)


def published_intervals(table: ProtectedTable) -> dict[tuple[str, int, int], tuple[int, int]]:
    """An attacker's view: for each figure shown as "fewer than N", the smallest and largest
    whole value over every non-negative integer table consistent with what is published."""
    rows, columns = len(table.cells), len(table.cells[0])
    figures: list[tuple[tuple[str, int, int], np.ndarray, object]] = []
    for i, j in itertools.product(range(rows), range(columns)):
        v = np.zeros((rows, columns))
        v[i, j] = 1
        figures.append((("cell", i, j), v.ravel(), table.cells[i][j]))
    for i in range(rows):
        v = np.zeros((rows, columns))
        v[i] = 1
        figures.append((("row", i, 0), v.ravel(), table.row_totals[i]))
    for j in range(columns):
        v = np.zeros((rows, columns))
        v[:, j] = 1
        figures.append((("column", j, 0), v.ravel(), table.column_totals[j]))
    figures.append((("total", 0, 0), np.ones(rows * columns), table.total))
    a, low, high = [], [], []
    for _, vector, shown in figures:
        text = str(shown)
        if text.isdigit():
            a.append(vector), low.append(int(text)), high.append(int(text))
        elif text.startswith("fewer than "):
            a.append(vector), low.append(1), high.append(int(text.removeprefix("fewer than ")) - 1)
    constraint = LinearConstraint(np.array(a), low, high)
    n = rows * columns
    found = {}
    for key, vector, shown in figures:
        if not str(shown).startswith("fewer than"):
            continue
        ends = []
        for sign in (1, -1):
            result = milp(
                sign * vector,
                constraints=constraint,
                integrality=np.ones(n),
                bounds=Bounds(np.zeros(n), np.full(n, np.inf)),
            )
            assert result.status == 0
            ends.append(round(sign * result.fun))
        found[key] = (ends[0], ends[1])
    return found


def shown_numbers(table: ProtectedTable) -> list[int]:
    return [int(str(c)) for c in table.all_cells() if str(c).isdigit()]


def assert_protected(table: ProtectedTable, threshold: int = 5) -> None:
    assert not [n for n in shown_numbers(table) if 0 < n < threshold]
    for key, (low, high) in published_intervals(table).items():
        assert low < high, f"{key} is pinned at {low}"


def primary_only(counts, threshold=5) -> ProtectedTable:
    """What primary suppression alone would publish (for the attack to succeed against)."""
    from panels.suppression import Cell

    def cell(n):
        return Cell(None, "small", threshold) if 0 < n < threshold else Cell(n, "shown", threshold)

    array = np.asarray(counts)
    return ProtectedTable(
        cells=tuple(tuple(cell(int(n)) for n in row) for row in array),
        row_totals=tuple(cell(int(n)) for n in array.sum(axis=1)),
        column_totals=tuple(cell(int(n)) for n in array.sum(axis=0)),
        total=cell(int(array.sum())),
        threshold=threshold,
    )


def test_primary_suppression_alone_gives_a_small_count_away():
    counts = [[3, 10, 12], [8, 9, 11]]
    intervals = published_intervals(primary_only(counts))
    assert intervals[("cell", 0, 0)] == (3, 3)


@pytest.mark.parametrize(
    "counts",
    [
        [[3, 10, 12], [8, 9, 11]],
        [[1, 0, 9], [0, 7, 8], [6, 6, 2]],
        [[2, 2, 20], [15, 18, 30]],
        [[0, 0, 4], [5, 5, 5]],
        [[1, 30], [40, 2], [3, 3]],
        [[12, 1, 0, 0, 7]],
    ],
)
def test_no_suppressed_count_can_be_worked_out(counts):
    table = protect_table(counts)
    assert_protected(table)
    # Zero identifies no one and stays shown where nothing forces it to be hidden.
    assert table.hidden_count < sum(len(r) for r in counts) + len(counts) + len(counts[0]) + 1


@settings(max_examples=40, deadline=None)
@given(
    st.integers(1, 4).flatmap(
        lambda rows: st.integers(1, 5).flatmap(
            lambda columns: st.lists(
                st.lists(
                    st.sampled_from([0, 1, 2, 3, 4, 5, 6, 9, 14, 30]),
                    min_size=columns,
                    max_size=columns,
                ),
                min_size=rows,
                max_size=rows,
            )
        )
    )
)
def test_any_table_is_protected(counts):
    try:
        table = protect_table(counts)
    except Unprotectable:
        # Only when even hiding everything gives a small count away (all of 1, 1, 1, 1
        # with a total of fewer than 5 must be 1 each).
        hidden = primary_only(counts)
        everything = ProtectedTable(
            cells=tuple(tuple(_hide(c) for c in row) for row in hidden.cells),
            row_totals=tuple(_hide(c) for c in hidden.row_totals),
            column_totals=tuple(_hide(c) for c in hidden.column_totals),
            total=_hide(hidden.total),
            threshold=5,
        )
        assert any(low == high for low, high in published_intervals(everything).values())
        return
    assert_protected(table)


def _hide(cell):
    from panels.suppression import Cell

    return cell if cell.hidden else Cell(None, "secondary")


def test_locked_row_totals_stay_shown_or_the_row_is_refused():
    table = protect_table([[1, 9, 10], [6, 7, 8]], lock_row_totals=True)
    assert [str(c) for c in table.row_totals] == ["20", "21"]
    assert_protected(table)
    # 1, 1, 1, 1, 1 with a total of 5 would pin every cell; one is shown as "not shown".
    ones = protect_table([[1, 1, 1, 1, 1], [5, 6, 7, 8, 9]], lock_row_totals=True)
    assert str(ones.row_totals[0]) == "5" and "not shown" in [str(c) for c in ones.cells[0]]
    assert_protected(ones)
    with pytest.raises(Unprotectable):
        protect_table([[1, 2], [5, 6]], lock_row_totals=True)


def test_a_larger_threshold_hides_more():
    table = protect_table([[6, 20], [30, 40]], threshold=10)
    assert str(table.cells[0][0]) == "fewer than 10"
    assert_protected(table, threshold=10)


def test_threshold_setting_is_checked():
    assert threshold_of({}) == 5
    assert threshold_of({"SUPPRESSION_THRESHOLD": 10}) == 10
    with pytest.raises(ValueError, match="SUPPRESSION_THRESHOLD is 2"):
        threshold_of({"SUPPRESSION_THRESHOLD": 2})


def test_one_count():
    assert str(shown_count(3, suppress=True)) == "fewer than 5"
    assert str(shown_count(3, suppress=True, threshold=3)) == "3"
    assert str(shown_count(0, suppress=True)) == "0"
    with pytest.raises(ValueError, match="negative"):
        shown_count(-1, suppress=True)


def test_locked_margins_stay_shown():
    table = protect_table(
        [[1, 9, 10], [6, 7, 8], [5, 5, 5]], lock_row_totals=True, lock_column_totals=True
    )
    assert all(not c.hidden for c in (*table.row_totals, *table.column_totals))
    assert_protected(table)
    with pytest.raises(Unprotectable):
        protect_table([[1, 9], [2, 8]], lock_column_totals=True)


def test_totals_may_be_hidden_before_cells():
    counts = [[3, 9, 0], [6, 6, 0]]
    table = protect_table(counts, lock_row_totals=True, hide_totals_first=True)
    assert [str(c) for c in table.cells[1]] == ["6", "6", "0"]
    assert_protected(table)


def test_small_counts_pinned_by_a_small_total_are_protected():
    # Four panels with one Buddhist member each: four "fewer than 5" cells in a column whose
    # total is "fewer than 5" would all be 1; the total is shown as "not shown" instead.
    counts = [[1, 9, 20], [1, 12, 17], [1, 15, 14], [1, 10, 19], [0, 13, 17]]
    table = protect_table(counts, lock_row_totals=True, hide_totals_first=True)
    assert str(table.column_totals[0]) == "not shown"
    assert_protected(table)
    assert any(low == high for low, high in published_intervals(primary_only(counts)).values())


def test_two_small_counts_that_add_up_to_two_are_protected():
    # 1 + 1 with the rest of the row shown would give both away.
    counts = [[1, 0, 1, 28], [3, 2, 2, 23], [0, 1, 2, 27]]
    table = protect_table(counts, lock_row_totals=True, hide_totals_first=True)
    assert_protected(table)
