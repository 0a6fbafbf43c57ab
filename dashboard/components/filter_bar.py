"""Filter bar: date range with presets, regions, clinics (searchable, narrowed to the chosen
regions), procedure types and a reset button.

Presentation layer, layout only: the page's callbacks fill the options and values from the
URL and write changes back to it, so the bar itself holds no state of its own.
"""

from __future__ import annotations

from dataclasses import dataclass

import dash_bootstrap_components as dbc
from dash import dcc, html

from dashboard.url_state import PRESET_LABELS
from data_access.contract import PROCEDURE_TYPE_LABELS, ProcedureType


@dataclass(frozen=True)
class FilterBarIds:
    """Component ids of one page's filter bar, prefixed with the page's name."""

    preset: str
    dates: str
    regions: str
    clinics: str
    procedures: str
    reset: str

    @classmethod
    def for_page(cls, page: str) -> FilterBarIds:
        return cls(
            preset=f"{page}-preset",
            dates=f"{page}-dates",
            regions=f"{page}-regions",
            clinics=f"{page}-clinics",
            procedures=f"{page}-procedures",
            reset=f"{page}-reset",
        )


def procedure_options() -> list[dict[str, str]]:
    return [{"label": PROCEDURE_TYPE_LABELS[t.value], "value": t.value} for t in ProcedureType]


def _field(label: str, control: html.Component, html_for: str, class_name: str) -> html.Div:
    return html.Div(
        [dbc.Label(label, html_for=html_for, className="filter-label"), control],
        className=f"filter-field {class_name}",
    )


def filter_bar(ids: FilterBarIds) -> html.Div:
    preset = dcc.Dropdown(
        id=ids.preset,
        options=[{"label": label, "value": value} for value, label in PRESET_LABELS.items()],
        placeholder="Custom range",
        clearable=False,
        searchable=False,
    )
    dates = dcc.DatePickerRange(
        id=ids.dates,
        display_format="D MMM YYYY",
        updatemode="bothdates",
        first_day_of_week=1,
        minimum_nights=0,
        start_date_id=f"{ids.dates}-start",
        end_date_id=f"{ids.dates}-end",
        start_date_placeholder_text="From",
        end_date_placeholder_text="To",
        className="filter-dates",
    )
    regions = dcc.Dropdown(id=ids.regions, multi=True, placeholder="All regions")
    clinics = dcc.Dropdown(
        id=ids.clinics, multi=True, searchable=True, placeholder="All clinics (type to search)"
    )
    procedures = dcc.Dropdown(
        id=ids.procedures, options=procedure_options(), multi=True, placeholder="All types"
    )
    reset = dbc.Button(
        "Reset",
        id=ids.reset,
        color="secondary",
        outline=True,
        n_clicks=0,
        className="filter-reset",
        title="Back to the last 90 days, every clinic and type",
    )
    return html.Div(
        [
            _field("Period", preset, ids.preset, "filter-preset"),
            _field("Dates", dates, f"{ids.dates}-start", "filter-daterange"),
            _field("Region", regions, ids.regions, "filter-regions"),
            _field("Clinic", clinics, ids.clinics, "filter-clinics"),
            _field("Procedure type", procedures, ids.procedures, "filter-procedures"),
            html.Div(reset, className="filter-field filter-actions"),
        ],
        className="filter-bar",
        role="search",
        **{"aria-label": "Filters"},
    )
