"""The clinic map: every clinic at its coordinates, sized by volume, coloured by a measure.

Presentation layer, pure. A ``Scattergeo`` on the built-in USA outline (Albers projection):
no map tiles, so it draws offline once the page serves ``usa_110m.json`` itself. Clinics
without any procedure in the range have no rate: they are drawn hollow and grey.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum

import numpy as np
import pandas as pd

from dashboard.figures import palette
from dashboard.figures.common import Figure, columns, figure


class MapMeasure(StrEnum):
    AE_RATE = "ae_rate"
    FOLLOWUP_RATE = "followup_rate"
    RURALITY = "rurality"


MEASURE_LABELS: Mapping[str, str] = {
    MapMeasure.AE_RATE: "Adverse events per 1,000",
    MapMeasure.FOLLOWUP_RATE: "Follow-up rate",
    MapMeasure.RURALITY: "Rurality (RUCA code)",
}

HOVER = (
    "<b>%{customdata[1]}</b><br>%{customdata[2]} · %{customdata[3]}<br>"
    "Procedures: %{customdata[4]:,}<br>Patients: %{customdata[5]:,}<br>"
    "Open days: %{customdata[6]:,}<br>Follow-up rate: %{customdata[7]}<br>"
    "Adverse events: %{customdata[8]:,} (%{customdata[9]} per 1,000)<br>"
    "RUCA code: %{customdata[10]}<extra></extra>"
)


def measure_values(rows: pd.DataFrame, measure: MapMeasure | str) -> pd.Series:
    """The colour value of each clinic (NaN where undefined)."""
    procedures = rows["procedures"].astype("float64").replace(0, np.nan)
    match MapMeasure(measure):
        case MapMeasure.AE_RATE:
            return 1000 * rows["adverse_events"] / procedures
        case MapMeasure.FOLLOWUP_RATE:
            return 100 * rows["followed_up"] / procedures
        case MapMeasure.RURALITY:
            return pd.to_numeric(rows["ruca_code"], errors="coerce").astype("float64")


def _customdata(rows: pd.DataFrame) -> list[list[object]]:
    procedures = rows["procedures"].astype("float64").replace(0, np.nan)
    followup = ["—" if np.isnan(v) else f"{v:.1f}%" for v in 100 * rows["followed_up"] / procedures]
    ae_rate = [
        "—" if np.isnan(v) else f"{v:.2f}" for v in 1000 * rows["adverse_events"] / procedures
    ]
    place = [
        ", ".join(str(part) for part in (city, state) if isinstance(part, str) and part)
        for city, state in zip(rows["city"], rows["state"], strict=True)
    ]
    ruca = ["—" if pd.isna(v) else str(int(v)) for v in rows["ruca_code"]]
    return columns(
        rows["clinic_id"],
        rows["name"],
        rows["region"],
        place,
        rows["procedures"],
        rows["patients"],
        rows["open_days"],
        followup,
        rows["adverse_events"],
        ae_rate,
        ruca,
    )


def _colorbar(measure: MapMeasure) -> dict[str, object]:
    colorbar: dict[str, object] = {
        "title": {"text": MEASURE_LABELS[measure], "side": "top"},
        "orientation": "h",
        "x": 0.5,
        "xanchor": "center",
        "y": -0.02,
        "yanchor": "top",
        "thickness": 10,
        "len": 0.6,
        "outlinewidth": 0,
        "ticksuffix": "%" if measure is MapMeasure.FOLLOWUP_RATE else "",
    }
    if measure is MapMeasure.RURALITY:
        colorbar["tickvals"] = [1, 4, 7, 10]
        colorbar["ticktext"] = ["1 metro", "4 micro", "7 small town", "10 rural"]
    return colorbar


def _colour_bounds(measure: MapMeasure, values: pd.Series) -> tuple[float | None, float | None]:
    """The colour scale's ends: RUCA's whole 1–10 range; rates from zero up (so one clinic
    without events is not drawn on a scale from −0.4 to 0.4)."""
    if measure is MapMeasure.RURALITY:
        return 1.0, 10.0
    if measure is MapMeasure.AE_RATE:
        return 0.0, max(float(values.max()) if len(values) else 0.0, 1.0)
    return None, None


def clinic_map_figure(rows: pd.DataFrame, measure: MapMeasure | str) -> Figure:
    """One marker per clinic with coordinates (``clinic_figures`` rows)."""
    measure = MapMeasure(measure)
    located = rows.dropna(subset=["latitude", "longitude"]).reset_index(drop=True)
    values = measure_values(located, measure)
    largest = max(float(located["procedures"].max()), 1.0) if len(located) else 1.0
    custom = _customdata(located)
    valued = values.notna().to_numpy()
    hollow = [row for row, keep in zip(custom, valued, strict=True) if not keep]
    filled = [row for row, keep in zip(custom, valued, strict=True) if keep]
    scale = {
        MapMeasure.AE_RATE: palette.AE_RATE_SCALE,
        MapMeasure.FOLLOWUP_RATE: palette.FOLLOWUP_SCALE,
        MapMeasure.RURALITY: palette.RURALITY_SCALE,
    }[measure]
    bounds = _colour_bounds(measure, values[valued])
    data = [
        {
            "type": "scattergeo",
            "lat": located.loc[~valued, "latitude"].tolist(),
            "lon": located.loc[~valued, "longitude"].tolist(),
            "customdata": hollow,
            "hovertemplate": HOVER,
            "name": "No procedures in range",
            "marker": {
                "size": 9,
                "color": "rgba(0,0,0,0)",
                "line": {"color": "#6B7280", "width": 1.5},
            },
            "showlegend": bool(hollow),
        },
        {
            "type": "scattergeo",
            "lat": located.loc[valued, "latitude"].tolist(),
            "lon": located.loc[valued, "longitude"].tolist(),
            "customdata": filled,
            "hovertemplate": HOVER,
            "name": "Clinic",
            "marker": {
                "size": located.loc[valued, "procedures"].tolist(),
                "sizemode": "area",
                "sizeref": 2.0 * largest / (38.0**2),
                "sizemin": 5,
                "color": values[valued].tolist(),
                "colorscale": [list(stop) for stop in scale],
                "cmin": bounds[0],
                "cmax": bounds[1],
                "colorbar": _colorbar(measure),
                "line": {"color": "#1F2937", "width": 0.8},
                "opacity": 0.9,
            },
            "showlegend": False,
        },
    ]
    layout = {
        "geo": {
            "scope": "usa",
            "projection": {"type": "albers usa"},
            "showland": True,
            "landcolor": "#F3F4F6",
            "subunitcolor": "#C7CDD6",
            "countrycolor": "#C7CDD6",
            "showlakes": False,
            "bgcolor": "rgba(0,0,0,0)",
        },
        "margin": {"l": 0, "r": 0, "t": 28 if hollow else 4, "b": 68},
    }
    return figure(data, layout, height=400, legend=bool(hollow))
