"""Small-count suppression: the one place that decides when a count is too small to show.

A count of 1 to 4 people in a special-category breakdown (ethnic group, religion, sexual
orientation, gender identity, disability, health) could point at a person, so readers who
may not see special-category answers are shown "fewer than 5" instead. Zero is shown: it
identifies no one. This is primary suppression only; published reports will add secondary
suppression (so that a hidden cell cannot be worked out from a total).
"""

from __future__ import annotations

from dataclasses import dataclass

THRESHOLD = 5
"""Counts from 1 to ``THRESHOLD - 1`` are suppressed."""
SUPPRESSED_TEXT = f"fewer than {THRESHOLD}"


def is_small(count: int) -> bool:
    """Whether a count is small enough to point at someone (1 to 4)."""
    return 0 < count < THRESHOLD


@dataclass(frozen=True)
class ShownCount:
    """A count as a reader may see it: ``value`` is ``None`` when it is suppressed."""

    value: int | None

    @property
    def suppressed(self) -> bool:
        return self.value is None

    def __str__(self) -> str:
        return SUPPRESSED_TEXT if self.value is None else str(self.value)


def shown_count(count: int, *, suppress: bool) -> ShownCount:
    """``count`` as a reader may see it: suppressed when ``suppress`` and it is small."""
    if count < 0:
        raise ValueError(f"a count of people cannot be negative; it is {count}")
    return ShownCount(None if suppress and is_small(count) else count)
