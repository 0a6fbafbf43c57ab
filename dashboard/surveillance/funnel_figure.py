"""The funnel plot: each clinic's adverse-event rate against its volume, inside chance limits.

Presentation layer, pure: :func:`funnel_figure` turns a
:class:`~data_access.surveillance.FunnelAnalysis` and its limit curves into a figure. Rates
are drawn per 1,000 procedures (the unit of every other chart), which is the funnel's
proportion times 1,000. Clinics beyond the outer (99.8%) limits are labelled by name.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from dashboard.figures.common import Figure, columns, figure
from dashboard.surveillance.colors import ZONE_COLORS, ZONE_WORDS
from data_access.statistics import FunnelZone
from data_access.surveillance import FunnelAnalysis

OUTER_LINE = "#374151"
INNER_LINE = "#9CA3AF"
FOCUS_RING = "#111827"


def _line(x: pd.Series, y: pd.Series, name: str, style: dict[str, Any], legend: bool) -> dict:
    return {
        "type": "scatter", "mode": "lines", "x": x.tolist(), "y": (1000 * y).tolist(),
        "name": name, "line": style, "hoverinfo": "skip", "showlegend": legend,
        "legendgroup": name,
    }  # fmt: skip


def _limit_traces(curves: pd.DataFrame, adjusted: bool) -> list[dict[str, Any]]:
    suffix = " (widened for overdispersion)" if adjusted else ""
    outer = {"color": OUTER_LINE, "width": 1.6, "dash": "dash"}
    inner = {"color": INNER_LINE, "width": 1.2, "dash": "dot"}
    n = curves["n"]
    return [
        _line(n, curves["upper998"], f"99.8% limits{suffix}", outer, True),
        _line(n, curves["lower998"], f"99.8% limits{suffix}", outer, False),
        _line(n, curves["upper95"], "95% limits", inner, True),
        _line(n, curves["lower95"], "95% limits", inner, False),
    ]


def _clinic_trace(rows: pd.DataFrame, zone: str | None) -> dict[str, Any]:
    alarm = zone in (FunnelZone.ALARM_HIGH, FunnelZone.ALARM_LOW)
    custom = columns(
        rows["name"], rows["region"], rows["events"], rows["procedures"],
        rows["rate_low"], rows["rate_high"], 1000 * rows["upper998"],
        1000 * rows["lower998"], rows["clinic_id"],
    )  # fmt: skip
    return {
        "type": "scatter", "mode": "markers+text" if alarm else "markers",
        "x": rows["procedures"].tolist(), "y": (1000 * rows["proportion"]).tolist(),
        "name": ZONE_WORDS.get(zone or "", "No data"),
        "text": rows["name"].tolist() if alarm else None, "textposition": "top center",
        "textfont": {"size": 11, "color": ZONE_COLORS.get(zone or "", INNER_LINE)},
        "cliponaxis": False,
        "marker": {"size": 11 if alarm else 8, "color": ZONE_COLORS.get(zone or "", INNER_LINE),
                   "line": {"color": "white", "width": 1}},
        "customdata": custom,
        "hovertemplate": (
            "<b>%{customdata[0]}</b> (%{customdata[1]})<br>"
            "%{customdata[2]:,} events in %{customdata[3]:,} procedures<br>"
            "<b>%{y:.1f}</b> per 1,000 (95% CI %{customdata[4]:.1f}–%{customdata[5]:.1f})<br>"
            "99.8% limits at this volume: %{customdata[7]:.1f}–%{customdata[6]:.1f}"
            "<extra>%{fullData.name}</extra>"
        ),
    }  # fmt: skip


def _y_range(table: pd.DataFrame, p0: float) -> list[float]:
    """Enough to show every clinic and the funnel's mouth at the smallest clinic's volume,
    without letting the limits at a handful of procedures squash the plot."""
    highest = [1000 * p0 * 2.5]
    if not table.empty:
        highest += [1000 * float(table["proportion"].max()), 1000 * float(table["upper998"].max())]
    top = float(np.nanmax(highest)) * 1.12
    return [0.0, top if np.isfinite(top) and top > 0 else 1.0]


def funnel_figure(
    funnel: FunnelAnalysis, curves: pd.DataFrame, *, focus: str | None = None
) -> Figure:
    """Clinics with procedures as dots, coloured by their funnel zone, over the 95% and
    99.8% limits and the selection's rate; ``focus`` (a clinic id) is ringed."""
    table = funnel.table[funnel.table["procedures"] > 0]
    data = _limit_traces(curves, funnel.adjusted) if not curves.empty else []
    order = [FunnelZone.WITHIN, FunnelZone.ALERT_HIGH, FunnelZone.ALERT_LOW,
             FunnelZone.ALARM_LOW, FunnelZone.ALARM_HIGH]  # fmt: skip
    for zone in order:
        rows = table[table["zone"] == zone]
        if not rows.empty:
            data.append(_clinic_trace(rows, zone))
    focused = table[table["clinic_id"] == focus] if focus else table.iloc[0:0]
    if not focused.empty:
        data.append(
            {"type": "scatter", "mode": "markers", "x": focused["procedures"].tolist(),
             "y": (1000 * focused["proportion"]).tolist(), "name": "Selected clinic",
             "marker": {"size": 22, "color": "rgba(0,0,0,0)",
                        "line": {"color": FOCUS_RING, "width": 2.5}},
             "hoverinfo": "skip"}
        )  # fmt: skip
    x_max = float(table["procedures"].max()) * 1.06 if not table.empty else 1.0
    p0 = funnel.p0
    layout: dict[str, Any] = {
        "xaxis": {"title": {"text": "Procedures in the period (clinic volume)"},
                  "range": [0, x_max], "rangemode": "tozero"},
        "yaxis": {"title": {"text": "Adverse events per 1,000 procedures"},
                  "range": _y_range(table, p0)},
        "shapes": [{"type": "line", "x0": 0, "x1": 1, "xref": "paper", "y0": 1000 * p0,
                    "y1": 1000 * p0, "line": {"color": OUTER_LINE, "width": 1.4}}],
        "annotations": [{"x": 1, "xref": "paper", "y": 1000 * p0, "xanchor": "right",
                         "yanchor": "bottom", "showarrow": False,
                         "text": f"all selected clinics {1000 * p0:.1f}",
                         "font": {"size": 11, "color": OUTER_LINE}}],
    }  # fmt: skip
    if not np.isfinite(p0):
        layout["shapes"], layout["annotations"] = [], []
    return figure(data, layout, height=420)
