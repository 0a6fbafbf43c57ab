"""Adverse-event surveillance tables: funnel, rates with intervals, and control charts.

Data-access layer, pure: no I/O, no Dash. These functions turn the query frames of
``data_access.queries`` (clinic figures, per-type counts, per-clinic period series) into tidy
tables that carry the statistics of ``data_access.statistics``: each clinic's funnel limits
and zone, each group's rate per 1,000 with its exact interval, each chart's limits and
run-rule result. The signals list (:mod:`data_access.surveillance_signals`) and the page's
figures read these tables, so every view of a number agrees.

Overdispersion rule (funnel and charts alike): limits are widened only when
``overdispersion_test(...).overdispersed`` holds, i.e. the 10%-Winsorised phi exceeds 1.
Under pure binomial noise that phi averages about 0.68, so the rule is conservative: it
widens the limits only when units differ clearly more than chance.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

import numpy as np
import pandas as pd

from data_access.statistics import (
    ALARM_COVERAGE,
    ALERT_COVERAGE,
    OverdispersionTest,
    RunsAnalysis,
    anhoej_signals,
    classify_funnel,
    funnel_limits,
    laney_p_prime_chart,
    overdispersion_adjusted_limits,
    overdispersion_test,
    p_chart,
    rate_per_1000,
    wilson_interval,
)

PER_1000 = 1000.0


class ChartMethod(StrEnum):
    """Which proportion chart to draw: the classical p-chart, Laney's p'-chart, or the
    p'-chart only when the periods are overdispersed."""

    AUTO = "auto"
    P = "p"
    LANEY = "laney"


def with_intervals(
    frame: pd.DataFrame, *, events: str = "events", procedures: str = "procedures"
) -> pd.DataFrame:
    """``frame`` plus rate per 1,000 with Garwood's exact 95% interval (``rate``,
    ``rate_low``, ``rate_high``) and the proportion with Wilson's 95% interval
    (``proportion``, ``proportion_low``, ``proportion_high``). NaN where procedures = 0."""
    result = frame.copy()
    x = result[events].to_numpy(dtype=float)
    n = result[procedures].to_numpy(dtype=float)
    rate = rate_per_1000(x, n)
    result["rate"], result["rate_low"], result["rate_high"] = rate.rate, rate.low, rate.high
    low, high = wilson_interval(x, n)
    result["proportion"] = np.where(n > 0, x / np.where(n > 0, n, 1.0), np.nan)
    result["proportion_low"], result["proportion_high"] = low, high
    return result


def _zones(events: np.ndarray, n: np.ndarray, p0: float, phi: float | None) -> list[str | None]:
    zones = classify_funnel(events, n, p0, phi=phi) if len(n) else []
    return [zone.value if zone is not None else None for zone in zones]


@dataclass(frozen=True)
class FunnelAnalysis:
    """Each clinic against the selection's overall proportion ``p0``.

    ``table``: one row per clinic with volume (``clinic_id``, ``name``, ``region``,
    ``procedures``, ``events``), the columns of :func:`with_intervals`, its funnel limits at
    its volume (``lower95``, ``upper95``, ``lower998``, ``upper998``), ``zone`` (a
    :class:`~data_access.statistics.FunnelZone` value) and ``expected`` events at p0.
    ``adjusted``: limits are widened by phi (overdispersed and adjustment asked for).
    """

    table: pd.DataFrame
    p0: float
    overdispersion: OverdispersionTest
    adjusted: bool

    @property
    def phi(self) -> float | None:
        """The phi the limits use (None for the exact binomial limits)."""
        return self.overdispersion.phi if self.adjusted else None


def funnel_limits_at(p0: float, n: np.ndarray, phi: float | None) -> dict[str, np.ndarray]:
    """Inner (95%) and outer (99.8%) limits at volumes ``n``: exact binomial with
    Spiegelhalter's interpolation, or multiplicative-phi limits when ``phi`` is given."""
    limits: dict[str, np.ndarray] = {}
    for label, coverage in (("95", ALERT_COVERAGE), ("998", ALARM_COVERAGE)):
        if phi is None:
            found = funnel_limits(p0, n, coverage)
        else:
            found = overdispersion_adjusted_limits(p0, n, phi, coverage)
        limits[f"lower{label}"] = np.atleast_1d(np.asarray(found.lower, dtype=float))
        limits[f"upper{label}"] = np.atleast_1d(np.asarray(found.upper, dtype=float))
    return limits


def clinic_funnel(
    clinics: pd.DataFrame, *, adjust_for_overdispersion: bool = True
) -> FunnelAnalysis:
    """The funnel table of ``clinics`` (rows of ``queries.clinics.clinic_figures``: at least
    ``clinic_id``, ``name``, ``region``, ``procedures``, ``adverse_events``).

    Clinics without procedures stay in the table with NaN limits and no zone."""
    table = clinics[["clinic_id", "name", "region", "procedures", "adverse_events"]].rename(
        columns={"adverse_events": "events"}
    )
    table = with_intervals(table.reset_index(drop=True))
    x = table["events"].to_numpy(dtype=float)
    n = table["procedures"].to_numpy(dtype=float)
    total = n.sum()
    p0 = float(x.sum() / total) if total > 0 else float("nan")
    test = overdispersion_test(x, n, p0) if total > 0 else overdispersion_test([], [], 0.5)
    adjusted = adjust_for_overdispersion and test.overdispersed
    phi = test.phi if adjusted else None
    n_for_limits = np.where(n > 0, n, np.nan)
    for column, values in funnel_limits_at(p0, n_for_limits, phi).items():
        table[column] = values if len(table) else []
    table["expected"] = n * p0 if total > 0 else np.nan
    table["zone"] = _zones(x, n, p0, phi) if total > 0 else [None] * len(table)
    return FunnelAnalysis(table, p0, test, adjusted)


def funnel_curves(
    p0: float, max_volume: float, phi: float | None, points: int = 240
) -> pd.DataFrame:
    """The funnel's four limit lines from 1 procedure to ``max_volume``, at whole volumes
    (the exact limits are defined for whole n), spaced evenly on a log scale."""
    if not (np.isfinite(p0) and max_volume >= 1):
        return pd.DataFrame(columns=["n", "lower95", "upper95", "lower998", "upper998"])
    n = np.unique(np.round(np.geomspace(1, max_volume, points)))
    return pd.DataFrame({"n": n, **funnel_limits_at(p0, n, phi)})


def group_rates(frame: pd.DataFrame, key: str, p0: float | None = None) -> pd.DataFrame:
    """Rates with intervals per ``key`` (rows with ``events`` and ``procedures``); with ``p0``
    also each group's funnel ``zone`` against it (exact limits at the group's volume)."""
    result = with_intervals(frame.reset_index(drop=True))
    if p0 is not None and np.isfinite(p0):
        x = result["events"].to_numpy(dtype=float)
        n = result["procedures"].to_numpy(dtype=float)
        result["zone"] = _zones(x, n, p0, None)
        result["expected"] = n * p0
    return result.sort_values(key, ignore_index=True)


def share_rates(counts: pd.DataFrame, key: str, procedures: int) -> pd.DataFrame:
    """Events per 1,000 procedures by ``key`` (``event_type`` or ``severity``) from the
    counts of ``queries.adverse_events.events_by_type_and_severity``; every key's rate has
    the selection's whole procedure count as denominator."""
    totals = counts.groupby(key, as_index=False)["events"].sum()
    totals["procedures"] = procedures
    return group_rates(totals, key)


@dataclass(frozen=True)
class ChartSubject:
    """What a control chart is about: the whole selection, one region, or one clinic."""

    kind: str  # "network", "region" or "clinic"
    key: str  # region name or clinic id; "" for the network
    name: str  # what people read: "Network", the region, or the clinic's name

    @property
    def token(self) -> str:
        """Compact form for URLs and dropdowns: ``network``, ``region:X``, ``clinic:Y``."""
        return self.kind if self.kind == "network" else f"{self.kind}:{self.key}"


NETWORK = ChartSubject("network", "", "Network")


@dataclass(frozen=True)
class ControlChart:
    """A proportion chart of one subject: ``table`` has ``period``, ``procedures``,
    ``events``, ``proportion``, ``centre``, ``lcl``, ``ucl``, ``above``, ``below``; ``runs``
    is Anhøj's analysis of the same proportions against the centre line."""

    subject: ChartSubject
    table: pd.DataFrame
    method: ChartMethod  # P or LANEY, as drawn
    overdispersion: OverdispersionTest
    sigma_z: float
    runs: RunsAnalysis
    #: First and last period of the longest run (None when no point is off the centre).
    longest_run: tuple[pd.Timestamp, pd.Timestamp] | None

    @property
    def centre(self) -> float:
        return float(self.table["centre"].iloc[0]) if len(self.table) else float("nan")


def _longest_run(
    values: np.ndarray, centre: float, periods: pd.Series
) -> tuple[pd.Timestamp, pd.Timestamp] | None:
    """First and last period of the longest run on one side of the centre line (points on
    the line and empty periods are skipped, as the run rules skip them)."""
    side = np.sign(values - centre)
    useful = np.flatnonzero(np.isfinite(side) & (side != 0))
    if useful.size == 0:
        return None
    best = (0, 0)  # positions in ``useful`` of the longest run's first and last point
    first = 0
    for position in range(1, useful.size + 1):
        ends = position == useful.size or side[useful[position]] != side[useful[position - 1]]
        if ends:
            if position - first > best[1] - best[0] + 1:
                best = (first, position - 1)
            first = position
    start, end = useful[best[0]], useful[best[1]]
    return pd.Timestamp(periods.iloc[int(start)]), pd.Timestamp(periods.iloc[int(end)])


def control_chart(
    series: pd.DataFrame, subject: ChartSubject = NETWORK, method: ChartMethod = ChartMethod.AUTO
) -> ControlChart:
    """p-chart (or Laney p'-chart) and Anhøj runs of ``series`` (``period``,
    ``procedures``, ``events``; periods without procedures may be absent).

    With ``AUTO`` the p'-chart is drawn when the periods are overdispersed around p̄ (the
    module's rule) and Laney's sigma_z exceeds 1 (else p' would narrow the limits)."""
    table = series[["period", "procedures", "events"]].sort_values("period", ignore_index=True)
    x = table["events"].to_numpy(dtype=float)
    n = table["procedures"].to_numpy(dtype=float)
    classical = p_chart(x, n)
    centre = classical.centre
    usable = bool(np.isfinite(centre) and 0 < centre < 1)
    test = overdispersion_test(x, n, centre if usable else 0.5)
    if not usable:
        test = OverdispersionTest(float("nan"), test.units, float("nan"), overdispersed=False)
    laney = laney_p_prime_chart(x, n)
    wants_laney = method is ChartMethod.LANEY or (
        method is ChartMethod.AUTO and test.overdispersed and laney.sigma_z > 1.0
    )
    chart = laney if wants_laney and np.isfinite(laney.sigma_z) else classical
    drawn = ChartMethod.LANEY if chart is laney else ChartMethod.P
    table["proportion"] = chart.proportion
    table["centre"] = centre
    table["lcl"], table["ucl"] = chart.lcl, chart.ucl
    table["above"], table["below"] = chart.above, chart.below
    runs = anhoej_signals(chart.proportion, centre)
    run = _longest_run(chart.proportion, centre, table["period"]) if len(table) else None
    return ControlChart(subject, table, drawn, test, laney.sigma_z, runs, run)


def subject_series(
    series_by_clinic: pd.DataFrame, clinics: pd.DataFrame, subject: ChartSubject
) -> pd.DataFrame:
    """The period series of ``subject`` summed from ``queries.event_trends`` rows, using
    ``clinics`` (``clinic_id``, ``region``) to find a region's clinics."""
    rows = series_by_clinic
    if subject.kind == "region":
        members = clinics.loc[clinics["region"] == subject.key, "clinic_id"]
        rows = rows[rows["clinic_id"].isin(members)]
    elif subject.kind == "clinic":
        rows = rows[rows["clinic_id"] == subject.key]
    summed = rows.groupby("period", as_index=False)[["procedures", "events"]].sum()
    return summed.sort_values("period", ignore_index=True)


def chart_subjects(clinics: pd.DataFrame, network_name: str = "Network") -> list[ChartSubject]:
    """The whole selection (named ``network_name``), then each region, then each clinic
    (by name) of the selection."""
    regions = sorted(clinics["region"].dropna().unique())
    ordered = clinics.sort_values(["name", "clinic_id"])
    return [
        ChartSubject("network", "", network_name),
        *(ChartSubject("region", str(region), str(region)) for region in regions),
        *(
            ChartSubject("clinic", str(row.clinic_id), str(row.name))
            for row in ordered.itertuples(index=False)
        ),
    ]
