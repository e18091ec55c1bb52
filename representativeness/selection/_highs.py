"""Small helpers around highspy shared by the selection solvers."""

from __future__ import annotations

import os
import sys
import threading
from collections.abc import Sequence

import highspy
import numpy as np

_BANNER_LOCK = threading.Lock()
_BANNER_DONE = False


def new_highs(*, mip_gap: float | None = None) -> highspy.Highs:
    """Return a silent HiGHS instance.

    HiGHS prints a copyright banner on standard output when the first instance of the
    process is built, before any option can be set. That would corrupt machine-readable
    output (``panels select --json``), so the first construction runs with file
    descriptor 1 pointed at the null device.
    """
    global _BANNER_DONE
    with _BANNER_LOCK:
        if _BANNER_DONE:
            highs = highspy.Highs()
        else:
            sys.stdout.flush()
            saved = os.dup(1)
            devnull = os.open(os.devnull, os.O_WRONLY)
            try:
                os.dup2(devnull, 1)
                highs = highspy.Highs()
            finally:
                os.dup2(saved, 1)
                os.close(saved)
                os.close(devnull)
            _BANNER_DONE = True
    highs.setOptionValue("output_flag", False)
    highs.setOptionValue("threads", 1)
    if mip_gap is not None:
        highs.setOptionValue("mip_rel_gap", mip_gap)
        highs.setOptionValue("mip_abs_gap", mip_gap)
    return highs


def add_rows(
    highs: highspy.Highs,
    rows: Sequence[tuple[float, float, Sequence[int], Sequence[float]]],
) -> None:
    """Add rows given as ``(lower, upper, column indices, coefficients)``."""
    if not rows:
        return
    lower = np.array([r[0] for r in rows], dtype=float)
    upper = np.array([r[1] for r in rows], dtype=float)
    starts = np.zeros(len(rows), dtype=np.int32)
    indices: list[int] = []
    values: list[float] = []
    for i, (_, _, idx, val) in enumerate(rows):
        starts[i] = len(indices)
        indices.extend(idx)
        values.extend(val)
    highs.addRows(
        len(rows),
        lower,
        upper,
        len(indices),
        starts,
        np.array(indices, dtype=np.int32),
        np.array(values, dtype=float),
    )


BASIC = highspy.HighsBasisStatus.kBasic
OPTIMAL = highspy.HighsModelStatus.kOptimal
INFEASIBLE = highspy.HighsModelStatus.kInfeasible
INTEGER = highspy.HighsVarType.kInteger
MAXIMIZE = highspy.ObjSense.kMaximize
MINIMIZE = highspy.ObjSense.kMinimize


def change_rows_bounds(highs: highspy.Highs, lower: np.ndarray, upper: np.ndarray) -> None:
    """Set the bounds of every row (``changeRowsBounds``, missing from highspy's stubs)."""
    rows = np.arange(len(lower), dtype=np.int32)
    highs.changeRowsBounds(len(lower), rows, lower, upper)  # type: ignore[attr-defined]
