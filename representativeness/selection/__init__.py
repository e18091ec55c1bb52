"""Fair selection of panels by lottery (LEXIMIN on HiGHS).

``select_panel(pool, quotas, k, rng=...)`` checks the quotas, computes the LEXIMIN
distribution over panels (or MAXIMIN, or the legacy greedy draw for comparison) and
draws a panel with a recorded seed. Pure: numpy, scipy, pandas and highspy only.
"""

from .feasibility import FeasibilityReport, InfeasibleQuotasError, QuotaChange, check_feasibility
from .model import (
    ALGORITHMS,
    PersonType,
    ProgressEvent,
    SelectionResult,
    SolverStats,
    TypePanel,
    compile_instance,
    geometric_mean,
    gini,
)
from .quotas import add_new_voices, participation_category, quotas_from_shares
from .select import draw_panel, select_panel

__all__ = [
    "ALGORITHMS",
    "FeasibilityReport",
    "InfeasibleQuotasError",
    "PersonType",
    "ProgressEvent",
    "QuotaChange",
    "SelectionResult",
    "SolverStats",
    "TypePanel",
    "add_new_voices",
    "check_feasibility",
    "compile_instance",
    "draw_panel",
    "geometric_mean",
    "gini",
    "participation_category",
    "quotas_from_shares",
    "select_panel",
]
