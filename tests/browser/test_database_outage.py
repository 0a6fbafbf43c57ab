"""A real database outage under a browser session: PostgreSQL killed, then started again.

The test owns its PostgreSQL server (``tests.private_postgres``: a throwaway cluster on a free
port; the shared server the other tests use stays up), loads a small demo network into it and
serves ``create_app`` for it, the engine made on the first request as in production. Signed in,
with the overview open on a date range, it kills the server (an immediate stop: every
connection dies at once) and changes a filter: the "clinic database unavailable, retrying"
notice must show, with no error page, no traceback and no spinner left turning, and stay while
the retries fail. Then it starts the server again on the same port, and the page must recover
by itself, with no reload: the notice closes, the panels redraw with the figures of the filters
in the URL, and filtering works again. Missing PostgreSQL binaries or Chromium skip the test
locally and fail it under ``CI=true``.
"""

from __future__ import annotations

import logging
import secrets
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, Request, expect
from werkzeug.serving import make_server

from dashboard import outage, runtime
from dashboard.app import create_app
from dashboard.panels import ids
from data_access.demo import generate_demo, load_demo
from data_access.engine import make_engine
from data_access.filters import Filters, Scope
from data_access.migrate import upgrade_to_head
from data_access.queries.clinics import clinic_directory
from data_access.queries.users import create_user
from data_access.roles import Role
from tests.browser.auth import sign_in
from tests.browser.conftest import DATA_END, LiveServer
from tests.browser.helpers import (
    CALLBACK_PATH,
    kpi_values,
    query_of,
    settle,
    settle_and_draw,
    track_callbacks,
    wait_for_kpis,
    wait_for_query,
)
from tests.browser.test_overview import choose, expected_kpis
from tests.conftest import make_settings, require
from tests.private_postgres import ClusterUnavailable, PrivateCluster, private_cluster

pytestmark = [pytest.mark.browser, pytest.mark.postgres]
SHOWN = Filters(start=date(2024, 10, 1), end=date(2025, 3, 31))
SHOWN_QUERY = [("start", "2024-10-01"), ("end", "2025-03-31")]
SPINNERS = ".dash-spinner, ._dash-loading-callback"
ERROR_TEXTS = ("Traceback", "Internal Server Error", "Service Unavailable", "Callback error")
#: The retry timer's period plus room for a busy machine.
RETRY_WAIT_MS = outage.RETRY_SECONDS * 1000 + 10_000


@dataclass(frozen=True)
class OutageServer:
    live: LiveServer
    cluster: PrivateCluster
    username: str
    password: str


@pytest.fixture
def cluster() -> Iterator[PrivateCluster]:
    try:
        with private_cluster() as started:
            yield started
    except ClusterUnavailable as missing:
        require(False, str(missing))


@pytest.fixture
def outage_server(cluster: PrivateCluster, tmp_path: Path) -> Iterator[OutageServer]:
    """The app on the private cluster, with four demo clinics and an administrator."""
    cluster.create_database("clinicops")
    settings = make_settings(
        tmp_path,
        cluster.url("clinicops"),
        demo_on_empty=False,
        secret_key=secrets.token_hex(32),
        connect_timeout_s=2,
        statement_timeout_ms=5_000,
    )
    engine = make_engine(settings)  # the test's own: schema, data and expected figures
    upgrade_to_head(engine)
    username, password = "outage-admin", secrets.token_urlsafe(16)
    with engine.begin() as conn:
        load_demo(conn=conn, batch=generate_demo(clinics=4, years=1.0, seed=7, end=DATA_END))
        create_user(conn=conn, username=username, password=password, role=Role.ADMIN)
    app = create_app(settings)  # no engine: made on the first request, as in production
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    server = make_server("127.0.0.1", 0, app.server, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="outage-dash", daemon=True)
    thread.start()
    try:
        live = LiveServer(url=f"http://127.0.0.1:{server.port}", engine=engine)
        yield OutageServer(live, cluster, username, password)
    finally:
        server.shutdown()
        thread.join(timeout=10)
        # The app's pool too: left to the garbage collector, its connections would warn
        # (ResourceWarning, an error here) in whichever test runs next.
        runtime.of(app.server).engine.dispose()
        engine.dispose()


@pytest.fixture
def outage_page(chromium: Browser) -> Iterator[tuple[Page, list[str]]]:
    """A fresh context's tab, and the JavaScript errors and 5xx answers it saw."""
    context: BrowserContext = chromium.new_context(viewport={"width": 1366, "height": 900})
    context.set_default_timeout(20_000)
    page = context.new_page()
    failures: list[str] = []
    page.on("pageerror", lambda error: failures.append(str(error)))
    page.on(
        "response",
        lambda answer: (
            failures.append(f"{answer.status} {answer.url}") if answer.status >= 500 else None
        ),
    )
    track_callbacks(page)
    yield page, failures
    context.close()


def updates(request: Request, output: str) -> bool:
    """Whether ``request`` is a callback request whose outputs include ``output`` (an id, or
    "id.property")."""
    if CALLBACK_PATH not in request.url or request.method != "POST":
        return False
    body = request.post_data_json
    return isinstance(body, dict) and output in str(body.get("output", ""))


def some_region(server: LiveServer) -> str:
    with server.engine.connect() as conn:
        frame = clinic_directory(conn=conn, scope=Scope.everything())
    return str(frame["region"].iloc[0])


def test_the_notice_shows_while_postgres_is_down_and_the_page_recovers_by_itself(
    outage_server: OutageServer, outage_page: tuple[Page, list[str]]
) -> None:
    server, cluster = outage_server.live, outage_server.cluster
    page, failures = outage_page
    page.goto(f"{server.url}/?start=2024-10-01&end=2025-03-31")  # on to the sign-in page
    sign_in(page, server.url, outage_server.username, outage_server.password)
    settle_and_draw(page)
    figures = expected_kpis(server, SHOWN)
    assert figures["kpi-procedures"] not in {"0", "—"}
    wait_for_kpis(page, figures)
    assert query_of(page) == SHOWN_QUERY
    region = some_region(server)
    notice = page.locator(f"#{outage.ALERT_ID}")
    expect(notice).to_be_hidden()

    cluster.kill()
    with page.expect_response(
        lambda answer: updates(answer.request, f"{ids.URL}.search")
    ) as failed:
        choose(page, "overview-regions", region)
    failed.value.finished()
    # An answer within seconds (the server refuses connections at once), not a hung request.
    assert failed.value.status == 200 and failed.value.request.timing["responseEnd"] < 5_000
    expect(notice).to_be_visible()
    expect(notice).to_contain_text("Clinic database unavailable, retrying")
    expect(page.locator(SPINNERS)).to_have_count(0)
    # The figures stay as they were (stale, as the notice says), not blanked or an error.
    assert kpi_values(page) == figures
    assert query_of(page) == SHOWN_QUERY
    # A retry while the server is still down keeps the notice open.
    with page.expect_response(
        lambda answer: updates(answer.request, outage.RETRY_ID), timeout=RETRY_WAIT_MS
    ) as retried:
        pass
    assert retried.value.json()["sideUpdate"] == outage.open_notice_props()
    expect(notice).to_be_visible()
    body = page.locator("body").inner_text()
    assert not [text for text in ERROR_TEXTS if text in body], body

    redraws: list[Request] = []
    page.on("request", lambda request: redraws.append(request))
    cluster.start()
    expect(notice).to_be_hidden(timeout=RETRY_WAIT_MS)
    # The page read its URL again: the panels redrew, and the filter bar shows the filters
    # the figures are for (the change made during the outage never reached the URL).
    settle(page)
    assert any(updates(request, "kpi-procedures.children") for request in redraws), "no redraw"
    wait_for_kpis(page, figures)
    assert query_of(page) == SHOWN_QUERY
    assert region not in page.locator("#overview-regions").inner_text()
    expect(page.locator(SPINNERS)).to_have_count(0)

    # Filtering works again, on the same connection pool the outage broke.
    choose(page, "overview-regions", region)
    wait_for_query(page, [*SHOWN_QUERY, ("region", region)])
    regional = Filters(start=SHOWN.start, end=SHOWN.end, regions=(region,))
    wait_for_kpis(page, expected_kpis(server, regional))
    assert not failures, f"errors in the page: {failures}"
