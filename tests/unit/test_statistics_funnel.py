"""Funnel-plot limits and classification against the spec's worked values and Appendix A.1.1."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import stats

from data_access.statistics import (
    FunnelZone,
    classify_funnel,
    funnel_limits,
    funnel_limits_normal,
    overdispersion_adjusted_limits,
)


def test_exact_and_normal_998_upper_limit_at_2_percent_and_100_procedures() -> None:
    # ClinicOps spec, after Spiegelhalter (Stat Med 2005;24:1185-1202): at p0 = 2 %, n = 100
    # the exact 99.8 % upper limit is 6.98 %, against 6.33 % from the normal approximation.
    exact = funnel_limits(0.02, 100, coverage=0.998)
    normal = funnel_limits_normal(0.02, 100, coverage=0.998)
    assert round(exact.upper * 100, 2) == 6.98
    assert round(normal.upper * 100, 2) == 6.33
    # Both lower limits fall below zero and are clamped.
    assert exact.lower == 0.0 and normal.lower == 0.0


def _appendix_a11(p0: float, n: int, tail: float) -> float:
    """Spiegelhalter 2005, Appendix A.1.1, written out literally as an independent oracle."""
    cdf = stats.binom.cdf(np.arange(n + 1), n, p0)
    r = int(np.argmax(cdf >= tail))  # smallest r with F(r) >= p
    below = cdf[r - 1] if r > 0 else 0.0
    alpha = (cdf[r] - tail) / (cdf[r] - below)
    return min(max((r - alpha) / n, 0.0), 1.0)


@pytest.mark.parametrize("p0", [0.02, 0.1, 0.5, 0.93])
@pytest.mark.parametrize(
    ("coverage", "lower_tail", "upper_tail"), [(0.95, 0.025, 0.975), (0.998, 0.001, 0.999)]
)
def test_vectorised_limits_match_the_appendix_formula(
    p0: float, coverage: float, lower_tail: float, upper_tail: float
) -> None:
    n = np.arange(1, 301)
    lower, upper = funnel_limits(p0, n, coverage)
    expected_lower = [_appendix_a11(p0, int(m), lower_tail) for m in n]
    expected_upper = [_appendix_a11(p0, int(m), upper_tail) for m in n]
    np.testing.assert_allclose(lower, expected_lower, rtol=0, atol=1e-12)
    np.testing.assert_allclose(upper, expected_upper, rtol=0, atol=1e-12)


def test_inner_limits_sit_inside_outer_limits() -> None:
    n = np.arange(1, 2001)
    inner = funnel_limits(0.05, n, 0.95)
    outer = funnel_limits(0.05, n, 0.998)
    assert (inner.upper <= outer.upper).all() and (inner.lower >= outer.lower).all()
    assert (inner.lower <= 0.05).all() and (inner.upper >= 0.05).all()


def test_exact_limits_approach_the_normal_ones_for_large_volumes() -> None:
    exact = funnel_limits(0.05, 200_000)
    normal = funnel_limits_normal(0.05, 200_000)
    assert exact.upper == pytest.approx(normal.upper, abs=2e-5)
    assert exact.lower == pytest.approx(normal.lower, abs=2e-5)


def test_normal_limits_formula_and_clamping() -> None:
    lower, upper = funnel_limits_normal(0.2, 400, coverage=0.95)
    spread = stats.norm.ppf(0.975) * math.sqrt(0.2 * 0.8 / 400)
    assert lower == pytest.approx(0.2 - spread) and upper == pytest.approx(0.2 + spread)
    lower, upper = funnel_limits_normal(0.9, 5, coverage=0.998)
    assert upper == 1.0


def test_degenerate_targets_and_volumes() -> None:
    assert funnel_limits(0.0, 50) == (0.0, 0.0)
    assert funnel_limits(1.0, 50) == (1.0, 1.0)
    lower, upper = funnel_limits([0.02, 0.02, 0.02, 1.5, -0.1, np.nan], [0, -5, 2.5, 10, 10, 10])
    assert np.isnan(lower).all() and np.isnan(upper).all()
    lower, upper = funnel_limits_normal(0.02, [0, 10])
    assert math.isnan(lower[0]) and not math.isnan(lower[1])
    assert funnel_limits(0.02, []).upper.shape == (0,)
    with pytest.raises(ValueError, match="coverage"):
        funnel_limits(0.02, 100, coverage=99.8)


def test_overdispersion_adjusted_limits_inflate_by_sqrt_phi() -> None:
    plain = funnel_limits_normal(0.3, 100)
    adjusted = overdispersion_adjusted_limits(0.3, 100, phi=4.0)
    assert adjusted.upper - 0.3 == pytest.approx(2 * (plain.upper - 0.3))
    assert 0.3 - adjusted.lower == pytest.approx(2 * (0.3 - plain.lower))
    # phi below 1 never narrows the limits (Spiegelhalter, QSHC 2005).
    assert overdispersion_adjusted_limits(0.3, 100, phi=0.5) == plain
    assert all(math.isnan(v) for v in overdispersion_adjusted_limits(0.3, 100, float("nan")))


def test_classify_against_the_worked_limits() -> None:
    # p0 = 2 %, n = 100: 95 % upper 4.73 %, 99.8 % upper 6.98 %, both lower limits 0.
    zones = classify_funnel([0, 4, 5, 6, 7, 3], [100, 100, 100, 100, 100, 0], 0.02)
    assert zones == [
        FunnelZone.WITHIN,
        FunnelZone.WITHIN,
        FunnelZone.ALERT_HIGH,
        FunnelZone.ALERT_HIGH,
        FunnelZone.ALARM_HIGH,
        None,
    ]


def test_classify_low_side_and_overdispersion() -> None:
    n = 400
    inner = funnel_limits(0.2, n, 0.95)
    outer = funnel_limits(0.2, n, 0.998)
    # Event counts just inside/outside each limit, worked out from the limits themselves.
    alarm_low = math.ceil(outer.lower * n) - 1
    alert_low = math.ceil(inner.lower * n) - 1
    alarm_high = math.floor(outer.upper * n) + 1
    assert alarm_low < alert_low
    zones = classify_funnel([alarm_low, alert_low, 80, alarm_high], n, 0.2)
    assert zones == [
        FunnelZone.ALARM_LOW,
        FunnelZone.ALERT_LOW,
        FunnelZone.WITHIN,
        FunnelZone.ALARM_HIGH,
    ]
    # With the limits doubled in width (phi = 4) none of them stands out any more.
    relaxed = classify_funnel([alarm_low, alert_low, 80, alarm_high], n, 0.2, phi=4.0)
    assert relaxed == [FunnelZone.WITHIN] * 4
    # phi <= 1 or NaN: no overdispersion established, the exact limits stay.
    assert classify_funnel([alarm_low], n, 0.2, phi=0.7) == [FunnelZone.ALARM_LOW]
    assert classify_funnel([alarm_low], n, 0.2, phi=float("nan")) == [FunnelZone.ALARM_LOW]


def test_classify_degenerate_inputs() -> None:
    assert classify_funnel([], [], 0.02) == []
    assert classify_funnel(0, 0, 0.02) == [None]
    assert classify_funnel([1, 0], [10, 10], float("nan")) == [None, None]
    assert classify_funnel([11, -1], [10, 10], 0.02) == [None, None]
    # p0 = 0: any event at all is above the (zero) limits; none is within.
    assert classify_funnel([0, 1], [10, 10], 0.0) == [FunnelZone.WITHIN, FunnelZone.ALARM_HIGH]
