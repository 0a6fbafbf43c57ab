"""Follow-up completion per clinic and immediate relief (pain before -> after) by type.

Presentation layer, pure. Completion is the contract's follow-up rate per clinic (procedures
with a follow-up 0–14 days after, over procedures), so the network line equals the KPI card.
A meaningful improvement is a fall of at least 2 points or 30% (Farrar et al., Pain 2001),
counted by ``queries.relief``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from dashboard.figures import palette
from dashboard.figures.common import (
    NOTE_MARGIN,
    Figure,
    clinic_axis,
    clinic_axis_height,
    columns,
    figure,
    ordered,
    reference_line,
)
from data_access.contract import PROCEDURE_TYPE_LABELS, ProcedureType


def completion_table(figures: pd.DataFrame) -> pd.DataFrame:
    """Per clinic with procedures: followed up, procedures and the follow-up rate (0–1)."""
    table = figures.loc[
        figures["procedures"] > 0, ["clinic_id", "name", "region", "procedures", "followed_up"]
    ].copy()
    table["followup_rate"] = table["followed_up"] / table["procedures"]
    return table.sort_values(["followup_rate", "name"], ignore_index=True)


def completion_figure(figures: pd.DataFrame) -> Figure:
    """Horizontal bars of each clinic's follow-up rate, highest at the top, with the network
    rate as a dashed line (``clinic_figures`` rows)."""
    table = completion_table(figures)
    ids = table["clinic_id"].tolist()
    data = [
        {
            "type": "bar",
            "orientation": "h",
            "x": (100 * table["followup_rate"]).tolist(),
            "y": ids,
            "marker": {"color": palette.ACCENT},
            "customdata": columns(ids, table["name"], table["followed_up"], table["procedures"]),
            "hovertemplate": (
                "<b>%{customdata[1]}</b><br>Followed up within 14 days: <b>%{x:.1f}%</b><br>"
                "%{customdata[2]:,} of %{customdata[3]:,} procedures<extra></extra>"
            ),
        }
    ]
    total = float(table["procedures"].sum())
    network = 100 * float(table["followed_up"].sum()) / total if total else None
    layout = {
        **reference_line(network, f"network {network:.1f}%" if network is not None else ""),
        "margin": dict(NOTE_MARGIN),
        "yaxis": clinic_axis(ids, table["name"]),
        "xaxis": {
            "title": {"text": "Procedures followed up within 14 days"},
            "range": [0, 100],
            "ticksuffix": "%",
        },
    }
    return figure(data, layout, height=clinic_axis_height(len(table)), legend=False)


#: The improved share under a type's name on the relief chart's axis (plotly's span styling).
IMPROVED_TICK = '<span style="font-size:11px;color:#4B5563">{share:.0f}% improved</span>'


def relief_table(rows: pd.DataFrame) -> pd.DataFrame:
    """``immediate_relief`` rows with the improved share, in procedure-type order."""
    table = rows.copy()
    table["improved_share"] = table["improved"] / table["scored"].replace(0, np.nan)
    order = ordered(table["procedure_type"], [t.value for t in ProcedureType])
    table = table.set_index("procedure_type").loc[order].reset_index()
    return table


def overall_improved_share(rows: pd.DataFrame) -> float | None:
    """Share of all scored procedures that improved meaningfully (None without any)."""
    scored = int(rows["scored"].sum())
    if rows[["scored", "improved"]].isna().any(axis=None):  # small cells suppressed
        return None
    return float(rows["improved"].sum()) / scored if scored else None


def relief_figure(rows: pd.DataFrame) -> Figure:
    """Dumbbells per procedure type: mean pain before (hollow) to after (filled), with the
    share improving meaningfully written under each type's name."""
    table = relief_table(rows)
    codes = table["procedure_type"].tolist()
    labels = [PROCEDURE_TYPE_LABELS.get(code, code) for code in codes]
    colors = [palette.procedure_color(code) for code in codes]
    shares = (100 * table["improved_share"]).round(1)
    custom = columns(
        codes,
        labels,
        table["scored"],
        table["mean_before"].round(2),
        table["mean_after"].round(2),
        shares,
    )
    hover = (
        "<b>%{customdata[1]}</b><br>Pain before %{customdata[3]:.1f} → after "
        "%{customdata[4]:.1f}<br>%{customdata[5]:.1f}% improved ≥2 points or ≥30%<br>"
        "%{customdata[2]:,} procedures with both scores<extra></extra>"
    )
    segments_x: list[float | None] = []
    segments_y: list[str | None] = []
    for code, before, after in zip(codes, table["mean_before"], table["mean_after"], strict=True):
        segments_x += [float(before), float(after), None]
        segments_y += [code, code, None]
    data = [
        {
            "type": "scatter",
            "mode": "lines",
            "x": segments_x,
            "y": segments_y,
            "hoverinfo": "skip",
            "line": {"color": "#9CA3AF", "width": 3},
            "showlegend": False,
        },
        {
            "type": "scatter",
            "mode": "markers",
            "name": "Before",
            "x": table["mean_before"].tolist(),
            "y": codes,
            "marker": {"size": 13, "color": "white", "line": {"color": colors, "width": 2.5}},
            "customdata": custom,
            "hovertemplate": hover,
        },
        {
            "type": "scatter",
            "mode": "markers",
            "name": "After",
            "x": table["mean_after"].tolist(),
            "y": codes,
            "marker": {"size": 13, "color": colors},
            "customdata": custom,
            "hovertemplate": hover,
        },
    ]
    layout = {
        "yaxis": {
            "tickmode": "array",
            "tickvals": codes,
            "ticktext": [
                label if pd.isna(share) else f"{label}<br>{IMPROVED_TICK.format(share=share)}"
                for label, share in zip(labels, shares, strict=True)
            ],
            "categoryorder": "array",
            "categoryarray": list(reversed(codes)),
            "showgrid": False,
        },
        "xaxis": {
            "title": {"text": "Mean pain (0–10)"},
            "range": [-0.5, 10.3],
        },
    }
    return figure(data, layout, height=max(220, 52 * len(codes) + 90))
