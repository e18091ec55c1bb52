"""Building quotas: from target population shares, and a "new voices" dimension."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

import pandas as pd

NEW_VOICES_DIMENSION = "previous_panels"
NEW_VOICES_BINS: tuple[tuple[str, int, int | None], ...] = (
    ("none", 0, 0),
    ("1-2", 1, 2),
    ("3 or more", 3, None),
)


def quotas_from_shares(
    shares: Mapping[str, Mapping[str, float]],
    k: int,
    tolerance: int = 0,
) -> dict[str, dict[str, tuple[int, int]]]:
    """Derive ``(min, max)`` quotas from target population shares.

    Parameters
    ----------
    shares : ``{dimension: {category: share}}``; the shares of each dimension must be
        non-negative and add up to 1 (within 1e-6).
    k : panel size.
    tolerance : widen every quota by this many people on each side (the minimum is
        not lowered below 0 and the maximum not raised above ``k``).

    Returns
    -------
    dict
        ``{dimension: {category: (floor(k p) - tolerance, ceil(k p) + tolerance)}}``,
        which the lead can then edit.

    Notes
    -----
    With ``tolerance=0`` these are the tightest integer quotas a panel of size ``k``
    can be asked to meet exactly in proportion: the sum of the minimums is at most
    ``k`` and the sum of the maximums at least ``k`` in every dimension.
    """
    if k < 1:
        raise ValueError(f"panel size k={k} is not valid; it must be at least 1")
    if tolerance < 0:
        raise ValueError(f"tolerance={tolerance} is not valid; it must be 0 or more")
    quotas: dict[str, dict[str, tuple[int, int]]] = {}
    for dimension, categories in shares.items():
        values = list(categories.values())
        if any(p < 0 for p in values) or abs(sum(values) - 1.0) > 1e-6:
            raise ValueError(
                f"the shares of '{dimension}' add up to {sum(values):.6g}; "
                "they must be non-negative and add up to 1"
            )
        quotas[dimension] = {}
        for category, p in categories.items():
            exact = k * p
            # Guard against round-off such as 12 * 0.25 = 3.0000000000000004.
            lo = math.floor(exact + 1e-9)
            hi = math.ceil(exact - 1e-9)
            quotas[dimension][category] = (max(0, lo - tolerance), min(k, hi + tolerance))
    return quotas


def participation_category(
    previous_panels: int,
    bins: Sequence[tuple[str, int, int | None]] = NEW_VOICES_BINS,
) -> str:
    """Name the bin (for example ``"none"``, ``"1-2"``, ``"3 or more"``) of a count."""
    if previous_panels < 0:
        raise ValueError(f"previous_panels={previous_panels} is not valid; it must be 0 or more")
    for name, lo, hi in bins:
        if previous_panels >= lo and (hi is None or previous_panels <= hi):
            return name
    names = ", ".join(name for name, _, _ in bins)
    raise ValueError(f"{previous_panels} previous panels fall in none of the bins: {names}")


def add_new_voices(
    pool: pd.DataFrame,
    quotas: Mapping[str, Mapping[str, tuple[int, int]]],
    history: Mapping[str, int],
    k: int,
    *,
    min_new_share: float = 0.5,
    id_column: str = "id",
    dimension: str = NEW_VOICES_DIMENSION,
    bins: Sequence[tuple[str, int, int | None]] = NEW_VOICES_BINS,
) -> tuple[pd.DataFrame, dict[str, dict[str, tuple[int, int]]]]:
    """Add a quota dimension built from participation history.

    Parameters
    ----------
    pool : the pool table.
    quotas : the existing quotas (not modified).
    history : number of previous panels per person id; people missing are counted as
        having none.
    k : panel size.
    min_new_share : at least ``ceil(min_new_share * k)`` panel members must come from
        the first bin ("no previous panels"); the other bins are unconstrained.
    id_column, dimension, bins : column names and the bins ``(name, low, high)``,
        ``high`` None meaning no upper limit.

    Returns
    -------
    (pool, quotas)
        Copies with the new column and the new dimension; the library then treats it
        as any other quota dimension.
    """
    if dimension in pool.columns or dimension in quotas:
        raise ValueError(
            f"the pool or the quotas already have a dimension '{dimension}'; "
            "choose another name with dimension="
        )
    if not 0 <= min_new_share <= 1:
        raise ValueError(f"min_new_share={min_new_share} is not valid; it must be between 0 and 1")
    new_pool = pool.copy()
    new_pool[dimension] = [
        participation_category(int(history.get(str(pid), 0)), bins) for pid in pool[id_column]
    ]
    new_quotas = {d: dict(c) for d, c in quotas.items()}
    first = bins[0][0]
    new_quotas[dimension] = {name: (0, k) for name, _, _ in bins}
    new_quotas[dimension][first] = (math.ceil(min_new_share * k - 1e-9), k)
    return new_pool, new_quotas
