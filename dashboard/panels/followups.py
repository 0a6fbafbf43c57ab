"""Follow-up soreness panels: soreness by days after the procedure for each type, immediate
relief (pain before -> after, with the share improving meaningfully), follow-up completion
per clinic and the soreness distribution per clinic.

Presentation layer. Soreness per clinic is over each procedure's first follow-up within 14
days, the sample of the median-soreness card; soreness by days after counts every follow-up
in its bucket (a procedure followed up on day 1 and day 7 appears in both).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import dash_bootstrap_components as dbc
import pandas as pd
from dash import html

from dashboard.components.empty_state import NO_PROCEDURES, empty_state
from dashboard.components.graph import chart
from dashboard.figures.common import with_clinic_names
from dashboard.figures.followups import (
    completion_figure,
    completion_table,
    overall_improved_share,
    relief_figure,
    relief_table,
)
from dashboard.figures.soreness import soreness_by_clinic_figure, soreness_by_days_figure
from dashboard.panels import ids
from dashboard.panels.common import panel, png_name, register_together, store_filters
from dashboard.panels.data import clinic_names, query
from data_access.contract import PROCEDURE_TYPE_LABELS
from data_access.filters import Filters
from data_access.queries.clinics import clinic_figures
from data_access.queries.relief import immediate_relief
from data_access.queries.soreness import soreness_by_clinic, soreness_by_days_after

BY_DAYS = "soreness-by-days"
RELIEF = "immediate-relief"
COMPLETION = "followup-by-clinic"
BY_CLINIC = "soreness-by-clinic"
NO_FOLLOWUPS = "No follow-ups within 14 days for these filters"


def by_days_table(filters: Filters) -> pd.DataFrame:
    rows = query("soreness_by_days_after", soreness_by_days_after, filters).copy()
    rows.insert(1, "procedure_type_label", rows["procedure_type"].map(PROCEDURE_TYPE_LABELS))
    return rows


def relief_rows(filters: Filters) -> pd.DataFrame:
    return query("immediate_relief", immediate_relief, filters)


def by_clinic_rows(filters: Filters) -> pd.DataFrame:
    rows = query("soreness_by_clinic", soreness_by_clinic, filters)
    return with_clinic_names(rows, clinic_names())


def completion_rows(filters: Filters) -> pd.DataFrame:
    return query("clinic_figures", clinic_figures, filters)


TABLES: Mapping[str, Callable[[Filters], pd.DataFrame]] = {
    BY_DAYS: by_days_table,
    RELIEF: lambda filters: relief_table(relief_rows(filters)),
    COMPLETION: lambda filters: completion_table(completion_rows(filters)),
    BY_CLINIC: by_clinic_rows,
}


def layout() -> html.Div:
    return html.Div(
        [
            dbc.Row(
                [
                    panel(
                        BY_DAYS,
                        "Soreness by days after the procedure",
                        subtitle="Median and middle half of reported soreness, per type",
                    ),
                    panel(
                        RELIEF,
                        "Immediate relief",
                        subtitle="Pain before → before leaving; improved = ≥2 points or ≥30%",
                    ),
                ],
                className="g-3",
            ),
            dbc.Row(
                [
                    panel(
                        COMPLETION,
                        "Follow-up completion by clinic",
                        subtitle="Procedures with a follow-up within 14 days",
                        scroll=True,
                    ),
                    panel(
                        BY_CLINIC,
                        "Soreness by clinic",
                        subtitle="At the first follow-up within 14 days",
                        scroll=True,
                    ),
                ],
                className="g-3 mt-0",
            ),
        ]
    )


def render_by_days(data: Mapping[str, Any] | None) -> html.Component:
    rows = query("soreness_by_days_after", soreness_by_days_after, store_filters(data))
    if rows.empty:
        return empty_state(NO_FOLLOWUPS)
    return chart(ids.type_chart(BY_DAYS), soreness_by_days_figure(rows), filename=png_name(BY_DAYS))


def render_relief(data: Mapping[str, Any] | None) -> html.Component:
    rows = relief_rows(store_filters(data))
    if rows.empty:
        return empty_state(
            "No pain scores for these filters", "Procedures need pain before and after."
        )
    share = overall_improved_share(rows)
    summary = html.P(
        [
            html.Strong(f"{100 * share:.0f}%" if share is not None else "—"),
            f" of {int(rows['scored'].sum()):,} scored procedures improved meaningfully",
        ],
        className="panel-note panel-note-top",
    )
    return html.Div(
        [summary, chart(ids.type_chart(RELIEF), relief_figure(rows), filename=png_name(RELIEF))]
    )


def render_completion(data: Mapping[str, Any] | None) -> html.Component:
    rows = completion_rows(store_filters(data))
    if rows.empty or int(rows["procedures"].sum()) == 0:
        return empty_state(NO_PROCEDURES)
    fig = completion_figure(rows)
    return chart(ids.clinic_chart(COMPLETION), fig, filename=png_name(COMPLETION))


def render_by_clinic(data: Mapping[str, Any] | None) -> html.Component:
    rows = by_clinic_rows(store_filters(data))
    if rows.empty:
        return empty_state(NO_FOLLOWUPS)
    fig = soreness_by_clinic_figure(rows)
    return chart(ids.clinic_chart(BY_CLINIC), fig, filename=png_name(BY_CLINIC))


def register() -> None:
    register_together(
        [
            (BY_DAYS, render_by_days),
            (RELIEF, render_relief),
            (COMPLETION, render_completion),
            (BY_CLINIC, render_by_clinic),
        ]
    )
