"""Load test: N signed-in people changing filters at once against the production server.

    python -m bench.load_users --users 50 --duration 120          # the README's run
    python -m bench.load_users --users 5 --duration 15            # a quick check

Benchmark (not part of the test run). Creates a PostgreSQL database (``clinicops init-db``
and the default ``clinicops demo``: 40 clinics, 3 years) unless ``--database-url`` names one,
adds N users of every role (admins, medical directors, regional managers each with a region,
staff each with a clinic: the scope decides what each sees), starts ``clinicops serve
--production`` on a free local port, records each role's callback requests once with headless
Chromium, then runs N people at once (:mod:`bench.load_scenario`): each signs in through
``/login`` with its CSRF token and, for ``--duration`` seconds, changes a filter on the
overview (now and then on the adverse-events page), waits for every panel, pauses
(``--think``) and goes on. Zero errors means every request answered 200/204 with Dash's JSON,
no callback error and no "database unavailable" notice, and no traceback in the server's log.
Prints a Markdown table (for the README) and per-callback latency, writes the JSON result,
exits 1 on any error, and drops the database it created unless ``--keep``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import secrets
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Mapping
from datetime import timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import Engine

from bench import dash_http as http
from bench.callbacks import Exchange, callbacks_and_props
from bench.load_report import callback_table, markdown, summarise
from bench.load_scenario import ADVERSE_EVENTS, OVERVIEW, Account, Page, Plan, Step, person
from bench.scale import create_database, drop_database
from bench.script import FilterChange
from data_access.engine import make_engine
from data_access.filters import Scope
from data_access.queries.clinics import clinic_directory, latest_procedure_date
from data_access.queries.users import create_user, delete_user
from data_access.roles import Role
from data_access.settings import load_settings

ADMIN_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
CLINICOPS = http.CLINICOPS_SERVE[0]
#: Ten people: 1 admin, 2 medical directors, 3 regional managers, 4 staff (one of each first).
ROLE_MIX = (
    Role.ADMIN, Role.MEDICAL_DIRECTOR, Role.REGIONAL_MANAGER, Role.STAFF, Role.STAFF,
    Role.REGIONAL_MANAGER, Role.STAFF, Role.MEDICAL_DIRECTOR, Role.REGIONAL_MANAGER, Role.STAFF,
)  # fmt: skip


def prepare_demo(url: str) -> None:
    """Bring the database to the latest schema and load the default demo when it is empty."""
    env = {**os.environ, "CLINICOPS_DATABASE_URL": url, "CLINICOPS_DEMO_ON_EMPTY": "false"}
    subprocess.run([CLINICOPS, "init-db"], env=env, check=True)
    engine = make_engine(load_settings(database_url=url))
    with engine.connect() as conn:
        empty = clinic_directory(conn=conn, scope=Scope.everything()).empty
    engine.dispose()
    if empty:
        print("loading the default demo (40 clinics, 3 years)", flush=True)
        subprocess.run([CLINICOPS, "demo"], env=env, check=True, stdout=subprocess.DEVNULL)


def add_accounts(engine: Engine, count: int, tag: str) -> list[Account]:
    """``count`` users in the :data:`ROLE_MIX`, regions and clinics handed out in turn."""
    with engine.begin() as conn:
        clinics = clinic_directory(conn=conn, scope=Scope.everything())
        regions = sorted(clinics["region"].unique())
        clinic_ids = sorted(clinics["clinic_id"])
        accounts = []
        for n in range(count):
            role = ROLE_MIX[n % len(ROLE_MIX)]
            account = Account(
                username=f"load-{tag}-{n:03d}",
                password=secrets.token_urlsafe(18),
                role=role,
                regions=(regions[n % len(regions)],) if role is Role.REGIONAL_MANAGER else (),
                clinics=(clinic_ids[(7 * n) % len(clinic_ids)],) if role is Role.STAFF else (),
            )
            create_user(conn=conn, username=account.username, password=account.password,
                        role=role, regions=account.regions, clinics=account.clinics)  # fmt: skip
            accounts.append(account)
    return accounts


def loaded_until(page: Page) -> Callable[[list[dict[str, Any]]], bool]:
    """Whether a recorded page load is complete: the filter bar's callback, sent once the
    bar has been filled from the URL, echoes it back (and is the last callback sent)."""
    return lambda bodies: any(body["output"] == page.location for body in bodies)


def capture_roles(url: str, engine: Engine, accounts: list[Account]) -> dict[Role, Any]:
    """Each role's callbacks and fresh-page props, from one of its people's page loads."""
    with engine.connect() as conn:
        last = latest_procedure_date(conn=conn, scope=Scope.everything())
    assert last is not None, "the database holds no procedures"
    change = FilterChange("last 90 days", last - timedelta(days=89), last)
    found = {}
    for role in dict.fromkeys(a.role for a in accounts):
        who = next(a for a in accounts if a.role is role)
        print(f"recording the browser's callbacks for {role.value}", flush=True)
        pages = [
            loaded
            for page in (OVERVIEW, ADVERSE_EVENTS)
            for loaded in http.capture(
                url, who.username, who.password, [change], page.path, loaded_until(page)
            )
        ]
        found[role] = callbacks_and_props(pages)
    return found


def run_people(plan_args: Mapping[str, Any], accounts: list[Account], seed: int) -> list[Step]:
    """Everyone at once; the clock starts when the last one has signed in."""
    steps: list[Step] = []
    lock = threading.Lock()
    began = [0.0]

    def record(step: Step) -> None:
        with lock:
            steps.append(step)

    def start_clock() -> None:
        began[0] = time.perf_counter()
        print(f"{len(accounts)} people signed in; running", flush=True)

    plan = Plan(
        **plan_args,
        signed_in=threading.Barrier(len(accounts), action=start_clock),
        clock=lambda: time.perf_counter() - began[0],
    )

    def guarded(account: Account, n: int) -> None:
        try:
            person(account, plan, seed + n, record)
        except Exception as exc:  # a bug of this script: counted, and nobody waits for it
            plan.signed_in.abort()
            failure = Exchange("load script", 0, 0.0, f"{type(exc).__name__}: {exc}")
            record(Step(account.username, account.role.value, "-", "crash", plan.clock(), 0.0,
                        [failure]))  # fmt: skip

    people = [
        threading.Thread(target=guarded, args=(a, n), name=a.username)
        for n, a in enumerate(accounts)
    ]
    for thread in people:
        thread.start()
    for thread in people:
        thread.join()
    return steps


class LoadMonitor:
    """The 1-minute load average, sampled every two seconds while the run lasts."""

    def __init__(self) -> None:
        self.before = os.getloadavg()[0]
        self.samples: list[float] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()

    def _sample(self) -> None:
        while not self._stop.wait(2.0):
            self.samples.append(os.getloadavg()[0])

    def stop(self) -> dict[str, float]:
        self._stop.set()
        self._thread.join()
        samples = self.samples or [self.before]
        return {"before": self.before, "mean": sum(samples) / len(samples), "max": max(samples)}


def server_log_problems(log: Path) -> list[str]:
    """Tracebacks and 5xx answers in the server's log (outage warnings have neither)."""
    lines = log.read_text(errors="replace").splitlines()
    problems = [f"server log: {lines[i + 1].strip()[:160] if i + 1 < len(lines) else line}"
                for i, line in enumerate(lines) if line.startswith("Traceback")]  # fmt: skip
    problems += [f"server log: {line[:160]}" for line in lines if '"status": 5' in line]
    return problems


def run(args: argparse.Namespace, url: str, work: Path) -> dict[str, Any]:
    engine = make_engine(load_settings(database_url=url))
    accounts = add_accounts(engine, args.users, secrets.token_hex(3))
    env = {
        "CLINICOPS_DATABASE_URL": url,
        "CLINICOPS_SECRET_KEY": secrets.token_hex(32),
        "CLINICOPS_DEMO_ON_EMPTY": "false",
        "CLINICOPS_REDIS_URL": args.redis_url or "",
    }
    log = work / "server.log"
    try:
        with http.running_server(env, workers=args.workers, threads=args.threads, log=log,
                                 command=http.CLINICOPS_SERVE) as server:  # fmt: skip
            callbacks = capture_roles(server.url, engine, accounts)
            workers_before = set(server.worker_pids())
            monitor = LoadMonitor()
            plan_args = {
                "url": server.url,
                "callbacks": callbacks,
                "duration": args.duration,
                "think": tuple(args.think),
                "adverse_events_share": args.ae_share,
            }
            steps = run_people(plan_args, accounts, args.seed)
            load = monitor.stop()
            rss = server.peak_rss_mb()
            restarts = len(set(server.worker_pids()) - workers_before)
    finally:
        if args.database_url:  # someone else's database: leave no users behind
            with engine.begin() as conn:
                for account in accounts:
                    delete_user(conn=conn, username=account.username)
        engine.dispose()
    summary = summarise(steps, {
        "users": args.users, "duration": args.duration, "workers": args.workers,
        "threads": args.threads, "think": list(args.think), "adverse_events_share": args.ae_share,
        "cache": f"Redis ({args.redis_url})" if args.redis_url else "in-process (per worker)",
        "cpus": os.cpu_count(), "load_average": load, "worker_peak_rss_mb": sorted(rss.values()),
        "worker_restarts": restarts, "python": platform.python_version(),
        "run_at": time.strftime("%Y-%m-%d %H:%M %Z"),
    })  # fmt: skip
    problems = server_log_problems(log)
    summary["server_log_problems"] = problems[:20]
    summary["errors"] += len(problems)
    summary["first_errors"] = (summary["first_errors"] + problems)[:20]
    return summary


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--duration", type=float, default=120, help="seconds of filter changes")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers")
    parser.add_argument("--threads", type=int, default=8, help="threads per worker")
    parser.add_argument("--think", type=float, nargs=2, default=(0.5, 2.0), metavar=("MIN", "MAX"))
    parser.add_argument("--ae-share", type=float, default=0.2,
                        help="share of filter changes made on the adverse-events page")  # fmt: skip
    parser.add_argument("--database-url", help="use this database (demo loaded if empty)")
    parser.add_argument("--admin-url", default=ADMIN_URL, help="server to create the database on")
    parser.add_argument("--redis-url", help="shared result cache (default: in-process)")
    parser.add_argument("--keep", action="store_true", help="keep the database created")
    parser.add_argument("--seed", type=int, default=20261124)
    result = Path(tempfile.gettempdir()) / "clinicops-load-users.json"
    parser.add_argument("--result", type=Path, default=result, help="the JSON result file")
    args = parser.parse_args()
    url = args.database_url or create_database(
        "postgresql", Path(), args.admin_url, prefix="clinicops_load"
    )
    work = Path(tempfile.mkdtemp(prefix="clinicops-load-"))
    try:
        prepare_demo(url)
        summary = run(args, url, work)
    finally:
        if not args.database_url and not args.keep:
            drop_database(url, args.admin_url)
        elif not args.database_url:
            print(f"kept the database: {url}")
    args.result.write_text(json.dumps(summary, indent=1))
    print(f"\n{markdown(summary)}\n\nPer callback:\n\n{callback_table(summary)}\n")
    print(f"result: {args.result}; server log: {work / 'server.log'}")
    sys.exit(1 if summary["errors"] else 0)


if __name__ == "__main__":
    main()
