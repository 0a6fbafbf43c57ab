"""Funnel-plot control limits for clinics' adverse-event proportions, and where each clinic sits.

Data-access layer, pure: no I/O, no Dash. A funnel plot compares each clinic's proportion
with a network target p0 against limits that narrow as the clinic's volume grows. Small
clinics make the normal approximation poor, so the default limits are Spiegelhalter's exact
binomial ones; the normal and overdispersion-adjusted limits are here for comparison and
for networks whose clinics differ by more than chance.
"""

from __future__ import annotations

from enum import StrEnum
from typing import NamedTuple

import numpy as np
import numpy.typing as npt
from scipy import stats

from data_access.statistics._common import (
    FloatArray,
    FloatOrArray,
    broadcast_floats,
    check_level,
    is_whole,
    normal_quantile,
    two_sided_tails,
    unwrap,
)

#: Spiegelhalter's conventional inner ("alert", about 2 SD) and outer ("alarm", about 3 SD)
#: funnel coverages.
ALERT_COVERAGE = 0.95
ALARM_COVERAGE = 0.998


class FunnelLimits(NamedTuple):
    """Lower and upper funnel limits on the proportion scale (floats or arrays)."""

    lower: FloatOrArray
    upper: FloatOrArray


class FunnelZone(StrEnum):
    """Where a clinic's proportion falls against the alert (95%) and alarm (99.8%) limits."""

    ALARM_HIGH = "alarm_high"  # above the outer upper limit
    ALERT_HIGH = "alert_high"  # above the inner upper limit only
    WITHIN = "within"
    ALERT_LOW = "alert_low"  # below the inner lower limit only
    ALARM_LOW = "alarm_low"  # below the outer lower limit


def _valid_target_and_size(target: FloatArray, size: FloatArray) -> npt.NDArray[np.bool_]:
    return is_whole(size) & (size > 0) & np.isfinite(target) & (target >= 0) & (target <= 1)


def _interpolated_binomial_limit(p0: FloatArray, n: FloatArray, tail: float) -> FloatArray:
    """Spiegelhalter's interpolated ``tail`` quantile of Binomial(n, p0) / n (0 < p0 < 1)."""
    r = stats.binom.ppf(tail, n, p0)
    # The paper's denominator P(y <= r) - P(y <= r - 1) is P(y = r); the pmf avoids
    # subtracting two CDFs that are both close to 1 in the upper tail.
    mass = stats.binom.pmf(r, n, p0)
    with np.errstate(divide="ignore", invalid="ignore"):
        alpha = (stats.binom.cdf(r, n, p0) - tail) / mass
    # By the definition of r, 0 <= alpha < 1; clip only absorbs floating-point noise.
    limit: FloatArray = (r - np.clip(alpha, 0.0, 1.0)) / n
    return limit


def funnel_limits(
    p0: npt.ArrayLike, n: npt.ArrayLike, coverage: float = ALARM_COVERAGE
) -> FunnelLimits:
    """Exact binomial funnel limits for a proportion with target ``p0`` at volume ``n``.

    Method: Spiegelhalter DJ, "Funnel plots for comparing institutional performance",
    Stat Med 2005;24:1185-1202, Appendix A.1.1. For tail probability p (0.001 and 0.999 at
    99.8% coverage, 0.025 and 0.975 at 95%): r_p is the p-quantile of Binomial(n, p0), the
    smallest r with F(r) >= p;  α = (F(r_p) - p) / (F(r_p) - F(r_p - 1));  limit = (r_p - α)/n.
    The interpolation turns the step function of the discrete quantile into a smooth funnel.

    Vectorised over ``p0`` and ``n`` (pass ``np.arange(1, n_max + 1)`` to draw the curve).
    Limits are clamped to [0, 1]. At p0 = 0 or 1 the binomial is a point mass and both limits
    equal p0. NaN where n is not a positive whole number or p0 is outside [0, 1].
    Raises ValueError only for a ``coverage`` outside (0, 1).
    """
    lower_tail, upper_tail = two_sided_tails(check_level("coverage", coverage))
    target, size = broadcast_floats(p0, n)
    valid = _valid_target_and_size(target, size)
    interior = valid & (target > 0) & (target < 1)
    # Placeholders keep scipy away from invalid parameters; those cells are overwritten.
    safe_target = np.where(interior, target, 0.5)
    safe_size = np.where(interior, size, 1.0)
    lower = np.clip(_interpolated_binomial_limit(safe_target, safe_size, lower_tail), 0.0, 1.0)
    upper = np.clip(_interpolated_binomial_limit(safe_target, safe_size, upper_tail), 0.0, 1.0)
    lower = np.where(interior, lower, np.where(valid, target, np.nan))
    upper = np.where(interior, upper, np.where(valid, target, np.nan))
    return FunnelLimits(unwrap(lower), unwrap(upper))


def funnel_limits_normal(
    p0: npt.ArrayLike, n: npt.ArrayLike, coverage: float = ALARM_COVERAGE, phi: float = 1.0
) -> FunnelLimits:
    """Normal-approximation funnel limits ``p0 ± z·sqrt(phi·p0(1-p0)/n)``, clamped to [0, 1].

    Method: Spiegelhalter, Stat Med 2005;24:1185-1202, section 3 (normal approximation) and
    section 6 (multiplicative overdispersion factor ``phi``; 1 means none). Kept mainly to
    show how far the exact limits of :func:`funnel_limits` differ for small clinics.

    Vectorised over ``p0`` and ``n``. NaN where n <= 0, p0 is outside [0, 1], or phi is not
    a non-negative finite number. Raises ValueError only for a ``coverage`` outside (0, 1).
    """
    z = normal_quantile(check_level("coverage", coverage))
    target, size = broadcast_floats(p0, n)
    phi_usable = bool(np.isfinite(phi) and phi >= 0)
    valid = np.isfinite(size) & (size > 0) & np.isfinite(target) & (target >= 0) & (target <= 1)
    valid &= phi_usable
    safe_target = np.where(valid, target, 0.0)
    safe_size = np.where(valid, size, 1.0)
    safe_phi = phi if phi_usable else 0.0
    spread = z * np.sqrt(safe_phi * safe_target * (1.0 - safe_target) / safe_size)
    lower = np.where(valid, np.clip(target - spread, 0.0, 1.0), np.nan)
    upper = np.where(valid, np.clip(target + spread, 0.0, 1.0), np.nan)
    return FunnelLimits(unwrap(lower), unwrap(upper))


def overdispersion_adjusted_limits(
    p0: npt.ArrayLike, n: npt.ArrayLike, phi: float, coverage: float = ALARM_COVERAGE
) -> FunnelLimits:
    """Funnel limits inflated by an overdispersion factor ``phi`` (multiplicative model).

    Method: Spiegelhalter DJ, "Handling over-dispersion of performance indicators", Qual Saf
    Health Care 2005;14:347-351: ``p0 ± z·sqrt(phi·p0(1-p0)/n)``. A phi below 1 is taken as
    1, as in that paper: underdispersion is not used to narrow the limits. Estimate phi with
    :func:`data_access.statistics.overdispersion_phi`.

    Vectorised over ``p0`` and ``n``. NaN limits when ``phi`` is NaN (not estimable).
    """
    if not np.isfinite(phi):
        return funnel_limits_normal(p0, n, coverage, phi=float("nan"))
    return funnel_limits_normal(p0, n, coverage, phi=max(float(phi), 1.0))


def classify_funnel(
    events: npt.ArrayLike,
    n: npt.ArrayLike,
    p0: float,
    *,
    alert: float = ALERT_COVERAGE,
    alarm: float = ALARM_COVERAGE,
    phi: float | None = None,
) -> list[FunnelZone | None]:
    """Each clinic's :class:`FunnelZone` given its ``events`` out of ``n`` and the target ``p0``.

    Method: Spiegelhalter, Stat Med 2005;24:1185-1202: a clinic is flagged when its
    proportion lies strictly outside a limit. With ``phi`` None, or not above 1 (no
    overdispersion established), the exact limits of :func:`funnel_limits` are used;
    with phi > 1 the multiplicative :func:`overdispersion_adjusted_limits` (Spiegelhalter,
    QSHC 2005) are used instead.

    One entry per clinic, in input order; None where the clinic has no usable data
    (n <= 0, events outside [0, n]) or p0 is not a proportion. Raises ValueError only for a
    coverage outside (0, 1).
    """
    x, size = (np.atleast_1d(a) for a in broadcast_floats(events, n))
    if phi is not None and np.isfinite(phi) and phi > 1.0:
        inner = overdispersion_adjusted_limits(p0, size, phi, alert)
        outer = overdispersion_adjusted_limits(p0, size, phi, alarm)
    else:
        inner = funnel_limits(p0, size, alert)
        outer = funnel_limits(p0, size, alarm)
    valid = is_whole(size) & (size > 0) & np.isfinite(x) & (x >= 0) & (x <= size)
    proportion = x / np.where(valid, size, 1.0)
    zones = np.select(
        [
            proportion > outer.upper,
            proportion > inner.upper,
            proportion < outer.lower,
            proportion < inner.lower,
        ],
        [
            FunnelZone.ALARM_HIGH.value,
            FunnelZone.ALERT_HIGH.value,
            FunnelZone.ALARM_LOW.value,
            FunnelZone.ALERT_LOW.value,
        ],
        default=FunnelZone.WITHIN.value,
    )
    usable = valid & np.isfinite(np.asarray(outer.upper)) & np.isfinite(np.asarray(inner.upper))
    return [
        FunnelZone(zone) if ok else None
        for zone, ok in zip(zones.tolist(), usable.tolist(), strict=True)
    ]
