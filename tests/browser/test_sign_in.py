"""Sign-in in a real browser, and the scope of a staff member against replayed callbacks.

The replay test does what a curious user with the browser's developer tools could: it records
every callback request the overview and adverse-event pages make for a staff member of one
clinic, then sends each again with that clinic's id swapped for every other clinic's (and for
an id that does not exist). The answers must name no other clinic and be exactly the answers to
the nonexistent id: nothing of another clinic's figures comes back.
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, BrowserContext, Page
from sqlalchemy import select

from data_access.queries.users import create_user
from data_access.schema import clinics
from tests.browser.auth import sign_in
from tests.browser.conftest import LiveServer

pytestmark = pytest.mark.browser
NOWHERE = "NO-SUCH-CLINIC"


@pytest.fixture(scope="module")
def staff_account(live_server: LiveServer) -> tuple[str, str, str]:
    """(username, password, clinic id) of a staff member of the first clinic."""
    with live_server.engine.begin() as conn:
        clinic_id = conn.execute(
            select(clinics.c.clinic_id).order_by(clinics.c.clinic_id).limit(1)
        ).scalar_one()
        password = secrets.token_urlsafe(16)
        create_user(
            conn=conn, username="browser-staff", password=password, role="staff",
            clinics=(clinic_id,),
        )  # fmt: skip
    return "browser-staff", password, clinic_id


@pytest.fixture
def fresh_context(chromium: Browser) -> Iterator[BrowserContext]:
    context = chromium.new_context(viewport={"width": 1400, "height": 1000})
    yield context
    context.close()


def test_sign_in_with_enter_and_sign_out(
    fresh_context: BrowserContext, live_server: LiveServer, staff_account: tuple[str, str, str]
) -> None:
    username, password, _ = staff_account
    page = fresh_context.new_page()
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.goto(live_server.url + "/adverse-events")
    assert "/login" in page.url
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", "not the password")
    page.press("input[name=password]", "Enter")
    assert "Wrong username or password" in page.inner_text("body")
    sign_in(page, live_server.url, username, password)
    page.wait_for_url(f"{live_server.url}/adverse-events")
    page.wait_for_load_state("networkidle")
    assert not [e for e in errors if "Content Security Policy" in e or "CSP" in e], errors
    page.goto(live_server.url + "/logout")
    assert "/login" in page.url
    page.goto(live_server.url + "/")
    assert "/login" in page.url


def record_callbacks(page: Page, url: str, clinic_id: str) -> list[str]:
    """Every callback request the pages make, unfiltered and filtered on the staff's clinic."""
    bodies: list[str] = []
    page.on(
        "request",
        lambda r: bodies.append(r.post_data or "") if "/_dash-update-component" in r.url else None,
    )
    for path in (
        "/",
        "/adverse-events",
        f"/?clinic={clinic_id}",
        f"/adverse-events?clinic={clinic_id}",
    ):
        page.goto(url + path)
        page.wait_for_load_state("networkidle")
        page.wait_for_timeout(1500)
    return bodies


def test_replayed_callbacks_with_other_clinic_ids_return_nothing_of_theirs(
    fresh_context: BrowserContext, live_server: LiveServer, staff_account: tuple[str, str, str]
) -> None:
    username, password, own = staff_account
    page = fresh_context.new_page()
    sign_in(page, live_server.url, username, password)
    bodies = record_callbacks(page, live_server.url, own)
    assert len(bodies) >= 10
    with live_server.engine.connect() as conn:
        others = {row.clinic_id: row.name for row in conn.execute(select(clinics))}
    own_name = others.pop(own)
    forbidden = {text for name in others.values() for text in (name, json.dumps(name)[1:-1])}
    forbidden -= {own_name}

    def answer(body: str, clinic_id: str) -> str:
        response = fresh_context.request.post(
            live_server.url + "/_dash-update-component",
            data=body.replace(own, clinic_id),
            headers={"Content-Type": "application/json"},
        )
        return response.text().replace(clinic_id, "<swapped>")

    replays = 0
    for body in {b for b in bodies if own in b}:
        nowhere = answer(body, NOWHERE)
        for other in others:
            text = answer(body, other)
            leaked = [name for name in forbidden if name in text]
            assert not leaked, (other, leaked, body[:300])
            assert text == nowhere, (other, body[:300])
            replays += 1
    assert replays >= len(others)
