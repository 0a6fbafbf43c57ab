"""Procedure volume charts: the trend stacked by procedure type, and clinics ranked by volume.

Presentation layer, pure. The ranking can show procedures per open day (days with at least
one procedure), so that a part-time clinic open two days a week compares fairly with a
full-time one. Every bar carries its clinic id or procedure-type code in ``customdata``.
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
from data_access.contract import PROCEDURE_TYPE_LABELS, ProcedureType
from data_access.filters import Grain


def volume_trend_figure(rows: pd.DataFrame, grain: Grain) -> Figure:
    """Stacked bars: procedures per period, one colour per procedure type
    (``volume_trend`` rows: period, procedure_type, procedures)."""
    data = []
    for code in ordered(rows["procedure_type"], [t.value for t in ProcedureType]):
        part = rows[rows["procedure_type"] == code]
        label = PROCEDURE_TYPE_LABELS.get(code, code)
        data.append(
            {
                "type": "bar",
                "x": part["period"].dt.strftime("%Y-%m-%d").tolist(),
                "y": part["procedures"].tolist(),
                "name": label,
                "marker": {"color": palette.procedure_color(code), "line": {"width": 0}},
                "customdata": [code] * len(part),
                "hovertemplate": (
                    f"{label}<br>%{{x|{PERIOD_HOVER[grain]}}}: <b>%{{y:,}}</b><extra></extra>"
                ),
            }
        )
    layout = {
        "barmode": "stack",
        "bargap": 0.15 if grain is Grain.DAY else 0.25,
        "xaxis": {"type": "date", "showgrid": False},
        "yaxis": {
            "title": {"text": f"Procedures per {PERIOD_WORDS[grain]}"},
            "rangemode": "tozero",
        },
    }
    return figure(data, layout, height=340, wide=True)


def clinic_volume_table(figures: pd.DataFrame) -> pd.DataFrame:
    """Per clinic: procedures, open days and procedures per open day, largest first."""
    table = figures[["clinic_id", "name", "region", "procedures", "open_days", "patients"]].copy()
    table["per_open_day"] = table["procedures"] / table["open_days"].replace(0, np.nan)
    return table.sort_values(["procedures", "name"], ascending=[False, True], ignore_index=True)


def clinic_volume_figure(figures: pd.DataFrame, *, per_open_day: bool) -> Figure:
    """Horizontal bars, one per clinic, largest at the top: procedures, or procedures per
    open day with the network's figure as a dashed line."""
    table = clinic_volume_table(figures)
    measure = "per_open_day" if per_open_day else "procedures"
    table = table.sort_values([measure, "name"], ascending=[True, False], na_position="first")
    ids = table["clinic_id"].tolist()
    data = [
        {
            "type": "bar",
            "orientation": "h",
            "x": table[measure].fillna(0).tolist(),
            "y": ids,
            "marker": {"color": palette.ACCENT},
            "customdata": columns(
                ids,
                table["name"],
                table["procedures"],
                table["open_days"],
                table["per_open_day"].fillna(0).round(1),
                table["patients"],
            ),
            "hovertemplate": (
                "<b>%{customdata[1]}</b><br>Procedures: %{customdata[2]:,}<br>"
                "Open days: %{customdata[3]:,}<br>Per open day: %{customdata[4]:.1f}<br>"
                "Patients: %{customdata[5]:,}<extra></extra>"
            ),
        }
    ]
    total_days = float(table["open_days"].sum())
    network = float(table["procedures"].sum()) / total_days if total_days else None
    layout = {
        **(reference_line(network, f"network {network:.1f}") if per_open_day and network else {}),
        "margin": dict(NOTE_MARGIN),
        "yaxis": clinic_axis(ids, table["name"]),
        "xaxis": {
            "title": {"text": "Procedures per open day" if per_open_day else "Procedures"},
            "rangemode": "tozero",
        },
    }
    return figure(data, layout, height=clinic_axis_height(len(table)), legend=False)
