"""p-chart and Laney p'-chart on hand-computable examples, plus degenerate series."""

from __future__ import annotations

import math

import numpy as np
import pytest

from data_access.statistics import laney_p_prime_chart, p_chart

# Four months of 100 procedures: p̄ = 80/400 = 0.2, σ_p = sqrt(0.2·0.8/100) = 0.04.
EVENTS = [5, 20, 35, 20]
SIZES = [100, 100, 100, 100]


def test_p_chart_by_hand() -> None:
    chart = p_chart(EVENTS, SIZES)
    assert chart.centre == pytest.approx(0.2)
    # 0.2 ± 3·0.04 = 0.08 and 0.32.
    np.testing.assert_allclose(chart.lcl, 0.08)
    np.testing.assert_allclose(chart.ucl, 0.32)
    assert chart.sigma_z == 1.0
    assert chart.above.tolist() == [False, False, True, False]
    assert chart.below.tolist() == [True, False, False, False]
    assert chart.outside.tolist() == [True, False, True, False]


def test_p_chart_variable_sizes_and_clamping() -> None:
    # p̄ = 8/200 = 0.04. n = 150: σ = sqrt(0.04·0.96/150) = 0.016, limits 0.04 ± 0.048.
    # n = 50: σ = sqrt(0.000768) = 0.027713; upper 0.123138. Both lower limits clamp to 0.
    chart = p_chart([2, 6], [50, 150])
    assert chart.centre == pytest.approx(0.04)
    np.testing.assert_allclose(chart.ucl, [0.04 + 3 * math.sqrt(0.000768), 0.088])
    np.testing.assert_allclose(chart.lcl, [0.0, 0.0])


def test_laney_widens_limits_by_the_moving_range_of_z() -> None:
    # z = (0.05 - 0.2)/0.04 = -3.75, then 0, 3.75, 0: every moving range is 3.75, so
    # σ_z = 3.75/1.128 and the limits are 0.2 ± 3·0.04·σ_z = 0.2 ± 0.45/1.128.
    chart = laney_p_prime_chart(EVENTS, SIZES)
    assert chart.sigma_z == pytest.approx(3.75 / 1.128)
    np.testing.assert_allclose(chart.ucl, 0.2 + 0.45 / 1.128)
    np.testing.assert_allclose(chart.lcl, 0.0)  # 0.2 - 0.399 clamps to 0
    # The months the p-chart flags are ordinary once between-month variation is allowed for.
    assert not chart.outside.any()


def test_laney_drops_moving_ranges_next_to_a_month_without_procedures() -> None:
    # p̄ = 10/40 = 0.25. z0 = -0.15/sqrt(0.01875); month 1 has no z; z2 = -0.05/sqrt(0.009375);
    # z3 = 0.25/sqrt(0.01875). Only |z3 - z2| survives (as in qicharts2, no bridging).
    chart = laney_p_prime_chart([1, 0, 4, 5], [10, 0, 20, 10])
    z2 = -0.05 / math.sqrt(0.009375)
    z3 = 0.25 / math.sqrt(0.01875)
    assert chart.sigma_z == pytest.approx((z3 - z2) / 1.128)
    assert math.isnan(chart.proportion[1]) and math.isnan(chart.ucl[1])
    assert not chart.outside[1]
    assert chart.ucl[2] == pytest.approx(0.25 + 3 * math.sqrt(0.009375) * chart.sigma_z)
    assert chart.ucl[0] == 1.0  # 0.25 + 3·0.1369·2.076 > 1, clamped


def test_degenerate_series() -> None:
    empty = p_chart([], [])
    assert math.isnan(empty.centre) and empty.ucl.shape == (0,)
    empty_laney = laney_p_prime_chart([], [])
    assert math.isnan(empty_laney.centre) and math.isnan(empty_laney.sigma_z)
    no_procedures = p_chart([0, 0], [0, 0])
    assert math.isnan(no_procedures.centre) and np.isnan(no_procedures.ucl).all()
    assert not no_procedures.outside.any()
    # A single month: the p-chart is defined, Laney's σ_z needs two consecutive months.
    single = p_chart([3], [50])
    assert single.centre == pytest.approx(0.06) and not math.isnan(single.ucl[0])
    single_laney = laney_p_prime_chart([3], [50])
    assert math.isnan(single_laney.sigma_z) and np.isnan(single_laney.ucl).all()
    # No events at all (p̄ = 0) or every procedure an event (p̄ = 1): limits collapse onto p̄.
    for events, centre in (([0, 0, 0], 0.0), ([5, 5, 5], 1.0)):
        for chart in (p_chart(events, [5, 5, 5]), laney_p_prime_chart(events, [5, 5, 5])):
            assert chart.centre == centre
            np.testing.assert_array_equal(chart.lcl, centre)
            np.testing.assert_array_equal(chart.ucl, centre)
            assert not chart.outside.any()
    # Impossible months (more events than procedures) are left out like empty ones.
    chart = p_chart([6, 1], [5, 10])
    assert chart.centre == pytest.approx(0.1) and math.isnan(chart.proportion[0])
