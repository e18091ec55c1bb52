"""The greedy stratified draw ("legacy"), kept for comparison only.

It is the algorithm used by sortition organisations before LEXIMIN (described in
Flanigan et al. 2021, Methods): repeatedly take the quota category whose unmet
minimum is largest relative to the people still available in it, and draw a person
from it uniformly at random; people whose category is full, or whose household
already has someone on the panel, drop out. On failure it starts again.
"""

from __future__ import annotations

import numpy as np

from .model import Instance


class LegacyFailure(RuntimeError):
    """The greedy draw failed in every attempt."""


def legacy_draw(instance: Instance, rng: np.random.Generator, max_attempts: int = 100) -> list[int]:
    """Draw one panel greedily; return the pool positions (type-major order) drawn.

    People are numbered by concatenating the members of the types in order.
    """
    sizes = instance.sizes
    person_type = np.repeat(np.arange(len(sizes)), sizes)
    n = person_type.size
    row_members = [
        np.flatnonzero(np.isin(person_type, np.array(idx, dtype=int)))
        for (_, _, _, _, idx) in instance.quota_rows
    ]
    person_rows: list[list[int]] = [[] for _ in range(n)]
    for j, members in enumerate(row_members):
        for p in members:
            person_rows[p].append(j)
    household_of = np.full(n, -1)
    starts = np.concatenate([[0], np.cumsum(sizes)])
    for h, types in enumerate(instance.household_rows):
        for t in types:
            household_of[starts[t]] = h
    mins = np.array([r[2] for r in instance.quota_rows])
    maxs = np.array([r[3] for r in instance.quota_rows])
    forced = [
        p
        for t, ty in enumerate(instance.types)
        if ty.must_include
        for p in range(starts[t], starts[t + 1])
    ]

    def take(p: int, chosen: list[int], available: np.ndarray, selected: np.ndarray) -> None:
        """Put person ``p`` on the panel and drop whoever can no longer be chosen."""
        chosen.append(p)
        available[p] = False
        for j in person_rows[p]:
            selected[j] += 1
        if household_of[p] >= 0:
            available[household_of == household_of[p]] = False
        for j in person_rows[p]:
            if selected[j] >= maxs[j]:
                available[row_members[j]] = False

    for _ in range(max_attempts):
        available = np.ones(n, dtype=bool)
        selected_count = np.zeros(len(mins), dtype=int)
        chosen: list[int] = []
        for person in forced:
            take(person, chosen, available, selected_count)
        failed = False
        while len(chosen) < instance.k:
            remaining = np.array([available[m].sum() for m in row_members])
            need = mins - selected_count
            if (need > remaining).any() or not available.any():
                failed = True
                break
            candidates = np.flatnonzero((need > 0) & (remaining > 0))
            if candidates.size:
                ratios = need[candidates] / remaining[candidates]
                best = candidates[ratios == ratios.max()]
                j = int(rng.choice(best))
                pool = row_members[j][available[row_members[j]]]
            else:
                pool = np.flatnonzero(available)
            take(int(rng.choice(pool)), chosen, available, selected_count)
        if not failed and (selected_count >= mins).all() and (selected_count <= maxs).all():
            return chosen
    raise LegacyFailure(
        f"the greedy draw found no panel meeting the quotas in {max_attempts} attempts"
    )
