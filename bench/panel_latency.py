"""Overview latency: server time of every panel callback for a replayed series of filter
changes, through the real HTTP callback endpoint, and (optionally) page-open time in Chromium.

Copies the default demo database (40 clinics, 3 years; created first if missing) to a
temporary folder, serves it with gunicorn (one worker, eight threads: one result cache) or
Flask's server, signs in when the app asks for it, and replays each filter change as the
browser does: the URL callback first, then every callback that reads the filter store, six at
a time (a browser's connection limit). A change's time runs from the URL request to the last
panel response. The first pass meets an empty cache ("cold"); the second repeats the same
changes ("warm"). Prints p50/p95 per callback and per change, then the server CPU time a change
costs (the sum over its callbacks of the ``cpu_ms`` the request log records): unlike the
latency, that figure holds when other work shares the two cores.

    python bench/panel_latency.py                     # the default demo database
    python bench/panel_latency.py --browser 5         # also open the page 5 times in Chromium
"""

from __future__ import annotations

import argparse
import json
import os
import re
import secrets
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from http.cookiejar import CookieJar
from pathlib import Path
from typing import Any

from dashboard.app import prepare_database
from data_access.engine import make_engine
from data_access.settings import default_data_dir, load_settings

REPO = Path(__file__).resolve().parent.parent
STORE = "overview-filters.data"
OPTION_DEFAULTS = {"overview-map-measure.value": "ae_rate",
                   "overview-volume-per-open-day.value": False,
                   "overview-referral-shares.value": "counts"}  # fmt: skip
CHANGES = [
    "", "?region={r0}", "?region={r1}", "?region={r0}&procedure=dry_needling",
    "?clinic={c0}", "?clinic={c1}", "?clinic={c2}", "?procedure=tpi_local_anesthetic",
    "?procedure=tpi_corticosteroid", "?start={d30}&end={end}", "?start={qtd}&end={end}",
    "?start={d30}&end={end}&region={r2}", "?region={r2}", "?region={r3}&clinic={c3}",
    "?start={ytd}&end={end}&region={r1}", "?procedure=tpi_saline&region={r0}",
    "?start={d30}&end={end}&clinic={c0}", "?region={r3}", "?procedure=other",
    "?start={ytd}&end={end}", "?start={y12}&end={end}", "?start={first}&end={end}",
]  # fmt: skip


class Client:
    """An HTTP client with cookies, like one browser tab."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(CookieJar()))

    def get(self, path: str) -> str:
        with self.opener.open(self.base + path, timeout=120) as response:
            return response.read().decode()

    def post(self, path: str, body: bytes, content_type: str) -> tuple[float, Any]:
        request = urllib.request.Request(self.base + path, data=body, method="POST")
        request.add_header("Content-Type", content_type)
        began = time.perf_counter()
        with self.opener.open(request, timeout=120) as response:
            payload = response.read()
        elapsed = time.perf_counter() - began
        return elapsed, (json.loads(payload) if "json" in content_type and payload else None)

    def sign_in(self, username: str, password: str) -> None:
        page = self.get("/login")
        fields = dict(re.findall(r'type="hidden" name="([^"]+)" value="([^"]*)"', page))
        form = urllib.parse.urlencode({**fields, "username": username, "password": password})
        self.post("/login", form.encode(), "application/x-www-form-urlencoded")


def callback_body(callback: dict[str, Any], values: dict[str, Any]) -> bytes:
    def item(dep: dict[str, Any]) -> dict[str, Any]:
        key = f"{dep['id']}.{dep['property']}"
        return {"id": dep["id"], "property": dep["property"], "value": values.get(key)}

    outputs = []
    for spec in callback["output"].strip(".").split("..."):
        element, prop = spec.rsplit(".", 1)
        outputs.append({"id": json.loads(element) if element.startswith("{") else element,
                        "property": prop})  # fmt: skip
    body = {
        "output": callback["output"],
        "outputs": outputs if len(outputs) > 1 else outputs[0],
        "inputs": [item(dep) for dep in callback["inputs"]],
        "state": [item(dep) for dep in callback["state"]],
        "changedPropIds": [STORE] if STORE in values else list(values),
    }
    return json.dumps(body).encode()


def replay(client: Client, callbacks: list[dict[str, Any]], search: str) -> dict[str, float]:
    """One filter change: the URL callback, then every panel callback six at a time."""
    url_callback = next(
        c
        for c in callbacks
        if STORE in c["output"]
        and any(f"{d['id']}.{d['property']}" == "overview-url.search" for d in c["inputs"])
    )
    panels = [c for c in callbacks if any(f"{d['id']}.{d['property']}" == STORE
                                          for d in c["inputs"])]  # fmt: skip
    began = time.perf_counter()
    url_time, answer = client.post(
        "/_dash-update-component",
        callback_body(url_callback, {"overview-url.search": search}),
        "application/json",
    )
    store = answer["response"]["overview-filters"]["data"]
    values = {**OPTION_DEFAULTS, STORE: store}
    with ThreadPoolExecutor(max_workers=6) as pool:
        timings = list(pool.map(
            lambda c: (name_of(c), client.post("/_dash-update-component",
                                              callback_body(c, values), "application/json")[0]),
            panels,
        ))  # fmt: skip
    return {"url → filters": url_time, **dict(timings), "whole change": time.perf_counter() - began}


def name_of(callback: dict[str, Any]) -> str:
    first = callback["output"].strip(".").split("...")[0]
    match = re.search(r'"panel":"([^"]+)"', first)
    return (
        match.group(1) + (" …" if "..." in callback["output"].strip(".") else "")
        if match
        else (first.split(".")[0])
    )


def report(title: str, runs: list[dict[str, float]]) -> None:
    print(f"\n{title} ({len(runs)} filter changes)\n{'callback':<28}{'p50 ms':>10}{'p95 ms':>10}")
    for key in runs[0]:
        values = sorted(1000 * run[key] for run in runs)
        print(f"{key:<28}{statistics.median(values):>10.0f}{percentile(values, 0.95):>10.0f}")


class ServerLog:
    """The server's request log (JSON lines on its stderr), read change by change."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.offset = 0

    def callbacks_since_last(self) -> list[dict[str, Any]]:
        """The callback lines logged since the previous call (each is written before its
        answer is sent, so once the client has every answer they are all there)."""
        with self.path.open("rb") as handle:
            handle.seek(self.offset)
            chunk = handle.read()
        self.offset += len(chunk)
        lines = []
        for raw in chunk.decode(errors="replace").splitlines():
            if raw.startswith("{") and '"callback_output"' in raw:
                lines.append(json.loads(raw))
        return lines


def cpu_report(title: str, changes: list[list[dict[str, Any]]]) -> None:
    """p50/p95 of server CPU milliseconds per callback kind and per whole change."""
    per_change = sorted(sum(line.get("cpu_ms") or 0 for line in lines) for lines in changes)
    kinds: dict[str, list[float]] = {}
    for lines in changes:
        for line in lines:
            kinds.setdefault(short_output(line["callback_output"]), []).append(line["cpu_ms"])
    print(f"\n{title}: server CPU time\n{'callback':<28}{'p50 ms':>10}{'p95 ms':>10}")
    for kind, values in kinds.items():
        print(f"{kind:<28}{statistics.median(values):>10.0f}{percentile(values, 0.95):>10.0f}")
    print(f"{'whole change':<28}{statistics.median(per_change):>10.0f}"
          f"{percentile(per_change, 0.95):>10.0f}")  # fmt: skip


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def short_output(output: str) -> str:
    return name_of({"output": output})


def start_server(
    data_dir: Path, port: int, kind: str, log: Path, *, workers: int = 1, threads: int = 8,
    redis_url: str | None = None,
) -> subprocess.Popen[bytes]:  # fmt: skip
    env = {**os.environ, "CLINICOPS_DATA_DIR": str(data_dir), "CLINICOPS_DEMO_ON_EMPTY": "true"}
    if redis_url:
        env["CLINICOPS_REDIS_URL"] = redis_url
    gunicorn = shutil.which("gunicorn") or str(Path(sys.executable).with_name("gunicorn"))
    if kind == "gunicorn" and Path(gunicorn).exists():
        command = [gunicorn, "--workers", str(workers), "--threads", str(threads), "--bind",
                   f"127.0.0.1:{port}", "--log-level", "warning", "app:server"]  # fmt: skip
    else:
        command = [sys.executable, "-c", "from app import app; "
                   f"app.run(host='127.0.0.1', port={port}, threaded=True)"]  # fmt: skip
    with log.open("wb") as handle:  # the child keeps its own descriptor
        process = subprocess.Popen(command, cwd=REPO, env=env, stderr=handle)
    for _ in range(120):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1).close()
            return process
        except OSError:
            time.sleep(0.5)
    process.terminate()
    raise SystemExit("the server did not start")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data-dir", type=Path, default=default_data_dir())
    parser.add_argument("--port", type=int, default=8071)
    parser.add_argument("--server", choices=["gunicorn", "flask"], default="gunicorn")
    parser.add_argument("--browser", type=int, default=0, help="page opens in Chromium")
    parser.add_argument("--workers", type=int, default=1, help="gunicorn worker processes")
    parser.add_argument("--threads", type=int, default=8, help="threads per gunicorn worker")
    parser.add_argument(
        "--redis-url", help="result cache shared by the workers (else in-process per worker)"
    )
    args = parser.parse_args()

    prepare_database(load_settings(data_dir=args.data_dir), make_engine(
        load_settings(data_dir=args.data_dir)), echo=True)  # fmt: skip
    with tempfile.TemporaryDirectory(prefix="clinicops-bench-") as folder:
        copy = Path(folder)
        shutil.copy(args.data_dir / "clinicops.sqlite3", copy / "clinicops.sqlite3")
        engine = make_engine(load_settings(data_dir=copy))
        credentials = bench_user(engine)
        if args.redis_url:
            forget_cached_results(args.redis_url)  # else the "cold" pass would hit them
        log = ServerLog(copy / "server.log")
        server = start_server(
            copy, args.port, args.server, log.path,
            workers=args.workers, threads=args.threads, redis_url=args.redis_url,
        )  # fmt: skip
        try:
            client = Client(f"http://127.0.0.1:{args.port}")
            if credentials:
                client.sign_in(*credentials)
            callbacks = json.loads(client.get("/_dash-dependencies"))
            searches = [s.format(**placeholders(engine)) for s in CHANGES]
            log.callbacks_since_last()  # sign-in and start-up

            def timed(search: str, into: list[list[dict[str, Any]]]) -> dict[str, float]:
                result = replay(client, callbacks, search)
                time.sleep(0.05)  # the last answer's log line is written before it is sent
                into.append(log.callbacks_since_last())
                return result

            cold_cpu: list[list[dict[str, Any]]] = []
            warm_cpu: list[list[dict[str, Any]]] = []
            cold = [timed(search, cold_cpu) for search in searches]
            warm = [timed(search, warm_cpu) for search in searches]
            report("Cold: each filter state for the first time", cold)
            slowest = sorted(zip(searches, cold, strict=True), key=lambda p: -p[1]["whole change"])
            for search, run in slowest[:4]:
                print(
                    f"  slowest cold: {1000 * run['whole change']:.0f} ms  {search or '(default)'}"
                )
            report("Warm: the same filter states again", warm)
            cpu_report("Cold", cold_cpu)
            cpu_report("Warm", warm_cpu)
            if args.browser:
                from page_open import measure_page_open  # beside this file

                measure_page_open(client.base, credentials, args.browser)
        finally:
            server.terminate()
            server.wait(timeout=30)
            engine.dispose()


def forget_cached_results(redis_url: str) -> None:
    """Delete ClinicOps' result-cache keys from this Redis database (a copied database has the
    same data version as the last run's, so its results would still be there)."""
    import redis

    client = redis.Redis.from_url(redis_url)
    for key in client.scan_iter(match="clinicops:*", count=1000):
        client.delete(key)


def bench_user(engine: Any) -> tuple[str, str] | None:
    """A throwaway administrator in the copied database, when the app has sign-in."""
    try:
        from data_access.queries.users import create_user
        from data_access.roles import Role
    except ImportError:
        return None
    username, password = f"bench-{secrets.token_hex(3)}", secrets.token_urlsafe(16)
    with engine.begin() as conn:
        create_user(conn=conn, username=username, password=password, role=Role.ADMIN)
    return username, password


def placeholders(engine: Any) -> dict[str, str]:
    from datetime import timedelta

    from data_access.filters import Scope
    from data_access.queries.clinics import (
        clinic_directory,
        earliest_procedure_date,
        latest_procedure_date,
    )

    with engine.connect() as conn:
        end = latest_procedure_date(conn=conn, scope=Scope.everything())
        first = earliest_procedure_date(conn=conn, scope=Scope.everything())
        frame = clinic_directory(conn=conn, scope=Scope.everything())
    regions = sorted(frame["region"].unique())
    clinics = list(frame["clinic_id"])
    assert end is not None and first is not None
    return {
        **{f"r{i}": urllib.parse.quote_plus(regions[i % len(regions)]) for i in range(4)},
        **{f"c{i}": urllib.parse.quote_plus(clinics[(7 * i) % len(clinics)]) for i in range(4)},
        "end": end.isoformat(),
        "d30": (end - timedelta(days=29)).isoformat(),
        "qtd": end.replace(month=3 * ((end.month - 1) // 3) + 1, day=1).isoformat(),
        "ytd": end.replace(month=1, day=1).isoformat(),
        "y12": (end.replace(year=end.year - 1) + timedelta(days=1)).isoformat(),
        "first": first.isoformat(),
    }


if __name__ == "__main__":
    main()
