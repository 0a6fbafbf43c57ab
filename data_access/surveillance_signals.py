"""The medical director's signals list: every current reason to look closer, newest first.

Data-access layer, pure: no I/O, no Dash. From the tables of :mod:`data_access.surveillance`
and the selection's serious events it lists, in words a clinician reads, one row per signal:

* a clinic above (or below) its 99.8% funnel limit: more (or fewer) adverse events than
  chance explains at its volume;
* a procedure type above (or below) its 99.8% limit against the selection's proportion;
* special-cause variation on the network's, a region's or a clinic's control chart: periods
  beyond the 3-sigma limits, or an Anhøj run-rule signal (a run longer than
  round(log2(n) + 3), or fewer crossings than qbinom(0.05, n - 1, 0.5));
* every serious event in the range (reviewed or not).

Charts with fewer than :data:`MIN_EXPECTED_EVENTS` expected events in their median period
raise no signals: with so few events the 3-sigma limits and run rules flag chance (a week
with no event is "below the centre line"), so their charts are shown but not alerted on.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from enum import StrEnum

import numpy as np
import pandas as pd

from data_access.contract import EVENT_TYPE_LABELS, PROCEDURE_TYPE_LABELS
from data_access.filters import Grain
from data_access.statistics import FunnelZone
from data_access.surveillance import ControlChart, FunnelAnalysis

#: A chart alerts only if its median period expects at least this many events.
MIN_EXPECTED_EVENTS = 5.0

SIGNAL_COLUMNS = [
    "signal_on",
    "kind",
    "subject_kind",
    "subject_key",
    "subject_name",
    "clinic_id",
    "event_id",
    "headline",
    "reason",
]


class SignalKind(StrEnum):
    CLINIC_HIGH = "clinic_high"
    CLINIC_LOW = "clinic_low"
    PROCEDURE_TYPE_HIGH = "procedure_type_high"
    PROCEDURE_TYPE_LOW = "procedure_type_low"
    CHART_ABOVE = "chart_above"
    CHART_BELOW = "chart_below"
    CHART_RUNS = "chart_runs"
    SERIOUS_EVENT = "serious_event"


#: Among signals of the same day, the order they are listed in.
KIND_ORDER = {kind: position for position, kind in enumerate(SignalKind)}


def per_1000(proportion: float, digits: int = 1) -> str:
    """A proportion as events per 1,000 procedures, for reading (``0.0123`` -> ``12.3``)."""
    return f"{proportion * 1000:.{digits}f}"


def period_label(period: pd.Timestamp, grain: Grain) -> str:
    if grain is Grain.MONTH:
        return period.strftime("%b %Y")
    prefix = "week of " if grain is Grain.WEEK else ""
    return f"{prefix}{period.day} {period.strftime('%b %Y')}"


def readable(code: object) -> str:
    """An enumeration code as words: ``not_resolved`` -> ``not resolved``."""
    return str(code).replace("_", " ") if code is not None and code == code else "unknown"


def _signal(
    on: date,
    kind: SignalKind,
    subject: tuple[str, str, str],
    headline: str,
    reason: str,
    *,
    clinic_id: str | None = None,
    event_id: str | None = None,
) -> dict[str, object]:
    """One row of the signals table; ``subject`` is (kind, key, name)."""
    values = (pd.Timestamp(on), kind.value, *subject, clinic_id, event_id, headline, reason)
    return dict(zip(SIGNAL_COLUMNS, values, strict=True))


def _limits_phrase(funnel: FunnelAnalysis) -> str:
    if funnel.phi is None:
        return "exact binomial 99.8% limit"
    return f"99.8% limit widened for overdispersion (φ = {funnel.phi:.2f})"


def funnel_signals(funnel: FunnelAnalysis, as_of: date) -> list[dict[str, object]]:
    """Clinics beyond their 99.8% funnel limits."""
    found = []
    network = per_1000(funnel.p0)
    flagged = funnel.table[funnel.table["zone"].isin([FunnelZone.ALARM_HIGH, FunnelZone.ALARM_LOW])]
    for row in flagged.itertuples(index=False):
        high = row.zone == FunnelZone.ALARM_HIGH
        limit = row.upper998 if high else row.lower998
        counts = f"{row.events:,} events in {row.procedures:,} procedures"
        verdict = "above" if high else "below"
        reason = (
            f"{counts} = {per_1000(row.proportion)} per 1,000 (expected about "
            f"{row.expected:.1f} at the selection's {network} per 1,000); {verdict} the "
            f"{_limits_phrase(funnel)} of {per_1000(limit)} per 1,000 at this volume."
        )
        headline = (
            f"{row.name}: more adverse events than chance explains"
            if high
            else f"{row.name}: fewer adverse events than expected (check that events are reported)"
        )
        kind = SignalKind.CLINIC_HIGH if high else SignalKind.CLINIC_LOW
        found.append(
            _signal(
                as_of,
                kind,
                ("clinic", row.clinic_id, row.name),
                headline,
                reason,
                clinic_id=row.clinic_id,
            )
        )
    return found


def procedure_type_signals(rates: pd.DataFrame, p0: float, as_of: date) -> list[dict[str, object]]:
    """Procedure types beyond their 99.8% limits (rows of ``surveillance.group_rates`` by
    ``procedure_type`` with zones)."""
    found: list[dict[str, object]] = []
    if "zone" not in rates:
        return found
    for row in rates[
        rates["zone"].isin([FunnelZone.ALARM_HIGH, FunnelZone.ALARM_LOW])
    ].itertuples():
        high = row.zone == FunnelZone.ALARM_HIGH
        label = PROCEDURE_TYPE_LABELS.get(row.procedure_type, readable(row.procedure_type))
        headline = f"{label}: {'more' if high else 'fewer'} adverse events than chance explains"
        reason = (
            f"{row.events:,} events in {row.procedures:,} procedures = "
            f"{per_1000(row.proportion)} per 1,000 (95% CI {row.rate_low:.1f}–"
            f"{row.rate_high:.1f}) against {per_1000(p0)} per 1,000 for all selected "
            f"procedures; beyond the exact 99.8% limit at this volume."
        )
        kind = SignalKind.PROCEDURE_TYPE_HIGH if high else SignalKind.PROCEDURE_TYPE_LOW
        found.append(
            _signal(as_of, kind, ("procedure_type", row.procedure_type, label), headline, reason)
        )
    return found


def _top_contributor(
    chart: ControlChart,
    period: pd.Timestamp,
    series_by_clinic: pd.DataFrame,
    clinics: pd.DataFrame,
) -> str:
    """For a network or region period above its limit: the clinic with most excess events
    (observed minus expected at the chart's average), named, or "" if none stands out."""
    if chart.subject.kind == "clinic" or series_by_clinic.empty:
        return ""
    rows = series_by_clinic[series_by_clinic["period"] == period]
    if chart.subject.kind == "region":
        members = clinics.loc[clinics["region"] == chart.subject.key, "clinic_id"]
        rows = rows[rows["clinic_id"].isin(members)]
    if rows.empty:
        return ""
    excess = rows["events"] - rows["procedures"] * chart.centre
    if float(excess.max()) < 1:
        return ""
    best = str(rows.loc[excess.idxmax(), "clinic_id"])
    names = dict(zip(clinics["clinic_id"], clinics["name"], strict=True))
    return f" Most excess events: {names.get(best, best)} (+{float(excess.max()):.0f})."


def chart_signals(
    chart: ControlChart, grain: Grain, series_by_clinic: pd.DataFrame, clinics: pd.DataFrame
) -> list[dict[str, object]]:
    """Special-cause signals on one control chart (none for a sparse chart)."""
    table = chart.table
    if table.empty or not is_informative(chart):
        return []
    subject = (chart.subject.kind, chart.subject.key, chart.subject.name)
    clinic_id = chart.subject.key if chart.subject.kind == "clinic" else None
    chart_name = "p′-chart (Laney)" if chart.method == "laney" else "p-chart"
    found = []
    for column, kind, word in (
        ("above", SignalKind.CHART_ABOVE, "above the upper"),
        ("below", SignalKind.CHART_BELOW, "below the lower"),
    ):
        points = table[table[column]]
        if points.empty:
            continue
        latest = points.iloc[-1]
        limit = latest["ucl"] if column == "above" else latest["lcl"]
        when = ", ".join(period_label(p, grain) for p in points["period"])
        reason = (
            f"{len(points)} period(s) {word} 3-sigma control limit ({when}). Latest: "
            f"{int(latest['events']):,} events in {int(latest['procedures']):,} procedures = "
            f"{per_1000(latest['proportion'], 2)} per 1,000 against a limit of "
            f"{per_1000(limit, 2)} and an average of {per_1000(chart.centre, 2)}."
        )
        if column == "above":
            reason += _top_contributor(chart, latest["period"], series_by_clinic, clinics)
        level = "high" if column == "above" else "low"
        headline = f"{chart.subject.name}: unusually {level} period on the {chart_name}"
        found.append(
            _signal(latest["period"], kind, subject, headline, reason, clinic_id=clinic_id)
        )
    runs = chart.runs
    if runs.signal:
        parts = []
        if runs.runs_signal:
            parts.append(
                f"{runs.longest_run} periods in a row on one side of the average "
                f"(more than {runs.longest_run_max} is unlikely by chance)"
            )
        if runs.crossings_signal:
            parts.append(
                f"the series crosses its average only {runs.crossings} times "
                f"(fewer than {runs.crossings_min} is unlikely by chance)"
            )
        on = (
            chart.longest_run[1]
            if runs.runs_signal and chart.longest_run
            else table["period"].iloc[-1]
        )
        headline = f"{chart.subject.name}: sustained shift in the adverse-event rate"
        joined = "; ".join(parts)
        reason = f"{joined[:1].upper()}{joined[1:]} (Anhøj run rules, {runs.n_useful} periods)."
        found.append(
            _signal(on, SignalKind.CHART_RUNS, subject, headline, reason, clinic_id=clinic_id)
        )
    return found


def is_informative(chart: ControlChart) -> bool:
    """Whether the chart has enough events per period for its limits and runs to alert."""
    if chart.table.empty or not np.isfinite(chart.centre):
        return False
    return float(chart.table["procedures"].median()) * chart.centre >= MIN_EXPECTED_EVENTS


def serious_event_signals(events: pd.DataFrame) -> list[dict[str, object]]:
    """Every serious event (rows of ``queries.case_reviews.events_with_reviews``)."""
    found = []
    for row in events[events["serious"]].itertuples(index=False):
        event = EVENT_TYPE_LABELS.get(row.event_type, readable(row.event_type))
        what = "event (other type)" if row.event_type == "other" else event.lower()
        procedure = PROCEDURE_TYPE_LABELS.get(row.procedure_type, readable(row.procedure_type))
        reviewed = getattr(row, "reviewed", False)
        status = (
            f"Reviewed by {row.reviewer}: {readable(row.expectedness)}, "
            f"{readable(row.relatedness)}."
            if reviewed
            else "Not yet reviewed."
        )
        reason = (
            f"{readable(row.severity).capitalize()} {what} after {procedure} on "
            f"{row.performed_on:%d %b %Y}; outcome {readable(row.outcome)}. {status}"
        )
        headline = f"Serious event at {row.clinic_name}: {event}"
        found.append(
            _signal(
                row.onset_on,
                SignalKind.SERIOUS_EVENT,
                ("clinic", row.clinic_id, row.clinic_name),
                headline,
                reason,
                clinic_id=row.clinic_id,
                event_id=row.event_id,
            )
        )
    return found


def newest_first(signals: Iterable[dict[str, object]]) -> pd.DataFrame:
    """The signals as a table, newest first; same-day signals by kind, then by name."""
    frame = pd.DataFrame(list(signals), columns=SIGNAL_COLUMNS)
    if frame.empty:
        return frame
    frame["order"] = frame["kind"].map(lambda k: KIND_ORDER[SignalKind(k)])
    frame = frame.sort_values(
        ["signal_on", "order", "subject_name"], ascending=[False, True, True], kind="stable"
    )
    return frame.drop(columns="order").reset_index(drop=True)


def surveillance_signals(
    *,
    funnel: FunnelAnalysis,
    procedure_types: pd.DataFrame,
    charts: Iterable[ControlChart],
    grain: Grain,
    series_by_clinic: pd.DataFrame,
    clinics: pd.DataFrame,
    serious_events: pd.DataFrame,
    as_of: date,
) -> pd.DataFrame:
    """Every signal of the selection, newest first (columns :data:`SIGNAL_COLUMNS`).

    ``as_of`` dates the funnel and procedure-type signals (the end of the range): they
    describe the whole range, so they sort above anything older."""
    found = funnel_signals(funnel, as_of) + procedure_type_signals(
        procedure_types, funnel.p0, as_of
    )
    for chart in charts:
        found += chart_signals(chart, grain, series_by_clinic, clinics)
    found += serious_event_signals(serious_events)
    return newest_first(found)
