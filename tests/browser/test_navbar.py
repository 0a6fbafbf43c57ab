"""The page shell's navbar in Chromium at a phone's width and a laptop's: on a 390-pixel phone
it is one compact row (name, freshness, toggler) whose menu opens with the links, the review
badge and the user menu, and those work; at 1366x768 it is one row with everything showing.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Locator, Page, expect

from data_access.queries.users import create_user
from data_access.roles import Role
from tests.browser.auth import sign_in
from tests.browser.conftest import LiveServer

pytestmark = pytest.mark.browser
#: Callbacks share two cores with the test runner: wait as long as actions do.
expect.set_options(timeout=20_000)

PHONE = {"width": 390, "height": 844}
FRESHNESS = "Data through 30 Jun 2025"


@pytest.fixture
def phone_page(chromium: Browser, live_server: LiveServer) -> Iterator[Page]:
    """A 390x844 tab signed in as an administrator of its own (it signs out, which ends every
    session of that user, so not the session the other browser tests share). Fails the test
    on a JavaScript error or a server error."""
    username, password = f"phone-admin-{secrets.token_hex(3)}", secrets.token_urlsafe(16)
    with live_server.engine.begin() as conn:
        create_user(conn=conn, username=username, password=password, role=Role.ADMIN)
    context = chromium.new_context(viewport=PHONE, is_mobile=True, has_touch=True)
    context.set_default_timeout(20_000)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("response", lambda r: errors.append(f"{r.status} {r.url}") if r.status >= 500 else None)
    sign_in(page, live_server.url, username, password)
    yield page
    context.close()
    assert not errors, f"errors in the page: {errors}"


def box(locator: Locator) -> dict[str, float]:
    found = locator.bounding_box()
    assert found is not None, f"{locator} is not on screen"
    return found


def menu_entries(navbar: Locator) -> dict[str, Locator]:
    """What the menu holds: the page links, the review badge and the user menu."""
    return {
        "overview": navbar.get_by_role("link", name="Overview", exact=True),
        "adverse events": navbar.get_by_role("link", name="Adverse events", exact=True),
        "review badge": navbar.locator("#ae-navbar-badge a"),
        "user": navbar.locator("#shell-user-menu .navbar-text"),
        "audit log": navbar.get_by_role("link", name="Audit log"),
        "sign out": navbar.get_by_role("link", name="Sign out"),
    }


def test_on_a_phone_the_navbar_is_one_row_whose_menu_opens_and_works(
    phone_page: Page, live_server: LiveServer
):
    page = phone_page
    navbar = page.locator(".shell-navbar")
    toggler = navbar.locator(".navbar-toggler")
    freshness = page.locator("#shell-data-freshness")
    entries = menu_entries(navbar)
    expect(freshness).to_have_text(FRESHNESS)
    expect(freshness).to_be_visible()
    expect(navbar.get_by_text("ClinicOps", exact=True)).to_be_visible()
    expect(toggler).to_be_visible()
    for name, entry in entries.items():
        expect(entry, f"{name} shows in the closed menu").to_be_hidden()

    bar = box(navbar)
    assert bar["height"] <= 64, f"the closed navbar is {bar['height']} px tall, not one row"
    bottom = bar["y"] + bar["height"]
    for part in (toggler, freshness, navbar.locator(".navbar-brand")):
        inside = box(part)
        assert bar["y"] <= inside["y"] and inside["y"] + inside["height"] <= bottom
        assert inside["x"] + inside["width"] <= PHONE["width"]
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]

    toggler.click()
    for name, entry in entries.items():
        expect(entry, f"{name} missing from the open menu").to_be_visible()
    expect(freshness).to_be_visible()

    entries["adverse events"].click()
    page.wait_for_url(f"{live_server.url}/adverse-events**")
    expect(page.get_by_role("heading", name="Adverse-event surveillance")).to_be_visible()
    # Dash changes the page without reloading it: the menu closes on its own.
    expect(entries["adverse events"]).to_be_hidden()
    expect(toggler).to_be_visible()

    toggler.click()
    expect(entries["sign out"]).to_be_visible()
    entries["sign out"].click()
    page.wait_for_url(f"{live_server.url}/login**")


def test_on_a_laptop_the_navbar_is_one_row_without_a_toggler(
    dash_page: Page, live_server: LiveServer
):
    dash_page.goto(live_server.url + "/")
    navbar = dash_page.locator(".shell-navbar")
    freshness = dash_page.locator("#shell-data-freshness")
    expect(freshness).to_have_text(FRESHNESS)
    expect(navbar.locator(".navbar-toggler")).to_be_hidden()
    entries = menu_entries(navbar)
    for name, entry in entries.items():
        expect(entry, f"{name} hidden at 1366x768").to_be_visible()

    bar = box(navbar)
    assert bar["height"] <= 60, f"the navbar is {bar['height']} px tall, not one row"
    row = [navbar.locator(".brand-name"), freshness, *entries.values()]
    middles = [box(part)["y"] + box(part)["height"] / 2 for part in row]
    assert max(middles) - min(middles) <= 4, f"navbar items not on one line: {middles}"
    assert box(freshness)["x"] > max(box(entry)["x"] for entry in entries.values())
