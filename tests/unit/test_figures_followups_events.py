"""Figure builders for follow-up soreness, relief and adverse events (``dashboard.figures``):
the numbers drawn are the query rows' numbers, and network lines are the totals' ratios."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from dashboard.figures import adverse_events as adverse_events_builders
from dashboard.figures import followups as followups_builders
from dashboard.figures import palette
from dashboard.figures import soreness as soreness_builders
from dashboard.figures.followups import (
    overall_improved_share,
    relief_table,
)
from data_access.filters import Grain
from tests.unit.figure_objects import as_graph_objects
from tests.unit.test_figures_volumes_map import clinic_figures

# Read as validated graph objects (the builders return plain dicts).
clinic_rate_figure = as_graph_objects(adverse_events_builders.clinic_rate_figure)
event_trend_figure = as_graph_objects(adverse_events_builders.event_trend_figure)
events_by_severity_figure = as_graph_objects(adverse_events_builders.events_by_severity_figure)
procedure_type_rate_figure = as_graph_objects(adverse_events_builders.procedure_type_rate_figure)
completion_figure = as_graph_objects(followups_builders.completion_figure)
relief_figure = as_graph_objects(followups_builders.relief_figure)
soreness_by_clinic_figure = as_graph_objects(soreness_builders.soreness_by_clinic_figure)
soreness_by_days_figure = as_graph_objects(soreness_builders.soreness_by_days_figure)


def distribution(**keys: object) -> dict[str, object]:
    return {**keys, "followups": 10, "minimum": 0.0, "q1": 1.0, "median": 2.0, "q3": 4.0,
            "maximum": 9.0, "mean": 2.5}  # fmt: skip


def test_soreness_by_days_one_line_per_type_with_its_quartiles() -> None:
    rows = pd.DataFrame(
        [
            distribution(procedure_type="dry_needling", days_after="2–3"),
            distribution(procedure_type="dry_needling", days_after="0–1")
            | {"median": 5.0, "q3": 6.0},
            distribution(procedure_type="tpi_saline", days_after="8–14"),
        ]
    )
    fig = soreness_by_days_figure(rows)
    saline, needling = fig.data  # contract order: saline before dry needling
    assert needling.name == "Dry needling" and saline.name == "TPI – saline"
    assert needling.line.color == palette.PROCEDURE_TYPE_COLORS["dry_needling"]
    assert list(needling.y) == [5.0, 2.0]  # sorted by bucket, 0–1 first
    assert [round(x) for x in needling.x] == [0, 1]
    assert list(needling.error_y.array) == [1.0, 2.0]
    assert list(needling.error_y.arrayminus) == [4.0, 1.0]
    assert needling.customdata[0][0] == "dry_needling"
    assert list(fig.layout.xaxis.ticktext) == ["0–1 days", "2–3 days", "4–7 days", "8–14 days"]


def test_soreness_by_clinic_draws_the_middle_half_and_median() -> None:
    rows = pd.DataFrame(
        [
            distribution(clinic_id="C1", clinic_name="Harlan") | {"median": 3.0},
            distribution(clinic_id="C2", clinic_name="O'Neill"),
            distribution(clinic_id="C3", clinic_name="Empty") | {"followups": 0},
        ]
    )
    fig = soreness_by_clinic_figure(rows)
    bar, median, mean = fig.data
    assert list(bar.y) == ["C2", "C1"]  # highest median on top; none without follow-ups
    assert list(bar.base) == [1.0, 1.0] and list(bar.x) == [3.0, 3.0]
    assert list(median.x) == [2.0, 3.0]
    assert [row[0] for row in median.customdata] == ["C2", "C1"]
    assert list(mean.x) == [2.5, 2.5]


def test_completion_network_line_is_total_followed_up_over_total_procedures() -> None:
    fig = completion_figure(clinic_figures())
    bar = fig.data[0]
    assert list(bar.y) == ["C3", "C4", "C1"]  # clinics without procedures are left out
    assert list(bar.x) == pytest.approx([50.0, 50.0, 80.0])
    assert fig.layout.shapes[0].x0 == pytest.approx(100 * 315 / 450)
    assert fig.layout.annotations[0].text == "┆ network 70.0%"


def relief_rows() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "procedure_type": ["other", "tpi_local_anesthetic"],
            "scored": [4, 6],
            "mean_before": [6.0, 7.0],
            "mean_after": [5.0, 3.0],
            "improved": [1, 6],
        }
    )


def test_relief_dumbbells_and_the_meaningful_improvement_share() -> None:
    table = relief_table(relief_rows())
    assert list(table["procedure_type"]) == ["tpi_local_anesthetic", "other"]
    assert list(table["improved_share"]) == [1.0, 0.25]
    assert overall_improved_share(relief_rows()) == pytest.approx(0.7)
    assert overall_improved_share(relief_rows().iloc[0:0]) is None
    fig = relief_figure(relief_rows())
    _, before, after = fig.data
    assert list(before.x) == [7.0, 6.0] and list(after.x) == [3.0, 5.0]
    ticks = list(fig.layout.yaxis.ticktext)
    assert ticks[0].startswith("TPI – local anesthetic<br>") and "100% improved" in ticks[0]
    assert "25% improved" in ticks[1]
    assert list(after.marker.color) == [
        palette.PROCEDURE_TYPE_COLORS["tpi_local_anesthetic"],
        palette.PROCEDURE_TYPE_COLORS["other"],
    ]
    assert [row[0] for row in after.customdata] == ["tpi_local_anesthetic", "other"]


def test_event_trend_is_the_rate_per_1000_of_each_period() -> None:
    rows = pd.DataFrame(
        {
            "period": pd.to_datetime(["2025-01-01", "2025-02-01"]),
            "procedures": [400, 600],
            "events": [2, 3],
        }
    )
    fig = event_trend_figure(rows, Grain.MONTH)
    assert list(fig.data[0].y) == pytest.approx([5.0, 5.0])
    assert fig.layout.shapes[0].y0 == pytest.approx(5.0)
    assert "by month" in fig.layout.yaxis.title.text


def test_events_by_severity_stacks_event_types_in_their_colours() -> None:
    rows = pd.DataFrame(
        {
            "event_type": ["vasovagal", "vasovagal", "infection"],
            "severity": ["mild", "severe", "moderate"],
            "events": [4, 1, 2],
        }
    )
    fig = events_by_severity_figure(rows)
    infection, vasovagal = fig.data
    assert list(vasovagal.y) == ["Mild", "Moderate", "Severe"]
    assert list(vasovagal.x) == [4, 0, 1] and list(infection.x) == [0, 2, 0]
    assert vasovagal.marker.color == palette.EVENT_TYPE_COLORS["vasovagal"]
    assert fig.layout.barmode == "stack"


def test_clinic_rates_per_1000_with_the_network_rate() -> None:
    fig = clinic_rate_figure(clinic_figures())
    bar = fig.data[0]
    assert list(bar.y) == ["C4", "C1", "C3"]
    assert list(bar.x) == pytest.approx([0.0, 10.0, 20.0])
    assert fig.layout.shapes[0].x0 == pytest.approx(1000 * 5 / 450)


def test_procedure_type_rates() -> None:
    rows = pd.DataFrame(
        {"procedure_type": ["dry_needling", "tpi_saline"], "procedures": [200, 0], "events": [3, 0]}
    )
    fig = procedure_type_rate_figure(rows)
    bar = fig.data[0]
    assert list(bar.y) == ["tpi_saline", "dry_needling"]
    assert bar.x[1] == pytest.approx(15.0) and math.isnan(bar.x[0])
    assert bar.text[1] == "15.00"
    assert list(fig.layout.yaxis.ticktext) == ["TPI – saline", "Dry needling"]
