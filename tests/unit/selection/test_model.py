"""Input validation, types, summary statistics, purity, progress and replay."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pandas as pd
import pytest

from representativeness.selection import (
    compile_instance,
    draw_panel,
    geometric_mean,
    gini,
    select_panel,
)

from .helpers import check_invariants


@pytest.fixture
def pool() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "id": ["a", "b", "c", "d", "e", "f", "g", "h"],
            "age": ["young", "young", "old", "old", "old", "old", "young", "old"],
            "gender": ["f", "m", "f", "m", "f", "m", "f", "f"],
            "household": ["h1", "h1", "", "h2", "h2", "", "", ""],
        }
    )


QUOTAS = {"age": {"young": (1, 2), "old": (1, 3)}, "gender": {"f": (2, 2), "m": (1, 2)}}


@pytest.mark.parametrize(
    ("values", "expected"),
    [([1, 1, 1, 1], 0.0), ([0, 0, 0, 1], 0.75), ([1, 2, 3, 4], 0.25), ([], 0.0)],
)
def test_gini(values: list[float], expected: float) -> None:
    assert gini(values) == pytest.approx(expected)
    if values:
        x = np.array(values, dtype=float)
        mad = np.abs(x[:, None] - x[None, :]).sum() / (2 * len(x) ** 2 * x.mean()) if x.sum() else 0
        assert gini(values) == pytest.approx(mad)


def test_geometric_mean() -> None:
    assert geometric_mean([0.1, 0.4]) == pytest.approx(0.2)
    assert geometric_mean([0.0, 0.4]) == 0.0


def test_types_group_interchangeable_people(pool: pd.DataFrame) -> None:
    instance = compile_instance(pool, QUOTAS, 3, must_include=["g"], exclude=["h"])
    by_members = {t.members: t for t in instance.types}
    # c and e are old women alone in their households: one type of two.
    assert ("c",) not in by_members and ("c", "e") in by_members
    assert by_members[("g",)].must_include
    assert all("h" not in t.members for t in instance.types)
    with_households = compile_instance(pool, QUOTAS, 3, household_column="household")
    members = {t.members for t in with_households.types}
    assert ("a",) in members and ("b",) in members and ("d",) in members
    assert len(with_households.household_rows) == 2


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"k": 0}, "panel size k=0 is not valid"),
        (
            {"quotas": {"age": {"young": (3, 2), "old": (0, 3)}}},
            "quota age = young has minimum 3 and maximum 2",
        ),
        (
            {"quotas": {"age": {"young": (0, 2)}}},
            "person 'c' has age 'old', which is not a category of 'age'; "
            "valid categories are: young",
        ),
        ({"quotas": {"region": {"n": (0, 2)}}}, "the pool has no column 'region'"),
        ({"must_include": ["zz"]}, "include id(s) zz, which are not in the pool"),
        ({"must_include": ["a"], "exclude": ["a"]}, "both confirmed for the panel and excluded"),
        (
            {"algorithm": "random"},
            "algorithm 'random' is not known; valid algorithms are: leximin, maximin, legacy",
        ),
    ],
)
def test_invalid_inputs_are_named(pool: pd.DataFrame, kwargs: dict, message: str) -> None:
    args = {"quotas": QUOTAS, "k": 3} | kwargs
    with pytest.raises(ValueError) as caught:
        select_panel(pool, args.pop("quotas"), args.pop("k"), seed=1, **args)
    assert message in str(caught.value)


def test_duplicate_ids(pool: pd.DataFrame) -> None:
    doubled = pd.concat([pool, pool.iloc[[0]]])
    with pytest.raises(ValueError, match="id 'a' appears more than once in column 'id'"):
        select_panel(doubled, QUOTAS, 3, seed=1)


def test_rng_or_seed() -> None:
    with pytest.raises(ValueError, match="give exactly one of rng"):
        select_panel(pd.DataFrame({"id": ["a"]}), {"x": {"y": (0, 1)}}, 1)


def test_households_must_include_and_exclude(pool: pd.DataFrame) -> None:
    result = select_panel(
        pool,
        QUOTAS,
        3,
        rng=np.random.default_rng(0),
        household_column="household",
        must_include=["a"],
        exclude=["h"],
    )
    check_invariants(result, pool[pool["id"] != "h"], QUOTAS, 3, "household", ("a",))
    assert result.probabilities["a"] == pytest.approx(1.0)
    assert result.probabilities["b"] == pytest.approx(0.0)  # same household as a
    assert "h" not in result.probabilities


def test_seed_replays_the_draw(pool: pd.DataFrame) -> None:
    first = select_panel(pool, QUOTAS, 3, rng=np.random.default_rng(42))
    again = select_panel(pool, QUOTAS, 3, seed=first.seed)
    assert again.panel == first.panel
    assert again.distribution == first.distribution
    replay = draw_panel(first.types, first.distribution, first.seed)
    assert sorted(replay) == sorted(first.panel)
    panels = {select_panel(pool, QUOTAS, 3, seed=s).panel for s in range(30)}
    assert len(panels) > 3


def test_progress_callback(pool: pd.DataFrame) -> None:
    events = []
    select_panel(pool, QUOTAS, 3, seed=1, progress=events.append)
    phases = [e.phase for e in events]
    assert phases[0] == "feasibility" and phases[-1] == "done"
    assert "fixed" in phases
    assert events[-1].fixed_types == events[-1].total_types


def test_result_is_frozen(pool: pd.DataFrame) -> None:
    result = select_panel(pool, QUOTAS, 3, seed=1)
    with pytest.raises(AttributeError):
        result.seed = 2  # type: ignore[misc]
    with pytest.raises(TypeError):
        result.probabilities["a"] = 1.0  # type: ignore[index]


def test_library_is_pure() -> None:
    code = (
        "import sys, representativeness.selection, representativeness.selection.io;"
        "bad = [m for m in ('flask', 'sqlalchemy') if m in sys.modules];"
        "print(bad); sys.exit(1 if bad else 0)"
    )
    done = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        cwd=__file__.rsplit("/tests/", 1)[0],
    )
    assert done.returncode == 0, done.stdout + done.stderr
