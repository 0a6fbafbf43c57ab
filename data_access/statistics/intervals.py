"""Confidence intervals for an adverse-event proportion and an adverse-event rate.

Data-access layer, pure: no I/O, no Dash. Rural clinics see few procedures and fewer
complications, so the intervals are the small-count ones: Wilson's score interval for a
proportion (never outside [0, 1], sensible at 0 events) and Garwood's exact Poisson interval
for a rate per 1,000 procedures.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
import numpy.typing as npt
from scipy import stats

from data_access.statistics._common import (
    FloatOrArray,
    broadcast_floats,
    check_level,
    normal_quantile,
    two_sided_tails,
    unwrap,
)


class Interval(NamedTuple):
    """Lower and upper confidence limits (floats for scalar input, arrays otherwise)."""

    low: FloatOrArray
    high: FloatOrArray


class RateInterval(NamedTuple):
    """A rate per 1,000 procedures with its confidence limits, all per 1,000."""

    rate: FloatOrArray
    low: FloatOrArray
    high: FloatOrArray


def wilson_interval(events: npt.ArrayLike, n: npt.ArrayLike, confidence: float = 0.95) -> Interval:
    """Wilson score interval for the proportion ``events / n``.

    Method: Wilson EB, "Probable inference, the law of succession, and statistical
    inference", JASA 1927;22:209-212 (method 3 of Newcombe, Stat Med 1998;17:857-872)::

        centre = (p + z²/2n) / (1 + z²/n)
        half   = z·sqrt(p(1-p)/n + z²/4n²) / (1 + z²/n)

    with p = events/n and z the two-sided normal quantile of ``confidence``.

    Vectorised over ``events`` and ``n``. Returns NaN limits where the proportion is undefined
    or the input impossible: n <= 0, events < 0, events > n, or non-finite input.
    Raises ValueError only for a ``confidence`` outside (0, 1).
    """
    z = normal_quantile(check_level("confidence", confidence))
    x, size = broadcast_floats(events, n)
    valid = np.isfinite(x) & np.isfinite(size) & (size > 0) & (x >= 0) & (x <= size)
    # Invalid cells are replaced by a harmless 0/1 so the arithmetic raises no warning,
    # then masked back to NaN at the end.
    x = np.where(valid, x, 0.0)
    size = np.where(valid, size, 1.0)
    p = x / size
    z2n = z * z / size
    centre = (p + z2n / 2.0) / (1.0 + z2n)
    half = z * np.sqrt(p * (1.0 - p) / size + z2n / (4.0 * size)) / (1.0 + z2n)
    # At 0 events (or n events) the bound is exactly 0 (or 1); pin it so rounding cannot
    # show "-0.000%" or a limit a hair inside the boundary.
    low = np.where(x == 0, 0.0, centre - half)
    high = np.where(x == size, 1.0, centre + half)
    return Interval(unwrap(np.where(valid, low, np.nan)), unwrap(np.where(valid, high, np.nan)))


def garwood_interval(
    events: npt.ArrayLike, exposure: npt.ArrayLike = 1.0, confidence: float = 0.95
) -> Interval:
    """Exact Poisson confidence interval for a rate ``events / exposure``.

    Method: Garwood F, "Fiducial limits for the Poisson distribution", Biometrika
    1936;28:437-442, in its chi-square form (e.g. Ulm K, Am J Epidemiol 1990;131:373-375)::

        low  = chi2.ppf(α/2, 2x) / 2          (0 when x = 0)
        high = chi2.ppf(1 - α/2, 2x + 2) / 2

    both divided by ``exposure``; α = 1 - confidence.

    Vectorised over ``events`` and ``exposure``. Returns NaN limits for exposure <= 0,
    events < 0 or non-finite input. Raises ValueError only for a ``confidence`` outside (0, 1).
    """
    lower_tail, upper_tail = two_sided_tails(check_level("confidence", confidence))
    x, size = broadcast_floats(events, exposure)
    valid = np.isfinite(x) & np.isfinite(size) & (size > 0) & (x >= 0)
    x = np.where(valid, x, 0.0)
    size = np.where(valid, size, 1.0)
    # chi2 with 0 degrees of freedom is undefined in scipy (NaN); the Garwood lower limit
    # at zero events is 0 by definition, so feed a dummy df and overwrite.
    low = np.where(x > 0, stats.chi2.ppf(lower_tail, np.where(x > 0, 2.0 * x, 1.0)) / 2.0, 0.0)
    high = stats.chi2.ppf(upper_tail, 2.0 * x + 2.0) / 2.0
    return Interval(
        unwrap(np.where(valid, low / size, np.nan)), unwrap(np.where(valid, high / size, np.nan))
    )


def rate_per_1000(
    events: npt.ArrayLike, procedures: npt.ArrayLike, confidence: float = 0.95
) -> RateInterval:
    """Adverse events per 1,000 procedures with Garwood's exact Poisson interval.

    Method: :func:`garwood_interval` with exposure = procedures / 1,000. The Poisson model
    is the usual approximation for rare events; with very few procedures the upper limit
    may exceed 1,000 per 1,000, which is honest about how little is known.

    Vectorised. Returns NaN (rate and limits) where procedures <= 0.
    """
    x, size = broadcast_floats(events, procedures)
    thousands = size / 1000.0
    low, high = garwood_interval(x, thousands, confidence)
    valid = np.isfinite(x) & (x >= 0) & np.isfinite(size) & (size > 0)
    rate = np.where(valid, x / np.where(valid, thousands, 1.0), np.nan)
    return RateInterval(unwrap(rate), low, high)
