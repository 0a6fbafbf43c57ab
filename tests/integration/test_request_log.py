"""The structured request log (``dashboard.request_log``) over HTTP: one JSON line per request
with method, path, status, latency, user and callback output, and nothing from the query
string or the callback's input values."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from typing import Any

import dash
import pytest
from flask.testing import FlaskClient

from dashboard import request_log
from tests.integration.auth_fixtures import auth_app, signed_in

__all__ = ["auth_app"]
SECRET = "SECRET"


@pytest.fixture
def logged_app(auth_app: dash.Dash) -> Iterator[dash.Dash]:
    """``create_app`` installs the request log on every app."""
    yield auth_app


def lines(caplog: pytest.LogCaptureFixture) -> list[dict[str, Any]]:
    return [
        json.loads(record.getMessage())
        for record in caplog.records
        if record.name == request_log.LOGGER_NAME
    ]


def callback_body(client: FlaskClient, output: str, search: str) -> dict[str, Any]:
    """The body the browser posts for the callback of ``output`` (its only input being the
    page's URL search, set to ``search``)."""
    found = [d for d in client.get("/_dash-dependencies").json if d["output"] == output]
    assert found, output
    dependency = found[0]  # apps built earlier in the process may list a callback twice
    outputs = [
        {"id": part.rsplit(".", 1)[0], "property": part.rsplit(".", 1)[1]}
        for part in output.strip(".").split("...")
    ]
    inputs = [{**spec, "value": search} for spec in dependency["inputs"]]
    return {
        "output": output,
        "outputs": outputs if output.startswith("..") else outputs[0],
        "inputs": inputs,
        "changedPropIds": [f"{i['id']}.{i['property']}" for i in dependency["inputs"]],
        "state": [{**spec, "value": None} for spec in dependency.get("state", [])],
    }


def test_one_line_per_request_with_the_fields_and_no_query_string(
    logged_app: dash.Dash, caplog: pytest.LogCaptureFixture
) -> None:
    client = signed_in(logged_app, "director")
    output = next(
        d["output"]
        for d in client.get("/_dash-dependencies").json
        if "overview-filters.data" in d["output"] and d["inputs"][0]["id"] == "overview-url"
    )
    body = callback_body(client, output, f"?clinic={SECRET}&region={SECRET}")
    caplog.clear()
    with caplog.at_level(logging.INFO, logger=request_log.LOGGER_NAME):
        page = client.get(f"/?clinic={SECRET}&start=2025-01-01")
        callback = client.post("/_dash-update-component", json=body)
        anonymous = logged_app.server.test_client().get(f"/adverse-events?clinic={SECRET}")

    assert page.status_code == 200
    assert callback.status_code == 200, callback.get_data(as_text=True)
    assert anonymous.status_code == 302
    logged = lines(caplog)
    assert len(logged) == 3
    page_line, callback_line, anonymous_line = logged
    assert page_line["method"] == "GET" and page_line["route"] == "/"
    assert page_line["status"] == 200 and page_line["user"] == "director"
    assert "callback_output" not in page_line
    assert callback_line["method"] == "POST" and callback_line["route"] == "/_dash-update-component"
    assert callback_line["status"] == 200 and callback_line["user"] == "director"
    assert callback_line["callback_output"] == output
    assert anonymous_line["route"] == "/adverse-events" and anonymous_line["status"] == 302
    assert anonymous_line["user"] is None  # refused by sign-in, still logged, with its time
    for line in logged:
        assert set(line) >= {"method", "route", "status", "latency_ms", "cpu_ms", "user"}
        assert isinstance(line["latency_ms"], float) and line["latency_ms"] >= 0
        # CPU time is the thread's own: never more than the wall time it ran for.
        assert isinstance(line["cpu_ms"], float) and 0 <= line["cpu_ms"] <= line["latency_ms"] + 1
    assert all(SECRET not in record.getMessage() for record in caplog.records)


def test_a_401_for_an_anonymous_callback_is_logged_without_its_body(
    logged_app: dash.Dash, caplog: pytest.LogCaptureFixture
) -> None:
    client = logged_app.server.test_client()
    with caplog.at_level(logging.INFO, logger=request_log.LOGGER_NAME):
        client.post(
            "/_dash-update-component",
            json={
                "output": "x.children",
                "inputs": [{"id": "y", "property": "v", "value": SECRET}],
            },
        )
    (line,) = lines(caplog)
    assert line["status"] == 401 and line["user"] is None
    assert line["callback_output"] == "x.children"
    assert SECRET not in caplog.text


def test_a_handler_is_added_only_when_the_logger_has_none(logged_app: dash.Dash) -> None:
    handlers = list(request_log.logger.handlers)
    assert len(handlers) == 1  # added by the first init_app of this process
    request_log.init_app(logged_app.server)
    assert request_log.logger.handlers == handlers
