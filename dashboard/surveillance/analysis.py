"""What the adverse-event page computes for one selection: query frames, then statistics.

Presentation layer, no Dash. :func:`load_frames` runs the selection's aggregate queries (the
page caches its result by data version); :func:`analyse` turns them into the funnel, the
rates with intervals, the control charts and the signals, with ``data_access.surveillance``.
Case reviews change without an import, so the serious events behind the signals are read
fresh by the caller and passed in, never cached.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

import pandas as pd
from sqlalchemy import Connection

from dashboard.panels.data import cached
from dashboard.scope import scope_key
from dashboard.surveillance.page_state import Directory, load_directory
from data_access.filters import Filters, Grain, Scope
from data_access.queries.adverse_events import events_by_type_and_severity, rates_by_procedure_type
from data_access.queries.clinics import clinic_figures
from data_access.queries.event_trends import event_series_by_clinic
from data_access.surveillance import (
    ChartMethod,
    ChartSubject,
    ControlChart,
    FunnelAnalysis,
    chart_subjects,
    clinic_funnel,
    control_chart,
    group_rates,
    share_rates,
    subject_series,
)
from data_access.surveillance_signals import (
    chart_signals,
    funnel_signals,
    newest_first,
    procedure_type_signals,
    serious_event_signals,
)

#: Ranges up to about six months are charted by week, longer ones by month.
WEEKLY_UP_TO_DAYS = 183


def chart_grain(filters: Filters) -> Grain:
    return Grain.WEEK if filters.days <= WEEKLY_UP_TO_DAYS else Grain.MONTH


@dataclass(frozen=True)
class SurveillanceFrames:
    """The selection's aggregate query results (picklable: the page caches them)."""

    clinics: pd.DataFrame
    procedure_types: pd.DataFrame
    type_severity: pd.DataFrame
    series_by_clinic: pd.DataFrame
    grain: Grain
    network_name: str = "Network"

    @property
    def procedures(self) -> int:
        return int(self.clinics["procedures"].sum())

    @property
    def events(self) -> int:
        return int(self.clinics["adverse_events"].sum())


def network_name(filters: Filters) -> str:
    """What the whole selection is called on charts and signals."""
    return "Selected clinics" if filters.regions or filters.clinics else "Network"


def load_frames(*, conn: Connection, filters: Filters, scope: Scope) -> SurveillanceFrames:
    """The selection's frames straight from the database (scripts, tests)."""
    grain = chart_grain(filters)
    return SurveillanceFrames(
        clinics=clinic_figures(conn=conn, filters=filters, scope=scope),
        procedure_types=rates_by_procedure_type(conn=conn, filters=filters, scope=scope),
        type_severity=events_by_type_and_severity(conn=conn, filters=filters, scope=scope),
        series_by_clinic=event_series_by_clinic(
            conn=conn, filters=filters, scope=scope, grain=grain
        ),
        grain=grain,
        network_name=network_name(filters),
    )


def directory(scope: Scope) -> Directory:
    """The user's clinics and data dates through the result cache (they change by import)."""
    return cached("ae-directory", lambda conn: load_directory(conn=conn, scope=scope),
                  scope_key(scope))  # fmt: skip


def cached_frames(filters: Filters, scope: Scope) -> SurveillanceFrames:
    """The selection's frames through the result cache, one entry per query, keyed as the
    overview keys its queries (name, filters, scope, options), so both pages share them."""

    def query(name: str, function: Callable[..., pd.DataFrame], **options: Any) -> pd.DataFrame:
        return cached(
            name,
            lambda conn: function(conn=conn, filters=filters, scope=scope, **options),
            filters,
            scope_key(scope),
            tuple(sorted(options.items())),
        )

    grain = chart_grain(filters)
    return SurveillanceFrames(
        clinics=query("clinic_figures", clinic_figures),
        procedure_types=query("rates_by_procedure_type", rates_by_procedure_type),
        type_severity=query("events_by_type_and_severity", events_by_type_and_severity),
        series_by_clinic=query("event_series_by_clinic", event_series_by_clinic, grain=grain),
        grain=grain,
        network_name=network_name(filters),
    )


@dataclass(frozen=True)
class Analysis:
    frames: SurveillanceFrames
    funnel: FunnelAnalysis
    procedure_types: pd.DataFrame
    event_types: pd.DataFrame
    severities: pd.DataFrame

    @property
    def subjects(self) -> list[ChartSubject]:
        return chart_subjects(self.frames.clinics, self.frames.network_name)

    def subject(self, token: str | None) -> ChartSubject:
        """The chart subject a URL token names (the network when unknown)."""
        found = {subject.token: subject for subject in self.subjects}
        return found.get(token or "", self.subjects[0])

    def chart(self, subject: ChartSubject, method: ChartMethod = ChartMethod.AUTO) -> ControlChart:
        series = subject_series(self.frames.series_by_clinic, self.frames.clinics, subject)
        return control_chart(series, subject, method)

    def charts(self) -> list[ControlChart]:
        return [self.chart(subject) for subject in self.subjects]


def analyse(frames: SurveillanceFrames, *, adjust_for_overdispersion: bool) -> Analysis:
    funnel = clinic_funnel(frames.clinics, adjust_for_overdispersion=adjust_for_overdispersion)
    procedures = frames.procedures
    return Analysis(
        frames=frames,
        funnel=funnel,
        procedure_types=group_rates(frames.procedure_types, "procedure_type", funnel.p0),
        event_types=share_rates(frames.type_severity, "event_type", procedures),
        severities=share_rates(frames.type_severity, "severity", procedures),
    )


def chart_signal_rows(analysis: Analysis) -> list[dict[str, object]]:
    """The signals of every chart (network, regions, clinics): they depend on the frames
    alone, so the page caches them with the frames."""
    frames = analysis.frames
    rows: list[dict[str, object]] = []
    for chart in analysis.charts():
        rows += chart_signals(chart, frames.grain, frames.series_by_clinic, frames.clinics)
    return rows


def signals(
    analysis: Analysis,
    serious_events: pd.DataFrame,
    as_of: date,
    chart_rows: list[dict[str, object]] | None = None,
) -> pd.DataFrame:
    """Every signal of the analysed selection, newest first (``chart_rows`` from
    :func:`chart_signal_rows`, computed here when not given)."""
    rows = chart_signal_rows(analysis) if chart_rows is None else chart_rows
    return newest_first(
        funnel_signals(analysis.funnel, as_of)
        + procedure_type_signals(analysis.procedure_types, analysis.funnel.p0, as_of)
        + rows
        + serious_event_signals(serious_events)
    )
