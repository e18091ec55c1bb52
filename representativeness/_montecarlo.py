"""The Monte Carlo p-value of Pearson's X² (private engine of :mod:`representativeness.gap`)."""

from __future__ import annotations

import operator
from dataclasses import dataclass

import numpy as np

from representativeness._exact import TIE_RTOL

__all__ = ["DEFAULT_SEED", "MonteCarloMethod", "monte_carlo_pvalue"]

#: Seed of the generator used when Monte Carlo is needed and no ``rng`` was given.
DEFAULT_SEED = 20210321


@dataclass(frozen=True, eq=False)
class MonteCarloMethod:
    """Ask :func:`~representativeness.gap_analysis` for a Monte Carlo p-value.

    Modelled on :class:`scipy.stats.MonteCarloMethod`.

    Parameters
    ----------
    n_resamples : int, default 100_000
        Number of multinomial tables drawn under the target shares.
    rng : numpy.random.Generator, optional
        Source of the draws. When None, a generator seeded with
        ``DEFAULT_SEED`` is used (and the result's notes say so), so results
        are reproducible.

    Notes
    -----
    The p-value is ``(b + 1) / (R + 1)``, where ``b`` of the ``R`` tables have
    X² at least the observed one: the observed table counts as one of the
    tables, so the p-value is never 0. Its standard error is about
    ``sqrt(p (1 − p) / R)``.
    """

    n_resamples: int = 100_000
    rng: np.random.Generator | None = None

    def __post_init__(self) -> None:
        value = self.n_resamples
        try:
            if isinstance(value, bool):
                raise TypeError
            resamples = operator.index(value)
        except TypeError:
            raise ValueError(f"n_resamples must be a whole number, not {value!r}.") from None
        if resamples < 1:
            raise ValueError(f"n_resamples must be at least 1, not {resamples}.")
        if self.rng is not None and not isinstance(self.rng, np.random.Generator):
            raise ValueError(
                f"rng must be a numpy.random.Generator (numpy.random.default_rng(seed)) or None, "
                f"not {self.rng!r}."
            )


def monte_carlo_pvalue(
    f_obs: np.ndarray, p: np.ndarray, rng: np.random.Generator, n_resamples: int
) -> float:
    """(b + 1) / (R + 1), b = resampled tables with X² at least the observed one."""
    n = int(f_obs.sum())
    inv_p = 1.0 / p
    threshold = float(f_obs.astype(float) ** 2 @ inv_p) * (1.0 - TIE_RTOL)
    hits = 0
    chunk = max(1, min(n_resamples, 2_000_000 // max(len(p), 1)))
    remaining = n_resamples
    while remaining > 0:
        size = min(chunk, remaining)
        draws = rng.multinomial(n, p, size=size)
        sums = (draws.astype(float) ** 2) @ inv_p
        hits += int(np.count_nonzero(sums >= threshold))
        remaining -= size
    return (hits + 1) / (n_resamples + 1)
