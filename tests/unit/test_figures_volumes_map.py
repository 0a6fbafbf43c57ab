"""Figure builders for the clinic map and procedure volumes, and the fixed palette: pure
functions from query rows to figures (``dashboard.figures``)."""

from __future__ import annotations

import re

import pandas as pd
import pytest

from dashboard.figures import clinic_map as clinic_map_builders
from dashboard.figures import palette
from dashboard.figures import volumes as volumes_builders
from dashboard.figures.clinic_map import MapMeasure, measure_values
from dashboard.figures.volumes import (
    clinic_volume_table,
)
from data_access.contract import EventType, ProcedureType, ReferralSource
from data_access.filters import Grain
from tests.unit.figure_objects import as_graph_objects

# Read as validated graph objects (the builders return plain dicts).
clinic_map_figure = as_graph_objects(clinic_map_builders.clinic_map_figure)
clinic_volume_figure = as_graph_objects(volumes_builders.clinic_volume_figure)
volume_trend_figure = as_graph_objects(volumes_builders.volume_trend_figure)

HEX = re.compile(r"#[0-9A-F]{6}")


def clinic_figures() -> pd.DataFrame:
    """Rows shaped like ``queries.clinics.clinic_figures``."""
    return pd.DataFrame(
        {
            "clinic_id": ["C1", "C2", "C3", "C4"],
            "name": ["Harlan", "O'Neill", "Española", "Nowhere"],
            "region": ["North", "North", "South", "South"],
            "city": ["Harlan", None, "Española", None],
            "state": ["KY", None, "NM", None],
            "latitude": [36.8, 42.4, 36.0, None],
            "longitude": [-83.3, -98.6, -106.1, None],
            "ruca_code": [7, None, 4, 10],
            "opened_on": [None] * 4,
            "procedures": [300, 0, 100, 50],
            "patients": [120, 0, 60, 20],
            "open_days": [60, 0, 10, 5],
            "followed_up": [240, 0, 50, 25],
            "adverse_events": [3, 0, 2, 0],
        }
    )


@pytest.mark.parametrize(
    ("colors", "codes"),
    [
        (palette.PROCEDURE_TYPE_COLORS, ProcedureType),
        (palette.EVENT_TYPE_COLORS, EventType),
        (palette.REFERRAL_SOURCE_COLORS, ReferralSource),
    ],
)
def test_one_distinct_fixed_colour_per_code(colors: dict[str, str], codes: type) -> None:
    assert set(colors) == {code.value for code in codes}
    assert len(set(colors.values())) == len(colors)
    assert all(HEX.fullmatch(color) for color in colors.values())


def test_unknown_codes_fall_back_to_grey() -> None:
    assert palette.procedure_color("acupuncture") == palette.FALLBACK
    assert palette.event_color("?") == palette.FALLBACK
    assert palette.source_color("?") == palette.FALLBACK


def trend_rows() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "period": pd.to_datetime(["2025-01-06", "2025-01-06", "2025-01-13", "2025-01-13"]),
            "procedure_type": ["dry_needling", "tpi_local_anesthetic", "dry_needling", "other"],
            "procedures": [5, 7, 2, 1],
        }
    )


def test_trend_has_one_trace_per_type_in_contract_order_with_fixed_colours() -> None:
    fig = volume_trend_figure(trend_rows(), Grain.WEEK)
    names = [trace.name for trace in fig.data]
    assert names == ["TPI – local anesthetic", "Dry needling", "Other"]
    assert [trace.marker.color for trace in fig.data] == [
        palette.PROCEDURE_TYPE_COLORS["tpi_local_anesthetic"],
        palette.PROCEDURE_TYPE_COLORS["dry_needling"],
        palette.PROCEDURE_TYPE_COLORS["other"],
    ]
    assert fig.layout.barmode == "stack"
    assert sum(sum(trace.y) for trace in fig.data) == 15
    assert list(fig.data[1].customdata) == ["dry_needling", "dry_needling"]
    assert fig.layout.yaxis.title.text == "Procedures per week"
    assert fig.layout.template.layout.paper_bgcolor == "white"


def test_clinic_ranking_is_one_trace_keyed_by_clinic_id_largest_on_top() -> None:
    fig = clinic_volume_figure(clinic_figures(), per_open_day=False)
    assert len(fig.data) == 1
    bar = fig.data[0]
    assert list(bar.y) == ["C2", "C4", "C3", "C1"]  # first is drawn at the bottom
    assert list(bar.x) == [0, 50, 100, 300]
    assert [row[0] for row in bar.customdata] == list(bar.y)
    assert list(fig.layout.yaxis.ticktext) == ["O'Neill", "Nowhere", "Española", "Harlan"]
    assert not fig.layout.shapes


def test_per_open_day_ranking_compares_part_time_clinics_fairly() -> None:
    fig = clinic_volume_figure(clinic_figures(), per_open_day=True)
    bar = fig.data[0]
    assert list(bar.y) == ["C2", "C1", "C4", "C3"]  # ties: alphabetical from the top
    assert list(bar.x) == [0, 5.0, 10.0, 10.0]
    assert fig.layout.shapes[0].x0 == pytest.approx(450 / 75)  # network: 450 over 75 open days
    table = clinic_volume_table(clinic_figures())
    assert list(table["clinic_id"]) == ["C1", "C3", "C4", "C2"]
    assert pd.isna(table.loc[table["clinic_id"] == "C2", "per_open_day"]).all()


def test_map_draws_located_clinics_hollow_when_they_have_no_procedures() -> None:
    fig = clinic_map_figure(clinic_figures(), MapMeasure.AE_RATE)
    hollow, filled = fig.data
    assert [row[0] for row in hollow.customdata] == ["C2"]
    assert [row[0] for row in filled.customdata] == ["C1", "C3"]  # C4 has no coordinates
    assert list(filled.marker.color) == pytest.approx([10.0, 20.0])
    assert list(filled.marker.size) == [300, 100]
    assert fig.layout.geo.scope == "usa"
    assert fig.layout.geo.projection.type == "albers usa"
    assert hollow.showlegend is True
    c1 = filled.customdata[0]
    assert c1[1:4] == ["Harlan", "North", "Harlan, KY"]
    assert c1[7] == "80.0%" and c1[9] == "10.00" and c1[10] == "7"


@pytest.mark.parametrize(
    ("measure", "expected"),
    [
        (MapMeasure.AE_RATE, [10.0, None, 20.0, 0.0]),
        (MapMeasure.FOLLOWUP_RATE, [80.0, None, 50.0, 50.0]),
        (MapMeasure.RURALITY, [7.0, None, 4.0, 10.0]),
    ],
)
def test_map_measures(measure: MapMeasure, expected: list[float | None]) -> None:
    values = measure_values(clinic_figures(), measure)
    assert [None if pd.isna(v) else pytest.approx(v) for v in values] == expected


def test_map_without_any_procedures_has_no_coloured_markers() -> None:
    rows = clinic_figures().assign(procedures=0, adverse_events=0, followed_up=0)
    fig = clinic_map_figure(rows, "followup_rate")
    assert len(fig.data[1].lat) == 0
    assert len(fig.data[0].lat) == 3


def luminance(color: str) -> float:
    red, green, blue = (int(color[i : i + 2], 16) for i in (1, 3, 5))
    return 0.2126 * red + 0.7152 * green + 0.0722 * blue


@pytest.mark.parametrize("measure", list(MapMeasure))
def test_map_scales_run_from_light_low_values_to_dark_high_ones(measure: MapMeasure) -> None:
    scale = clinic_map_figure(clinic_figures(), measure).data[1].marker.colorscale
    assert scale[0][0] == 0 and scale[-1][0] == 1
    lightness = [luminance(color) for _, color in scale]
    assert lightness == sorted(lightness, reverse=True)  # plotly.js names some scales reversed


def test_a_clinic_without_events_gets_the_lightest_colour() -> None:
    one = clinic_figures().iloc[[0]].assign(adverse_events=0)
    marker = clinic_map_figure(one, MapMeasure.AE_RATE).data[1].marker
    assert (marker.cmin, marker.cmax) == (0.0, 1.0)
    assert list(marker.color) == [0.0]
