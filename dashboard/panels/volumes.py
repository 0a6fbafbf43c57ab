"""Procedure volume panels: the trend stacked by procedure type, and clinics ranked by volume
(optionally per open day, so part-time clinics compare fairly).

Presentation layer. The trend's bucket (day, week or month) follows the range's length.
Clicking a bar of the trend selects its procedure type; clicking a clinic selects the clinic.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import dash
import dash_bootstrap_components as dbc
import pandas as pd
from dash import Input, Output, ctx, html, no_update

from dashboard.components.empty_state import NO_PROCEDURES, empty_state
from dashboard.components.graph import chart
from dashboard.figures.common import PERIOD_WORDS
from dashboard.figures.volumes import (
    clinic_volume_figure,
    clinic_volume_table,
    volume_trend_figure,
)
from dashboard.panels import ids
from dashboard.panels.clinic_map import MAP, render_map
from dashboard.panels.common import panel, png_name, store_filters
from dashboard.panels.data import query
from data_access.contract import PROCEDURE_TYPE_LABELS
from data_access.filters import Filters, Grain
from data_access.queries.clinics import clinic_figures
from data_access.queries.volumes import volume_trend

TREND = "volume-trend"
BY_CLINIC = "volume-by-clinic"


def trend_rows(filters: Filters) -> pd.DataFrame:
    grain = Grain.for_range(filters.start, filters.end)
    return query("volume_trend", volume_trend, filters, grain=grain)


def clinic_rows(filters: Filters) -> pd.DataFrame:
    return query("clinic_figures", clinic_figures, filters)


def trend_table(filters: Filters) -> pd.DataFrame:
    rows = trend_rows(filters).copy()
    rows.insert(2, "procedure_type_label", rows["procedure_type"].map(PROCEDURE_TYPE_LABELS))
    return rows


def ranking_table(filters: Filters) -> pd.DataFrame:
    return clinic_volume_table(clinic_rows(filters))


TABLES: Mapping[str, Callable[[Filters], pd.DataFrame]] = {
    TREND: trend_table,
    BY_CLINIC: ranking_table,
}


def trend_column() -> dbc.Col:
    return panel(
        TREND,
        "Procedures by type",
        subtitle="Click a bar to filter on its procedure type",
        width={"lg": 12},
        min_height=340,
    )


def ranking_column() -> dbc.Col:
    per_day = dbc.Switch(
        id=ids.VOLUME_PER_OPEN_DAY, label="Per open day", value=False, className="panel-switch"
    )
    return panel(
        BY_CLINIC,
        "Clinics ranked by volume",
        subtitle="Per open day counts only the days a clinic worked",
        options=[per_day],
        scroll=True,
        width={"lg": 5},
        min_height=400,
    )


def render_trend(data: Mapping[str, Any] | None) -> tuple[html.Component, str]:
    """The trend chart and its title, which names the bucket ("Procedures per week …")."""
    filters = store_filters(data)
    grain = Grain.for_range(filters.start, filters.end)
    title = f"Procedures per {PERIOD_WORDS[grain]}, by type"
    rows = trend_rows(filters)
    if rows.empty:
        return empty_state(NO_PROCEDURES), title
    fig = volume_trend_figure(rows, grain)
    return chart(ids.type_chart(TREND), fig, filename=png_name(TREND)), title


def render_ranking(data: Mapping[str, Any] | None, per_open_day: bool | None) -> html.Component:
    filters = store_filters(data)
    rows = clinic_rows(filters)
    if rows.empty or int(rows["procedures"].sum()) == 0:
        return empty_state(NO_PROCEDURES)
    fig = clinic_volume_figure(rows, per_open_day=bool(per_open_day))
    return chart(ids.clinic_chart(BY_CLINIC), fig, filename=png_name(BY_CLINIC))


def render_section(
    data: Mapping[str, Any] | None, measure: str | None, per_open_day: bool | None
) -> list[Any]:
    """Callback: the map, the clinic ranking and the trend (with its title). An option
    redraws only the panel it belongs to."""
    if ctx.triggered_id == ids.MAP_MEASURE:
        return [render_map(data, measure), no_update, no_update, no_update]
    if ctx.triggered_id == ids.VOLUME_PER_OPEN_DAY:
        return [no_update, render_ranking(data, per_open_day), no_update, no_update]
    trend, title = render_trend(data)
    return [render_map(data, measure), render_ranking(data, per_open_day), trend, title]


def register() -> None:
    dash.callback(
        Output(ids.body(MAP), "children"),
        Output(ids.body(BY_CLINIC), "children"),
        Output(ids.body(TREND), "children"),
        Output(ids.title(TREND), "children"),
        Input(ids.FILTERS, "data"),
        Input(ids.MAP_MEASURE, "value"),
        Input(ids.VOLUME_PER_OPEN_DAY, "value"),
        prevent_initial_call=True,
    )(render_section)
