"""Rates with intervals: dot-and-whisker charts and the tables beside them.

Presentation layer, pure. Each builder takes rows of ``data_access.surveillance.group_rates``
or ``share_rates`` (``events``, ``procedures``, ``rate``, ``rate_low``, ``rate_high``,
``proportion``, ``proportion_low``, ``proportion_high``, optionally ``zone``) and draws each
group's rate per 1,000 with Garwood's exact 95% interval as a whisker. The tables give the
same numbers plus the proportion with Wilson's 95% interval.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import dash_bootstrap_components as dbc
import pandas as pd
from dash import html

from dashboard.figures.common import Figure, columns, figure, reference_line
from dashboard.surveillance.colors import WITHIN, ZONE_COLORS, ZONE_VERDICTS

ROW_HEIGHT = 26


def rate_interval_figure(
    rows: pd.DataFrame,
    *,
    key: str,
    labels: Mapping[str, str],
    reference: float | None,
    reference_label: str = "all selected",
) -> Figure:
    """One row per group (top to bottom in ``rows`` order): a dot at the rate per 1,000 and
    a whisker over its 95% interval, coloured by ``zone`` when present; ``reference`` is the
    selection's rate per 1,000, dashed."""
    rows = rows[rows["procedures"] > 0]
    codes = rows[key].astype(str).tolist()
    names = [labels.get(code, code) for code in codes]
    zones = rows["zone"].tolist() if "zone" in rows else [None] * len(rows)
    colors = [ZONE_COLORS.get(zone or "", WITHIN) for zone in zones]
    custom = columns(names, rows["events"], rows["procedures"], rows["rate_low"],
                     rows["rate_high"])  # fmt: skip
    data = [
        {"type": "scatter", "mode": "markers", "orientation": "h", "y": codes,
         "x": rows["rate"].tolist(),
         "error_x": {"type": "data", "symmetric": False,
                     "array": (rows["rate_high"] - rows["rate"]).tolist(),
                     "arrayminus": (rows["rate"] - rows["rate_low"]).tolist(),
                     "color": "#6B7280", "thickness": 1.5, "width": 4},
         "marker": {"size": 9, "color": colors}, "customdata": custom,
         "hovertemplate": ("<b>%{customdata[0]}</b><br><b>%{x:.1f}</b> per 1,000 "
                           "(95% CI %{customdata[3]:.1f}–%{customdata[4]:.1f})<br>"
                           "%{customdata[1]:,} events in %{customdata[2]:,} procedures"
                           "<extra></extra>")},
    ]  # fmt: skip
    note = f"{reference_label} {reference:.1f}" if reference is not None else ""
    layout: dict[str, Any] = {
        **reference_line(reference, note),
        "margin": {"l": 8, "r": 16, "t": 24, "b": 8},
        "yaxis": {"tickmode": "array", "tickvals": codes, "ticktext": names,
                  "categoryorder": "array", "categoryarray": list(reversed(codes)),
                  "showgrid": False, "automargin": True},
        "xaxis": {"title": {"text": "Adverse events per 1,000 procedures (95% CI)"},
                  "rangemode": "tozero"},
    }  # fmt: skip
    height = max(180, ROW_HEIGHT * len(codes) + 90)
    return figure(data, layout, height=height, legend=False)


def _interval(value: float, low: float, high: float, scale: float, digits: int) -> str:
    if value != value:  # NaN: no procedures
        return "–"
    return f"{value * scale:.{digits}f} ({low * scale:.{digits}f}–{high * scale:.{digits}f})"


def rate_table(
    rows: pd.DataFrame, *, key: str, labels: Mapping[str, str], heading: str
) -> dbc.Table:
    """The rows as a table: group, procedures, events, rate per 1,000 (Garwood 95% CI),
    proportion in % (Wilson 95% CI) and, with zones, the verdict against the selection."""
    with_zone = "zone" in rows
    header = [heading, "Procedures", "Events", "Per 1,000 (95% CI)", "% (95% CI)"]
    if with_zone:
        header.append("Against all selected")
    body = []
    for row in rows.to_dict("records"):
        code = str(row[key])
        cells = [
            html.Td(labels.get(code, code)),
            html.Td(f"{int(row['procedures']):,}", className="text-end"),
            html.Td(f"{int(row['events']):,}", className="text-end"),
            html.Td(_interval(row["rate"], row["rate_low"], row["rate_high"], 1, 1),
                    className="text-end text-nowrap"),
            html.Td(_interval(row["proportion"], row["proportion_low"],
                              row["proportion_high"], 100, 2),
                    className="text-end text-nowrap"),
        ]  # fmt: skip
        if with_zone:
            zone = row.get("zone") or ""
            cells.append(
                html.Td(ZONE_VERDICTS.get(zone, "–"), style={"color": ZONE_COLORS.get(zone)})
            )
        body.append(html.Tr(cells))
    head = html.Thead(html.Tr([html.Th(text, scope="col") for text in header]))
    return dbc.Table([head, html.Tbody(body)], size="sm", hover=True, responsive=True,
                     className="mb-0 small")  # fmt: skip
