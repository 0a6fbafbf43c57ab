"""Vectorised random draws the demo generators share.

Data-access layer (demo data). Every function takes the caller's ``numpy`` Generator, so one
seed fixes the whole demo.
"""

from __future__ import annotations

import numpy as np


def categorical(
    rng: np.random.Generator,
    probabilities: np.ndarray,
    rows: np.ndarray | int,
    u: np.ndarray | None = None,
) -> np.ndarray:
    """Category codes drawn by weight.

    With 1-D ``probabilities`` and an int ``rows``, that many draws from one mix; with 2-D
    ``probabilities`` (one mix per row of, say, clinics) and an index array ``rows``, draw ``i``
    uses mix ``rows[i]``. ``u`` (uniforms in [0, 1)) replaces the fresh ones, so that equal
    ``u`` and equal mixes give equal codes."""
    weights = np.asarray(probabilities, dtype=float)
    cumulative = np.cumsum(weights / weights.sum(axis=-1, keepdims=True), axis=-1)
    last = weights.shape[-1] - 1
    if weights.ndim == 1:
        u = rng.random(int(rows)) if u is None else u
        return np.minimum(np.searchsorted(cumulative, u, side="right"), last)
    index = np.asarray(rows)
    u = rng.random(index.size) if u is None else u
    codes = (u[:, None] >= cumulative[index]).sum(axis=1)
    return np.minimum(codes, last)


def dirichlet_around(
    rng: np.random.Generator, mix: np.ndarray, count: int, concentration: float
) -> np.ndarray:
    """``count`` mixes scattered around ``mix`` (higher concentration: closer to it)."""
    alpha = np.asarray(mix, dtype=float)
    alpha = alpha / alpha.sum() * concentration
    return rng.dirichlet(np.maximum(alpha, 1e-3), size=count)


def rounded_score(values: np.ndarray) -> np.ndarray:
    """Round to whole NRS points and clip to 0–10."""
    return np.clip(np.rint(values), 0, 10).astype(np.int64)


def minutes(start_hour: float, end_hour: float, rng: np.random.Generator, size: int) -> np.ndarray:
    """Clock times on a five-minute grid in ``[start_hour, end_hour)`` (minutes after midnight)."""
    slots = max(1, int((end_hour - start_hour) * 12))
    return (start_hour * 60 + 5 * rng.integers(0, slots, size)).astype(np.int64)
