"""Margins sized before plotly draws (``dashboard.figures.margins``): wide enough for the
labels, titles and legend, so automargin has nothing to grow, and never narrower than the
figure asked for."""

from __future__ import annotations

from dashboard.figures.common import clinic_axis, figure
from dashboard.figures.margins import FULL_WIDTH, HALF_WIDTH, fitted_margin, text_width

SOURCES = ["Primary care", "Orthopedics", "Neurology", "Chiropractic", "Physical therapy",
           "Emergency dept.", "Other specialist", "Self", "Website", "Insurer",
           "Other"]  # fmt: skip


def test_text_width_follows_the_characters_and_the_size():
    assert text_width("Other", 11) < text_width("Other specialist", 11)
    assert text_width("iiii", 12) < text_width("MMMM", 12)
    assert text_width("Clinic", 24) == 2 * text_width("Clinic", 12)
    assert text_width("<b>Clinic</b>", 12) == text_width("Clinic", 12)  # markup is not drawn
    # Measured in Chromium (DejaVu Sans, 11 px): "Other" 32 px, "Physical therapy" 92 px.
    assert 30 <= text_width("Other", 11) <= 36
    assert 88 <= text_width("Physical therapy", 11) <= 100


def test_a_clinic_ranking_gets_room_for_its_longest_name_and_its_axis_title():
    names = ["Harlan", "Big Stone Gap Pain and Spine Center", "Ely"]
    fig = figure(
        [{"type": "bar", "orientation": "h", "x": [5, 1200, 40], "y": ["C1", "C2", "C3"]}],
        {"yaxis": clinic_axis(["C1", "C2", "C3"], names),
         "xaxis": {"title": {"text": "Procedures"}}},
        height=300, legend=False,
    )  # fmt: skip
    margin = fig["layout"]["margin"]
    assert margin["l"] >= text_width(names[1], 12)
    assert margin["l"] < text_width(names[1], 12) + 20  # room, not a gulf
    assert margin["b"] >= 12 * 1.3 + 12 + 12 * 1.3  # tick labels, standoff, title
    assert margin["t"] == 12  # no legend: as the figure asked
    # The last x label ("10,000" at most for 1,200) hangs half over the right edge.
    assert text_width("10,000", 12) / 2 <= margin["r"] <= text_width("10,000", 12) / 2 + 12


def test_numbers_and_dates_on_the_axes():
    stacked = {"barmode": "stack", "xaxis": {"type": "date"}, "yaxis": {}, "margin": {}}
    bars = [
        {"type": "bar", "name": "A", "x": ["2026-01-05", "2026-01-12"], "y": [900, 400]},
        {"type": "bar", "name": "B", "x": ["2026-01-05", "2026-01-12"], "y": [300, 200]},
    ]
    margin = fitted_margin(bars, stacked)
    # The stack reaches 1,200: labels up to "10,000" wide (plotly rounds the top tick up).
    assert margin["l"] >= text_width("10,000", 12)
    assert margin["b"] >= 38  # two lines of date labels
    small = fitted_margin([{**bars[0], "y": [3, 4]}], {**stacked, "barmode": None})
    assert small["l"] < margin["l"]


def test_a_legend_wraps_as_plotly_lays_it_out():
    traces = [{"type": "bar", "name": name, "x": [1], "y": ["C1"]} for name in SOURCES]
    one_row = fitted_margin(traces[:3], {"margin": {"l": 60, "r": 12}}, width=FULL_WIDTH)
    # Plotly: one row when every entry fits; otherwise columns as wide as the widest entry.
    assert one_row["t"] == 19 + 10 + 12
    wrapped = fitted_margin(traces, {"margin": {"l": 238, "r": 12}}, width=HALF_WIDTH)
    # 637 - 238 - 12 = 387 px for columns of "Other specialist" (~130 px): 2 a row, 6 rows
    # (measured in Chromium: a legend 124 px high, the top margin 136 px).
    assert wrapped["t"] == 6 * 19 + 10 + 12
    hidden = fitted_margin(traces, {"margin": {"t": 4}, "showlegend": False})
    assert hidden["t"] == 4


def test_a_map_keeps_its_own_margins():
    layout = {"margin": {"l": 0, "r": 0, "t": 4, "b": 68}, "geo": {}}
    assert fitted_margin([{"type": "scattergeo", "lat": [1], "lon": [2]}], layout) == {
        "l": 0, "r": 0, "t": 4, "b": 68,
    }  # fmt: skip


def test_a_margin_is_never_narrower_than_asked():
    layout = {"margin": {"l": 300, "r": 40, "t": 90, "b": 120}, "yaxis": {}, "xaxis": {}}
    assert fitted_margin([{"type": "scatter", "x": [1], "y": [2]}], layout) == layout["margin"]
