"""Helpers for driving the overview in Chromium: waiting for Dash's callbacks to finish,
reading KPI cards, picking dropdown options and clicking chart marks."""

from __future__ import annotations

import json
import time
from collections.abc import Mapping
from urllib.parse import parse_qsl, urlsplit

from playwright.sync_api import Locator, Page

KPI_IDS = (
    "kpi-procedures",
    "kpi-patients",
    "kpi-ae-rate",
    "kpi-followup-rate",
    "kpi-median-soreness",
    "kpi-referrals",
)
CALLBACK_PATH = "/_dash-update-component"


def track_callbacks(page: Page) -> None:
    """Count the page's callback requests in flight (``settle`` waits for none)."""
    state = {"in_flight": 0, "last": time.monotonic()}

    def started(request: object) -> None:
        if CALLBACK_PATH in getattr(request, "url", ""):
            state["in_flight"] += 1
            state["last"] = time.monotonic()

    def ended(request: object) -> None:
        if CALLBACK_PATH in getattr(request, "url", ""):
            state["in_flight"] -= 1
            state["last"] = time.monotonic()

    page.on("request", started)
    page.on("requestfinished", ended)
    page.on("requestfailed", ended)
    page.callback_state = state  # type: ignore[attr-defined]


def settle(page: Page, *, quiet_ms: int = 700, timeout_s: float = 20.0) -> None:
    """Wait until no callback has been in flight for ``quiet_ms`` (the page is up to date)."""
    state: dict[str, float] = page.callback_state  # type: ignore[attr-defined]
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        page.wait_for_timeout(100)
        quiet = time.monotonic() - state["last"]
        if state["in_flight"] <= 0 and quiet * 1000 >= quiet_ms:
            return
    raise AssertionError("callbacks still running after the timeout")


#: True once every chart on the page has been drawn (axes or a map in its SVG).
CHARTS_DRAWN = """() => [...document.querySelectorAll('.panel-graph')].every(graph => {
    const plot = graph.querySelector('.js-plotly-plot');
    return plot && plot.querySelector('.main-svg')
        && plot.querySelector('.xtick text, .ytick text, .geolayer .geo');
})"""


def settle_and_draw(page: Page) -> None:
    """Wait for the callbacks to finish and for plotly to draw what they returned."""
    settle(page)
    page.wait_for_function(CHARTS_DRAWN)
    page.wait_for_timeout(150)  # plotly redraws once more after measuring label margins


def open_overview(page: Page, base_url: str, search: str = "") -> None:
    page.goto(f"{base_url}/{search}")
    page.wait_for_selector("#kpi-procedures")
    settle_and_draw(page)


def kpi_values(page: Page) -> dict[str, str]:
    return {kpi_id: page.locator(f"#{kpi_id}").inner_text().strip() for kpi_id in KPI_IDS}


def wait_for_kpis(page: Page, expected: Mapping[str, str], timeout_s: float = 20.0) -> None:
    """Wait until the KPI cards show these values (the last callbacks may still be queued
    on a busy machine), then assert them."""
    deadline = time.monotonic() + timeout_s
    while kpi_values(page) != dict(expected) and time.monotonic() < deadline:
        page.wait_for_timeout(100)
    assert kpi_values(page) == dict(expected)


def query_of(page: Page) -> list[tuple[str, str]]:
    return parse_qsl(urlsplit(page.url).query)


def wait_for_query(page: Page, expected: list[tuple[str, str]], timeout_s: float = 20.0) -> None:
    """Wait until the URL's query string holds exactly these pairs, then assert it."""
    deadline = time.monotonic() + timeout_s
    while query_of(page) != expected and time.monotonic() < deadline:
        page.wait_for_timeout(100)
    assert query_of(page) == expected


def pick_option(page: Page, dropdown_id: str, text: str) -> None:
    """Open a dcc.Dropdown, type to search, and choose the option with this text."""
    page.locator(f"#{dropdown_id}").click()
    search = page.locator(f"#{dropdown_id} input, [role=dialog] input[type=search]")
    if search.count():
        search.first.fill(text)
    page.get_by_role("option", name=text, exact=False).first.click()
    page.keyboard.press("Escape")


def graph(page: Page, panel: str, kind: str) -> Locator:
    element_id = json.dumps({"panel": panel, "type": kind}, separators=(",", ":"))
    return page.locator(f"[id='{element_id}']")


def click_bar(page: Page, chart: Locator, index: int = 0) -> None:
    """Click the middle of a bar the way a person does (plotly listens on its drag layer)."""
    bar = chart.locator(".bars .point path").nth(index)
    bar.scroll_into_view_if_needed()
    box = bar.bounding_box()
    assert box is not None
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)


def axis_labels(chart: Locator, axis: str = "y") -> list[str]:
    texts = chart.locator(f".{axis}tick text").evaluate_all("els => els.map(e => e.textContent)")
    return [text.strip() for text in texts]


def as_search(pairs: Mapping[str, str] | list[tuple[str, str]]) -> str:
    from urllib.parse import urlencode

    return "?" + urlencode(list(pairs.items()) if isinstance(pairs, Mapping) else pairs)
