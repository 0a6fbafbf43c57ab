"""The control chart: a subject's adverse-event rate per period with its control limits.

Presentation layer, pure: :func:`control_chart_figure` draws a
:class:`~data_access.surveillance.ControlChart` (p-chart or Laney p'-chart) per 1,000
procedures: the series, the centre line (the subject's average over the range), the
3-sigma limits that widen in periods with fewer procedures, points beyond them in red, and
the longest run shaded when the run rules signal.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from dashboard.figures import palette
from dashboard.figures.common import PERIOD_HOVER, PERIOD_WORDS, Figure, columns, figure
from dashboard.surveillance.colors import HIGH, LOW, RUN
from data_access.filters import Grain
from data_access.surveillance import ChartMethod, ControlChart

LIMIT_LINE = "#6B7280"


def _dates(periods: pd.Series) -> list[str]:
    return periods.dt.strftime("%Y-%m-%d").tolist()


def _limit_trace(table: pd.DataFrame, column: str, name: str, legend: bool) -> dict[str, Any]:
    return {
        "type": "scatter", "mode": "lines", "x": _dates(table["period"]),
        "y": (1000 * table[column]).tolist(), "name": name, "legendgroup": "limits",
        "showlegend": legend, "line": {"color": LIMIT_LINE, "width": 1.3, "shape": "hvh"},
        "hoverinfo": "skip", "connectgaps": False,
    }  # fmt: skip


def _flagged_trace(table: pd.DataFrame, mask: pd.Series, name: str, color: str) -> dict:
    rows = table[mask]
    return {
        "type": "scatter", "mode": "markers", "x": _dates(rows["period"]),
        "y": (1000 * rows["proportion"]).tolist(), "name": name,
        "marker": {"size": 12, "color": color, "symbol": "diamond",
                   "line": {"color": "white", "width": 1}},
        "hoverinfo": "skip",
    }  # fmt: skip


def control_chart_figure(chart: ControlChart, grain: Grain) -> Figure:
    """The chart's series, centre line, limits, out-of-limit points and longest run."""
    table = chart.table
    limits = "p′-chart limits (Laney)" if chart.method is ChartMethod.LANEY else "3-sigma limits"
    hover_period = PERIOD_HOVER[grain]
    custom = columns(table["events"], table["procedures"], 1000 * table["lcl"],
                     1000 * table["ucl"])  # fmt: skip
    data: list[dict[str, Any]] = [
        _limit_trace(table, "ucl", limits, True),
        _limit_trace(table, "lcl", limits, False),
        {"type": "scatter", "mode": "lines+markers", "x": _dates(table["period"]),
         "y": (1000 * table["proportion"]).tolist(), "name": f"{chart.subject.name}",
         "line": {"color": palette.ACCENT, "width": 2}, "marker": {"size": 6},
         "customdata": custom,
         "hovertemplate": (f"%{{x|{hover_period}}}<br><b>%{{y:.1f}}</b> per 1,000<br>"
                           "%{customdata[0]:,} events in %{customdata[1]:,} procedures<br>"
                           "limits %{customdata[2]:.1f}–%{customdata[3]:.1f}<extra></extra>")},
    ]  # fmt: skip
    if table["above"].any():
        data.append(_flagged_trace(table, table["above"], "Above the upper limit", HIGH))
    if table["below"].any():
        data.append(_flagged_trace(table, table["below"], "Below the lower limit", LOW))
    shapes: list[dict[str, Any]] = []
    annotations: list[dict[str, Any]] = []
    if chart.runs.runs_signal and chart.longest_run is not None:
        start, end = chart.longest_run
        shapes.append(
            {"type": "rect", "xref": "x", "yref": "paper", "x0": start.strftime("%Y-%m-%d"),
             "x1": end.strftime("%Y-%m-%d"), "y0": 0, "y1": 1, "fillcolor": RUN,
             "opacity": 0.15, "line": {"width": 0}, "layer": "below"}
        )  # fmt: skip
        annotations.append(
            {"x": start.strftime("%Y-%m-%d"), "y": 1, "yref": "paper", "xanchor": "left",
             "yanchor": "bottom", "showarrow": False, "font": {"size": 11, "color": "#92400E"},
             "text": f"longest run: {chart.runs.longest_run} periods"}
        )  # fmt: skip
    if len(table):
        centre = 1000 * chart.centre
        shapes.append(
            {"type": "line", "xref": "paper", "x0": 0, "x1": 1, "y0": centre, "y1": centre,
             "line": {"color": "#374151", "width": 1.2, "dash": "dash"}}
        )  # fmt: skip
        annotations.append(
            {"x": 1, "xref": "paper", "y": centre, "xanchor": "right", "yanchor": "bottom",
             "showarrow": False, "text": f"average {centre:.1f}",
             "font": {"size": 11, "color": "#374151"}}
        )  # fmt: skip
    layout = {
        "xaxis": {"type": "date", "showgrid": False},
        "yaxis": {"title": {"text": f"Events per 1,000 procedures, by {PERIOD_WORDS[grain]}"},
                  "rangemode": "tozero"},
        "shapes": shapes,
        "annotations": annotations,
    }  # fmt: skip
    return figure(data, layout, height=340)
