"""Database outage over HTTP (``dashboard.outage``): with the clinic database unreachable, a
callback request gets HTTP 200 with the "database unavailable" notice instead of a 500, a page
gets a 503 that retries, and the notice's retry closes it once the database answers."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import dash
import pytest
from flask.testing import FlaskClient
from sqlalchemy import exc

from dashboard import auth, outage, runtime
from dashboard.app import create_app
from data_access.engine import make_engine
from tests.conftest import make_settings
from tests.integration.auth_fixtures import auth_app, signed_in
from tests.integration.test_request_log import callback_body

__all__ = ["auth_app"]
CLOSED_PORT_URL = "postgresql://nobody@127.0.0.1:1/none"
CALLBACK = "/_dash-update-component"


def with_outage(app: dash.Dash) -> dash.Dash:
    """``create_app`` installs the outage handling on every app; this names the intent."""
    return app


def filters_callback_body(client: FlaskClient) -> dict[str, object]:
    output = next(
        d["output"]
        for d in client.get("/_dash-dependencies").json
        if "overview-filters.data" in d["output"] and d["inputs"][0]["id"] == "overview-url"
    )
    return callback_body(client, output, "?clinic=C1")


@pytest.fixture
def down_app(tmp_path: Path) -> Iterator[dash.Dash]:
    """An app whose database is a closed port, with a client session that looks signed in
    (signing in needs the database)."""
    settings = make_settings(tmp_path, CLOSED_PORT_URL, connect_timeout_s=1, secret_key="k" * 32)
    yield with_outage(create_app(settings))


def test_a_callback_gets_the_notice_not_a_500_when_the_database_is_down(
    down_app: dash.Dash,
) -> None:
    client = down_app.server.test_client()
    with client.session_transaction() as session:
        session[auth.SESSION_USER] = 1
        session[auth.SESSION_SINCE] = time.time()
    started = time.monotonic()
    answer = client.post(
        CALLBACK,
        json={
            "output": "kpi-procedures.children",
            "outputs": {"id": "kpi-procedures", "property": "children"},
            "inputs": [{"id": "overview-filters", "property": "data", "value": {}}],
            "changedPropIds": ["overview-filters.data"],
        },
    )
    assert time.monotonic() - started < 10  # connect_timeout, not a hung request
    assert answer.status_code == 200, answer.get_data(as_text=True)
    assert answer.json == {
        "multi": True,
        "response": {},
        "sideUpdate": {outage.ALERT_ID: {"is_open": True}, outage.RETRY_ID: {"disabled": False}},
    }
    page = client.get("/")
    assert page.status_code == 503 and page.headers["Retry-After"] == str(outage.RETRY_SECONDS)
    assert outage.MESSAGE in page.get_data(as_text=True)
    # The retry tick fails the same way while the outage lasts: the notice stays open.
    with (
        down_app.server.test_request_context(CALLBACK, method="POST"),
        pytest.raises(exc.OperationalError),
    ):
        outage.retry(1)


def test_a_query_failing_inside_a_callback_gets_the_notice(
    auth_app: dash.Dash, monkeypatch: pytest.MonkeyPatch
) -> None:
    client = signed_in(with_outage(auth_app), "director")
    body = filters_callback_body(client)
    assert client.post(CALLBACK, json=body).status_code == 200  # the database is up

    def lost(*_args: object, **_kwargs: object) -> None:
        raise exc.OperationalError("SELECT 1", {}, Exception("server closed the connection"))

    monkeypatch.setattr(runtime.Runtime, "cached", lost)
    answer = client.post(CALLBACK, json=body)
    assert answer.status_code == 200
    assert answer.json["sideUpdate"] == outage.open_notice_props()
    assert answer.json["response"] == {}


def test_errors_that_are_not_outages_still_fail_loudly(
    auth_app: dash.Dash, monkeypatch: pytest.MonkeyPatch
) -> None:
    client = signed_in(with_outage(auth_app), "director")
    body = filters_callback_body(client)

    def bug(*_args: object, **_kwargs: object) -> None:
        raise exc.ProgrammingError("SELEKT 1", {}, Exception("syntax error"))

    monkeypatch.setattr(runtime.Runtime, "cached", bug)
    auth_app.server.config["PROPAGATE_EXCEPTIONS"] = False
    assert client.post(CALLBACK, json=body).status_code == 500


def test_the_retry_closes_the_notice_once_the_database_answers(auth_app: dash.Dash) -> None:
    with auth_app.server.test_request_context(CALLBACK, method="POST"):
        is_open, timer_disabled, recovered = outage.retry(3)
    assert is_open is False and timer_disabled is True and recovered > 0


def test_recovery_after_an_outage(tmp_path: Path, auth_app: dash.Dash) -> None:
    """Point a signed-in app's engine at the closed port, then back at its database."""
    client = signed_in(with_outage(auth_app), "director")
    body = filters_callback_body(client)
    services = runtime.of(auth_app.server)
    working = services.engine
    down = make_engine(make_settings(tmp_path, CLOSED_PORT_URL, connect_timeout_s=1))
    try:
        services._engine = down
        answer = client.post(CALLBACK, json=body)
        assert answer.status_code == 200 and "sideUpdate" in answer.json
    finally:
        services._engine = working
        down.dispose()
    answer = client.post(CALLBACK, json=body)
    assert answer.status_code == 200 and answer.json["response"]


@pytest.mark.parametrize(
    ("error", "outage_expected"),
    [
        (exc.OperationalError("s", {}, Exception("timeout")), True),
        (exc.InterfaceError("s", {}, Exception("closed")), True),
        (exc.TimeoutError("QueuePool limit reached"), True),
        (outage.DatabaseUnavailable(), True),
        (exc.DBAPIError("s", {}, Exception("gone"), connection_invalidated=True), True),
        (exc.DBAPIError("s", {}, Exception("odd")), False),
        (exc.ProgrammingError("s", {}, Exception("syntax")), False),
        (exc.IntegrityError("s", {}, Exception("duplicate key")), False),
        (ValueError("not a database error"), False),
    ],
)
def test_is_outage(error: BaseException, outage_expected: bool) -> None:
    assert outage.is_outage(error) is outage_expected


def test_pages_read_their_url_again_once_the_database_is_back(auth_app: dash.Dash) -> None:
    """The overview's and the adverse-event page's URL, and the navbar's freshness, take the
    recovery counter as an input: their panels redraw once the retry gets through."""
    client = signed_in(with_outage(auth_app), "director")
    on_recovery = {
        d["output"].split("@")[0]: d
        for d in client.get("/_dash-dependencies").json
        if any(i["id"] == outage.RECOVERED_ID for i in d["inputs"])
    }
    assert {"overview-url.search", "ae-location.search"} <= set(on_recovery)
    assert any("shell-data-freshness" in output for output in on_recovery)
    for output in ("overview-url.search", "ae-location.search"):
        assert on_recovery[output]["prevent_initial_call"] is True  # never on page load
        assert on_recovery[output]["state"] == [{"id": output.split(".")[0], "property": "search"}]
    assert outage.same_search(time.time(), "?clinic=C1") == "?clinic=C1"
    assert outage.same_search(time.time(), None) == ""
