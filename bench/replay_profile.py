"""Replay the overview's filter changes against this checkout, warm or cold, and profile it.

Benchmark support, for comparing two versions of the code on one imported database (run it
from each checkout in turn, alternating). It starts gunicorn from the checkout it is run from
(2 workers x 8 threads, Redis db 15 as the result cache), records the browser's callback
requests for the script of ``bench.script`` once in headless Chromium, replays every change
once untimed, then ``--rounds`` times timed, either ``warm`` (every figure from the cache) or
``cold`` (a new data version before each change, as an import makes). It prints the p50 wall
time of a change and per panel, and the machine's CPU per change. With ``--profile PREFIX``,
py-spy (``--gil``) samples each worker during the timed rounds into ``PREFIX.<worker>.txt``
(raw collapsed stacks; py-spy pauses the workers to sample, so the times are then inflated).

    python -m bench.replay_profile --database-url URL --data /tmp/b1 --mode cold --rounds 5

``URL``: a database imported by ``bench.scale --keep`` (its ``database_url`` in the data
folder's results); ``--data``: that run's data folder (its ``manifest.json``).
"""

from __future__ import annotations

import argparse
import json
import secrets
import shutil
import signal
import statistics
import subprocess
import time
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import create_engine, insert

from bench import dash_http as http
from bench.scale import BENCH_USER, machine_cpu_seconds, section
from bench.script import filter_changes
from data_access.queries.users import create_user, find_user, set_password
from data_access.schema import import_log


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--data", type=Path, required=True)
    parser.add_argument("--mode", choices=["warm", "cold"], default="cold")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/15")
    parser.add_argument("--profile", metavar="PREFIX", help="py-spy output prefix")
    args = parser.parse_args()

    engine = create_engine(args.database_url)
    password = secrets.token_urlsafe(18)
    with engine.begin() as conn:
        if find_user(conn=conn, username=BENCH_USER) is None:
            create_user(conn=conn, username=BENCH_USER, password=password, role="admin")
        else:
            set_password(conn=conn, username=BENCH_USER, password=password)

    def new_data_version() -> None:
        with engine.begin() as conn:
            conn.execute(
                insert(import_log).values(
                    imported_at=datetime.now(UTC).replace(tzinfo=None),
                    source="bench: new data version",
                    rows_inserted=0,
                    rows_updated=0,
                    rows_rejected=0,
                )
            )

    env = {
        "CLINICOPS_DATABASE_URL": args.database_url,
        "CLINICOPS_SECRET_KEY": secrets.token_hex(32),
        "CLINICOPS_DEMO_ON_EMPTY": "false",
        "CLINICOPS_DATA_DIR": str(args.data),
        "CLINICOPS_STATEMENT_TIMEOUT_MS": "0",
        "CLINICOPS_REDIS_URL": args.redis_url,
    }
    changes = filter_changes(json.loads((args.data / "manifest.json").read_text()))
    log = args.data / "server-replay-profile.log"
    with http.running_server(env, workers=2, threads=8, log=log) as server:
        captured = http.capture(server.url, BENCH_USER, password, changes)
        chains = []
        for item in captured:
            heads, panels = http.panel_requests(item)
            named = [(body, section(body)) for body in panels]
            chains.append(http.Chain(item.change, heads, named, item.query))
        sessions = [http.sign_in(server.url, BENCH_USER, password) for _ in range(2)]
        http.replay(server.url, sessions, chains, rounds=1)
        spies = _profilers(server.worker_pids(), args.profile)
        before = machine_cpu_seconds()
        timed = http.replay(
            server.url,
            sessions,
            chains,
            rounds=args.rounds,
            before_each=new_data_version if args.mode == "cold" else None,
        )
        after = machine_cpu_seconds()
        for spy in spies:
            spy.send_signal(signal.SIGINT)
            spy.wait(timeout=60)
    _report(args.mode, timed, before, after)


def _profilers(pids: list[int], prefix: str | None) -> list[subprocess.Popen[bytes]]:
    if prefix is None:
        return []
    spy = shutil.which("py-spy")
    if spy is None:
        raise SystemExit("--profile needs py-spy (pip install py-spy)")
    spies = [
        subprocess.Popen(
            [spy, "record", "--gil", "-r", "250", "-f", "raw", "-o", f"{prefix}.{index}.txt",
             "--pid", str(pid)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for index, pid in enumerate(pids)
    ]  # fmt: skip
    time.sleep(2)  # py-spy attaches
    return spies


def _report(
    mode: str, timed: list[http.ChangeTiming], before: float | None, after: float | None
) -> None:
    def p50(values: list[float]) -> float:
        return 1000 * statistics.median(values)

    cpu = (
        "n/a"
        if before is None or after is None
        else f"{1000 * (after - before) / len(timed):.0f} ms"
    )
    print(
        f"{mode}: {len(timed)} changes, every panel of one change p50 "
        f"{p50([c.seconds for c in timed]):.0f} ms, machine CPU per change {cpu}"
    )
    panels: dict[str, list[float]] = {}
    statuses: set[int] = set()
    for change in timed:
        for timing in change.panels:
            panels.setdefault(timing.panel, []).append(timing.seconds)
            statuses.add(timing.status)
    for name, seconds in panels.items():
        print(f"  {name:50s} p50 {p50(seconds):5.0f} ms")
    print(f"HTTP statuses seen: {sorted(statuses)}")


if __name__ == "__main__":
    main()
