"""The clinic map panel: every clinic at its coordinates, sized by volume and coloured by a
chosen measure (adverse-event rate, follow-up rate or rurality).

Presentation layer. Its callback is registered with the volume panels' (``panels.volumes``),
which share its query. The map needs no tile server: plotly draws the USA outline from
``assets/topojson/usa_110m.json``, which the app serves itself. Clicking a clinic selects it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import dash
import dash_bootstrap_components as dbc
import pandas as pd
from dash import html

from dashboard.components.empty_state import empty_state
from dashboard.components.graph import chart
from dashboard.figures.clinic_map import MapMeasure, clinic_map_figure
from dashboard.panels import ids
from dashboard.panels.common import panel, png_name, store_filters
from dashboard.panels.data import query
from data_access.filters import Filters
from data_access.queries.clinics import clinic_figures

MAP = "clinic-map"
MEASURE_CHOICES = {
    MapMeasure.AE_RATE: "Adverse-event rate",
    MapMeasure.FOLLOWUP_RATE: "Follow-up rate",
    MapMeasure.RURALITY: "Rurality",
}


def map_table(filters: Filters) -> pd.DataFrame:
    """Each clinic's attributes and figures, with the rates the map can colour by."""
    rows = query("clinic_figures", clinic_figures, filters).copy()
    procedures = rows["procedures"].where(rows["procedures"] > 0)
    rows["followup_rate"] = rows["followed_up"] / procedures
    rows["ae_rate_per_1000"] = 1000 * rows["adverse_events"] / procedures
    return rows


TABLES: Mapping[str, Callable[[Filters], pd.DataFrame]] = {MAP: map_table}


def map_column() -> dbc.Col:
    measure = dbc.Select(
        id=ids.MAP_MEASURE,
        options=[
            {"label": f"Colour: {label}", "value": value}
            for value, label in MEASURE_CHOICES.items()
        ],
        value=MapMeasure.AE_RATE.value,
        size="sm",
        className="panel-select",
    )
    return panel(
        MAP,
        "Where our clinics are",
        subtitle="Size: procedures in the period. Click a clinic to filter on it.",
        options=[measure],
        width={"lg": 7},
        min_height=400,
    )


def render_map(data: Mapping[str, Any] | None, measure: str | None) -> html.Component:
    filters = store_filters(data)
    rows = query("clinic_figures", clinic_figures, filters)
    located = rows.dropna(subset=["latitude", "longitude"])
    if located.empty:
        return empty_state(
            "No clinic locations to show",
            "None of the selected clinics has coordinates on file.",
        )
    choice = MapMeasure(measure) if measure in set(MapMeasure) else MapMeasure.AE_RATE
    fig = clinic_map_figure(rows, choice)
    missing = len(rows) - len(located)
    note = (
        [html.P(f"{missing} clinic(s) without coordinates are not shown.", className="panel-note")]
        if missing
        else []
    )
    return html.Div(
        [
            chart(
                ids.clinic_chart(MAP),
                fig,
                filename=png_name(MAP),
                topojson_url=dash.get_asset_url("topojson/"),
                class_name="map-graph",
            ),
            *note,
        ]
    )
