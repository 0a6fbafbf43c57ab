"""Referral figure builders and the KPI cards' value and change texts
(``dashboard.figures.referrals``, ``dashboard.components.kpi_card``)."""

from __future__ import annotations

import pandas as pd
import pytest

from dashboard.components.kpi_card import EM_DASH, Kind, Tone, format_change, format_value
from dashboard.figures import palette
from dashboard.figures import referrals as referrals_builders
from data_access.filters import Grain
from tests.unit.figure_objects import as_graph_objects

# Read as validated graph objects (the builders return plain dicts).
conversion_figure = as_graph_objects(referrals_builders.conversion_figure)
referral_trend_figure = as_graph_objects(referrals_builders.referral_trend_figure)
referrals_by_clinic_figure = as_graph_objects(referrals_builders.referrals_by_clinic_figure)


def by_clinic_rows() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "clinic_id": ["C1", "C1", "C2"],
            "source": ["self", "primary_care", "self"],
            "referrals": [1, 3, 2],
            "clinic_name": ["Harlan", "Harlan", "O'Neill"],
        }
    )


def test_referrals_by_clinic_in_counts_and_in_shares() -> None:
    counts = referrals_by_clinic_figure(by_clinic_rows(), shares=False)
    primary, own = counts.data
    assert primary.name == "Primary care" and own.name == "Self"
    assert primary.marker.color == palette.REFERRAL_SOURCE_COLORS["primary_care"]
    assert list(own.y) == ["C2", "C1"] and list(own.x) == [2, 1]
    assert list(counts.layout.yaxis.categoryarray) == ["C2", "C1"]  # busiest on top
    shares = referrals_by_clinic_figure(by_clinic_rows(), shares=True)
    primary, own = shares.data
    assert list(primary.x) == [75.0] and list(own.x) == [100.0, 25.0]
    assert shares.layout.xaxis.ticksuffix == "%"


def test_referral_trend_stacks_sources() -> None:
    rows = pd.DataFrame(
        {
            "period": pd.to_datetime(["2025-01-01", "2025-01-01"]),
            "source": ["website", "insurer"],
            "referrals": [4, 5],
        }
    )
    fig = referral_trend_figure(rows, Grain.DAY)
    assert [trace.name for trace in fig.data] == ["Website", "Insurer"]
    assert fig.layout.yaxis.title.text == "Referrals per day"


def test_conversion_with_median_days_labels() -> None:
    rows = pd.DataFrame(
        {
            "clinic_id": ["C1", "C2"],
            "referrals": [4, 2],
            "converted": [3, 0],
            "median_days_to_first": [5.5, float("nan")],
            "clinic_name": ["Harlan", "O'Neill"],
        }
    )
    fig = conversion_figure(rows)
    bar = fig.data[0]
    assert list(bar.y) == ["C2", "C1"]
    assert list(bar.x) == [0.0, 75.0]
    assert list(bar.text) == ["", "6 d"]  # 5.5 rounds half to even
    assert fig.layout.shapes[0].x0 == pytest.approx(50.0)


@pytest.mark.parametrize(
    ("kind", "value", "text"),
    [
        (Kind.COUNT, 12345, "12,345"),
        (Kind.COUNT, 0, "0"),
        (Kind.RATE_PER_1000, 6.1234, "6.12"),
        (Kind.RATE_PER_1000, 0.0, "0.00"),
        (Kind.SHARE, 0.78449, "78.4%"),
        (Kind.SHARE, 1.0, "100.0%"),
        (Kind.SCORE, 3.5, "3.5"),
        (Kind.SCORE, None, EM_DASH),
        (Kind.RATE_PER_1000, None, EM_DASH),
        (Kind.SHARE, float("nan"), EM_DASH),
    ],
)
def test_values_are_written_in_their_fixed_formats(kind: Kind, value: object, text: str) -> None:
    assert format_value(kind, value) == text  # type: ignore[arg-type]


def test_changes_against_the_previous_period() -> None:
    up = format_change(Kind.COUNT, 1042, 1000, days=90, tone=Tone.UP_IS_GOOD)
    assert up.text == "▲ 4.2% vs previous 90 days"
    assert up.class_name.endswith("kpi-change-good")
    worse = format_change(Kind.RATE_PER_1000, 6.0, 5.5, days=30, tone=Tone.UP_IS_BAD)
    assert worse.text == "▲ 0.50 vs previous 30 days" and worse.class_name.endswith("bad")
    fewer = format_change(Kind.SHARE, 0.70, 0.75, days=1, tone=Tone.UP_IS_GOOD)
    assert fewer.text == "▼ 5.0 pts vs previous day" and fewer.class_name.endswith("bad")
    same = format_change(Kind.SCORE, 3.0, 3.04, days=7, tone=Tone.UP_IS_BAD)
    assert same.text == "no change vs previous 7 days"
    assert format_change(Kind.COUNT, 5, 0, days=7, tone=Tone.UP_IS_GOOD).text.startswith("n/a")
    assert format_change(Kind.SCORE, None, 2.0, days=7, tone=Tone.UP_IS_BAD).text.startswith("n/a")
