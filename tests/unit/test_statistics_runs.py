"""Anhøj run-chart rules: the published critical values and the direction of each signal."""

from __future__ import annotations

import math

import numpy as np
import pytest

from data_access.statistics import anhoej_limits, anhoej_signals


@pytest.mark.parametrize(
    ("n_useful", "longest_run_max", "crossings_min"),
    [
        # Anhøj J, Olesen AV, PLoS One 2014;9(11):e113825, Table 1 (as quoted in the spec):
        # useful observations → longest-run limit / fewest crossings.
        (10, 6, 2),
        (20, 7, 6),
        (24, 8, 8),
        (30, 8, 10),
    ],
)
def test_published_critical_values(n_useful: int, longest_run_max: int, crossings_min: int) -> None:
    assert anhoej_limits(n_useful) == (longest_run_max, crossings_min)


def _exact_qbinom_half(probability_numerator: int, denominator: int, trials: int) -> int:
    """Smallest c with P(Binomial(trials, 1/2) <= c) >= numerator/denominator, in integers."""
    cumulative = 0
    for c in range(trials + 1):
        cumulative += math.comb(trials, c)
        if cumulative * denominator >= probability_numerator * 2**trials:
            return c
    return trials


def test_crossings_limit_is_qbinom_005_for_every_length_up_to_300() -> None:
    for n in range(1, 301):
        _, crossings_min = anhoej_limits(n)
        assert crossings_min == _exact_qbinom_half(1, 20, n - 1), n


def test_limits_for_tiny_series() -> None:
    assert anhoej_limits(0) == (None, None)
    assert anhoej_limits(-3) == (None, None)
    assert anhoej_limits(1) == (3, 0)


def _series(sides: list[int], centre: float = 10.0) -> list[float]:
    return [centre + side for side in sides]


def test_alternating_series_has_no_signal() -> None:
    result = anhoej_signals(_series([1, -1] * 5), 10.0)
    assert (result.n_useful, result.longest_run, result.crossings) == (10, 1, 9)
    assert not result.signal


def test_run_signal_only_when_longer_than_the_limit() -> None:
    # n = 10, limit 6: a run of 6 is allowed, a run of 7 signals.
    at_limit = anhoej_signals(_series([-1] * 6 + [1, -1, 1, -1]), 10.0)
    assert at_limit.longest_run == 6 and not at_limit.runs_signal and not at_limit.signal
    beyond = anhoej_signals(_series([-1] * 7 + [1, -1, 1]), 10.0)
    assert beyond.longest_run == 7 and beyond.runs_signal and beyond.signal
    assert beyond.crossings == 3 and not beyond.crossings_signal


def test_crossings_signal_only_when_fewer_than_the_minimum() -> None:
    # n = 20, minimum 6: seven runs (6 crossings) are fine, six runs (5 crossings) signal.
    seven_runs = [3, 3, 3, 3, 3, 3, 2]
    sides = [(-1) ** i for i, length in enumerate(seven_runs) for _ in range(length)]
    at_minimum = anhoej_signals(_series(sides), 10.0)
    assert (at_minimum.n_useful, at_minimum.crossings) == (20, 6)
    assert not at_minimum.crossings_signal and not at_minimum.signal
    six_runs = [4, 4, 3, 3, 3, 3]
    sides = [(-1) ** i for i, length in enumerate(six_runs) for _ in range(length)]
    below = anhoej_signals(_series(sides), 10.0)
    assert below.crossings == 5 and below.crossings_signal and not below.runs_signal
    assert below.signal


def test_points_on_the_centre_line_and_missing_points_are_not_useful() -> None:
    # The 10s and the NaN neither count nor break the run of three below the line.
    result = anhoej_signals([9, 10, 9, np.nan, 9, 11], 10.0)
    assert (result.n_useful, result.longest_run, result.crossings) == (4, 3, 1)


def test_centre_may_differ_per_point() -> None:
    result = anhoej_signals([1, 2, 3, 4], [2, 1, 4, 3])
    assert (result.n_useful, result.longest_run, result.crossings) == (4, 1, 3)


def test_degenerate_series() -> None:
    for values in ([], [5.0, 5.0, 5.0], [np.nan]):
        result = anhoej_signals(values, 5.0)
        assert result.n_useful == 0 and result.longest_run is None
        assert result.longest_run_max is None and result.crossings_min is None
        assert not (result.runs_signal or result.crossings_signal or result.signal)
    single = anhoej_signals([7.0], 5.0)
    assert (single.n_useful, single.longest_run, single.crossings) == (1, 1, 0)
    assert (single.longest_run_max, single.crossings_min) == (3, 0) and not single.signal
    # A NaN centre line makes every point unusable rather than raising.
    assert anhoej_signals([1.0, 2.0], float("nan")).n_useful == 0
