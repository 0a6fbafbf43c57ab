"""A production worker freezes its heap once, after its first callbacks are answered."""

from __future__ import annotations

import gc
import logging
import runpy
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import flask
import pytest

from dashboard import heap, production

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def unfrozen() -> Iterator[None]:
    gc.unfreeze()
    yield
    gc.unfreeze()  # the rest of the test run keeps a collector that walks everything


def _server() -> flask.Flask:
    server = flask.Flask(__name__)
    server.add_url_rule(heap.CALLBACK_PATH, "callback", lambda: "{}", methods=["POST"])
    server.add_url_rule("/healthz", "healthz", lambda: "ok")
    return server


def _answered(client: Any, path: str) -> None:
    with client.open(path, method="POST" if path == heap.CALLBACK_PATH else "GET") as response:
        assert response.status_code == 200


def test_the_heap_is_frozen_after_the_nth_callback_is_answered(
    unfrozen: None, caplog: pytest.LogCaptureFixture
) -> None:
    server = _server()
    heap.freeze_when_warm(server, after=3)
    client = server.test_client()
    for _ in range(5):
        _answered(client, "/healthz")  # other requests do not count
    _answered(client, heap.CALLBACK_PATH)
    _answered(client, heap.CALLBACK_PATH)
    assert gc.get_freeze_count() == 0
    with caplog.at_level(logging.INFO, logger="clinicops.heap"):
        _answered(client, heap.CALLBACK_PATH)
    assert gc.get_freeze_count() > 1000  # the modules, the app, the test run's objects
    assert "froze" in caplog.text


def test_the_freeze_waits_for_the_response_and_happens_once(
    unfrozen: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    events: list[str] = []
    monkeypatch.setattr(heap, "freeze", lambda: events.append("freeze"))
    server = _server()

    @server.after_request
    def sent(response: flask.Response) -> flask.Response:
        # Flask runs after-request hooks last registered first: this one after the counter,
        # and the freeze must still come after it, once the response has been sent and closed.
        events.append("response")
        return response

    heap.freeze_when_warm(server, after=2)
    client = server.test_client()
    for _ in range(6):
        _answered(client, heap.CALLBACK_PATH)
    assert events == ["response", "response", "freeze", *["response"] * 4]


def test_the_production_server_installs_it_before_the_fork(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    installed: list[flask.Flask] = []
    ran: list[bool] = []
    monkeypatch.setattr(heap, "freeze_when_warm", lambda server: installed.append(server))
    monkeypatch.setattr(
        production.ProductionServer, "run", lambda self: ran.append(bool(installed))
    )
    server = _server()
    production.serve(server, host="127.0.0.1", port=0, workers=2, threads=2)
    assert installed == [server]
    assert ran == [True]  # installed before gunicorn started (and forked)


def test_app_py_installs_it_for_gunicorn_app_server(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    installed: list[flask.Flask] = []
    monkeypatch.setattr(heap, "freeze_when_warm", lambda server: installed.append(server))
    monkeypatch.setenv("CLINICOPS_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("CLINICOPS_DATABASE_URL", "")
    monkeypatch.setenv("CLINICOPS_DEMO_ON_EMPTY", "false")
    module = runpy.run_path(str(ROOT / "app.py"), run_name="clinicops_app")  # not __main__
    assert installed == [module["server"]]
