"""Surveillance statistics for adverse events: intervals, funnel limits, control charts, runs.

Data-access layer, pure: no I/O, no Dash, no database. Query functions produce counts, and
figure builders and KPI cards turn them into intervals and limits with these functions. Each
is vectorised where natural (numbers or numpy arrays in, the same shape out), never raises
on empty or degenerate data (it returns NaN or None and says so), and is tested against the
published worked values in ``tests/unit/test_statistics_*.py``.

API
---
Intervals (:mod:`.intervals`)
    ``wilson_interval(events, n, confidence=0.95) -> Interval(low, high)``
    ``garwood_interval(events, exposure=1.0, confidence=0.95) -> Interval(low, high)``
    ``rate_per_1000(events, procedures, confidence=0.95) -> RateInterval(rate, low, high)``
Funnel plots (:mod:`.funnel`)
    ``funnel_limits(p0, n, coverage=0.998) -> FunnelLimits(lower, upper)``  exact binomial
    ``funnel_limits_normal(p0, n, coverage=0.998, phi=1.0) -> FunnelLimits``
    ``overdispersion_adjusted_limits(p0, n, phi, coverage=0.998) -> FunnelLimits``
    ``classify_funnel(events, n, p0, *, alert=0.95, alarm=0.998, phi=None)
    -> list[FunnelZone | None]``
Overdispersion (:mod:`.overdispersion`)
    ``funnel_z_scores(events, n, p0) -> ndarray``
    ``overdispersion_phi(events, n, p0, winsorize=0.10) -> float``
    ``overdispersion_test(events, n, p0, winsorize=0.10) -> OverdispersionTest``
Control charts (:mod:`.control_charts`)
    ``p_chart(events, n, sigma=3.0) -> ProportionChart``
    ``laney_p_prime_chart(events, n, sigma=3.0) -> ProportionChart``
Run charts (:mod:`.runs`)
    ``anhoej_limits(n_useful) -> (longest_run_max, crossings_min)``
    ``anhoej_signals(values, centre) -> RunsAnalysis``
Histograms (:mod:`.quantiles`)
    ``quantiles_from_counts(counts, qs=(0.25, 0.5, 0.75)) -> tuple[float, ...]``
    ``grouped_quantiles(groups, values, counts, q, size=n) -> ndarray`` (many at once)

Levels (``confidence``, ``coverage``) are fractions such as 0.95 or 0.998; a level outside
(0, 1) is a programming error and raises ValueError.
"""

from data_access.statistics.control_charts import ProportionChart, laney_p_prime_chart, p_chart
from data_access.statistics.funnel import (
    ALARM_COVERAGE,
    ALERT_COVERAGE,
    FunnelLimits,
    FunnelZone,
    classify_funnel,
    funnel_limits,
    funnel_limits_normal,
    overdispersion_adjusted_limits,
)
from data_access.statistics.intervals import (
    Interval,
    RateInterval,
    garwood_interval,
    rate_per_1000,
    wilson_interval,
)
from data_access.statistics.overdispersion import (
    OverdispersionTest,
    funnel_z_scores,
    overdispersion_phi,
    overdispersion_test,
)
from data_access.statistics.quantiles import grouped_quantiles, quantiles_from_counts
from data_access.statistics.runs import RunsAnalysis, anhoej_limits, anhoej_signals

__all__ = [
    "ALARM_COVERAGE",
    "ALERT_COVERAGE",
    "FunnelLimits",
    "FunnelZone",
    "Interval",
    "OverdispersionTest",
    "ProportionChart",
    "RateInterval",
    "RunsAnalysis",
    "anhoej_limits",
    "anhoej_signals",
    "classify_funnel",
    "funnel_limits",
    "funnel_limits_normal",
    "funnel_z_scores",
    "garwood_interval",
    "grouped_quantiles",
    "laney_p_prime_chart",
    "overdispersion_adjusted_limits",
    "overdispersion_phi",
    "overdispersion_test",
    "p_chart",
    "quantiles_from_counts",
    "rate_per_1000",
    "wilson_interval",
]
