"""LEXIMIN on the public instances matches the published results."""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import pytest

from representativeness.selection import select_panel
from representativeness.selection.io import read_public_instance

from .helpers import check_invariants


def published_min(instances_dir: Path, name: str) -> float:
    with open(instances_dir / "published_results_nature2021.csv", encoding="utf-8") as f:
        row = next(r for r in csv.DictReader(f) if r["instance"] == name)
    return float(row["leximin_min_prob"].rstrip("%")) / 100


@pytest.mark.parametrize("name", ["example_small_20", "example_large_200"])
def test_replication_instances_match_published_leximin(instances_dir: Path, name: str) -> None:
    instance = read_public_instance(instances_dir / name)
    result = select_panel(instance.pool, instance.quotas, instance.k, seed=2021)
    check_invariants(result, instance.pool, instance.quotas, instance.k)
    assert result.min_probability == pytest.approx(published_min(instances_dir, name), abs=5e-4)
    # Every person gets exactly k/n, so the Gini coefficient is 0 (published: 0.0%).
    assert result.min_probability == pytest.approx(instance.k / len(instance.pool), abs=1e-9)
    assert result.gini == pytest.approx(0.0, abs=1e-9)
    assert result.stats.n_types == 3


def test_sortition_algorithms_fixture(instances_dir: Path) -> None:
    instance = read_public_instance(instances_dir / "sortition_algorithms_fixture")
    assert len(instance.pool) == 150 and instance.k == 22
    leximin = select_panel(instance.pool, instance.quotas, instance.k, seed=7)
    check_invariants(leximin, instance.pool, instance.quotas, instance.k)
    # Published (sortition-algorithms with Gurobi): minimum 9.09%, Gini 14.0%.
    assert leximin.min_probability == pytest.approx(1 / 11, abs=1e-8)
    assert round(leximin.gini, 3) <= 0.140
    maximin = select_panel(instance.pool, instance.quotas, instance.k, seed=7, algorithm="maximin")
    check_invariants(maximin, instance.pool, instance.quotas, instance.k)
    assert maximin.min_probability == pytest.approx(leximin.min_probability, abs=1e-8)
    # LEXIMIN dominates: its sorted probability vector is lexicographically >= MAXIMIN's.
    lex = np.sort(list(leximin.probabilities.values()))
    mx = np.sort(list(maximin.probabilities.values()))
    first_difference = np.flatnonzero(np.abs(lex - mx) > 1e-7)
    assert first_difference.size == 0 or lex[first_difference[0]] > mx[first_difference[0]]
