"""Follow-up soreness charts: soreness by days after the procedure for each procedure type,
and the soreness distribution per clinic.

Presentation layer, pure. Inputs are the distribution rows of ``queries.soreness`` (count,
minimum, quartiles, maximum and mean per group); quartiles are drawn as they come, never
recomputed here, so the charts agree with the median soreness card.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd

from dashboard.figures import palette
from dashboard.figures.common import (
    Figure,
    clinic_axis,
    clinic_axis_height,
    columns,
    figure,
    ordered,
)
from data_access.contract import PROCEDURE_TYPE_LABELS, ProcedureType
from data_access.queries.soreness import DAYS_AFTER_BUCKETS

BUCKETS = [label for label, _, _ in DAYS_AFTER_BUCKETS]
SCORE_RANGE = [-0.3, 10.3]


def soreness_by_days_figure(rows: pd.DataFrame) -> Figure:
    """Median soreness (0–10) with its interquartile range in each bucket of days after the
    procedure, one line per procedure type (``soreness_by_days_after`` rows)."""
    # A few dozen rows, split by type in plain Python: a pandas filter, copy and sort per
    # type took ~6 ms of every filter change.
    by_type: dict[str, list[tuple[Any, ...]]] = {}
    for row in zip(
        rows["procedure_type"].tolist(),
        rows["days_after"].tolist(),
        rows["followups"].tolist(),
        rows["q1"].tolist(),
        rows["median"].tolist(),
        rows["q3"].tolist(),
        rows["mean"].round(2).tolist(),
        strict=True,
    ):
        by_type.setdefault(row[0], []).append(row)
    data = []
    codes = ordered(by_type, [t.value for t in ProcedureType])
    # Nudge the types apart so that equal medians and their whiskers stay visible.
    offsets = np.linspace(-0.14, 0.14, len(codes)) if len(codes) > 1 else np.zeros(1)
    position = {bucket: index for index, bucket in enumerate(BUCKETS)}
    for code, offset in zip(codes, offsets.tolist(), strict=True):
        # In bucket order; a bucket the query did not name goes last.
        part = sorted(by_type[code], key=lambda row: position.get(row[1], math.inf))
        _, days, followups, q1, median, q3, mean = map(list, zip(*part, strict=True))
        label = PROCEDURE_TYPE_LABELS.get(code, code)
        color = palette.procedure_color(code)
        data.append(
            {
                "type": "scatter",
                "mode": "lines+markers",
                "x": [_position(position.get(d), offset) for d in days],
                "y": median,
                "name": label,
                "line": {"color": color, "width": 2},
                "marker": {"size": 8, "color": color},
                "error_y": {
                    "type": "data",
                    "symmetric": False,
                    "array": [high - mid for high, mid in zip(q3, median, strict=True)],
                    "arrayminus": [mid - low for mid, low in zip(median, q1, strict=True)],
                    "thickness": 1.2,
                    "width": 3,
                    "color": color,
                },
                "customdata": columns([code] * len(part), days, followups, q1, q3, mean),
                "hovertemplate": (
                    f"<b>{label}</b><br>%{{customdata[1]}} days after: median "
                    "<b>%{y:.1f}</b> (IQR %{customdata[3]:.1f}–%{customdata[4]:.1f})<br>"
                    "Mean %{customdata[5]:.2f} · %{customdata[2]:,} follow-ups<extra></extra>"
                ),
            }
        )
    layout = {
        "xaxis": {
            "tickmode": "array",
            "tickvals": list(range(len(BUCKETS))),
            "ticktext": [f"{bucket} days" for bucket in BUCKETS],
            "range": [-0.4, len(BUCKETS) - 0.6],
            "title": {"text": "Days after the procedure"},
            "showgrid": False,
        },
        "yaxis": {"title": {"text": "Soreness (0–10)"}, "range": SCORE_RANGE},
    }
    return figure(data, layout, height=320)


def _position(index: int | None, offset: float) -> float:
    return math.nan if index is None else index + offset


def soreness_by_clinic_figure(rows: pd.DataFrame) -> Figure:
    """Per clinic: interquartile bar, median tick and mean circle of soreness at the first
    follow-up (range in the hover), highest median at the top (``soreness_by_clinic`` rows
    with ``clinic_name``). Scores are whole numbers, so medians often tie: the mean tells
    such clinics apart."""
    table = rows[rows["followups"] > 0].sort_values(
        ["median", "mean", "clinic_name"], ascending=[True, True, False]
    )
    ids = table["clinic_id"].tolist()
    custom = columns(
        ids,
        table["clinic_name"],
        table["followups"],
        table["q1"],
        table["median"],
        table["q3"],
        table["minimum"],
        table["maximum"],
        table["mean"].round(2),
    )
    hover = (
        "<b>%{customdata[1]}</b><br>Median %{customdata[4]:.1f} (IQR %{customdata[3]:.1f}–"
        "%{customdata[5]:.1f}, range %{customdata[6]:.0f}–%{customdata[7]:.0f})<br>"
        "Mean %{customdata[8]:.2f} · %{customdata[2]:,} procedures followed up<extra></extra>"
    )
    data = [
        {
            "type": "bar",
            "orientation": "h",
            "y": ids,
            "base": table["q1"].tolist(),
            "x": (table["q3"] - table["q1"]).tolist(),
            "name": "Middle half (IQR)",
            "width": 0.6,
            "marker": {"color": "#BFD7DD", "line": {"width": 0}},
            "customdata": custom,
            "hovertemplate": hover,
        },
        {
            "type": "scatter",
            "mode": "markers",
            "y": ids,
            "x": table["median"].tolist(),
            "name": "Median",
            "marker": {
                "symbol": "line-ns",
                "size": 12,
                "line": {"width": 3, "color": palette.ACCENT},
            },
            "customdata": custom,
            "hovertemplate": hover,
        },
        {
            "type": "scatter",
            "mode": "markers",
            "y": ids,
            "x": table["mean"].tolist(),
            "name": "Mean",
            "marker": {
                "symbol": "circle-open",
                "size": 7,
                "color": "#B8322A",
                "line": {"width": 1.5},
            },
            "customdata": custom,
            "hovertemplate": hover,
        },
    ]
    layout = {
        "yaxis": clinic_axis(ids, table["clinic_name"]),
        "xaxis": {"title": {"text": "Soreness (0–10) at first follow-up"}, "range": SCORE_RANGE},
    }
    return figure(data, layout, height=clinic_axis_height(len(table)))
