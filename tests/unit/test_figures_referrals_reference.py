"""The referral charts' builders against a plain pandas reference, on random rows.

The builders group their rows in plain Python (a pandas pivot cost ~20 ms of every filter
change, see ``dashboard.figures.referrals``). The reference below is the pandas version they
replaced: for any rows, including suppressed (NaN) counts, repeated cells, clinics whose
every count is hidden or zero and unknown sources, both must produce the same figure.
"""

from __future__ import annotations

import json
from typing import Any

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from dashboard.figures import palette
from dashboard.figures.common import (
    PERIOD_HOVER,
    PERIOD_WORDS,
    clinic_axis,
    clinic_axis_height,
    columns,
    figure,
    ordered,
)
from dashboard.figures.referrals import (
    SOURCE_ORDER,
    referral_trend_figure,
    referrals_by_clinic_figure,
)
from data_access.contract import REFERRAL_SOURCE_LABELS
from data_access.filters import Grain


def _floats(values: np.ndarray) -> list[float | None]:
    return [None if np.isnan(value) else float(value) for value in values.tolist()]


def reference_by_clinic(rows: pd.DataFrame, *, shares: bool) -> dict[str, Any]:
    cells = rows.groupby(["clinic_id", "source"], sort=False)["referrals"]
    counts = cells.sum(min_count=1).astype("float64").unstack()
    present = cells.size().unstack(fill_value=0) > 0
    names = rows.drop_duplicates("clinic_id").set_index("clinic_id")["clinic_name"]
    totals = counts.sum(axis=1)
    order = pd.DataFrame({"total": totals, "name": names.reindex(totals.index)})
    clinic_order = list(order.sort_values(["total", "name"], kind="stable").index)
    counts = counts.reindex(index=clinic_order)
    present = present.reindex(index=clinic_order, fill_value=False)
    totals_in_order = totals.reindex(clinic_order).to_numpy()
    names_in_order = names.reindex(clinic_order).to_numpy()
    data = []
    for code in ordered(rows["source"], SOURCE_ORDER):
        mask = present[code].to_numpy()
        ids = [cid for cid, shown in zip(clinic_order, mask, strict=True) if shown]
        source_counts = counts[code].to_numpy()[mask]
        with np.errstate(divide="ignore", invalid="ignore"):
            share = np.round(100 * source_counts / totals_in_order[mask], 1)
        label = REFERRAL_SOURCE_LABELS.get(code, code)
        data.append(
            {
                "type": "bar",
                "orientation": "h",
                "name": label,
                "y": ids,
                "x": _floats(share if shares else source_counts),
                "marker": {"color": palette.source_color(code), "line": {"width": 0}},
                "customdata": columns(ids, names_in_order[mask], source_counts, share),
                "hovertemplate": (
                    f"<b>%{{customdata[1]}}</b><br>{label}: %{{customdata[2]:,}} "
                    "referrals (%{customdata[3]:.1f}%)<extra></extra>"
                ),
            }
        )
    layout = {
        "barmode": "stack",
        "bargap": 0.25,
        "yaxis": clinic_axis(clinic_order, names_in_order.tolist()),
        "xaxis": {
            "title": {"text": "Share of the clinic's referrals" if shares else "Referrals"},
            "ticksuffix": "%" if shares else "",
            **({"range": [0, 100]} if shares else {"rangemode": "tozero"}),
        },
    }
    return figure(data, layout, height=clinic_axis_height(len(clinic_order)) + 40)


def reference_trend(rows: pd.DataFrame, grain: Grain) -> dict[str, Any]:
    data = []
    for code in ordered(rows["source"], SOURCE_ORDER):
        part = rows[rows["source"] == code]
        label = REFERRAL_SOURCE_LABELS.get(code, code)
        data.append(
            {
                "type": "bar",
                "name": label,
                "x": part["period"].dt.strftime("%Y-%m-%d").tolist(),
                "y": part["referrals"].tolist(),
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


SOURCES = [*SOURCE_ORDER[:4], "carrier_pigeon"]  # a code the contract does not name
CLINICS = {"C1": "Harlan", "C2": "O'Neill", "C3": "Harlan", "C4": "Alma"}  # a shared name
COUNT = st.one_of(st.integers(0, 40), st.just(float("nan")))

cells = st.lists(
    st.tuples(st.sampled_from(sorted(CLINICS)), st.sampled_from(SOURCES), COUNT),
    min_size=1,
    max_size=30,
)


def _same(built: dict[str, Any], expected: dict[str, Any]) -> None:
    # JSON, as the browser receives it: NaN, None, 2 and 2.0 all tell apart.
    assert json.dumps(built, sort_keys=True) == json.dumps(expected, sort_keys=True)


@settings(max_examples=300, deadline=None)
@given(cells=cells, shares=st.booleans(), hidden_as_float=st.booleans())
def test_referrals_by_clinic_matches_the_pandas_reference(
    cells: list[tuple[str, str, float]], shares: bool, hidden_as_float: bool
) -> None:
    rows = pd.DataFrame(cells, columns=["clinic_id", "source", "referrals"])
    if not hidden_as_float and not rows["referrals"].isna().any():
        rows["referrals"] = rows["referrals"].astype("int64")
    rows["clinic_name"] = rows["clinic_id"].map(CLINICS)
    _same(referrals_by_clinic_figure(rows, shares=shares), reference_by_clinic(rows, shares=shares))


@settings(max_examples=200, deadline=None)
@given(
    cells=st.lists(
        st.tuples(st.integers(0, 400), st.sampled_from(SOURCES), st.integers(0, 50)),
        min_size=1,
        max_size=40,
    ),
    grain=st.sampled_from(list(Grain)),
)
def test_referral_trend_matches_the_pandas_reference(
    cells: list[tuple[int, str, int]], grain: Grain
) -> None:
    rows = pd.DataFrame(cells, columns=["day", "source", "referrals"])
    rows.insert(0, "period", pd.Timestamp("2024-01-01") + pd.to_timedelta(rows.pop("day"), "D"))
    _same(referral_trend_figure(rows, grain), reference_trend(rows, grain))
