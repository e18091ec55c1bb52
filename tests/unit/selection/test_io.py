"""CSV readers and the shared-folder lookup."""

from __future__ import annotations

from pathlib import Path

import pytest

from representativeness.selection.io import (
    quotas_to_rows,
    read_pool_csv,
    read_public_instance,
    read_quotas_csv,
    shared_dir,
)


def test_shared_dir(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv("PANELS_SHARED_DIR", raising=False)
    assert shared_dir(tmp_path / "repo") == tmp_path / "shared"
    monkeypatch.setenv("PANELS_SHARED_DIR", str(tmp_path / "elsewhere"))
    assert shared_dir(tmp_path / "repo") == tmp_path / "elsewhere"


def test_quotas_round_trip(tmp_path: Path) -> None:
    path = tmp_path / "q.csv"
    path.write_text("dimension,category,min,max\nage,18-24, 1,2\nage,65+,0,3\n", encoding="utf-8")
    quotas = read_quotas_csv(path)
    assert quotas == {"age": {"18-24": (1, 2), "65+": (0, 3)}}
    assert quotas_to_rows(quotas)[0] == {
        "dimension": "age",
        "category": "18-24",
        "min": 1,
        "max": 2,
    }


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("dimension,category,min\nage,a,1\n", "has no column(s) max"),
        ("dimension,category,min,max\nage,a,1,2\nage,a,0,1\n", "repeats category 'a' of 'age'"),
        ("dimension,category,min,max\nage,a,-1,2\n", "has min '-1'"),
    ],
)
def test_bad_quota_files(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "q.csv"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ValueError, match=message.replace("(", r"\(").replace(")", r"\)")):
        read_quotas_csv(path)


def test_pool_needs_id(tmp_path: Path) -> None:
    path = tmp_path / "p.csv"
    path.write_text("name,age\nx,1\n", encoding="utf-8")
    with pytest.raises(ValueError, match="has no column 'id'; its columns are: name, age"):
        read_pool_csv(path)


def test_public_formats(instances_dir: Path) -> None:
    small = read_public_instance(instances_dir / "example_small_20")
    assert (small.k, len(small.pool), list(small.pool.columns)) == (
        20,
        200,
        ["id", "gender", "leaning"],
    )
    fixture = read_public_instance(instances_dir / "sortition_algorithms_fixture")
    assert fixture.k == 22
    assert set(fixture.pool.columns) == {"id", "Gender", "age_bracket", "geo_bucket", "edu_level"}
    assert fixture.quotas["age_bracket"]["0-15"] == (0, 0)
    with pytest.raises(FileNotFoundError, match="holds neither categories.csv"):
        read_public_instance(instances_dir)
