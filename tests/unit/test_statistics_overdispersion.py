"""Winsorised overdispersion factor: a hand-worked example and seeded simulations."""

from __future__ import annotations

import math

import numpy as np
import pytest

from data_access.statistics import funnel_z_scores, overdispersion_phi, overdispersion_test

# p0 = 0.5 and n = 4 make each z-score (y - 0.5)/sqrt(0.25/4) = events - 2 exactly.
EVENTS = [0, 1, 2, 3, 4]
SIZES = [4, 4, 4, 4, 4]


def test_z_scores_by_hand() -> None:
    np.testing.assert_allclose(funnel_z_scores(EVENTS, SIZES, 0.5), [-2, -1, 0, 1, 2])


def test_phi_by_hand() -> None:
    # z = -2..2. R type-7 10th/90th percentiles: h = 4·0.1 = 0.4 → -2 + 0.4 = -1.6 and 1.6.
    # Winsorised z = (-1.6, -1, 0, 1, 1.6); phi = (2.56 + 1 + 0 + 1 + 2.56)/5 = 1.424.
    result = overdispersion_test(EVENTS, SIZES, 0.5)
    assert result.phi == pytest.approx(1.424)
    assert result.units == 5 and result.overdispersed
    # chi-square with 4 df has survival e^(-x/2)(1 + x/2); at k·phi = 7.12: 4.56·e^-3.56.
    assert result.p_value == pytest.approx(4.56 * math.exp(-3.56))
    # Without Winsorising: (4 + 1 + 0 + 1 + 4)/5 = 2.
    assert overdispersion_phi(EVENTS, SIZES, 0.5, winsorize=0.0) == pytest.approx(2.0)


def _null_network(seed: int, clinics: int = 2000) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    n = rng.integers(100, 1000, clinics)
    return rng.binomial(n, 0.05), n


def test_phi_is_about_one_under_the_binomial_null() -> None:
    events, n = _null_network(seed=20240501)
    # Unwinsorised, E[z²] = 1 exactly under the null; 2,000 clinics give SE ≈ 0.03.
    assert overdispersion_phi(events, n, 0.05, winsorize=0.0) == pytest.approx(1.0, abs=0.1)
    # The default 10% Winsorisation shrinks it to about E[min(z², 1.2816²)] = 0.68.
    result = overdispersion_test(events, n, 0.05)
    assert result.phi == pytest.approx(0.68, abs=0.08)
    assert not result.overdispersed and result.p_value > 0.5


def test_phi_well_above_one_for_overdispersed_clinics() -> None:
    rng = np.random.default_rng(7)
    n = rng.integers(100, 1000, 300)
    # Each clinic's true rate drawn from Beta(2, 38): mean 5 %, SD about 3.4 %.
    events = rng.binomial(n, rng.beta(2, 38, n.size))
    result = overdispersion_test(events, n, 0.05)
    assert result.phi > 2 and result.overdispersed and result.p_value < 1e-6


def test_degenerate_inputs() -> None:
    empty = overdispersion_test([], [], 0.05)
    assert math.isnan(empty.phi) and empty.units == 0 and not empty.overdispersed
    assert math.isnan(overdispersion_phi([0, 0], [0, 0], 0.05))
    # p0 of 0 or 1: zero binomial variance, every z-score undefined.
    assert math.isnan(overdispersion_phi([0, 1], [10, 10], 0.0))
    assert math.isnan(overdispersion_phi([0, 1], [10, 10], 1.0))
    assert np.isnan(funnel_z_scores([0, 1], [10, 10], float("nan"))).all()
    # A single clinic: phi is its own z², with nothing to test it against.
    single = overdispersion_test([2], [4], 0.5)
    assert single.phi == pytest.approx(0.0) and single.units == 1 and math.isnan(single.p_value)
    # Clinics without procedures are left out, not counted as z = 0.
    with_gap = overdispersion_test([*EVENTS, 0], [*SIZES, 0], 0.5)
    assert with_gap.units == 5 and with_gap.phi == pytest.approx(1.424)


@pytest.mark.parametrize("winsorize", [-0.1, 0.5, 0.9])
def test_bad_winsorize_fraction_is_a_programming_error(winsorize: float) -> None:
    with pytest.raises(ValueError, match="winsorize"):
        overdispersion_test(EVENTS, SIZES, 0.5, winsorize)
