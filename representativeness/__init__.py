"""Representativeness: gap analysis and fair selection for co-production panels.

A pure library: plain data in, frozen dataclasses out. It imports numpy, scipy and
pandas only (never Flask or SQLAlchemy), so it can be used on its own.
"""

from representativeness.concentration import Concentration, concentration
from representativeness.gap import (
    CategoryGap,
    Coverage,
    ExactMethod,
    GapAnalysis,
    GapReport,
    MonteCarloMethod,
    gap_analysis,
    gap_report,
    gap_report_from_counts,
)
from representativeness.target import (
    TargetDimension,
    TargetPopulation,
    builtin_target,
    ethnic_group_rollup,
    load_ons_custom_dataset,
    load_tidy_csv,
    roll_up,
)

__all__ = [
    "CategoryGap",
    "Concentration",
    "Coverage",
    "ExactMethod",
    "GapAnalysis",
    "GapReport",
    "MonteCarloMethod",
    "TargetDimension",
    "TargetPopulation",
    "builtin_target",
    "concentration",
    "ethnic_group_rollup",
    "gap_analysis",
    "gap_report",
    "gap_report_from_counts",
    "load_ons_custom_dataset",
    "load_tidy_csv",
    "roll_up",
]
