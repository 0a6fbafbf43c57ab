"""Figure builders and views of the adverse-event page, as plain functions."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from dashboard.surveillance import chart_figure as chart_builders
from dashboard.surveillance import colors, explain, views
from dashboard.surveillance import funnel_figure as funnel_builders
from dashboard.surveillance import rate_figures as rate_builders
from dashboard.surveillance.event_grid import COLUMNS, event_grid, event_grid_rows
from dashboard.surveillance.page_state import page_href, parse_page_search, signal_href
from dashboard.surveillance.rate_figures import rate_table
from dashboard.surveillance.signals_view import EMPTY, signals_list
from dashboard.url_state import Catalogue
from data_access.filters import Filters, Grain
from data_access.surveillance import (
    NETWORK,
    ChartMethod,
    clinic_funnel,
    control_chart,
    funnel_curves,
    group_rates,
)
from tests.unit.figure_objects import as_graph_objects

# Read as validated graph objects (the builders return plain dicts).
control_chart_figure = as_graph_objects(chart_builders.control_chart_figure)
funnel_figure = as_graph_objects(funnel_builders.funnel_figure)
rate_interval_figure = as_graph_objects(rate_builders.rate_interval_figure)
empty_figure = as_graph_objects(views.empty_figure)


CATALOGUE = Catalogue(
    clinic_regions={"C00": "North", "C01": "South", "C02": "North"},
    earliest=date(2024, 1, 1),
    latest=date(2026, 6, 30),
)


def clinics() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "clinic_id": ["C00", "C01", "C02", "C03"],
            "name": ["Elko <b>Center</b>", "O'Neill Clinic", "Española Clinic", "Closed"],
            "region": ["North", "South", "North", "South"],
            "procedures": [1200, 800, 950, 0],
            "adverse_events": [45, 6, 7, 0],
        }
    )


def texts(component) -> list[str]:
    """Every string child in a Dash component tree."""
    found: list[str] = []

    def walk(node):
        if isinstance(node, str):
            found.append(node)
        elif isinstance(node, list | tuple):
            for item in node:
                walk(item)
        elif hasattr(node, "children"):
            walk(node.children)

    walk(component)
    return found


def test_funnel_figure_draws_limits_zones_labels_and_focus():
    funnel = clinic_funnel(clinics(), adjust_for_overdispersion=False)
    curves = funnel_curves(funnel.p0, 1300, None)
    figure = funnel_figure(funnel, curves, focus="C01")
    names = [trace.name for trace in figure.data]
    assert names[:4] == ["99.8% limits", "99.8% limits", "95% limits", "95% limits"]
    alarm = next(t for t in figure.data if t.name == colors.ZONE_WORDS["alarm_high"])
    assert alarm.marker.color == colors.HIGH
    assert list(alarm.text) == ["Elko <b>Center</b>"]  # labelled by name
    assert alarm.y[0] == pytest.approx(37.5)  # per 1,000
    assert figure.data[-1].name == "Selected clinic" and figure.data[-1].x == (800,)
    assert all(0 not in (t.x or ()) for t in figure.data[4:])  # the closed clinic is left out
    assert figure.layout.shapes[0].y0 == pytest.approx(1000 * 58 / 2950)
    top = figure.layout.yaxis.range[1]
    assert top > 37.5


def test_funnel_curves_are_whole_volumes_with_nested_limits():
    curves = funnel_curves(0.02, 500, None)
    assert curves["n"].iloc[0] == 1 and curves["n"].iloc[-1] == 500
    assert (curves["n"] == curves["n"].round()).all()
    assert (curves["upper998"] >= curves["upper95"]).all()
    assert (curves["lower998"] <= curves["lower95"]).all()
    at_100 = funnel_curves(0.02, 100, None, points=2).iloc[-1]
    assert at_100["upper998"] == pytest.approx(0.0698, abs=5e-4)  # the worked value
    widened = funnel_curves(0.02, 100, 2.0, points=2).iloc[-1]
    assert widened["upper998"] > at_100["upper998"]


def test_control_chart_figure_marks_points_beyond_limits_and_the_run():
    periods = pd.date_range("2024-01-01", periods=24, freq="MS")
    events = [6] * 12 + [9] * 11 + [30]
    series = pd.DataFrame({"period": periods, "procedures": 1000, "events": events})
    chart = control_chart(series, NETWORK, ChartMethod.P)
    figure = control_chart_figure(chart, Grain.MONTH)
    above = next(t for t in figure.data if t.name == "Above the upper limit")
    assert above.x == ("2025-12-01",)
    assert above.marker.color == colors.HIGH
    limit = figure.data[0]
    assert limit.line.shape == "hvh" and limit.name == "3-sigma limits"
    rects = [s for s in figure.layout.shapes if s.type == "rect"]
    assert len(rects) == 1 and rects[0].x0 == "2024-01-01"
    assert any("average" in a.text for a in figure.layout.annotations)


def test_rate_interval_figure_whiskers_and_reference():
    rows = group_rates(
        pd.DataFrame({"procedure_type": ["dry_needling", "tpi_saline"],
                      "procedures": [4000, 4000], "events": [52, 8]}),
        "procedure_type", 60 / 8000,
    )  # fmt: skip
    figure = rate_interval_figure(
        rows, key="procedure_type", labels={"dry_needling": "Dry needling"}, reference=7.5
    )
    trace = figure.data[0]
    assert list(trace.x) == pytest.approx([13.0, 2.0])
    assert trace.error_x.array[0] == pytest.approx(rows.loc[0, "rate_high"] - 13.0)
    assert trace.marker.color[0] == colors.HIGH
    assert list(figure.layout.yaxis.ticktext) == ["Dry needling", "tpi_saline"]
    assert figure.layout.shapes[0].x0 == 7.5


def test_rate_table_states_intervals_and_verdicts():
    rows = group_rates(
        pd.DataFrame({"procedure_type": ["dry_needling"], "procedures": [4000], "events": [52]}),
        "procedure_type", 0.0075,
    )  # fmt: skip
    table = rate_table(rows, key="procedure_type", labels={}, heading="Procedure type")
    words = texts(table)
    assert "Higher than chance explains" in words
    assert any(w.startswith("13.0 (") for w in words)
    assert any(w.startswith("1.30 (") for w in words)


def signal_frame() -> pd.DataFrame:
    return pd.DataFrame(
        [
            {"signal_on": pd.Timestamp("2026-06-30"), "kind": "clinic_high",
             "subject_kind": "clinic", "subject_key": "C00", "subject_name": "Elko <b>Center</b>",
             "clinic_id": "C00", "event_id": None,
             "headline": "Elko <b>Center</b>: more adverse events than chance explains",
             "reason": "45 events in 1,200 procedures"},
            {"signal_on": pd.Timestamp("2026-05-01"), "kind": "serious_event",
             "subject_kind": "clinic", "subject_key": "C01", "subject_name": "O'Neill Clinic",
             "clinic_id": "C01", "event_id": "E7", "headline": "Serious event at O'Neill Clinic",
             "reason": "Not yet reviewed."},
        ]
    )  # fmt: skip


def test_signals_list_items_link_and_keep_text_as_text():
    filters = Filters(start=date(2026, 1, 1), end=date(2026, 6, 30))
    children = signals_list(signal_frame(), lambda s: signal_href(s, filters, CATALOGUE))
    words = texts(children)
    assert "1 statistical signal and 1 serious event, newest first." in words
    assert "Elko <b>Center</b>: more adverse events than chance explains" in words
    links = [c for c in children[1].children]
    first_link = links[0].children[0].children[1]
    assert first_link.href == (
        "/adverse-events?start=2026-01-01&end=2026-06-30&focus=C00&chart=clinic%3AC00#ae-funnel"
    )
    assert links[1].children[0].children[1].href.endswith("event=E7#ae-events")


def test_signals_list_empty_state_is_in_words():
    assert texts(signals_list(signal_frame().iloc[0:0], str)) == [EMPTY]


def test_page_search_keeps_filters_and_page_parameters_apart():
    state = parse_page_search(
        "?start=2026-01-01&end=2026-03-31&region=North&chart=region:North&focus=C02"
        "&rates=severity&event=E9&bogus=1",
        CATALOGUE,
    )
    assert state.filters == Filters(date(2026, 1, 1), date(2026, 3, 31), regions=("North",))
    assert (state.chart, state.focus, state.rates, state.event) == (
        "region:North", "C02", "severity", "E9",
    )  # fmt: skip
    assert [d.parameter for d in state.url.dropped] == ["bogus"]
    queue = parse_page_search("?queue=serious", CATALOGUE)
    assert queue.queue and queue.filters.start == date(2024, 1, 1)
    assert parse_page_search("?focus=C99&rates=nope", CATALOGUE).focus is None
    href = page_href(state.filters, CATALOGUE, "ae-chart", chart="network")
    assert (
        href
        == "/adverse-events?start=2026-01-01&end=2026-03-31&region=North&chart=network#ae-chart"
    )


def test_event_grid_shows_descriptions_as_plain_text():
    events = pd.DataFrame(
        [{"event_id": "E1", "onset_on": date(2026, 5, 2), "performed_on": date(2026, 5, 1),
          "clinic_id": "C00", "clinic_name": "Elko", "procedure_type": "dry_needling",
          "event_type": "pneumothorax", "severity": "severe", "serious": True,
          "outcome": "not_resolved", "description": "<b>x</b>\n=1+1", "reviewed": False,
          "reviewer": None, "reviewed_at": None, "expectedness": None, "relatedness": None}]
    )  # fmt: skip
    row = event_grid_rows(events)[0]
    assert row["description"] == "<b>x</b>\n=1+1"
    assert row["serious"] == "Yes" and row["review_status"] == "Not reviewed"
    assert row["outcome"] == "Not resolved" and row["procedure_type"] == "Dry needling"
    grid = event_grid()
    assert grid.dangerously_allow_code is False
    for column in grid.columnDefs:
        assert "cellRenderer" not in column and "cellRendererParams" not in column
    assert [c["field"] for c in grid.columnDefs] == [field for field, _ in COLUMNS]


def test_explanations_state_the_numbers():
    funnel = clinic_funnel(clinics())
    sentence = explain.overdispersion(funnel.overdispersion, funnel.adjusted)
    assert "φ =" in sentence
    periods = pd.date_range("2024-01-01", periods=24, freq="MS")
    series = pd.DataFrame({"period": periods, "procedures": 1000, "events": [6] * 12 + [9] * 12})
    chart = control_chart(series, NETWORK, ChartMethod.P)
    assert "longest run 12" in explain.run_rules(
        chart
    ) and "a sustained shift" in explain.run_rules(chart)
    assert "classical p-chart" in explain.chart_method(chart)
    sparse_series = series.assign(procedures=50, events=[0, 1, 0, 0] * 6)
    caution = explain.sparse_chart(control_chart(sparse_series, NETWORK))
    assert caution is not None and "raises no signals" in caution
    assert explain.sparse_chart(chart) is None


def test_empty_figure_says_why():
    figure = empty_figure("No procedures match these filters")
    assert figure.layout.annotations[0].text == "No procedures match these filters"
