"""CSV readers: our pool and quota files, and the two public benchmark formats."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from .model import Quotas

QUOTA_COLUMNS = ("dimension", "category", "min", "max")


@dataclass(frozen=True)
class PublicInstance:
    """A benchmark instance: pool (with an ``id`` column), quotas and panel size."""

    name: str
    pool: pd.DataFrame
    quotas: Quotas
    k: int


def _read_text_csv(path: Path | str) -> pd.DataFrame:
    return pd.read_csv(path, dtype=str, keep_default_na=False).apply(lambda s: s.str.strip())


def read_pool_csv(path: Path | str, id_column: str = "id") -> pd.DataFrame:
    """Read a pool CSV (an id column and one column per dimension) as text."""
    pool = _read_text_csv(path)
    if id_column not in pool.columns:
        raise ValueError(
            f"the pool file {path} has no column '{id_column}'; "
            f"its columns are: {', '.join(pool.columns)}"
        )
    return pool


def read_quotas_csv(path: Path | str) -> dict[str, dict[str, tuple[int, int]]]:
    """Read a quotas CSV with the columns ``dimension,category,min,max``."""
    table = _read_text_csv(path)
    missing = [c for c in QUOTA_COLUMNS if c not in table.columns]
    if missing:
        raise ValueError(
            f"the quotas file {path} has no column(s) {', '.join(missing)}; "
            f"the columns must be: {', '.join(QUOTA_COLUMNS)}"
        )
    quotas: dict[str, dict[str, tuple[int, int]]] = {}
    for line, row in enumerate(table.itertuples(index=False), start=2):
        bounds = []
        for name in ("min", "max"):
            value = getattr(row, name)
            if not re.fullmatch(r"\d+", value):
                raise ValueError(
                    f"line {line} of {path} has {name} '{value}'; it must be a whole number "
                    "of at least 0"
                )
            bounds.append(int(value))
        categories = quotas.setdefault(row.dimension, {})
        if row.category in categories:
            raise ValueError(
                f"line {line} of {path} repeats category '{row.category}' of '{row.dimension}'"
            )
        categories[row.category] = (bounds[0], bounds[1])
    return quotas


def quotas_to_rows(quotas: Quotas) -> list[dict[str, object]]:
    """Quotas as rows ``{dimension, category, min, max}`` (the quotas file layout)."""
    return [
        {"dimension": d, "category": c, "min": int(lo), "max": int(hi)}
        for d, cats in quotas.items()
        for c, (lo, hi) in cats.items()
    ]


def shared_dir(repo_root: Path | str) -> Path:
    """The shared data folder: ``$PANELS_SHARED_DIR`` or ``<repo_root>/../shared``."""
    override = os.environ.get("PANELS_SHARED_DIR")
    return Path(override) if override else Path(repo_root).resolve().parent / "shared"


def read_replication_instance(folder: Path | str) -> PublicInstance:
    """Read an instance of the Nature 2021 replication data.

    ``categories.csv`` (``category,feature,min,max``), ``respondents.csv`` (one column
    per category, no id: the row number is the id) and ``*_statistics.txt`` (for k).
    """
    folder = Path(folder)
    categories = _read_text_csv(folder / "categories.csv")
    quotas: dict[str, dict[str, tuple[int, int]]] = {}
    for row in categories.itertuples(index=False):
        quotas.setdefault(row.category, {})[row.feature] = (int(row.min), int(row.max))
    pool = _read_text_csv(folder / "respondents.csv")
    pool.insert(0, "id", [str(i) for i in range(len(pool))])
    stats = next(folder.glob("*_statistics.txt")).read_text(encoding="utf-8")
    match = re.search(r"panel size k:\s*(\d+)", stats)
    if match is None:
        raise ValueError(f"the statistics file in {folder} does not state the panel size k")
    return PublicInstance(folder.name, pool, quotas, int(match.group(1)))


def read_sortition_algorithms_instance(folder: Path | str, k: int = 22) -> PublicInstance:
    """Read the ``sortition-algorithms`` fixture format.

    ``features.csv`` (``feature,value,min,max,min_flex,max_flex``; the flex columns are
    ignored) and ``candidates.csv`` (id column ``nationbuilder_id``).
    """
    folder = Path(folder)
    features = _read_text_csv(folder / "features.csv")
    quotas: dict[str, dict[str, tuple[int, int]]] = {}
    for row in features.itertuples(index=False):
        quotas.setdefault(row.feature, {})[row.value] = (int(row.min), int(row.max))
    candidates = _read_text_csv(folder / "candidates.csv")
    pool = candidates[["nationbuilder_id", *quotas]].rename(columns={"nationbuilder_id": "id"})
    return PublicInstance(folder.name, pool, quotas, k)


def read_public_instance(folder: Path | str) -> PublicInstance:
    """Read a public instance in either format, recognised by its files."""
    folder = Path(folder)
    if (folder / "categories.csv").exists():
        return read_replication_instance(folder)
    if (folder / "features.csv").exists():
        return read_sortition_algorithms_instance(folder)
    raise FileNotFoundError(
        f"{folder} holds neither categories.csv (replication format) nor features.csv "
        "(sortition-algorithms format)"
    )
