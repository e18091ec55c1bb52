"""The legacy greedy draw (for comparison only)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from representativeness.selection import compile_instance, select_panel
from representativeness.selection.io import read_public_instance
from representativeness.selection.legacy import LegacyFailure, legacy_draw

from .helpers import check_invariants


def test_legacy_on_the_small_example(instances_dir: Path) -> None:
    instance = read_public_instance(instances_dir / "example_small_20")
    result = select_panel(
        instance.pool, instance.quotas, instance.k, seed=3, algorithm="legacy", legacy_draws=300
    )
    check_invariants(result, instance.pool, instance.quotas, instance.k)
    assert result.algorithm == "legacy"
    # The paper: the lone conservative woman is rarely chosen by LEGACY (about 1%),
    # where LEXIMIN gives everyone 10%.
    assert result.min_probability < 0.05


def test_legacy_draw_fails_cleanly() -> None:
    import pandas as pd

    pool = pd.DataFrame({"id": ["a", "b"], "g": ["f", "f"]})
    instance = compile_instance(pool, {"g": {"f": (0, 1)}}, 2)
    with pytest.raises(LegacyFailure, match="in 5 attempts"):
        legacy_draw(instance, np.random.default_rng(0), max_attempts=5)
