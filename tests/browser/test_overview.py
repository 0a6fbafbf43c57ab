"""The overview page in headless Chromium against a live server: the URL reproduces a view,
every filter writes the URL and updates the panels, clicks on charts filter, CSV downloads
are neutralised, empty selections say so, the back button goes back, and nothing is loaded
from outside the machine."""

from __future__ import annotations

import csv
import io
from datetime import date
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Page, expect

from dashboard.components.kpi_card import Kind, format_value
from data_access.contract import ProcedureType
from data_access.filters import Filters, Scope
from data_access.queries.clinics import clinic_directory
from data_access.queries.kpis import kpi_totals
from tests.browser.conftest import DATA_END, FORMULA_CLINIC, LiveServer
from tests.browser.helpers import (
    axis_labels,
    click_bar,
    graph,
    kpi_values,
    open_overview,
    query_of,
    settle,
    settle_and_draw,
    wait_for_kpis,
    wait_for_query,
)

pytestmark = pytest.mark.browser

KINDS = {
    "kpi-procedures": ("procedures", Kind.COUNT),
    "kpi-patients": ("patients", Kind.COUNT),
    "kpi-ae-rate": ("ae_rate_per_1000", Kind.RATE_PER_1000),
    "kpi-followup-rate": ("followup_rate", Kind.SHARE),
    "kpi-median-soreness": ("median_soreness", Kind.SCORE),
    "kpi-referrals": ("referrals", Kind.COUNT),
}


def expected_kpis(server: LiveServer, filters: Filters) -> dict[str, str]:
    with server.engine.connect() as conn:
        totals = kpi_totals(conn=conn, filters=filters, scope=Scope.everything())
    return {key: format_value(kind, getattr(totals, field)) for key, (field, kind) in KINDS.items()}


def directory(server: LiveServer) -> list[tuple[str, str, str]]:
    with server.engine.connect() as conn:
        frame = clinic_directory(conn=conn, scope=Scope.everything())
    return list(zip(frame["clinic_id"], frame["name"], frame["region"], strict=True))


def default_filters(**changes: object) -> Filters:
    return Filters(start=date(2025, 4, 2), end=DATA_END, **changes)  # type: ignore[arg-type]


def choose(page: Page, dropdown_id: str, text: str) -> None:
    page.locator(f"#{dropdown_id}").click()
    search = page.locator(".dash-dropdown-content .dash-dropdown-search-container input")
    if search.count():
        search.fill(text)
    page.locator(".dash-dropdown-content [role=option]", has_text=text).first.click()
    page.keyboard.press("Escape")
    settle_and_draw(page)


def test_a_url_with_filters_shows_the_data_layers_kpis(dash_page: Page, live_server: LiveServer):
    clinic_id, _, region = directory(live_server)[0]
    search = (
        f"?start=2024-10-01&end=2025-03-31&region={region.replace(' ', '+')}"
        f"&clinic={clinic_id}&procedure=tpi_local_anesthetic&procedure=dry_needling"
    )
    open_overview(dash_page, live_server.url, search)
    filters = Filters(
        start=date(2024, 10, 1),
        end=date(2025, 3, 31),
        regions=(region,),
        clinics=(clinic_id,),
        procedure_types=(ProcedureType.TPI_LOCAL_ANESTHETIC, ProcedureType.DRY_NEEDLING),
    )
    shown = kpi_values(dash_page)
    assert shown == expected_kpis(live_server, filters)
    assert shown["kpi-procedures"] not in {"0", "—"}
    assert "vs previous 182 days" in dash_page.locator("#kpi-procedures-change").inner_text()
    assert dash_page.locator("#overview-notice").inner_text() == ""


def test_no_dates_means_the_last_90_days_of_data(dash_page: Page, live_server: LiveServer):
    open_overview(dash_page, live_server.url)
    wait_for_kpis(dash_page, expected_kpis(live_server, default_filters()))
    assert dash_page.locator("#overview-dates-start").input_value() == "2 Apr 2025"
    assert "Data through 30 Jun 2025" in dash_page.locator(".shell-navbar").inner_text()


def test_each_filter_writes_the_url_and_updates_the_panels(
    dash_page: Page, live_server: LiveServer
):
    clinics = directory(live_server)
    region = clinics[0][2]
    in_region = [(cid, name) for cid, name, r in clinics if r == region]
    open_overview(dash_page, live_server.url)

    choose(dash_page, "overview-regions", region)
    wait_for_query(dash_page, [("region", region)])
    wait_for_kpis(dash_page, expected_kpis(live_server, default_filters(regions=(region,))))
    ranking = graph(dash_page, "volume-by-clinic", "overview-clinic-chart")
    assert sorted(axis_labels(ranking)) == sorted(name for _, name in in_region)

    clinic_id, clinic_name = in_region[0]
    choose(dash_page, "overview-clinics", clinic_name)
    wait_for_query(dash_page, [("region", region), ("clinic", clinic_id)])
    assert axis_labels(graph(dash_page, "volume-by-clinic", "overview-clinic-chart")) == [
        clinic_name
    ]

    choose(dash_page, "overview-procedures", "Dry needling")
    assert ("procedure", "dry_needling") in query_of(dash_page)
    expected = default_filters(
        regions=(region,), clinics=(clinic_id,), procedure_types=(ProcedureType.DRY_NEEDLING,)
    )
    wait_for_kpis(dash_page, expected_kpis(live_server, expected))

    choose(dash_page, "overview-preset", "Year to date")
    selected = [("region", region), ("clinic", clinic_id), ("procedure", "dry_needling")]
    wait_for_query(dash_page, [("start", "2025-01-01"), ("end", "2025-06-30"), *selected])

    start = dash_page.locator("#overview-dates-start")
    start.click()
    start.fill("1 Feb 2025")
    start.press("Enter")
    dash_page.keyboard.press("Escape")
    settle(dash_page)
    wait_for_query(dash_page, [("start", "2025-02-01"), ("end", "2025-06-30"), *selected])
    expected = Filters(
        start=date(2025, 2, 1),
        end=DATA_END,
        regions=(region,),
        clinics=(clinic_id,),
        procedure_types=(ProcedureType.DRY_NEEDLING,),
    )
    wait_for_kpis(dash_page, expected_kpis(live_server, expected))

    dash_page.locator("#overview-reset").click()
    settle(dash_page)
    assert urlsplit(dash_page.url).query == ""
    wait_for_kpis(dash_page, expected_kpis(live_server, default_filters()))


def test_clicking_a_clinic_filters_and_clicking_it_again_clears(
    dash_page: Page, live_server: LiveServer
):
    open_overview(dash_page, live_server.url)
    ranking = graph(dash_page, "volume-by-clinic", "overview-clinic-chart")
    top_name = axis_labels(ranking)[-1]  # the busiest clinic, drawn on top
    click_bar(dash_page, ranking, index=-1)
    settle_and_draw(dash_page)
    by_name = {name: cid for cid, name, _ in directory(live_server)}
    wait_for_query(dash_page, [("clinic", by_name[top_name])])
    wait_for_kpis(
        dash_page, expected_kpis(live_server, default_filters(clinics=(by_name[top_name],)))
    )
    assert top_name in dash_page.locator("#overview-clinics").inner_text()

    click_bar(dash_page, graph(dash_page, "volume-by-clinic", "overview-clinic-chart"))
    settle_and_draw(dash_page)
    wait_for_query(dash_page, [])

    trend = graph(dash_page, "volume-trend", "overview-type-chart")
    click_bar(dash_page, trend, index=0)
    settle(dash_page)
    wait_for_query(dash_page, [("procedure", "tpi_local_anesthetic")])


def test_csv_and_png_downloads(dash_page: Page, live_server: LiveServer):
    open_overview(dash_page, live_server.url)
    button = dash_page.locator('[id=\'{"panel":"volume-by-clinic","type":"overview-csv"}\']')
    with dash_page.expect_download() as download_info:
        button.click()
    download = download_info.value
    assert download.suggested_filename == (
        "clinicops-volume-by-clinic-2025-04-02-to-2025-06-30.csv"
    )
    rows = list(csv.DictReader(io.StringIO(Path(download.path()).read_text(encoding="utf-8"))))
    by_id = {row["clinic_id"]: row for row in rows}
    assert by_id[FORMULA_CLINIC[0]]["name"] == "'" + FORMULA_CLINIC[1]
    assert by_id[FORMULA_CLINIC[0]]["procedures"] == "3"
    total = sum(int(row["procedures"]) for row in rows)
    assert f"{total:,}" == kpi_values(dash_page)["kpi-procedures"]

    chart = graph(dash_page, "volume-by-clinic", "overview-clinic-chart")
    chart.hover()
    titles = chart.locator(".modebar-btn").evaluate_all(
        "buttons => buttons.map(b => b.getAttribute('data-title'))"
    )
    assert titles == ["Download plot as a PNG"]  # nothing that uploads to a cloud
    with dash_page.expect_download() as png_info:
        chart.locator(".modebar-btn").first.click()
    assert png_info.value.suggested_filename == "clinicops-volume-by-clinic.png"
    assert Path(png_info.value.path()).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_an_empty_selection_says_so_in_words(dash_page: Page, live_server: LiveServer):
    open_overview(dash_page, live_server.url, "?start=2001-01-01&end=2001-01-31")
    values = kpi_values(dash_page)
    assert values["kpi-procedures"] == "0"
    assert values["kpi-ae-rate"] == values["kpi-followup-rate"] == "—"
    assert values["kpi-median-soreness"] == "—"
    trend = dash_page.locator('[id=\'{"panel":"volume-trend","type":"overview-panel-body"}\']')
    assert "No procedures match these filters" in trend.inner_text()
    assert dash_page.locator(".empty-state").count() == 14
    assert dash_page.locator(".js-plotly-plot").count() == 1  # the map: clinics, hollow


def test_the_back_button_goes_back(dash_page: Page, live_server: LiveServer):
    first = expected_kpis(live_server, default_filters())
    thirty = expected_kpis(live_server, Filters(start=date(2025, 6, 1), end=DATA_END))
    open_overview(dash_page, live_server.url)
    wait_for_kpis(dash_page, first)
    choose(dash_page, "overview-preset", "Last 30 days")
    wait_for_query(dash_page, [("start", "2025-06-01"), ("end", "2025-06-30")])
    wait_for_kpis(dash_page, thirty)
    choose(dash_page, "overview-procedures", "TPI – saline")
    wait_for_query(
        dash_page, [("start", "2025-06-01"), ("end", "2025-06-30"), ("procedure", "tpi_saline")]
    )

    dash_page.go_back()
    settle_and_draw(dash_page)
    wait_for_query(dash_page, [("start", "2025-06-01"), ("end", "2025-06-30")])
    wait_for_kpis(dash_page, thirty)
    expect(dash_page.locator("#overview-procedures")).to_have_text("All types")

    dash_page.go_back()
    settle_and_draw(dash_page)
    wait_for_query(dash_page, [])
    wait_for_kpis(dash_page, first)
    expect(dash_page.locator("#overview-dates-start")).to_have_value("2 Apr 2025")

    dash_page.go_forward()
    settle_and_draw(dash_page)
    wait_for_kpis(dash_page, thirty)


def test_unknown_and_malformed_values_are_dropped_with_a_notice(
    dash_page: Page, live_server: LiveServer
):
    clinic_id = directory(live_server)[0][0]
    open_overview(
        dash_page,
        live_server.url,
        f"?start=2025-02-30&end=2025-06-30&clinic={clinic_id}&clinic=NOPE&procedure=laser"
        "&region=%3Cb%3EAtlantis%3C%2Fb%3E",
    )
    notice = dash_page.locator("#overview-notice").inner_text()
    for named in ("2025-02-30", "NOPE", "laser", "<b>Atlantis</b>"):
        assert named in notice
    expected = Filters(start=date(2025, 4, 2), end=DATA_END, clinics=(clinic_id,))
    wait_for_kpis(dash_page, expected_kpis(live_server, expected))
    dash_page.locator("#overview-notice .btn-close").click()
    expect(dash_page.locator("#overview-notice .alert")).to_be_hidden()


def test_nothing_is_loaded_from_outside_and_the_map_draws_offline(
    dash_page: Page, live_server: LiveServer
):
    open_overview(dash_page, live_server.url)
    dash_page.wait_for_selector(".layer.subunits path", state="attached")
    requested = dash_page.requests  # type: ignore[attr-defined]
    assert any(url.endswith("/assets/topojson/usa_110m.json") for url in requested)
    outside = [
        url for url in requested if urlsplit(url).hostname not in {"127.0.0.1"}
        and not url.startswith(("data:", "blob:"))
    ]  # fmt: skip
    assert outside == []
    markers = dash_page.locator(
        '[id=\'{"panel":"clinic-map","type":"overview-clinic-chart"}\'] .scattergeo path.point'
    )
    assert markers.count() >= 8


#: Per chart, the margins the server sent and the ones plotly drew with (after automargin).
DRAWN_MARGINS = """() => [...document.querySelectorAll('.js-plotly-plot')].map(gd => [
    (gd.closest('[id]') || gd).id,
    ['l', 'r', 't', 'b'].map(side => [(gd.layout.margin || {})[side] || 0,
                                      gd._fullLayout._size[side]]),
])"""


def test_every_chart_has_room_for_its_labels_before_it_is_drawn(
    dash_page: Page, live_server: LiveServer
):
    """The server sizes each chart's margins to its labels and legend (figures.margins), so
    plotly's automargin finds nothing to grow and draws each chart once, not twice. A margin
    that automargin had to widen shows here as drawn > sent."""
    open_overview(dash_page, live_server.url, "?start=2024-07-01&end=2025-06-30")
    charts = dash_page.evaluate(DRAWN_MARGINS)
    assert len(charts) >= 14
    grown = [
        (chart_id, side, sent, drawn)
        for chart_id, sides in charts
        for side, (sent, drawn) in zip("lrtb", sides, strict=True)
        if drawn > sent + 0.5
    ]
    assert grown == []


#: Per chart of clinics (a category y axis): the y range plotly drew and its clinic count.
CLINIC_ROWS = """() => [...document.querySelectorAll('.js-plotly-plot')]
    .filter(gd => gd._fullLayout.yaxis && gd._fullLayout.yaxis.type === 'category')
    .map(gd => [(gd.closest('[id]') || gd).id, gd._fullLayout.yaxis.range,
                gd._fullLayout.yaxis._categories.length])"""


def test_charts_of_clinics_start_at_their_first_clinic(dash_page: Page, live_server: LiveServer):
    """A clinic chart is one row per clinic from top to bottom. Left to autorange, plotly
    pads an axis that shows markers by 5 % of its length at each end: with 200 clinics,
    eleven empty rows above the first clinic of "Soreness by clinic" and below its last."""
    open_overview(dash_page, live_server.url, "?start=2024-07-01&end=2025-06-30")
    charts = dash_page.evaluate(CLINIC_ROWS)
    clinic_charts = [chart for chart in charts if "clinic-chart" in chart[0]]
    assert len(clinic_charts) >= 5
    assert any("soreness-by-clinic" in chart_id for chart_id, _, _ in clinic_charts)
    for chart_id, (low, high), clinics in clinic_charts:
        assert clinics >= 8, chart_id
        assert (low, high) == pytest.approx((-0.5, clinics - 0.5)), chart_id
