"""HTTP-level timings: the requests a browser sends on a filter change, replayed.

Benchmark support. :class:`Server` starts :mod:`bench.server` (gunicorn, the real app), or
``clinicops serve --production`` itself, on a free port against a benchmark database.
:func:`capture` signs in with headless Chromium (Playwright), opens the overview (or another
page reading the same URL filters) once per filter change of the script (the page reads its
filters from the URL, exactly as after a change in the filter bar) and records every
``/_dash-update-component`` request body the browser sends. :func:`replay` signs in with
``requests`` (the login form and its CSRF token) and, per filter change, sends the chain the
browser sends: the URL -> filters callback, then every panel callback at once (six at a time,
as Chromium does per host), with the result cache emptied first (``cold``) or not (``warm``).
It records each request's latency and the wall time of the whole change; :func:`floor` times
the trivial ``bench-floor`` callback on the same server.
"""

from __future__ import annotations

import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import requests

from bench.script import FilterChange
from bench.server import FLOOR_INPUT, FLOOR_OUTPUT

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
CALLBACK_PATH = "/_dash-update-component"
#: Chromium's connections per host: the most callbacks in flight at once.
BROWSER_PARALLEL = 6


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Server:
    """A running :mod:`bench.server`."""

    process: subprocess.Popen[bytes]
    url: str
    log: Path

    def worker_pids(self) -> list[int]:
        children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        return [int(pid) for pid in children.read_text().split()] if children.exists() else []

    def peak_rss_mb(self) -> dict[int, float]:
        """Peak resident memory (VmHWM) of each gunicorn worker."""
        peaks = {}
        for pid in self.worker_pids():
            status = Path(f"/proc/{pid}/status").read_text()
            found = re.search(r"VmHWM:\s+(\d+) kB", status)
            if found:
                peaks[pid] = int(found.group(1)) / 1024
        return peaks


#: The production server as an operator starts it (no bench-only callback).
CLINICOPS_SERVE = [str(Path(sys.executable).with_name("clinicops")), "serve", "--production"]


@contextmanager
def running_server(
    env: Mapping[str, str],
    *,
    workers: int,
    threads: int,
    log: Path,
    command: Sequence[str] = (sys.executable, "-m", "bench.server"),
) -> Iterator[Server]:
    """``command`` (``bench.server`` by default, or :data:`CLINICOPS_SERVE`) on a free port,
    until it answers ``/healthz`` and its workers have started."""
    port = free_port()
    handle = log.open("wb")
    process = subprocess.Popen(
        [
            *command,
            "--port",
            str(port),
            "--workers",
            str(workers),
            "--threads",
            str(threads),
        ],
        env={**os.environ, **env},
        stdout=handle,
        stderr=subprocess.STDOUT,
        cwd=Path(__file__).resolve().parent.parent,
    )
    server = Server(process, f"http://127.0.0.1:{port}", log)
    try:
        deadline = time.monotonic() + 120
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"the server stopped; see {log}")
            try:
                if requests.get(f"{server.url}/healthz", timeout=2).ok:
                    break
            except requests.RequestException:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"the server did not start; see {log}")
            time.sleep(0.5)
        while len(server.worker_pids()) < workers and time.monotonic() < deadline:
            time.sleep(0.2)
        yield server
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
        handle.close()


def sign_in(url: str, username: str, password: str) -> requests.Session:
    """A session signed in through the login form (GET it for the CSRF token, POST it)."""
    session = requests.Session()
    page = session.get(f"{url}/login", timeout=30)
    page.raise_for_status()
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    if token is None:
        raise RuntimeError("no CSRF token on the login page")
    answer = session.post(
        f"{url}/login",
        data={
            "username": username,
            "password": password,
            "csrf_token": token.group(1),
            "next": "/",
        },
        allow_redirects=False,
        timeout=30,
    )
    if answer.status_code != 302:
        raise RuntimeError(f"sign-in failed: HTTP {answer.status_code}")
    return session


# --- Capture -------------------------------------------------------------------------------


@dataclass
class Captured:
    """The callback requests of one filter change, in the order the browser sent them, and
    the query string of the callback URL (Dash adds one per page load)."""

    change: str
    bodies: list[dict[str, Any]]
    query: str = ""


def _outputs(body: Mapping[str, Any]) -> str:
    return str(body.get("output", ""))


def capture(
    url: str,
    username: str,
    password: str,
    changes: list[FilterChange],
    path: str = "/",
    until: Callable[[list[dict[str, Any]]], bool] | None = None,
) -> list[Captured]:
    """Open ``path`` (the overview, or another page reading the same URL filters) once per
    change and record the callback requests of each page load. With ``until``, wait past the
    network going idle until it holds for the requests sent and every one is answered (on a
    busy machine the renderer sends its last callbacks seconds after the network went idle),
    then until a second passes without a new one."""
    from playwright.sync_api import sync_playwright

    captured = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        page.goto(f"{url}/login")
        page.fill("#username", username)
        page.fill("#password", password)
        page.click("button[type=submit]")
        page.wait_for_load_state("networkidle", timeout=180_000)
        for change in changes:
            bodies: list[dict[str, Any]] = []
            queries: list[str] = []

            def record(
                request: Any, into: list[dict[str, Any]] = bodies, seen: list[str] = queries
            ) -> None:
                address = urlsplit(request.url)
                if request.method == "POST" and address.path == CALLBACK_PATH:
                    into.append(json.loads(request.post_data))
                    seen.append(address.query)

            answered: list[str] = []

            def finish(request: Any, into: list[str] = answered) -> None:
                if request.method == "POST" and urlsplit(request.url).path == CALLBACK_PATH:
                    into.append(request.url)

            page.on("request", record)
            page.on("requestfinished", finish)
            page.on("requestfailed", finish)
            page.goto(f"{url}{path}{change.search()}")
            page.wait_for_load_state("networkidle", timeout=300_000)
            sent, deadline = -1, time.monotonic() + 300
            while until is not None and (
                not until(bodies) or len(answered) < len(bodies) or sent != len(bodies)
            ):
                if time.monotonic() > deadline:
                    raise RuntimeError(f"the page load of {path} did not finish in 300 s")
                sent = len(bodies)
                page.wait_for_timeout(1000)
            for event, listener in (("request", record), ("requestfinished", finish),
                                    ("requestfailed", finish)):  # fmt: skip
                page.remove_listener(event, listener)
            captured.append(Captured(change.name, bodies, queries[-1] if queries else ""))
        browser.close()
    return captured


def panel_requests(
    captured: Captured, store: str = "overview-filters", url_search: str = "overview-url.search"
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The chain of a filter change made in the filter bar: the controls -> URL callback and
    the URL -> filters-store callback (one after the other, as the browser sends them), then
    the callbacks that take the store as input (every panel, sent together)."""

    def input_ids(body: Mapping[str, Any]) -> set[str]:
        flat: list[Any] = []
        for item in body.get("inputs", []):
            flat += item if isinstance(item, list) else [item]
        return {str(i.get("id")) for i in flat}

    to_store = next(b for b in captured.bodies if f"{store}.data" in _outputs(b))
    heads = [*[b for b in captured.bodies if _outputs(b) == url_search][:1], to_store]
    panels = [b for b in captured.bodies if b is not to_store and store in input_ids(b)]
    return heads, panels


# --- Replay --------------------------------------------------------------------------------


@dataclass
class Timing:
    change: str
    panel: str
    seconds: float
    status: int


@dataclass
class ChangeTiming:
    change: str
    seconds: float  # from the filters callback's send to the last panel's answer
    panels: list[Timing] = field(default_factory=list)


def _post(session: requests.Session, target: str, body: Mapping[str, Any]) -> tuple[float, int]:
    began = time.perf_counter()
    answer = session.post(target, json=body, timeout=300)
    elapsed = time.perf_counter() - began
    return elapsed, answer.status_code


def panel_name(body: Mapping[str, Any]) -> str:
    """A readable name for a callback: its first output's component id."""
    output = _outputs(body).lstrip(".")
    first = output.split("...")[0]
    return first.rsplit(".", 1)[0] if "." in first else first


@dataclass(frozen=True)
class Chain:
    """One filter change as the browser sends it: ``heads`` one after the other, then the
    ``panels`` (body, name) together; ``query`` is the callback URL's query string."""

    change: str
    heads: list[dict[str, Any]]
    panels: list[tuple[dict[str, Any], str]]
    query: str = ""


def replay(
    url: str,
    sessions: list[requests.Session],
    chains: list[Chain],
    *,
    rounds: int,
    before_each: Callable[[], None] | None = None,
) -> list[ChangeTiming]:
    """Send every chain ``rounds`` times (``before_each`` runs before each change, e.g. to
    start a new data version so that nothing comes from the result cache)."""
    results = []
    session = sessions[0]
    with ThreadPoolExecutor(max_workers=BROWSER_PARALLEL) as pool:
        for _ in range(rounds):
            for chain in chains:
                if before_each is not None:
                    before_each()
                target = f"{url}{CALLBACK_PATH}" + (f"?{chain.query}" if chain.query else "")
                began = time.perf_counter()
                timings = []
                for head in chain.heads:
                    seconds, status = _post(session, target, head)
                    timings.append(
                        Timing(chain.change, f"filter bar: {panel_name(head)}", seconds, status)
                    )
                futures = [
                    (name, pool.submit(_post, sessions[i % len(sessions)], target, body))
                    for i, (body, name) in enumerate(chain.panels)
                ]
                for name, future in futures:
                    seconds, status = future.result()
                    timings.append(Timing(chain.change, name, seconds, status))
                results.append(ChangeTiming(chain.change, time.perf_counter() - began, timings))
    return results


def floor(url: str, session: requests.Session, count: int = 200) -> list[float]:
    """Latencies of the trivial callback (sequential requests)."""
    body = {
        "output": f"{FLOOR_OUTPUT}.children",
        "outputs": {"id": FLOOR_OUTPUT, "property": "children"},
        "inputs": [{"id": FLOOR_INPUT, "property": "value", "value": "x"}],
        "changedPropIds": [f"{FLOOR_INPUT}.value"],
    }
    times = []
    for i in range(count):
        body["inputs"][0]["value"] = str(i)
        seconds, status = _post(session, f"{url}{CALLBACK_PATH}", body)
        if status != 200:
            raise RuntimeError(f"the trivial callback answered HTTP {status}")
        times.append(seconds)
    return times
