"""Browser-test fixtures: a real ClinicOps server on a small deterministic database, and
headless Chromium driven by Playwright.

The database is a demo network of eight clinics ending on a fixed date, plus one clinic whose
name starts with ``=`` (it must reach a CSV download neutralised). The server is the app of
``create_app`` served by werkzeug in a thread on a free port of 127.0.0.1. Where the app asks
for a sign-in, the session signs in once as an administrator created for the test. Chromium is
Debian's (``/usr/bin/chromium``): missing, the tests skip locally and fail under ``CI=true``.
"""

from __future__ import annotations

import logging
import os
import secrets
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, Playwright, sync_playwright
from sqlalchemy import Engine, insert
from werkzeug.serving import BaseWSGIServer, make_server

from dashboard.app import create_app
from data_access.demo import generate_demo, load_demo
from data_access.engine import make_engine
from data_access.migrate import upgrade_to_head
from data_access.schema import clinics, procedures
from tests.browser.helpers import track_callbacks
from tests.conftest import make_settings, require

CHROMIUM = Path("/usr/bin/chromium")
DATA_END = date(2025, 6, 30)
FORMULA_CLINIC = ("ZZ-FORMULA", '=HYPERLINK("http://evil.example","Clinic")')
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-default-apps",
    "--no-first-run",
    "--no-default-browser-check",
    "--metrics-recording-only",
    "--safebrowsing-disable-auto-update",
]


#: Where a failed browser test leaves its page: a full-page screenshot and the DOM.
ARTIFACTS = Path(os.environ.get("CLINICOPS_TEST_ARTIFACTS", "artifacts/browser-failures"))


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Iterator[None]:
    """On a failed test, save each open page it used, so an intermittent failure in CI can
    be read afterwards (what was on screen, and the grid's and charts' DOM)."""
    outcome = yield
    report = outcome.get_result()  # type: ignore[attr-defined]
    if report.when != "call" or not report.failed:
        return
    for name, value in getattr(item, "funcargs", {}).items():
        if not isinstance(value, Page) or value.is_closed():
            continue
        stem = ARTIFACTS / f"{item.name}-{name}"
        try:
            ARTIFACTS.mkdir(parents=True, exist_ok=True)
            value.screenshot(path=f"{stem}.png", full_page=True, timeout=10_000)
            Path(f"{stem}.html").write_text(value.content(), encoding="utf-8")
        except Exception as error:
            report.sections.append(("browser artifacts", f"could not save {stem}: {error}"))
        else:
            report.sections.append(("browser artifacts", f"{stem}.png and {stem}.html"))


@dataclass(frozen=True)
class LiveServer:
    url: str
    engine: Engine


def _load_test_data(engine: Engine) -> None:
    batch = generate_demo(clinics=8, years=1.5, seed=20250630, end=DATA_END)
    with engine.begin() as conn:
        load_demo(conn=conn, batch=batch)
        clinic_id, name = FORMULA_CLINIC
        conn.execute(
            insert(clinics),
            [{"clinic_id": clinic_id, "name": name, "region": "Formula Flats", "state": "KS",
              "latitude": 38.5, "longitude": -98.0, "ruca_code": 10,
              "timezone": "America/Chicago"}],
        )  # fmt: skip
        conn.execute(
            insert(procedures),
            [
                {"procedure_id": f"ZZ-P{day}", "clinic_id": clinic_id, "patient_id": f"ZZ-{day}",
                 "performed_on": date(2025, 6, day), "performed_at": datetime(2025, 6, day, 9),
                 "procedure_type": "other", "pain_before": 6, "pain_after": 3}
                for day in (2, 9, 16)
            ],
        )  # fmt: skip


def _sign_in_user(engine: Engine) -> tuple[str, str] | None:
    """An administrator for the sign-in page, when this app has one (``None`` otherwise)."""
    try:
        from data_access.queries.users import create_user
        from data_access.roles import Role
    except ImportError:
        return None
    username, password = "browser-admin", secrets.token_urlsafe(16)
    with engine.begin() as conn:
        create_user(
            conn=conn, username=username, password=password, role=Role.ADMIN, regions=(), clinics=()
        )
    return username, password


@pytest.fixture(scope="session")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    data_dir = tmp_path_factory.mktemp("browser-db")
    settings = make_settings(data_dir, demo_on_empty=False)
    engine = make_engine(settings)
    upgrade_to_head(engine)
    _load_test_data(engine)
    app = create_app(settings, engine=engine)
    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # one line per request is noise
    server: BaseWSGIServer = make_server("127.0.0.1", 0, app.server, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="live-dash", daemon=True)
    thread.start()
    try:
        yield LiveServer(url=f"http://127.0.0.1:{server.port}", engine=engine)
    finally:
        server.shutdown()
        thread.join(timeout=10)
        engine.dispose()


@pytest.fixture(scope="session")
def playwright_session() -> Iterator[Playwright]:
    require(CHROMIUM.exists(), f"Chromium is not installed at {CHROMIUM}")
    with sync_playwright() as playwright:
        yield playwright


@pytest.fixture(scope="session")
def chromium(playwright_session: Playwright) -> Iterator[Browser]:
    browser = playwright_session.chromium.launch(
        executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
    )
    yield browser
    browser.close()


@pytest.fixture(scope="session")
def signed_in_state(chromium: Browser, live_server: LiveServer) -> dict[str, object]:
    """Cookies of a signed-in session (empty where the app has no sign-in)."""
    context = chromium.new_context()
    page = context.new_page()
    page.goto(live_server.url + "/")
    if "/login" in page.url:
        credentials = _sign_in_user(live_server.engine)
        assert credentials is not None, "the app asks for a sign-in but has no users module"
        page.fill("input[name=username]", credentials[0])
        page.fill("input[name=password]", credentials[1])
        page.locator("form [type=submit]").first.click()
        page.wait_for_url(f"{live_server.url}/**")
        assert "/login" not in page.url, "signing in failed"
    state: dict[str, object] = dict(context.storage_state())
    context.close()
    return state


@pytest.fixture(scope="session")
def browser_context(
    chromium: Browser, signed_in_state: dict[str, object]
) -> Iterator[BrowserContext]:
    """One signed-in context for the session: its tabs share the HTTP cache, so each test
    does not download plotly.js again."""
    context = chromium.new_context(
        viewport={"width": 1366, "height": 768},
        storage_state=signed_in_state,  # type: ignore[arg-type]
        accept_downloads=True,
    )
    context.set_default_timeout(15_000)
    yield context
    context.close()


@pytest.fixture
def dash_page(browser_context: BrowserContext, live_server: LiveServer) -> Iterator[Page]:
    """A fresh tab (its own history) that records every request URL and fails the test on a
    JavaScript error or a failed callback."""
    page = browser_context.new_page()
    requests: list[str] = []
    errors: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on(
        "response",
        lambda response: (
            errors.append(f"{response.status} {response.url}") if response.status >= 500 else None
        ),
    )
    page.requests = requests  # type: ignore[attr-defined]
    track_callbacks(page)
    yield page
    page.close()
    assert not errors, f"errors in the page: {errors}"
