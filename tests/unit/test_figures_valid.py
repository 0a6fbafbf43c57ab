"""Every figure builder's output passes plotly's validation: the builders skip it at run time
(``figures.common.figure``), so this is where a misspelt property would be caught."""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd
import plotly.graph_objects as go
import pytest

from dashboard.figures.adverse_events import (
    clinic_rate_figure,
    event_trend_figure,
    events_by_severity_figure,
    procedure_type_rate_figure,
)
from dashboard.figures.clinic_map import MapMeasure, clinic_map_figure
from dashboard.figures.followups import completion_figure, relief_figure
from dashboard.figures.referrals import (
    conversion_figure,
    referral_trend_figure,
    referrals_by_clinic_figure,
)
from dashboard.figures.soreness import soreness_by_clinic_figure, soreness_by_days_figure
from dashboard.figures.volumes import clinic_volume_figure, volume_trend_figure
from data_access.filters import Grain
from tests.unit.test_figures_followups_events import distribution, relief_rows
from tests.unit.test_figures_referrals_kpis import by_clinic_rows
from tests.unit.test_figures_volumes_map import clinic_figures, trend_rows

PERIODS = pd.to_datetime(["2025-01-06", "2025-01-13"])
BUILDERS: dict[str, Callable[[], go.Figure]] = {
    **{f"map-{m.value}": (lambda m=m: clinic_map_figure(clinic_figures(), m)) for m in MapMeasure},
    "volume-trend": lambda: volume_trend_figure(trend_rows(), Grain.WEEK),
    "volume-by-clinic": lambda: clinic_volume_figure(clinic_figures(), per_open_day=False),
    "volume-per-open-day": lambda: clinic_volume_figure(clinic_figures(), per_open_day=True),
    "soreness-by-days": lambda: soreness_by_days_figure(
        pd.DataFrame([distribution(procedure_type="other", days_after="0–1")])
    ),
    "soreness-by-clinic": lambda: soreness_by_clinic_figure(
        pd.DataFrame([distribution(clinic_id="C1", clinic_name="Harlan")])
    ),
    "completion": lambda: completion_figure(clinic_figures()),
    "relief": lambda: relief_figure(relief_rows()),
    "ae-trend": lambda: event_trend_figure(
        pd.DataFrame({"period": PERIODS, "procedures": [10, 20], "events": [1, 0]}), Grain.WEEK
    ),
    "ae-by-severity": lambda: events_by_severity_figure(
        pd.DataFrame({"event_type": ["infection"], "severity": ["mild"], "events": [2]})
    ),
    "ae-by-clinic": lambda: clinic_rate_figure(clinic_figures()),
    "ae-by-type": lambda: procedure_type_rate_figure(
        pd.DataFrame({"procedure_type": ["other"], "procedures": [5], "events": [1]})
    ),
    "referrals-by-clinic": lambda: referrals_by_clinic_figure(by_clinic_rows(), shares=True),
    "referral-trend": lambda: referral_trend_figure(
        pd.DataFrame({"period": PERIODS, "source": ["self", "self"], "referrals": [1, 2]}),
        Grain.WEEK,
    ),
    "conversion": lambda: conversion_figure(
        pd.DataFrame(
            {
                "clinic_id": ["C1"],
                "referrals": [4],
                "converted": [3],
                "median_days_to_first": [5.0],
                "clinic_name": ["Harlan"],
            }
        )
    ),
}


@pytest.mark.parametrize("name", sorted(BUILDERS))
def test_builder_output_is_a_valid_plotly_figure(name: str) -> None:
    figure = BUILDERS[name]()
    assert isinstance(figure, dict)  # what dcc.Graph sends, no graph object to copy
    validated = go.Figure(figure)  # raises ValueError on an invalid property
    assert len(validated.data) == len(figure["data"]) > 0
