"""Control charts for a clinic's adverse-event proportion over time: p-chart and Laney p'-chart.

Data-access layer, pure: no I/O, no Dash. Each point is one period (week, month) with its
events and procedures. The classical p-chart assumes binomial variation only; with large
or uneven denominators it flags nearly everything, which is what Laney's p'-chart corrects
by measuring the between-period variation from the moving ranges of the z-scores.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from data_access.statistics._common import BoolArray, FloatArray, broadcast_floats, is_whole

#: d2 for moving ranges of two points (exactly 2/sqrt(pi) = 1.1284); Laney (2002) and
#: qicharts2 use the rounded table value, and so do we so that results match theirs.
MOVING_RANGE_D2 = 1.128


@dataclass(frozen=True, eq=False)
class ProportionChart:
    """A proportion control chart: centre line, per-point limits, and points outside.

    Arrays have one entry per period in input order; periods with no procedures have NaN
    proportion and limits and are never outside. ``sigma_z`` is Laney's between-period
    inflation factor (1.0 for the classical p-chart, NaN when it cannot be estimated).
    """

    centre: float
    proportion: FloatArray
    lcl: FloatArray
    ucl: FloatArray
    sigma_z: float

    @property
    def above(self) -> BoolArray:
        """Points strictly above their upper control limit."""
        return np.asarray(self.proportion > self.ucl, dtype=np.bool_)

    @property
    def below(self) -> BoolArray:
        """Points strictly below their lower control limit."""
        return np.asarray(self.proportion < self.lcl, dtype=np.bool_)

    @property
    def outside(self) -> BoolArray:
        """Points outside either limit (special-cause signals)."""
        return self.above | self.below


def _periods(events: npt.ArrayLike, n: npt.ArrayLike) -> tuple[FloatArray, FloatArray, BoolArray]:
    x, size = (np.atleast_1d(a) for a in broadcast_floats(events, n))
    valid = is_whole(size) & (size > 0) & np.isfinite(x) & (x >= 0) & (x <= size)
    return x, size, valid


def _limits(centre: float, spread: FloatArray, valid: BoolArray) -> tuple[FloatArray, FloatArray]:
    lcl = np.where(valid, np.clip(centre - spread, 0.0, 1.0), np.nan)
    ucl = np.where(valid, np.clip(centre + spread, 0.0, 1.0), np.nan)
    return lcl, ucl


def p_chart(events: npt.ArrayLike, n: npt.ArrayLike, sigma: float = 3.0) -> ProportionChart:
    """Shewhart p-chart: centre ``p̄ = Σd / Σn``, limits ``p̄ ± 3·sqrt(p̄(1-p̄)/n_i)``.

    Method: Montgomery DC, Introduction to Statistical Quality Control, 7th ed., section 7.2
    (p-chart with variable sample size); limits clamped to [0, 1] as in qicharts2.

    Periods with n_i <= 0 or events outside [0, n_i] are left out of p̄ and get NaN limits.
    With no usable period the centre is NaN. ``sigma`` is the limit width in standard errors.
    """
    x, size, valid = _periods(events, n)
    total = float(size[valid].sum())
    centre = float(x[valid].sum()) / total if total > 0 else float("nan")
    safe_size = np.where(valid, size, 1.0)
    proportion = np.where(valid, x / safe_size, np.nan)
    spread = sigma * np.sqrt(centre * (1.0 - centre) / safe_size)
    lcl, ucl = _limits(centre, spread, valid)
    return ProportionChart(centre, proportion, lcl, ucl, sigma_z=1.0)


def laney_p_prime_chart(
    events: npt.ArrayLike, n: npt.ArrayLike, sigma: float = 3.0
) -> ProportionChart:
    """Laney p'-chart: p-chart limits widened by the between-period variation sigma_z.

    Method: Laney DB, "Improved control charts for attributes", Quality Engineering
    2002;14(4):531-537, as in qicharts2's ``pp`` chart::

        σ_pi = sqrt(p̄(1-p̄)/n_i);  z_i = (p_i - p̄)/σ_pi
        σ_z  = mean(|z_i - z_(i-1)|) / 1.128
        limits = p̄ ± 3·σ_pi·σ_z, clamped to [0, 1]

    A period with no procedures has no z-score, so the two moving ranges touching it are
    dropped rather than bridged (qicharts2's ``mean(..., na.rm = TRUE)``).

    Degenerate cases: fewer than two consecutive usable periods leaves σ_z and the limits
    NaN; p̄ of 0 or 1 makes every σ_pi zero, so the limits collapse onto p̄ and σ_z is NaN.
    """
    base = p_chart(events, n, sigma)
    _, size, valid = _periods(events, n)
    centre = base.centre
    if not np.isfinite(centre) or centre in (0.0, 1.0):
        return ProportionChart(centre, base.proportion, base.lcl, base.ucl, float("nan"))
    sd = np.sqrt(centre * (1.0 - centre) / np.where(valid, size, 1.0))
    z = np.where(valid, (base.proportion - centre) / sd, np.nan)
    moving_ranges = np.abs(np.diff(z))
    moving_ranges = moving_ranges[np.isfinite(moving_ranges)]
    if moving_ranges.size == 0:
        nan_limits = np.full(z.shape, np.nan)
        return ProportionChart(centre, base.proportion, nan_limits, nan_limits.copy(), float("nan"))
    sigma_z = float(moving_ranges.mean()) / MOVING_RANGE_D2
    lcl, ucl = _limits(centre, sigma * sd * sigma_z, valid)
    return ProportionChart(centre, base.proportion, lcl, ucl, sigma_z)
