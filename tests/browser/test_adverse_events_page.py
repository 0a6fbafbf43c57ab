"""The adverse-event surveillance page in Chromium, as a medical director uses it.

Two servers: the shared live server (``conftest.py``: the eight-clinic demo, one clinic
drifting upward) and, for the tests that write reviews or need a planted event, a server on
the held-out network of ``tests/integration/heldout.py`` (one clinic at five times the rate,
one serious event whose description is ``<b>x</b>``), so the shared data stay untouched.
"""

from __future__ import annotations

import secrets
import threading
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, expect
from werkzeug.serving import make_server

from dashboard.app import create_app
from data_access.demo import generate_demo
from data_access.engine import make_engine
from data_access.migrate import upgrade_to_head
from data_access.queries.users import create_user
from data_access.roles import Role
from tests.browser.conftest import DATA_END, LiveServer
from tests.browser.helpers import settle, track_callbacks
from tests.conftest import make_settings
from tests.integration.heldout import MARKUP, MARKUP_EVENT, OUTLIER_NAME, load_heldout_network

pytestmark = pytest.mark.browser
#: Callbacks share two cores with the test runner: wait as long as actions do.
expect.set_options(timeout=20_000)


def _director(server: LiveServer) -> tuple[str, str]:
    username, password = f"director-{secrets.token_hex(3)}", secrets.token_urlsafe(16)
    with server.engine.begin() as conn:
        create_user(conn=conn, username=username, password=password,
                    role=Role.MEDICAL_DIRECTOR)  # fmt: skip
    return username, password


def _signed_in_page(browser: Browser, server: LiveServer) -> Iterator[Page]:
    """A tab signed in as a new medical director; fails the test on a JavaScript error or a
    server error."""
    username, password = _director(server)
    context = browser.new_context(viewport={"width": 1366, "height": 900})
    context.set_default_timeout(20_000)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("response", lambda r: errors.append(f"{r.status} {r.url}") if r.status >= 500 else None)
    page.goto(f"{server.url}/login?next=/adverse-events")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.locator("form [type=submit]").first.click()
    page.wait_for_url(f"{server.url}/**")
    track_callbacks(page)
    yield page
    context.close()
    assert not errors, f"errors in the page: {errors}"


@pytest.fixture(scope="module")
def heldout_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    settings = make_settings(tmp_path_factory.mktemp("heldout-db"), demo_on_empty=False)
    engine = make_engine(settings)
    upgrade_to_head(engine)
    with engine.begin() as conn:
        load_heldout_network(conn)
    app = create_app(settings, engine=engine)
    server = make_server("127.0.0.1", 0, app.server, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="heldout-dash", daemon=True)
    thread.start()
    try:
        yield LiveServer(url=f"http://127.0.0.1:{server.port}", engine=engine)
    finally:
        server.shutdown()
        thread.join(timeout=10)
        engine.dispose()


@pytest.fixture
def director_page(chromium: Browser, live_server: LiveServer) -> Iterator[Page]:
    yield from _signed_in_page(chromium, live_server)


@pytest.fixture
def heldout_page(chromium: Browser, heldout_server: LiveServer) -> Iterator[Page]:
    yield from _signed_in_page(chromium, heldout_server)


def open_page(page: Page, server: LiveServer, search: str) -> None:
    page.goto(f"{server.url}/adverse-events{search}")
    page.wait_for_selector("#ae-signals li, #ae-signals p")
    settle(page)


def test_signals_name_the_drifting_clinic_and_explain_the_statistics(
    director_page: Page, live_server: LiveServer
):
    # The live server's data (conftest._load_test_data): which clinic the demo drifts.
    batch = generate_demo(clinics=8, years=1.5, seed=20250630, end=DATA_END)
    names = batch.clinics.set_index("clinic_id")["name"]
    drifting = [names[clinic] for clinic in batch.drifting_clinics]
    open_page(director_page, live_server, f"?start=2024-01-01&end={DATA_END}")
    flagged = director_page.locator("#ae-signals li[data-kind=clinic_high]")
    expect(flagged).to_have_count(len(drifting))
    for name in drifting:
        expect(flagged.filter(has_text=name)).to_have_count(1)
    body = director_page.locator("body")
    expect(body).to_contain_text("the funnel shows how far a clinic's rate can stray")
    expect(body).to_contain_text("Each whisker is a 95% confidence interval")
    expect(body).to_contain_text("Run rules catch smaller, lasting shifts")
    expect(director_page.locator("#ae-funnel-note")).to_contain_text("φ =")
    # The signal links to the funnel with the clinic ringed and its own control chart.
    flagged.first.locator("a").click()
    settle(director_page)
    assert "focus=" in director_page.url and "#ae-funnel" in director_page.url
    expect(director_page.locator("#ae-chart-subject")).to_contain_text(drifting[0])


def test_heldout_clinic_at_five_times_the_rate_is_named(
    heldout_page: Page, heldout_server: LiveServer
):
    open_page(heldout_page, heldout_server, "?start=2025-01-01&end=2025-12-31")
    flagged = heldout_page.locator("#ae-signals li[data-kind=clinic_high]")
    expect(flagged).to_have_count(1)
    expect(flagged).to_contain_text(OUTLIER_NAME)
    expect(heldout_page.locator("#ae-signals")).to_contain_text("Serious event at")


def test_review_through_the_modal_keeps_the_history(heldout_page: Page, heldout_server: LiveServer):
    open_page(heldout_page, heldout_server, "?start=2025-01-01&end=2025-12-31")
    first_row = heldout_page.locator("#ae-event-grid .ag-row[row-index='0'] .ag-cell").first
    expect(first_row).to_be_visible()
    first_row.click()
    modal = heldout_page.locator("#ae-review-modal")
    expect(modal).to_be_visible()
    expect(modal).to_contain_text("Not reviewed yet.")
    heldout_page.get_by_text("Expected (a known risk of the procedure)", exact=True).click()
    heldout_page.get_by_text("Related to the procedure", exact=True).click()
    heldout_page.fill("#ae-review-note", "First look: typical vasovagal.")
    heldout_page.click("#ae-review-save")
    expect(heldout_page.locator("#ae-review-feedback")).to_contain_text("Review saved.")
    history = heldout_page.locator("#ae-review-history li")
    expect(history).to_have_count(1)
    heldout_page.get_by_text("Unexpected", exact=True).click()
    heldout_page.get_by_text("Not related to the procedure", exact=True).click()
    heldout_page.fill("#ae-review-note", "Second opinion: unrelated.")
    heldout_page.click("#ae-review-save")
    expect(history).to_have_count(2)
    expect(history.nth(0)).to_contain_text("Unexpected, not related")
    expect(history.nth(0)).to_contain_text("Second opinion: unrelated.")
    expect(history.nth(1)).to_contain_text("Expected, related")
    expect(history.nth(1)).to_contain_text("First look: typical vasovagal.")
    heldout_page.click("#ae-review-close")
    status = heldout_page.locator(
        "#ae-event-grid .ag-row[row-index='0'] [col-id=review_status]"
    ).first
    expect(status).to_contain_text("Unexpected, not related")


def test_markup_in_a_description_shows_literally(heldout_page: Page, heldout_server: LiveServer):
    open_page(
        heldout_page, heldout_server, f"?start=2025-01-01&end=2025-12-31&event={MARKUP_EVENT}"
    )
    description = heldout_page.locator("#ae-review-description")
    expect(description).to_have_text(MARKUP)
    assert description.locator("b").count() == 0
    heldout_page.click("#ae-review-close")
    cell = heldout_page.locator(
        f"#ae-event-grid .ag-row[row-id='{MARKUP_EVENT}'] [col-id=description]"
    )
    expect(cell.first).to_have_text(MARKUP)
    assert cell.first.locator("b").count() == 0
