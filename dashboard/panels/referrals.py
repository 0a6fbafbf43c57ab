"""Referral-source panels: where each clinic's patients come from (counts or shares), the
trend by source, and conversion from referral to a first procedure per clinic.

Presentation layer. Referrals follow the region and clinic filters only: a referral has no
procedure type (data contract), which the panels say when a type filter is on.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import dash
import dash_bootstrap_components as dbc
import pandas as pd
from dash import Input, Output, ctx, html, no_update

from dashboard.components.empty_state import empty_state
from dashboard.components.graph import chart
from dashboard.figures.common import with_clinic_names
from dashboard.figures.referrals import (
    conversion_figure,
    conversion_table,
    referral_trend_figure,
    referrals_by_clinic_figure,
)
from dashboard.panels import ids
from dashboard.panels.common import panel, png_name, store_filters
from dashboard.panels.data import clinic_names, query
from data_access.contract import REFERRAL_SOURCE_LABELS
from data_access.filters import Filters, Grain
from data_access.queries.referrals import (
    referral_conversion,
    referral_trend,
    referrals_by_clinic_and_source,
)

BY_CLINIC = "referrals-by-clinic"
TREND = "referral-trend"
CONVERSION = "referral-conversion"
NO_REFERRALS = "No referrals match these filters"
TYPE_NOTE = "Referrals have no procedure type: the type filter does not apply here."


def by_clinic_rows(filters: Filters) -> pd.DataFrame:
    rows = query("referrals_by_clinic_and_source", referrals_by_clinic_and_source, filters)
    rows = with_clinic_names(rows, clinic_names())
    rows["source_label"] = rows["source"].map(REFERRAL_SOURCE_LABELS)
    return rows


def trend_rows(filters: Filters) -> pd.DataFrame:
    grain = Grain.for_range(filters.start, filters.end)
    rows = query("referral_trend", referral_trend, filters, grain=grain).copy()
    rows["source_label"] = rows["source"].map(REFERRAL_SOURCE_LABELS)
    return rows


def conversion_rows(filters: Filters) -> pd.DataFrame:
    rows = query("referral_conversion", referral_conversion, filters)
    return with_clinic_names(rows, clinic_names())


TABLES: Mapping[str, Callable[[Filters], pd.DataFrame]] = {
    BY_CLINIC: by_clinic_rows,
    TREND: trend_rows,
    CONVERSION: lambda filters: conversion_table(conversion_rows(filters)),
}


def layout() -> html.Div:
    shares = dbc.RadioItems(
        id=ids.REFERRAL_SHARES,
        options=[{"label": "Counts", "value": "counts"}, {"label": "Shares", "value": "shares"}],
        value="counts",
        inline=True,
        className="btn-group btn-group-sm panel-toggle",
        inputClassName="btn-check",
        labelClassName="btn btn-outline-secondary btn-sm",
        labelCheckedClassName="active",
    )
    return html.Div(
        [
            dbc.Row(
                [
                    panel(
                        BY_CLINIC,
                        "Referral sources by clinic",
                        subtitle="Referrals received in the period, by source",
                        options=[shares],
                        scroll=True,
                    ),
                    panel(
                        CONVERSION,
                        "Referral to first procedure, by clinic",
                        subtitle="Share of referrals followed by a procedure at the clinic; "
                        "label: median days to it",
                        scroll=True,
                    ),
                ],
                className="g-3",
            ),
            dbc.Row(
                panel(
                    TREND,
                    "Referrals over time, by source",
                    subtitle="By the date of the referral",
                    width={"lg": 12},
                ),
                className="g-3 mt-0",
            ),
        ]
    )


def _with_type_note(filters: Filters, content: html.Component) -> html.Component:
    if not filters.procedure_types:
        return content
    return html.Div([html.P(TYPE_NOTE, className="panel-note panel-note-top"), content])


def render_by_clinic(data: Mapping[str, Any] | None, mode: str | None) -> html.Component:
    filters = store_filters(data)
    rows = by_clinic_rows(filters)
    if rows.empty:
        return empty_state(NO_REFERRALS)
    fig = referrals_by_clinic_figure(rows, shares=mode == "shares")
    return _with_type_note(
        filters, chart(ids.clinic_chart(BY_CLINIC), fig, filename=png_name(BY_CLINIC))
    )


def render_trend(data: Mapping[str, Any] | None) -> html.Component:
    filters = store_filters(data)
    rows = trend_rows(filters)
    if rows.empty:
        return empty_state(NO_REFERRALS)
    fig = referral_trend_figure(rows, Grain.for_range(filters.start, filters.end))
    return _with_type_note(filters, chart(ids.chart(TREND), fig, filename=png_name(TREND)))


def render_conversion(data: Mapping[str, Any] | None) -> html.Component:
    filters = store_filters(data)
    rows = conversion_rows(filters)
    if rows.empty:
        return empty_state(NO_REFERRALS)
    fig = conversion_figure(rows)
    return _with_type_note(
        filters, chart(ids.clinic_chart(CONVERSION), fig, filename=png_name(CONVERSION))
    )


def render_section(data: Mapping[str, Any] | None, mode: str | None) -> list[Any]:
    """Callback: the three referral panels; the counts/shares switch redraws only its own."""
    if ctx.triggered_id == ids.REFERRAL_SHARES:
        return [render_by_clinic(data, mode), no_update, no_update]
    return [render_by_clinic(data, mode), render_trend(data), render_conversion(data)]


def register() -> None:
    dash.callback(
        [Output(ids.body(name), "children") for name in (BY_CLINIC, TREND, CONVERSION)],
        Input(ids.FILTERS, "data"),
        Input(ids.REFERRAL_SHARES, "value"),
        prevent_initial_call=True,
    )(render_section)
