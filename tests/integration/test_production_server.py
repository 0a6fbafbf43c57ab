"""``clinicops serve --production`` as a browser meets it: gunicorn over a real socket.

The load test (``bench/load_users.py``) saw "connection reset by peer" on callbacks sent after
a pause of about two seconds: gunicorn closed idle connections after its default 2 s, just as
the next request went out on them. The server must keep an idle connection open across the
pause between two clicks.
"""

from __future__ import annotations

import http.client
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

#: A pause between two clicks, longer than gunicorn's default keep-alive (2 s).
PAUSE_SECONDS = 3.5


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def production_port(tmp_path: Path) -> Iterator[int]:
    port = _free_port()
    env = {
        **os.environ,
        "CLINICOPS_DATA_DIR": str(tmp_path),
        "CLINICOPS_DATABASE_URL": "",
        "CLINICOPS_DEMO_ON_EMPTY": "false",
    }
    clinicops = Path(sys.executable).with_name("clinicops")
    command = [str(clinicops), "serve", "--production", "--port", str(port), "--threads", "2"]
    log = (tmp_path / "server.log").open("wb")
    server = subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 60
        while True:
            assert server.poll() is None, (tmp_path / "server.log").read_text()
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=1):
                    break
            except OSError:
                assert time.monotonic() < deadline, "the server did not start"
                time.sleep(0.2)
        yield port
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)
        log.close()


def test_an_idle_connection_survives_the_pause_between_two_clicks(production_port: int) -> None:
    connection = http.client.HTTPConnection("127.0.0.1", production_port, timeout=10)
    connection.request("GET", "/healthz")
    first = connection.getresponse()
    first.read()
    assert first.status == 200
    assert first.getheader("Connection", "").lower() != "close"
    time.sleep(PAUSE_SECONDS)
    # The same socket: http.client does not reconnect on its own, so a connection the server
    # closed meanwhile fails here (RemoteDisconnected, ConnectionResetError).
    connection.request("GET", "/healthz")
    second = connection.getresponse()
    second.read()
    assert second.status == 200
    connection.close()
