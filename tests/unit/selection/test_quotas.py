"""Quotas from target shares, and the new-voices dimension."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from representativeness.selection import (
    add_new_voices,
    participation_category,
    quotas_from_shares,
    select_panel,
)


def test_floor_and_ceiling() -> None:
    quotas = quotas_from_shares({"age": {"18-34": 0.25, "35-64": 0.5, "65+": 0.25}}, 12)
    assert quotas == {"age": {"18-34": (3, 3), "35-64": (6, 6), "65+": (3, 3)}}
    quotas = quotas_from_shares({"sex": {"f": 0.52, "m": 0.48}}, 12, tolerance=1)
    assert quotas == {"sex": {"f": (5, 8), "m": (4, 7)}}


def test_shares_must_add_up() -> None:
    with pytest.raises(ValueError, match="the shares of 'sex' add up to 0.9"):
        quotas_from_shares({"sex": {"f": 0.5, "m": 0.4}}, 10)


@settings(max_examples=50, deadline=None)
@given(
    st.lists(st.integers(1, 100), min_size=1, max_size=6),
    st.integers(1, 60),
    st.integers(0, 2),
)
def test_quotas_from_shares_always_admit_k(weights: list[int], k: int, tolerance: int) -> None:
    shares = {f"c{i}": w / sum(weights) for i, w in enumerate(weights)}
    quotas = quotas_from_shares({"d": shares}, k, tolerance)["d"]
    assert sum(lo for lo, _ in quotas.values()) <= k <= sum(hi for _, hi in quotas.values())
    for c, p in shares.items():
        lo, hi = quotas[c]
        assert lo <= k * p + 1e-9 and hi >= k * p - 1e-9
        assert lo >= max(0, math.floor(k * p) - tolerance - 1)


def test_participation_bins() -> None:
    assert [participation_category(n) for n in (0, 1, 2, 3, 10)] == [
        "none",
        "1-2",
        "1-2",
        "3 or more",
        "3 or more",
    ]
    with pytest.raises(ValueError, match="previous_panels=-1 is not valid"):
        participation_category(-1)


def test_new_voices_get_at_least_half_the_panel() -> None:
    rng = np.random.default_rng(3)
    pool = pd.DataFrame(
        {"id": [f"p{i}" for i in range(40)], "gender": rng.choice(["f", "m"], size=40)}
    )
    history = {f"p{i}": int(rng.integers(1, 6)) for i in range(30)}  # only 10 new voices
    quotas = {"gender": {"f": (0, 8), "m": (0, 8)}}
    pool2, quotas2 = add_new_voices(pool, quotas, history, 8, min_new_share=0.5)
    assert quotas2["previous_panels"]["none"] == (4, 8)
    assert "previous_panels" not in quotas  # the input is not modified
    result = select_panel(pool2, quotas2, 8, seed=5)
    new = set(pool2.loc[pool2["previous_panels"] == "none", "id"])
    assert len(new & set(result.panel)) >= 4
    for pid in new:
        assert result.probabilities[pid] >= 0.4 - 1e-9
