"""Concentration of participation: are the same few people on every panel?

:func:`concentration` takes the number of panels each person on a register has served on
and says how unequally seats are spread: the share of all seats held by the most-involved
tenth of people, and the Gini coefficient of panels served.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np

__all__ = ["Concentration", "concentration"]


@dataclass(frozen=True)
class Concentration:
    """Result of :func:`concentration`.

    Attributes
    ----------
    n : int
        People counted (those with no panels included).
    seats : int
        Seats held in all: the sum of panels served.
    top_fraction : float
        The fraction of people counted as "most involved" (0.1 for the top 10%).
    top_people : int
        ``ceil(n × top_fraction)``: how many people that is.
    top_seats : int
        Seats held by the ``top_people`` people with the most panels.
    top_share : float
        ``top_seats / seats`` (0 when no one has served). Equal participation gives
        about ``top_fraction``; 1 means the most involved hold every seat.
    gini : float
        Gini coefficient of panels served, from 0 (everyone served equally often) to
        ``1 - 1/n`` (one person holds every seat).
    """

    n: int
    seats: int
    top_fraction: float
    top_people: int
    top_seats: int
    top_share: float
    gini: float


def concentration(panels_served: Iterable[int], top_fraction: float = 0.1) -> Concentration:
    """Measure how concentrated participation is across a register.

    Parameters
    ----------
    panels_served : iterable of int
        Panels served by each person (0 for people who have not served).
    top_fraction : float, default 0.1
        The fraction of people, by most panels served, whose share of seats is reported.

    Returns
    -------
    Concentration
        Seats, the most-involved people's share of them, and the Gini coefficient.

    Raises
    ------
    ValueError
        A negative or fractional count, or a `top_fraction` outside (0, 1].

    Notes
    -----
    The Gini coefficient is half the relative mean absolute difference,
    ``G = Σ_i Σ_j |x_i − x_j| / (2 n² x̄)``, computed in O(n log n) from the sorted
    values as ``Σ_i (2i − n − 1) x_(i) / (n Σ x)`` [1]_ (the same definition as
    :func:`representativeness.selection.gini`). People who have never served are
    included: leaving them out would hide exactly the inequality being measured.
    The top share takes ``ceil(n × top_fraction)`` people, so it is defined for small
    registers too; ties at the boundary do not change it.

    References
    ----------
    .. [1] Damgaard, C. and Weiner, J. (2000). "Describing inequality in plant size or
       fecundity". Ecology 81(4), 1139-1142.
    """
    if not (0 < top_fraction <= 1):
        raise ValueError(f"top_fraction must be in (0, 1]; it is {top_fraction!r}")
    values = list(panels_served)
    for value in values:
        if isinstance(value, bool) or int(value) != value or value < 0:
            raise ValueError(
                f"panels served must be whole numbers of 0 or more; {value!r} is not one"
            )
    x = np.sort(np.asarray(values, dtype=np.int64))
    n = int(x.size)
    seats = int(x.sum())
    top_people = math.ceil(n * top_fraction - 1e-9) if n else 0
    top_seats = int(x[n - top_people :].sum()) if top_people else 0
    if n == 0 or seats == 0:
        gini = 0.0
    else:
        ranks = np.arange(1, n + 1, dtype=np.float64)
        gini = float(((2 * ranks - n - 1) * x).sum() / (n * seats))
    return Concentration(
        n=n,
        seats=seats,
        top_fraction=top_fraction,
        top_people=top_people,
        top_seats=top_seats,
        top_share=top_seats / seats if seats else 0.0,
        gini=gini,
    )
