"""Margins sized to a chart's labels before plotly draws it.

Presentation layer, pure. The axes keep plotly's ``automargin``, which grows a margin to fit
long tick labels, axis titles and the legend, but only after a first full draw, and then it
draws the whole chart again: on the overview that second draw was about half of the time the
browser spent drawing fifteen charts. :func:`fitted_margin` estimates those extents from the
figure itself (tick texts, data ranges, titles, legend entries), so the first draw already
has room and automargin finds nothing to grow. The estimate errs on the wide side (a few
pixels of white); where it still falls short, automargin grows the margin as before, so a
label is never cut.

Widths use Helvetica's advance widths scaled up to DejaVu Sans, the widest of the fonts the
house font stack resolves to (Linux's ``system-ui``).
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping, Sequence
from functools import lru_cache
from typing import Any

#: Helvetica advance widths in em (AFM units / 1000), for the characters labels use.
_EM: Mapping[str, float] = {
    **dict.fromkeys("0123456789", 0.556),
    **dict.fromkeys("abdeghnopqu", 0.556),
    **dict.fromkeys("cksvxyz", 0.5),
    **dict.fromkeys("fjt/", 0.278),
    "i": 0.222, "l": 0.222, "m": 0.833, "r": 0.333, "w": 0.722,
    **dict.fromkeys("ABEKPSVXY", 0.667),
    **dict.fromkeys("CDHNRUw", 0.722),
    **dict.fromkeys("GOQ", 0.778),
    "F": 0.611, "T": 0.611, "Z": 0.611, "I": 0.278, "J": 0.5, "L": 0.556, "M": 0.833,
    "W": 0.944, " ": 0.278, ".": 0.278, ",": 0.278, ":": 0.278, "-": 0.333, "(": 0.333,
    ")": 0.333, "%": 0.889, "–": 0.556, "—": 1.0, "'": 0.191, "&": 0.667, "+": 0.584,
    "=": 0.584,
}  # fmt: skip
#: DejaVu Sans is 10-15% wider than Helvetica; rounded up.
_FONT_SCALE = 1.17
_LINE = 1.3  # line height, in font sizes
TICK_FONT = 12
TITLE_FONT = 12
LEGEND_FONT = 11
#: Gap between tick labels and the plot area (plotly leaves a few pixels even with no ticks),
#: plus slack: a margin one pixel short costs the whole second draw.
_TICK_GAP = 10
#: Two lines of date labels ("Sep 30" over "2026"), as plotly spaces them.
_DATE_LABELS = 38
#: A legend entry's symbol and spacing beside its text, a legend row's height and the
#: legend's padding (measured in Chromium).
_LEGEND_ITEM = 44
_LEGEND_ROW = 19
_LEGEND_PAD = 10
#: Width of a half-width overview panel's chart on a 1366-pixel desktop, and of a full-width
#: one: the width a legend wraps within (less the side margins). On a phone the legend wraps
#: more, and automargin makes the room.
HALF_WIDTH = 637
FULL_WIDTH = 1312
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}")


@lru_cache(maxsize=8192)
def text_width(text: str, size: float) -> float:
    """Estimated drawn width of ``text`` in pixels at font ``size`` (HTML tags ignored).
    Memoised: the same clinic names and source labels are measured on every filter change."""
    plain = re.sub(r"<[^>]+>", "", text)
    return sum(_EM.get(char, 0.6) for char in plain) * size * _FONT_SCALE


def fitted_margin(
    data: Sequence[Mapping[str, Any]], layout: Mapping[str, Any], *, width: int = HALF_WIDTH
) -> dict[str, int]:
    """``layout["margin"]`` widened to what the tick labels, axis titles and legend need, for
    a chart drawn ``width`` pixels wide."""
    margin = {side: int(value) for side, value in layout.get("margin", {}).items()}
    if any(str(trace.get("type", "")).endswith("geo") for trace in data):
        return margin  # a map has no axes; its own margins are set by hand
    y_axis, x_axis = layout.get("yaxis", {}), layout.get("xaxis", {})
    left = _label_width(data, y_axis, "y", layout) + _TICK_GAP + _title_room(y_axis)
    bottom = _label_height(data, x_axis, "x") + _TICK_GAP + _title_room(x_axis)
    # The last x tick label is centred on the plot's right edge: half of it hangs over.
    right = _label_width(data, x_axis, "x", layout) / 2 + 8
    margin["l"] = max(margin.get("l", 0), math.ceil(left))
    margin["r"] = max(margin.get("r", 0), math.ceil(right))
    margin["b"] = max(margin.get("b", 0), math.ceil(bottom))
    if layout.get("showlegend", True):
        plot_width = width - margin["l"] - margin.get("r", 0)
        margin["t"] = max(margin.get("t", 0), math.ceil(_legend_height(data, plot_width) + 12))
    return margin


def _values(data: Sequence[Mapping[str, Any]], letter: str) -> list[Any]:
    """Every value a trace puts on the ``letter`` axis."""
    values: list[Any] = []
    for trace in data:
        found = trace.get(letter)
        if isinstance(found, (list, tuple)):
            values.extend(found)
    return values


def _numbers(values: Iterable[Any]) -> list[float]:
    return [
        float(v) for v in values
        if isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v)
    ]  # fmt: skip


def _stacked_extent(data: Sequence[Mapping[str, Any]], letter: str, across: str) -> float:
    """The largest total of stacked bars along ``letter`` (summed per ``across`` value)."""
    totals: dict[Any, float] = {}
    for trace in data:
        for key, value in zip(trace.get(across) or [], trace.get(letter) or [], strict=False):
            if isinstance(value, (int, float)) and math.isfinite(value) and value > 0:
                totals[key] = totals.get(key, 0.0) + float(value)
    return max(totals.values(), default=0.0)


def _tick_texts(
    data: Sequence[Mapping[str, Any]], axis: Mapping[str, Any], letter: str,
    layout: Mapping[str, Any],
) -> list[str]:  # fmt: skip
    """The texts the axis's tick labels will show, as far as they can be known here."""
    if axis.get("ticktext"):
        return [str(text) for text in axis["ticktext"]]
    values = _values(data, letter)
    if axis.get("type") == "date" or any(isinstance(v, str) and _ISO_DATE.match(v) for v in values):
        return ["Sep 30"]  # plotly's day and month labels (the year goes on a second line)
    strings = [v for v in values if isinstance(v, str)]
    if strings:
        return sorted(set(strings), key=len)[-3:]
    numbers = _numbers(values)
    extent = max((abs(v) for v in numbers), default=0.0)
    across = "y" if letter == "x" else "x"
    if layout.get("barmode") == "stack":
        extent = max(extent, _stacked_extent(data, letter, across))
    if isinstance(axis.get("range"), (list, tuple)):
        extent = max([extent, *(abs(v) for v in _numbers(axis["range"]))])
    # Plotly rounds the top tick up; one digit more than the data's covers that.
    digits = len(f"{extent:,.0f}") + 1 if extent >= 1 else 3
    return ["0" * digits + str(axis.get("ticksuffix", ""))]


def _label_width(
    data: Sequence[Mapping[str, Any]], axis: Mapping[str, Any], letter: str,
    layout: Mapping[str, Any],
) -> float:  # fmt: skip
    if axis.get("visible") is False or axis.get("showticklabels") is False:
        return 0.0
    texts = _tick_texts(data, axis, letter, layout)
    return max((text_width(text, TICK_FONT) for text in texts), default=0.0)


def _label_height(data: Sequence[Mapping[str, Any]], axis: Mapping[str, Any], letter: str) -> float:
    if axis.get("visible") is False or axis.get("showticklabels") is False:
        return 0.0
    values = _values(data, letter)
    dated = axis.get("type") == "date" or any(
        isinstance(v, str) and _ISO_DATE.match(v) for v in values
    )
    if dated:
        return _DATE_LABELS
    lines = max([1, *(str(t).count("<br>") + 1 for t in axis.get("ticktext", []))])
    return lines * TICK_FONT * _LINE


def _title_room(axis: Mapping[str, Any]) -> float:
    title = axis.get("title")
    text = title.get("text") if isinstance(title, Mapping) else title
    if not text:
        return 0.0
    standoff = title.get("standoff", 12) if isinstance(title, Mapping) else 12
    return TITLE_FONT * _LINE + float(standoff)


def _legend_height(data: Sequence[Mapping[str, Any]], plot_width: float) -> float:
    """A horizontal legend above the plot, laid out as plotly does: one row when every entry
    fits in the plot's width, else columns as wide as the widest entry."""
    widths = [
        text_width(str(trace["name"]), LEGEND_FONT) + _LEGEND_ITEM
        for trace in data
        if trace.get("showlegend", True) is not False and trace.get("name")
    ]
    if not widths:
        return 0.0
    if sum(widths) < plot_width:
        rows = 1
    else:
        per_row = max(1, int(plot_width // max(widths)))
        rows = math.ceil(len(widths) / per_row)
    return rows * _LEGEND_ROW + _LEGEND_PAD
