"""A session that ends while a page is open: the next callback takes the browser to the
sign-in page, which leads back to the page it was on, with no JavaScript error on the way
(Dash's renderer alone throws "body stream already read" on a 401 and leaves the panels as
they were)."""

from __future__ import annotations

import secrets
import time
from urllib.parse import unquote

import pytest
from playwright.sync_api import Browser, Route, expect

from data_access.queries.users import create_user
from data_access.roles import Role
from tests.browser.auth import sign_in
from tests.browser.conftest import LiveServer

pytestmark = pytest.mark.browser


def test_an_ended_session_leads_to_sign_in_and_back(
    chromium: Browser, live_server: LiveServer
) -> None:
    username, password = f"expiring-{secrets.token_hex(3)}", secrets.token_urlsafe(16)
    with live_server.engine.begin() as conn:
        create_user(conn=conn, username=username, password=password, role=Role.ADMIN)
    context = chromium.new_context(viewport={"width": 1400, "height": 1000})
    context.set_default_timeout(20_000)
    try:
        page = context.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda error: errors.append(str(error)))
        sign_in(page, live_server.url, username, password)
        expect(page.locator("#kpi-procedures")).not_to_be_empty()
        context.clear_cookies()  # the session ends, as when it expires
        # The page change fires several callbacks at once. Holding the reload back a moment
        # lets every one of their 401s reach the page before it goes (in a real browser the
        # reload usually, not always, wins that race): none may reach Dash's renderer.
        held: list[str] = []

        def hold_the_reload(route: Route) -> None:
            if not held:
                held.append(route.request.url)
                time.sleep(1.5)
            route.continue_()

        page.route("**/adverse-events", hold_the_reload)
        page.locator(".shell-navbar").get_by_role("link", name="Adverse events").click()
        page.wait_for_url(lambda url: "/login" in url)
        assert unquote(page.url).endswith("/login?next=/adverse-events"), page.url
        assert held, "the reload was not seen"
        sign_in(page, live_server.url, username, password)
        assert page.url == f"{live_server.url}/adverse-events"
        assert not errors, f"errors in the page: {errors}"
    finally:
        context.close()
