"""Referral-source charts: sources per clinic (counts or shares), the trend by source, and
conversion from referral to a first procedure per clinic.

Presentation layer, pure. Every source keeps its colour from ``palette`` on every chart.
"""

from __future__ import annotations

import math
from typing import Any

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
from data_access.contract import REFERRAL_SOURCE_LABELS, ReferralSource
from data_access.filters import Grain

SOURCE_ORDER = [s.value for s in ReferralSource]


def referrals_by_clinic_figure(rows: pd.DataFrame, *, shares: bool) -> Figure:
    """Horizontal bars per clinic stacked by source, as counts or as shares of the clinic's
    referrals, busiest clinic at the top (``referrals_by_clinic_and_source`` rows with
    ``clinic_name``)."""
    # The rows (a cell per clinic and source: ~2,000 for 200 clinics) are grouped in plain
    # Python: a pandas pivot with its reindexing and masks took ~20 ms of every filter change.
    # A cell is shown where a row names it; NaN marks a suppressed count.
    cells: dict[str, dict[str, float]] = {}
    names: dict[str, str] = {}
    for clinic_id, source, count, name in zip(
        rows["clinic_id"].tolist(),
        rows["source"].tolist(),
        rows["referrals"].to_numpy(dtype="float64", na_value=np.nan).tolist(),
        rows["clinic_name"].tolist(),
        strict=True,
    ):
        names.setdefault(clinic_id, name)
        clinic = cells.setdefault(clinic_id, {})
        known = clinic.get(source)
        # A sum of the counts that are shown; NaN only when every one is suppressed.
        clinic[source] = count if known is None or math.isnan(known) else known + _shown(count)
    # Suppressed cells count as nothing in a clinic's total.
    totals = {cid: sum(_shown(n) for n in clinic.values()) for cid, clinic in cells.items()}
    clinic_order = sorted(cells, key=lambda cid: (totals[cid], names[cid]))  # stable
    data = []
    for code in ordered({code for clinic in cells.values() for code in clinic}, SOURCE_ORDER):
        ids = [cid for cid in clinic_order if code in cells[cid]]
        source_counts = np.array([cells[cid][code] for cid in ids], dtype="float64")
        with np.errstate(divide="ignore", invalid="ignore"):
            share = np.round(100 * source_counts / np.array([totals[cid] for cid in ids]), 1)
        label = REFERRAL_SOURCE_LABELS.get(code, code)
        data.append(
            {
                "type": "bar",
                "orientation": "h",
                "name": label,
                "y": ids,
                "x": _floats(share if shares else source_counts),
                "marker": {"color": palette.source_color(code), "line": {"width": 0}},
                "customdata": columns(ids, [names[cid] for cid in ids], source_counts, share),
                "hovertemplate": (
                    f"<b>%{{customdata[1]}}</b><br>{label}: %{{customdata[2]:,}} "
                    "referrals (%{customdata[3]:.1f}%)<extra></extra>"
                ),
            }
        )
    layout = {
        "barmode": "stack",
        "bargap": 0.25,
        "yaxis": clinic_axis(clinic_order, [names[cid] for cid in clinic_order]),
        "xaxis": {
            "title": {"text": "Share of the clinic's referrals" if shares else "Referrals"},
            "ticksuffix": "%" if shares else "",
            **({"range": [0, 100]} if shares else {"rangemode": "tozero"}),
        },
    }
    return figure(data, layout, height=clinic_axis_height(len(clinic_order)) + 40)


def _shown(count: float) -> float:
    return 0.0 if math.isnan(count) else count


def referral_trend_figure(rows: pd.DataFrame, grain: Grain) -> Figure:
    """Referrals per period stacked by source (``referral_trend`` rows)."""
    # Split by source in one pass: a filter and a date formatting per source took ~10 ms.
    by_source: dict[str, tuple[list[str], list[Any]]] = {}
    for period, code, count in zip(
        rows["period"].dt.strftime("%Y-%m-%d").tolist(),
        rows["source"].tolist(),
        rows["referrals"].tolist(),
        strict=True,
    ):
        periods, counts = by_source.setdefault(code, ([], []))
        periods.append(period)
        counts.append(count)
    data = []
    for code in ordered(by_source, SOURCE_ORDER):
        periods, counts = by_source[code]
        label = REFERRAL_SOURCE_LABELS.get(code, code)
        data.append(
            {
                "type": "bar",
                "name": label,
                "x": periods,
                "y": counts,
                "marker": {"color": palette.source_color(code), "line": {"width": 0}},
                "hovertemplate": (
                    f"{label}<br>%{{x|{PERIOD_HOVER[grain]}}}: <b>%{{y:,}}</b><extra></extra>"
                ),
            }
        )
    layout = {
        "barmode": "stack",
        "bargap": 0.15 if grain is Grain.DAY else 0.25,
        "xaxis": {"type": "date", "showgrid": False},
        "yaxis": {"title": {"text": f"Referrals per {PERIOD_WORDS[grain]}"}, "rangemode": "tozero"},
    }
    return figure(data, layout, height=340, wide=True)


def conversion_table(rows: pd.DataFrame) -> pd.DataFrame:
    """``referral_conversion`` rows with the converted share (0–1), lowest first."""
    table = rows.copy()
    table["conversion_rate"] = table["converted"] / table["referrals"].replace(0, np.nan)
    return table.sort_values(["conversion_rate", "clinic_name"], ignore_index=True)


def conversion_figure(rows: pd.DataFrame) -> Figure:
    """Per clinic: share of referrals that led to a first procedure, highest at the top, with
    the median days from referral to that procedure written at the bar's end."""
    table = conversion_table(rows)
    ids = table["clinic_id"].tolist()
    days = table["median_days_to_first"]
    data = [
        {
            "type": "bar",
            "orientation": "h",
            "y": ids,
            "x": (100 * table["conversion_rate"]).tolist(),
            "marker": {"color": palette.ACCENT},
            "text": ["" if pd.isna(d) else f"{d:.0f} d" for d in days],
            "textposition": "outside",
            "textfont": {"size": 11, "color": "#4B5563"},
            "cliponaxis": False,
            "customdata": columns(
                ids,
                table["clinic_name"],
                table["converted"],
                table["referrals"],
                ["—" if pd.isna(d) else f"{d:.1f}" for d in days],
            ),
            "hovertemplate": (
                "<b>%{customdata[1]}</b><br>%{x:.1f}% converted (%{customdata[2]:,} "
                "of %{customdata[3]:,} referrals)<br>Median %{customdata[4]} days "
                "to the first procedure<extra></extra>"
            ),
        },
    ]
    total = float(table["referrals"].sum())
    network = 100 * float(table["converted"].sum()) / total if total else None
    layout = {
        **reference_line(network, f"network {network:.1f}%" if network is not None else ""),
        "margin": dict(NOTE_MARGIN),
        "yaxis": clinic_axis(ids, table["clinic_name"]),
        "xaxis": {
            "title": {"text": "Referrals that led to a procedure (label: median days)"},
            "range": [0, 108],
            "ticksuffix": "%",
            "tickvals": [0, 20, 40, 60, 80, 100],
        },
    }
    return figure(data, layout, height=clinic_axis_height(len(table)), legend=False)


def _floats(values: np.ndarray) -> list[float | None]:
    """Plain floats for JSON, ``None`` (a gap) where the value is undefined."""
    return [None if np.isnan(value) else float(value) for value in values.tolist()]
