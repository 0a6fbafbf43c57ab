"""The soreness-by-days chart's builder against a plain pandas reference, on random rows.

The builder splits its rows by type in plain Python (a pandas filter, copy and sort per type
cost ~6 ms of every filter change, see ``dashboard.figures.soreness``). The reference below
is the pandas version it replaced: for any rows, including types and buckets the contract
does not name and buckets in any order, both must produce the same figure.
"""

from __future__ import annotations

import json
from typing import Any

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from dashboard.figures import palette
from dashboard.figures.common import columns, figure, ordered
from dashboard.figures.soreness import BUCKETS, SCORE_RANGE, soreness_by_days_figure
from data_access.contract import PROCEDURE_TYPE_LABELS, ProcedureType


def reference_by_days(rows: pd.DataFrame) -> dict[str, Any]:
    """Median soreness (0–10) with its interquartile range in each bucket of days after the
    procedure, one line per procedure type (``soreness_by_days_after`` rows)."""
    data = []
    codes = ordered(rows["procedure_type"], [t.value for t in ProcedureType])
    # Nudge the types apart so that equal medians and their whiskers stay visible.
    offsets = np.linspace(-0.14, 0.14, len(codes)) if len(codes) > 1 else np.zeros(1)
    position = {bucket: index for index, bucket in enumerate(BUCKETS)}
    for code, offset in zip(codes, offsets, strict=True):
        part = rows[rows["procedure_type"] == code].copy()
        part["position"] = part["days_after"].map(position)
        part = part.sort_values("position")
        label = PROCEDURE_TYPE_LABELS.get(code, code)
        color = palette.procedure_color(code)
        data.append(
            {
                "type": "scatter",
                "mode": "lines+markers",
                "x": (part["position"] + offset).tolist(),
                "y": part["median"].tolist(),
                "name": label,
                "line": {"color": color, "width": 2},
                "marker": {"size": 8, "color": color},
                "error_y": {
                    "type": "data",
                    "symmetric": False,
                    "array": (part["q3"] - part["median"]).tolist(),
                    "arrayminus": (part["median"] - part["q1"]).tolist(),
                    "thickness": 1.2,
                    "width": 3,
                    "color": color,
                },
                "customdata": columns(
                    [code] * len(part),
                    part["days_after"],
                    part["followups"],
                    part["q1"],
                    part["q3"],
                    part["mean"].round(2),
                ),
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


TYPES = [*(t.value for t in ProcedureType), "cryotherapy"]  # a code the contract does not name
SCORE = st.floats(0, 10, allow_nan=False).map(lambda x: round(x * 4) / 4)


@st.composite
def distribution_rows(draw: st.DrawFn) -> pd.DataFrame:
    cells = draw(
        st.lists(
            st.tuples(st.sampled_from(TYPES), st.sampled_from([*BUCKETS, "15–30"])),
            min_size=1,
            max_size=24,
            unique=True,
        )
    )
    records = []
    for code, bucket in cells:
        q1, median, q3 = sorted(draw(st.tuples(SCORE, SCORE, SCORE)))
        records.append(
            {
                "procedure_type": code,
                "days_after": bucket,
                "followups": draw(st.integers(1, 5000)),
                "minimum": 0.0,
                "q1": q1,
                "median": median,
                "q3": q3,
                "maximum": 10.0,
                "mean": draw(st.floats(0, 10, allow_nan=False)),
            }
        )
    rows = pd.DataFrame(records)
    for name in ("procedure_type", "days_after"):
        rows[name] = rows[name].astype("string")  # as the query returns them
    return rows


@settings(max_examples=300, deadline=None)
@given(rows=distribution_rows())
def test_soreness_by_days_matches_the_pandas_reference(rows: pd.DataFrame) -> None:
    # JSON, as the browser receives it: NaN, None, 2 and 2.0 all tell apart.
    built = json.dumps(soreness_by_days_figure(rows), sort_keys=True)
    assert built == json.dumps(reference_by_days(rows), sort_keys=True)
