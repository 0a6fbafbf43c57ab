"""Adverse-event panels: the rate over time, counts by type and severity, rates per 1,000
procedures by clinic and by procedure type, and the list of serious events.

Presentation layer. Every rate here is events among the selected procedures per 1,000 of
them, the adverse-event card's definition. The statistical surveillance (funnel plot,
control chart) will join this section as panels of their own.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import dash_bootstrap_components as dbc
import pandas as pd
from dash import html

from dashboard.components.empty_state import NO_PROCEDURES, empty_state
from dashboard.components.graph import chart
from dashboard.figures.adverse_events import (
    clinic_rate_figure,
    clinic_rate_table,
    event_trend_figure,
    events_by_severity_figure,
    procedure_type_rate_figure,
    procedure_type_rate_table,
)
from dashboard.panels import ids
from dashboard.panels.common import panel, png_name, register_together, store_filters
from dashboard.panels.data import query
from dashboard.panels.serious_events import serious_events_table
from data_access.filters import Filters, Grain
from data_access.queries.adverse_events import (
    event_rows,
    event_series,
    events_by_type_and_severity,
    rates_by_procedure_type,
)
from data_access.queries.clinics import clinic_figures

TREND = "ae-trend"
BY_SEVERITY = "ae-by-severity"
BY_CLINIC = "ae-by-clinic"
BY_TYPE = "ae-by-procedure-type"
SERIOUS = "serious-events"
NO_EVENTS = "No adverse events among these procedures"


def series_rows(filters: Filters) -> pd.DataFrame:
    grain = Grain.for_range(filters.start, filters.end)
    return query("event_series", event_series, filters, grain=grain)


def severity_rows(filters: Filters) -> pd.DataFrame:
    return query("events_by_type_and_severity", events_by_type_and_severity, filters)


def type_rows(filters: Filters) -> pd.DataFrame:
    return query("rates_by_procedure_type", rates_by_procedure_type, filters)


def serious_rows(filters: Filters) -> pd.DataFrame:
    return query("serious_event_rows", event_rows, filters, serious_only=True)


def clinic_rows(filters: Filters) -> pd.DataFrame:
    return query("clinic_figures", clinic_figures, filters)


TABLES: Mapping[str, Callable[[Filters], pd.DataFrame]] = {
    TREND: series_rows,
    BY_SEVERITY: severity_rows,
    BY_CLINIC: lambda filters: clinic_rate_table(clinic_rows(filters)),
    BY_TYPE: lambda filters: procedure_type_rate_table(type_rows(filters)),
    SERIOUS: serious_rows,
}


def layout() -> html.Div:
    return html.Div(
        [
            dbc.Row(
                [
                    panel(
                        TREND,
                        "Adverse-event rate over time",
                        subtitle="Events per 1,000 procedures, by date of the procedure",
                    ),
                    panel(
                        BY_SEVERITY,
                        "Adverse events by type and severity",
                        subtitle="Counts of events, coloured by event type",
                    ),
                ],
                className="g-3",
            ),
            dbc.Row(
                [
                    panel(
                        BY_CLINIC,
                        "Adverse-event rate by clinic",
                        subtitle="Per 1,000 procedures; dashed line: whole selection",
                        scroll=True,
                    ),
                    panel(
                        BY_TYPE,
                        "Adverse-event rate by procedure type",
                        subtitle="Per 1,000 procedures. Click a bar to filter on its type",
                    ),
                ],
                className="g-3 mt-0",
            ),
            dbc.Row(
                panel(
                    SERIOUS,
                    "Serious adverse events",
                    subtitle="Hospitalisation, life-threatening, disability or death; newest first",
                    width={"lg": 12},
                    min_height=120,
                ),
                className="g-3 mt-0",
            ),
        ]
    )


def render_trend(data: Mapping[str, Any] | None) -> html.Component:
    filters = store_filters(data)
    rows = series_rows(filters)
    if rows.empty:
        return empty_state(NO_PROCEDURES)
    fig = event_trend_figure(rows, Grain.for_range(filters.start, filters.end))
    return chart(ids.chart(TREND), fig, filename=png_name(TREND))


def render_by_severity(data: Mapping[str, Any] | None) -> html.Component:
    rows = severity_rows(store_filters(data))
    if rows.empty:
        return empty_state(NO_EVENTS)
    return chart(
        ids.chart(BY_SEVERITY), events_by_severity_figure(rows), filename=png_name(BY_SEVERITY)
    )


def render_by_clinic(data: Mapping[str, Any] | None) -> html.Component:
    rows = clinic_rows(store_filters(data))
    if rows.empty or int(rows["procedures"].sum()) == 0:
        return empty_state(NO_PROCEDURES)
    return chart(
        ids.clinic_chart(BY_CLINIC), clinic_rate_figure(rows), filename=png_name(BY_CLINIC)
    )


def render_by_type(data: Mapping[str, Any] | None) -> html.Component:
    rows = type_rows(store_filters(data))
    if rows.empty:
        return empty_state(NO_PROCEDURES)
    return chart(
        ids.type_chart(BY_TYPE), procedure_type_rate_figure(rows), filename=png_name(BY_TYPE)
    )


def render_serious(data: Mapping[str, Any] | None) -> html.Component:
    rows = serious_rows(store_filters(data))
    if rows.empty:
        return empty_state("No serious adverse events for these filters")
    return serious_events_table(rows)


def register() -> None:
    register_together(
        [
            (TREND, render_trend),
            (BY_SEVERITY, render_by_severity),
            (BY_CLINIC, render_by_clinic),
            (BY_TYPE, render_by_type),
            (SERIOUS, render_serious),
        ]
    )
