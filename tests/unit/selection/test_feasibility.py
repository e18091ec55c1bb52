"""Infeasible quotas: plain-language reasons and a feasible smallest relaxation."""

from __future__ import annotations

import pandas as pd
import pytest

from representativeness.selection import (
    InfeasibleQuotasError,
    check_feasibility,
    compile_instance,
    select_panel,
)

from .helpers import feasible_panels


@pytest.fixture
def pool() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "id": [f"p{i}" for i in range(10)],
            "age": [
                "18-24",
                "18-24",
                "25-64",
                "25-64",
                "25-64",
                "25-64",
                "65+",
                "65+",
                "65+",
                "65+",
            ],
            "gender": ["f", "m", "f", "m", "f", "m", "f", "f", "f", "m"],
        }
    )


def explain(pool: pd.DataFrame, quotas: dict, k: int, **kwargs):
    with pytest.raises(InfeasibleQuotasError) as caught:
        select_panel(pool, quotas, k, seed=1, **kwargs)
    return caught.value.report


def test_too_few_people_in_a_category(pool: pd.DataFrame) -> None:
    quotas = {
        "age": {"18-24": (3, 4), "25-64": (0, 4), "65+": (0, 4)},
        "gender": {"f": (0, 4), "m": (0, 4)},
    }
    report = explain(pool, quotas, 4)
    assert report.reasons == (
        "The quotas ask for at least 3 people with age = 18-24, but only 2 in the pool "
        "have age = 18-24.",
    )
    assert report.suggested_quotas["age"]["18-24"] == (2, 4)
    assert "lower the minimum from 3 to 2" in report.explanation
    assert feasible_panels(pool, report.suggested_quotas, 4)


def test_minimums_exceed_panel_size(pool: pd.DataFrame) -> None:
    quotas = {
        "age": {"18-24": (2, 2), "25-64": (2, 4), "65+": (2, 4)},
        "gender": {"f": (0, 6), "m": (0, 6)},
    }
    report = explain(pool, quotas, 5)
    assert "The minimums for age add up to 6, more than the panel size of 5." in report.reasons
    assert sum(c.old_min - c.new_min for c in report.changes) == 1
    assert feasible_panels(pool, report.suggested_quotas, 5)


def test_maximums_too_small(pool: pd.DataFrame) -> None:
    quotas = {
        "age": {"18-24": (0, 1), "25-64": (0, 1), "65+": (0, 1)},
        "gender": {"f": (0, 4), "m": (0, 4)},
    }
    report = explain(pool, quotas, 4)
    assert any(
        "allow at most 3 people, fewer than the panel size of 4" in r for r in report.reasons
    )
    assert sum(c.new_max - c.old_max for c in report.changes) == 1
    assert feasible_panels(pool, report.suggested_quotas, 4)


def test_conflict_between_dimensions(pool: pd.DataFrame) -> None:
    # 4 men needed, and 2 from 65+ (only one 65+ man) plus 2 from 18-24:
    # counting per category passes, but no panel meets all quotas.
    quotas = {
        "age": {"18-24": (0, 0), "25-64": (0, 2), "65+": (2, 4)},
        "gender": {"f": (0, 0), "m": (4, 4)},
    }
    report = explain(pool, quotas, 4)
    assert report.reasons[0].startswith("Each quota can be met on its own")
    suggested = report.suggested_quotas
    assert suggested is not None
    panels = feasible_panels(pool, suggested, 4)
    assert panels
    assert check_feasibility(compile_instance(pool, suggested, 4)).feasible


def test_smallest_relaxation_is_minimal(pool: pd.DataFrame) -> None:
    quotas = {
        "age": {"18-24": (0, 0), "25-64": (0, 2), "65+": (2, 4)},
        "gender": {"f": (0, 0), "m": (4, 4)},
    }
    report = explain(pool, quotas, 4)
    total = sum((c.old_min - c.new_min) + (c.new_max - c.old_max) for c in report.changes)
    # Brute force over all relaxations of total size < total finds none feasible.
    import itertools

    keys = [(d, c) for d in quotas for c in quotas[d]]
    for size in range(total):
        for combo in itertools.combinations_with_replacement(range(2 * len(keys)), size):
            relaxed = {d: dict(cs) for d, cs in quotas.items()}
            for move in combo:
                d, c = keys[move % len(keys)]
                lo, hi = relaxed[d][c]
                relaxed[d][c] = (max(0, lo - 1), hi) if move < len(keys) else (lo, hi + 1)
            assert not feasible_panels(pool, relaxed, 4)


def test_pool_smaller_than_panel(pool: pd.DataFrame) -> None:
    quotas = {"gender": {"f": (0, 20), "m": (0, 20)}}
    report = explain(pool, quotas, 12)
    assert (
        "The panel needs 12 people but only 10 people are in the pool (after exclusions)."
        in report.reasons
    )
    assert report.suggested_quotas is None


def test_confirmed_people_over_a_maximum(pool: pd.DataFrame) -> None:
    quotas = {"gender": {"f": (0, 3), "m": (0, 1)}}
    report = explain(pool, quotas, 3, must_include=["p1", "p3"])
    assert (
        "2 people with gender = m are already confirmed, more than the maximum of 1."
        in report.reasons
    )
    assert report.suggested_quotas["gender"]["m"] == (0, 2)


def test_feasible_report(pool: pd.DataFrame) -> None:
    quotas = {"gender": {"f": (1, 3), "m": (1, 3)}}
    report = check_feasibility(compile_instance(pool, quotas, 4))
    assert report.feasible and report.reasons == () and report.suggested_quotas is None
