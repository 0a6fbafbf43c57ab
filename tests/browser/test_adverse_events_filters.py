"""The adverse-event page's filter bar in Chromium: kept in the URL by the component the
overview uses too (``components.url_filters``), with the page's own parameters beside it."""

from __future__ import annotations

import contextlib

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import LiveServer
from tests.browser.helpers import query_of, settle, wait_for_query
from tests.browser.test_overview import choose, directory

pytestmark = pytest.mark.browser


def assert_query(page: Page, expected: list[tuple[str, str]]) -> None:
    """Wait for the URL to hold exactly these pairs; if it does not, show what it holds
    (this module's asserts are rewritten, the helpers' are not)."""
    with contextlib.suppress(AssertionError):
        wait_for_query(page, expected)
    assert query_of(page) == expected


def test_filters_write_the_url_keep_the_view_and_go_back(dash_page: Page, live_server: LiveServer):
    clinics = directory(live_server)
    first_region = clinics[0][2]
    other_region = next(region for _, _, region in clinics if region != first_region)
    clinic_id, clinic_name, _ = clinics[0]
    dash_page.goto(f"{live_server.url}/adverse-events?rates=severity&focus={clinic_id}")
    dash_page.wait_for_selector("#ae-signals li, #ae-signals p")
    settle(dash_page)

    # The rates tab survives a change of filters; the clinic ringed on the funnel does not.
    choose(dash_page, "ae-regions", first_region)
    assert_query(dash_page, [("region", first_region), ("rates", "severity")])
    choose(dash_page, "ae-clinics", clinic_name)
    chosen = [("region", first_region), ("clinic", clinic_id), ("rates", "severity")]
    assert_query(dash_page, chosen)

    # Leaving the clinic's region drops the clinic, rather than a link that names it only
    # for the page to ignore it.
    choose(dash_page, "ae-regions", other_region)
    both = [("region", r) for r in sorted((first_region, other_region))]
    assert_query(dash_page, [*both, ("clinic", clinic_id), ("rates", "severity")])
    choose(dash_page, "ae-regions", first_region)  # deselects it
    assert_query(dash_page, [("region", other_region), ("rates", "severity")])
    expect(dash_page.locator("#ae-notice")).to_have_text("")

    for _ in range(2):
        dash_page.go_back()
        settle(dash_page)
    assert_query(dash_page, chosen)
    expect(dash_page.locator("#ae-clinics")).to_contain_text(clinic_name)
    expect(dash_page.locator("#ae-rates-tabs .nav-link.active")).to_have_text("By severity")
