"""Shared look of every chart: template, margins, legend, fonts, reference lines, row heights.

Presentation layer, pure. Builders describe traces and layout as plain dicts and call
:func:`figure` once: plotly validates a dict in one pass, whereas ``update_layout`` /
``update_xaxes`` / named templates walk its object model on every call and cost ~50 ms per
chart, which would spend the page's latency budget on styling alone.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from types import MappingProxyType
from typing import Any, TypeAlias

import pandas as pd

from dashboard.figures.margins import FULL_WIDTH, HALF_WIDTH, fitted_margin
from data_access.filters import Grain

FONT_FAMILY = (
    'system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, "Noto Sans", sans-serif'
)
TEXT_COLOR = "#1F2937"
MUTED_TEXT = "#4B5563"
GRID_COLOR = "#E5E7EB"
ROW_HEIGHT = 22
PERIOD_WORDS: Mapping[Grain, str] = {Grain.DAY: "day", Grain.WEEK: "week", Grain.MONTH: "month"}
PERIOD_HOVER: Mapping[Grain, str] = {
    Grain.DAY: "%a %-d %b %Y",
    Grain.WEEK: "week of %-d %b %Y",
    Grain.MONTH: "%B %Y",
}


def _axis_defaults() -> dict[str, Any]:
    return {
        "gridcolor": GRID_COLOR,
        "linecolor": GRID_COLOR,
        "zerolinecolor": GRID_COLOR,
        "zerolinewidth": 1.5,
        "ticks": "",
        "title": {"standoff": 12, "font": {"size": 12}},
        "automargin": True,
    }


#: The parts of plotly's "plotly_white" template these charts use, as a small dict: the
#: named template is deep-copied into every figure (~12 ms each).
HOUSE_TEMPLATE: Mapping[str, Any] = MappingProxyType(
    {
        "layout": {
            "paper_bgcolor": "white",
            "plot_bgcolor": "white",
            "font": {"family": FONT_FAMILY, "size": 12, "color": TEXT_COLOR},
            "hovermode": "closest",
            "hoverlabel": {"font": {"family": FONT_FAMILY, "size": 12}, "align": "left"},
            "xaxis": _axis_defaults(),
            "yaxis": _axis_defaults(),
            "geo": {"bgcolor": "white", "showland": True, "lakecolor": "white"},
        }
    }
)


#: Margins of a chart without a legend but with a reference line labelled above the plot.
NOTE_MARGIN: Mapping[str, int] = MappingProxyType({"l": 8, "r": 12, "t": 24, "b": 8})


#: A plotly figure as the JSON-ready dict ``dcc.Graph`` sends to the browser. Built as a dict,
#: not a ``go.Figure``: the graph object deep-copies its data when made and again when
#: serialised, a third of a panel callback's time. ``tests/unit/test_figures_valid.py`` loads
#: every builder's output through the validating ``go.Figure`` instead.
Figure: TypeAlias = dict[str, Any]


def figure(
    data: list[dict[str, Any]],
    layout: dict[str, Any],
    *,
    height: int,
    legend: bool = True,
    wide: bool = False,
) -> Figure:
    """A figure in the house style: white template, tight margins, horizontal legend on top
    (``layout`` entries win over these defaults). ``wide`` charts span the page, the others
    half of it on a desktop (margins are sized for the legend to wrap there)."""
    base: dict[str, Any] = {
        "template": dict(HOUSE_TEMPLATE),
        "height": height,
        "margin": {"l": 8, "r": 12, "t": 36 if legend else 12, "b": 8},
        "showlegend": legend,
        "legend": {
            "orientation": "h",
            "yanchor": "bottom",
            "y": 1.0,
            "xanchor": "left",
            "x": 0,
            "font": {"size": 11},
            "traceorder": "normal",
        },
        "dragmode": False,
        "separators": ".,",
    }
    merged = {**base, **layout}
    # Room for the labels up front: automargin would otherwise draw the chart twice.
    merged["margin"] = fitted_margin(data, merged, width=FULL_WIDTH if wide else HALF_WIDTH)
    # Validation is left to the unit tests (``tests/unit/test_figures_*``), which load every
    # builder's output through the validating ``go.Figure``.
    return {"data": data, "layout": merged}


def clinic_axis(ids: Iterable[str], names: Iterable[str]) -> dict[str, Any]:
    """A category axis keyed by clinic id (so equal names never merge) showing names; the
    first id is drawn at the bottom."""
    ids = list(ids)
    return {
        "range": [-0.5, len(ids) - 0.5],
        "tickmode": "array",
        "tickvals": ids,
        "ticktext": list(names),
        "categoryorder": "array",
        "categoryarray": ids,
        "showgrid": False,
    }


def clinic_axis_height(clinics: int, *, minimum: int = 220) -> int:
    """Chart height giving each clinic one readable row."""
    return max(minimum, ROW_HEIGHT * clinics + 70)


def ordered(codes: Iterable[str], order: Iterable[str]) -> list[str]:
    """The codes present, in the enumeration's order (unknown codes last, sorted)."""
    present = set(codes)
    known = [code for code in order if code in present]
    return known + sorted(present - set(known))


def reference_line(
    value: float | None, label: str, *, vertical: bool = True
) -> dict[str, list[dict[str, Any]]]:
    """Layout entries (``shapes``, ``annotations``) for a dashed line at the network figure
    a ranking is read against; empty when the figure is undefined."""
    if value is None or math.isnan(value):
        return {"shapes": [], "annotations": []}
    line = {"color": "#374151", "width": 1.2, "dash": "dash"}
    font = {"size": 11, "color": "#374151"}
    if vertical:
        shape = {
            "type": "line",
            "x0": value,
            "x1": value,
            "y0": 0,
            "y1": 1,
            "yref": "paper",
            "line": line,
        }
        # Labelled in the top right corner rather than at the line, where a line near the
        # right edge would push its label out of a narrow (phone) chart.
        note = {
            "x": 1,
            "xref": "paper",
            "y": 1,
            "yref": "paper",
            "xanchor": "right",
            "yanchor": "bottom",
            "text": f"┆ {label}",
            "showarrow": False,
            "font": font,
        }
    else:
        shape = {
            "type": "line",
            "y0": value,
            "y1": value,
            "x0": 0,
            "x1": 1,
            "xref": "paper",
            "line": line,
        }
        note = {
            "x": 1,
            "xref": "paper",
            "y": value,
            "xanchor": "right",
            "yanchor": "bottom",
            "text": label,
            "showarrow": False,
            "font": font,
        }
    return {"shapes": [shape], "annotations": [note]}


def with_clinic_names(rows: pd.DataFrame, names: Mapping[str, str]) -> pd.DataFrame:
    """Rows keyed by ``clinic_id`` with a ``clinic_name`` column (the id when unnamed)."""
    result = rows.copy()
    result["clinic_name"] = [names.get(cid, cid) for cid in result["clinic_id"]]
    return result


def columns(*values: Iterable[Any]) -> list[list[Any]]:
    """Row-wise ``customdata`` from columns (plain Python values, JSON-ready)."""
    return [list(row) for row in zip(*(_plain(v) for v in values), strict=True)]


def _plain(values: Iterable[Any]) -> list[Any]:
    kind = getattr(getattr(values, "dtype", None), "kind", "")
    if kind in ("b", "i", "u", "f"):  # numbers as Python scalars in one C loop
        values = values.tolist()  # type: ignore[attr-defined]
    out: list[Any] = []
    for value in values:
        if hasattr(value, "item"):
            value = value.item()
        if isinstance(value, float) and math.isnan(value):
            value = None
        out.append(value)
    return out
