"""Overdispersion of clinics' adverse-event proportions around a network target.

Data-access layer, pure: no I/O, no Dash. When clinics differ by more than binomial chance
(case mix, coding habits), plain funnel limits flag too many of them. Spiegelhalter's
Winsorised dispersion factor phi measures that excess; the funnel module widens its limits
by it (:func:`data_access.statistics.overdispersion_adjusted_limits`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from scipy import stats

from data_access.statistics._common import FloatArray, broadcast_floats, is_whole


@dataclass(frozen=True)
class OverdispersionTest:
    """Spiegelhalter's dispersion factor with its chi-square check.

    ``phi`` and ``p_value`` are NaN and ``overdispersed`` False when no clinic has usable
    data or the target is 0 or 1 (every z-score undefined).
    """

    phi: float  # mean squared Winsorised z-score; 1 under the binomial null
    units: int  # k, clinics with usable data
    p_value: float  # P(chi2(k - 1) >= k·phi): small means evidence of overdispersion
    overdispersed: bool  # phi > 1, the rule for inflating the limits


def funnel_z_scores(events: npt.ArrayLike, n: npt.ArrayLike, p0: float) -> FloatArray:
    """Each clinic's z-score ``(y - p0) / sqrt(p0(1-p0)/n)``, with y = events/n.

    Method: Spiegelhalter, Qual Saf Health Care 2005;14:347-351, equation for proportions
    on the untransformed scale.

    One value per clinic, in input order (1-D); NaN where n <= 0, events outside [0, n], or
    p0 is 0, 1 or not a proportion (the binomial variance is then zero or undefined).
    """
    x, size = (np.atleast_1d(a) for a in broadcast_floats(events, n))
    valid = is_whole(size) & (size > 0) & np.isfinite(x) & (x >= 0) & (x <= size)
    target_usable = bool(np.isfinite(p0) and 0.0 < p0 < 1.0)
    valid &= target_usable
    # A placeholder target keeps the arithmetic warning-free; those cells become NaN.
    target = float(p0) if target_usable else 0.5
    safe_size = np.where(valid, size, 1.0)
    z = (x / safe_size - target) / np.sqrt(target * (1.0 - target) / safe_size)
    scores: FloatArray = np.where(valid, z, np.nan)
    return scores


def _winsorised(z: FloatArray, fraction: float) -> FloatArray:
    if fraction == 0.0:
        return z
    # numpy's default 'linear' quantile is R's type 7, which FunnelPlotR's Winsorisation uses.
    low, high = np.quantile(z, [fraction, 1.0 - fraction])
    return np.clip(z, low, high)


def overdispersion_test(
    events: npt.ArrayLike, n: npt.ArrayLike, p0: float, winsorize: float = 0.10
) -> OverdispersionTest:
    """Winsorised overdispersion factor phi and its chi-square test.

    Method: Spiegelhalter DJ, "Handling over-dispersion of performance indicators", Qual Saf
    Health Care 2005;14:347-351 (also Stat Med 2005;24:1185-1202, section 6), as implemented
    in the R package FunnelPlotR: z-scores from :func:`funnel_z_scores`; the lowest and
    highest ``winsorize`` fraction are pulled in to the ``winsorize`` and ``1 - winsorize``
    quantiles (R type 7); ``phi = (1/k) Σ z_i²`` over the k clinics with usable data.
    ``p_value`` refers ``k·phi`` to chi-square with k - 1 degrees of freedom (the
    DerSimonian-Laird threshold FunnelPlotR also uses).

    Winsorising trades bias for robustness to outlying clinics: under the binomial null the
    10%-Winsorised phi averages about 0.68, not 1 (E[min(z², 1.2816²)] for normal z), so
    ``overdispersed`` (phi > 1) and ``p_value`` are both conservative. ``winsorize=0`` gives
    the unbiased, outlier-sensitive estimate.

    Clinics with n = 0 are left out. Raises ValueError only for ``winsorize`` outside
    [0, 0.5).
    """
    if not 0.0 <= winsorize < 0.5:
        raise ValueError(f"winsorize must be in [0, 0.5), got {winsorize!r}")
    z = funnel_z_scores(events, n, p0)
    z = z[np.isfinite(z)]
    units = int(z.size)
    if units == 0:
        return OverdispersionTest(float("nan"), 0, float("nan"), overdispersed=False)
    phi = float(np.mean(_winsorised(z, winsorize) ** 2))
    # One clinic leaves 0 degrees of freedom: nothing to test against.
    p_value = float(stats.chi2.sf(units * phi, units - 1)) if units > 1 else float("nan")
    return OverdispersionTest(phi, units, p_value, overdispersed=phi > 1.0)


def overdispersion_phi(
    events: npt.ArrayLike, n: npt.ArrayLike, p0: float, winsorize: float = 0.10
) -> float:
    """The Winsorised overdispersion factor phi alone; see :func:`overdispersion_test`.

    Method: Spiegelhalter, Qual Saf Health Care 2005;14:347-351. NaN when no clinic has
    usable data or p0 is 0 or 1.
    """
    return overdispersion_test(events, n, p0, winsorize).phi
