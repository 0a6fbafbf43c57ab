"""Adverse-event charts: the rate over time, counts by event type and severity, and rates per
1,000 procedures by clinic and by procedure type.

Presentation layer, pure. Rates are events among the selected procedures per 1,000 of them
(data contract), so each chart's network figure equals the adverse-event KPI card. Room is
left beside these charts for the statistical surveillance views (funnel plot, p'-chart).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from dashboard.figures import palette
from dashboard.figures.common import (
    NOTE_MARGIN,
    PERIOD_HOVER,
    PERIOD_WORDS,
    Figure,
    clinic_axis,
    clinic_axis_height,
    columns,
    figure,
    ordered,
    reference_line,
)
from data_access.contract import (
    EVENT_TYPE_LABELS,
    PROCEDURE_TYPE_LABELS,
    EventType,
    ProcedureType,
    Severity,
)
from data_access.filters import Grain

SEVERITY_LABELS = {s.value: s.value.capitalize() for s in Severity}
RATE_COLOR = "#B8322A"


def per_thousand(events: pd.Series, procedures: pd.Series) -> pd.Series:
    return 1000 * events / procedures.replace(0, np.nan)


def event_trend_figure(rows: pd.DataFrame, grain: Grain) -> Figure:
    """Events per 1,000 procedures in each period, with the rate over the whole range dashed
    (``event_series`` rows: period, procedures, events)."""
    periods = rows["period"].dt.strftime("%Y-%m-%d").tolist()
    data = [
        {
            "type": "scatter",
            "mode": "lines+markers",
            "x": periods,
            "y": per_thousand(rows["events"], rows["procedures"]).tolist(),
            "name": "Rate per 1,000 procedures",
            "line": {"color": RATE_COLOR, "width": 2},
            "marker": {"size": 6, "color": RATE_COLOR},
            "customdata": columns(rows["events"], rows["procedures"]),
            "hovertemplate": (
                f"%{{x|{PERIOD_HOVER[grain]}}}<br><b>%{{y:.2f}}</b> per 1,000<br>"
                "%{customdata[0]:,} events in %{customdata[1]:,} procedures"
                "<extra></extra>"
            ),
        },
    ]
    total = float(rows["procedures"].sum())
    network = 1000 * float(rows["events"].sum()) / total if total else None
    layout = {
        **reference_line(network, f"whole range {network:.2f}" if network else "", vertical=False),
        "xaxis": {"type": "date", "showgrid": False},
        "yaxis": {
            "title": {"text": f"Events per 1,000 procedures, by {PERIOD_WORDS[grain]}"},
            "rangemode": "tozero",
        },
        "margin": dict(NOTE_MARGIN),
    }
    return figure(data, layout, height=300, legend=False)


def events_by_severity_figure(rows: pd.DataFrame) -> Figure:
    """Event counts by severity, stacked by event type (``events_by_type_and_severity``)."""
    severities = [s.value for s in Severity]
    # One pass over the rows in plain Python: a pandas filter and index per event type cost
    # ~5 ms of every filter change for a figure of twenty numbers.
    counts = dict(
        zip(
            zip(rows["event_type"].tolist(), rows["severity"].tolist(), strict=True),
            rows["events"].tolist(),
            strict=True,
        )
    )
    data = []
    for code in ordered(rows["event_type"], [t.value for t in EventType]):
        label = EVENT_TYPE_LABELS.get(code, code)
        data.append(
            {
                "type": "bar",
                "orientation": "h",
                "name": label,
                "y": [SEVERITY_LABELS[s] for s in severities],
                "x": [
                    None if pd.isna(n := counts.get((code, s), 0)) else int(n) for s in severities
                ],
                "marker": {"color": palette.event_color(code), "line": {"width": 0}},
                "customdata": [code] * len(severities),
                "hovertemplate": f"{label}, %{{y}}: <b>%{{x:,}}</b><extra></extra>",
            }
        )
    layout = {
        "barmode": "stack",
        "bargap": 0.35,
        "yaxis": {
            "categoryorder": "array",
            "showgrid": False,
            "categoryarray": [SEVERITY_LABELS[s] for s in reversed(severities)],
        },
        "xaxis": {"title": {"text": "Adverse events"}, "rangemode": "tozero"},
    }
    return figure(data, layout, height=300)


def clinic_rate_table(figures: pd.DataFrame) -> pd.DataFrame:
    """Per clinic with procedures: events, procedures and the rate per 1,000."""
    table = figures.loc[
        figures["procedures"] > 0,
        ["clinic_id", "name", "region", "procedures", "adverse_events"],
    ].copy()
    table["rate_per_1000"] = per_thousand(table["adverse_events"], table["procedures"])
    return table.sort_values(["rate_per_1000", "name"], ignore_index=True)


def clinic_rate_figure(figures: pd.DataFrame) -> Figure:
    """Horizontal bars of each clinic's rate, highest at the top, network rate dashed."""
    table = clinic_rate_table(figures)
    ids = table["clinic_id"].tolist()
    data = [
        {
            "type": "bar",
            "orientation": "h",
            "x": table["rate_per_1000"].tolist(),
            "y": ids,
            "marker": {"color": RATE_COLOR},
            "customdata": columns(ids, table["name"], table["adverse_events"], table["procedures"]),
            "hovertemplate": (
                "<b>%{customdata[1]}</b><br><b>%{x:.2f}</b> per 1,000 procedures<br>"
                "%{customdata[2]:,} events in %{customdata[3]:,} procedures"
                "<extra></extra>"
            ),
        },
    ]
    total = float(table["procedures"].sum())
    network = 1000 * float(table["adverse_events"].sum()) / total if total else None
    layout = {
        **reference_line(network, f"network {network:.2f}" if network is not None else ""),
        "margin": dict(NOTE_MARGIN),
        "yaxis": clinic_axis(ids, table["name"]),
        "xaxis": {"title": {"text": "Adverse events per 1,000 procedures"}, "rangemode": "tozero"},
    }
    return figure(data, layout, height=clinic_axis_height(len(table)), legend=False)


def procedure_type_rate_table(rows: pd.DataFrame) -> pd.DataFrame:
    """``rates_by_procedure_type`` rows with the rate, in procedure-type order."""
    table = rows.copy()
    table["rate_per_1000"] = per_thousand(table["events"], table["procedures"])
    order = ordered(table["procedure_type"], [t.value for t in ProcedureType])
    return table.set_index("procedure_type").loc[order].reset_index()


def procedure_type_rate_figure(rows: pd.DataFrame) -> Figure:
    """Rate per 1,000 for each procedure type, in the type's colour."""
    table = procedure_type_rate_table(rows)
    codes = table["procedure_type"].tolist()
    labels = [PROCEDURE_TYPE_LABELS.get(code, code) for code in codes]
    data = [
        {
            "type": "bar",
            "orientation": "h",
            "x": table["rate_per_1000"].tolist(),
            "y": codes,
            "marker": {"color": [palette.procedure_color(code) for code in codes]},
            "customdata": columns(codes, labels, table["events"], table["procedures"]),
            "text": ["" if pd.isna(rate) else f"{rate:.2f}" for rate in table["rate_per_1000"]],
            "textposition": "outside",
            "cliponaxis": False,
            "hovertemplate": (
                "<b>%{customdata[1]}</b><br><b>%{x:.2f}</b> per 1,000 procedures<br>"
                "%{customdata[2]:,} events in %{customdata[3]:,} procedures"
                "<extra></extra>"
            ),
        },
    ]
    layout = {
        "yaxis": {
            "tickmode": "array",
            "tickvals": codes,
            "ticktext": labels,
            "categoryorder": "array",
            "categoryarray": list(reversed(codes)),
            "showgrid": False,
        },
        "xaxis": {"title": {"text": "Adverse events per 1,000 procedures"}, "rangemode": "tozero"},
        "margin": {"l": 8, "r": 40, "t": 12, "b": 8},
    }
    return figure(data, layout, height=max(200, 44 * len(codes) + 80), legend=False)
