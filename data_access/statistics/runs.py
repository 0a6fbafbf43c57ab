"""Anhøj's run-chart rules: is a series shifting or stuck on one side of its centre line?

Data-access layer, pure: no I/O, no Dash. Run charts need no distributional assumption, so
they suit the small monthly counts of a single rural clinic. Two rules, each with a false
alarm rate near 5% whatever the series length: an unusually long run on one side of the
centre line, or unusually few crossings of it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from scipy import stats

from data_access.statistics._common import broadcast_floats


@dataclass(frozen=True)
class RunsAnalysis:
    """Result of Anhøj's runs analysis of one series.

    With no useful observation (empty series, or every point on the centre line) the counts
    and limits are None and no signal is raised.
    """

    n_useful: int  # points not on the centre line (and not missing)
    longest_run: int | None
    longest_run_max: int | None  # a run longer than this signals
    crossings: int | None
    crossings_min: int | None  # fewer crossings than this signals
    runs_signal: bool
    crossings_signal: bool
    signal: bool  # either rule


def anhoej_limits(n_useful: int) -> tuple[int | None, int | None]:
    """Critical values ``(longest_run_max, crossings_min)`` for ``n_useful`` observations.

    Method: Anhøj J, Olesen AV, "Run charts revisited: a simulation study of run chart rules
    for detection of non-random variation in health care processes", PLoS One
    2014;9(11):e113825; as in qicharts2::

        longest_run_max = round(log2(n) + 3)     (Schilling 2012)
        crossings_min   = qbinom(0.05, n - 1, 0.5)   (Chen 2010)

    A run longer than ``longest_run_max`` or fewer crossings than ``crossings_min`` signals.
    (None, None) for fewer than one observation.
    """
    if n_useful < 1:
        return None, None
    return _critical_values(n_useful)


def _critical_values(n_useful: int) -> tuple[int, int]:
    # log2(n) is never exactly k + 0.5 for whole n, so Python's and R's rounding agree.
    longest_run_max = round(math.log2(n_useful) + 3)
    # scipy's ppf is R's qbinom: the smallest c with P(X <= c) >= 0.05.
    crossings_min = int(stats.binom.ppf(0.05, n_useful - 1, 0.5))
    return longest_run_max, crossings_min


def anhoej_signals(values: npt.ArrayLike, centre: npt.ArrayLike) -> RunsAnalysis:
    """Anhøj's runs analysis of ``values`` against ``centre`` (a number or one per point).

    Method: Anhøj & Olesen, PLoS One 2014;9(11):e113825, following qicharts2's
    ``runs.analysis``: points exactly on the centre line and missing points (NaN) are dropped;
    a run is a maximal sequence of consecutive remaining points on the same side; crossings
    are the changes of side between consecutive remaining points (number of runs - 1).
    Signals: ``longest_run > longest_run_max`` or ``crossings < crossings_min``
    (see :func:`anhoej_limits`).
    """
    y, cl = (np.atleast_1d(a) for a in broadcast_floats(values, centre))
    with np.errstate(invalid="ignore"):
        side = np.sign(y - cl)
    side = side[np.isfinite(side) & (side != 0)]
    n_useful = int(side.size)
    if n_useful == 0:
        return RunsAnalysis(0, None, None, None, None, False, False, False)
    change_points = np.flatnonzero(side[1:] != side[:-1])
    run_ends = np.concatenate(([-1], change_points, [n_useful - 1]))
    longest_run = int(np.diff(run_ends).max())
    crossings = int(change_points.size)
    longest_run_max, crossings_min = _critical_values(n_useful)
    runs_signal = longest_run > longest_run_max
    crossings_signal = crossings < crossings_min
    return RunsAnalysis(
        n_useful,
        longest_run,
        longest_run_max,
        crossings,
        crossings_min,
        runs_signal,
        crossings_signal,
        runs_signal or crossings_signal,
    )
