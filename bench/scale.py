"""One command per scale: generate, import, time the figures, replay the browser, report.

    python -m bench.scale --procedures 1000000            # SQLite and PostgreSQL
    python -m bench.scale --procedures 10000000           # PostgreSQL (add --backends sqlite)

Benchmark (not part of the test run). Steps, for each backend:

1. the network of :mod:`bench.dataset` (200 clinics, 5 years; generated once into
   ``--data-dir`` and reused), imported batch by batch through ``import_batch``
   (:mod:`bench.importing`, its own process) into a database created for the run;
2. every figure of every filter change of :mod:`bench.script`, from the summaries and as the
   naive GROUP BY over the base tables (:mod:`bench.figures`), results compared;
3. the production server (:mod:`bench.server`: gunicorn, ``--workers`` sync workers, the
   result cache in Redis when ``--redis-url`` answers) with a bench admin user; the browser's
   callback requests captured once with headless Chromium, then replayed (:mod:`bench.dash_http`):
   cold (a new data version before each change, as after an import: every figure computed)
   and warm (every change once more untimed, then timed: all cache hits), the trivial
   callback for Dash's floor, and each worker's peak RSS.

Results go to ``<data-dir>/results-<backend>.json`` and a Markdown report is printed. The
databases are dropped at the end unless ``--keep``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import secrets
import statistics
import subprocess
import sys
import time
import uuid
from dataclasses import asdict
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, insert, text
from sqlalchemy.engine import make_url

from bench import dash_http as http
from bench import figures as figure_timings
from bench.dataset import load_manifest
from bench.script import filter_changes
from data_access.engine import make_engine
from data_access.queries.users import create_user, find_user, set_password
from data_access.schema import import_log
from data_access.settings import load_settings

ADMIN_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
REDIS_URL = "redis://127.0.0.1:6379/15"
BENCH_USER = "bench-admin"
SECTION_NAMES = {
    "kpi-procedures.children": "KPI cards",
    "kpi-procedures-change.children": "KPI changes vs previous period",
    "clinic-map": "map, clinic ranking, volume trend",
    "soreness-by-days": "follow-up and soreness",
    "ae-trend": "adverse events",
    "referrals-by-clinic": "referral sources",
}


def machine_cpu_seconds() -> float | None:
    """CPU seconds every core of this machine has spent busy since boot (``/proc/stat``;
    ``None`` where there is none). Over a replay that is the server's work (the app's workers
    and the database; the replaying client is a small part): unlike latency, it does not
    depend on how the two cores happened to interleave the requests."""
    try:
        fields = Path("/proc/stat").read_text().splitlines()[0].split()[1:]
    except OSError:
        return None
    user, nice, system, _idle, _iowait, irq, softirq, steal = (int(f) for f in fields[:8])
    return (user + nice + system + irq + softirq + steal) / os.sysconf("SC_CLK_TCK")


def _cpu_per_change(before: float | None, after: float | None, changes: int) -> float | None:
    return None if before is None or after is None or not changes else (after - before) / changes


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    index = min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))
    return ordered[index]


def section(body: dict[str, Any]) -> str:
    output = str(body.get("output", ""))
    for key, name in SECTION_NAMES.items():
        if key in output.split("...")[0]:
            return name
    return http.panel_name(body)


def create_database(
    kind: str, data_dir: Path, admin_url: str, prefix: str = "clinicops_bench"
) -> str:
    if kind == "sqlite":
        path = data_dir / f"bench-{uuid.uuid4().hex[:8]}.sqlite3"
        return f"sqlite:///{path}"
    name = f"{prefix}_{uuid.uuid4().hex[:8]}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return make_url(admin_url).set(database=name).render_as_string(hide_password=False)


def drop_database(url: str, admin_url: str) -> None:
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        for suffix in ("", "-wal", "-shm"):
            Path(f"{parsed.database}{suffix}").unlink(missing_ok=True)
        return
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{parsed.database}" WITH (FORCE)'))
    admin.dispose()


def redis_answers(url: str) -> bool:
    try:
        import redis

        return bool(redis.Redis.from_url(url, socket_connect_timeout=1).ping())
    except Exception:
        return False


def import_batches(url: str, data_dir: Path, result_file: Path) -> None:
    """Every batch of the data folder through the real importer, in its own process (so
    that its peak memory is its own); the figures go to ``result_file``."""
    subprocess.run(
        [
            sys.executable,
            "-m",
            "bench.importing",
            "--url",
            url,
            "--data",
            str(data_dir),
            "--work-dir",
            str(data_dir),
            "--result",
            str(result_file),
        ],
        check=True,
        cwd=Path(__file__).resolve().parent.parent,
    )


def run_backend(kind: str, args: argparse.Namespace, manifest: dict[str, Any]) -> dict[str, Any]:
    data_dir: Path = args.data_dir
    reused = getattr(args, f"reuse_{kind}")
    url = reused or create_database(kind, data_dir, args.admin_url)
    results: dict[str, Any] = {"backend": kind}
    result_file = data_dir / f"import-{kind}.json"
    try:
        if reused:
            print(f"[{kind}] reusing {reused} (imported by an earlier run)", flush=True)
        else:
            print(f"[{kind}] importing {manifest['rows']['procedures']:,} procedures", flush=True)
            import_batches(url, data_dir, result_file)
        results["import"] = json.loads(result_file.read_text())
        imported = results["import"]
        print(
            f"[{kind}] imported in {imported['seconds']:.0f} s: "
            f"{imported['procedures_per_second']:,.0f} procedures/s",
            flush=True,
        )
        engine = make_engine(
            load_settings(data_dir=data_dir, database_url=url, statement_timeout_ms=0)
        )
        changes = filter_changes(manifest)
        print(f"[{kind}] figures, fast and naive", flush=True)
        timings = figure_timings.time_figures(engine, changes, naive=not args.no_naive)
        results["figures"] = [asdict(t) for t in timings]
        if not args.no_http:
            results["http"] = run_http(kind, url, engine, changes, args)
        engine.dispose()
    finally:
        if not args.keep and not reused:
            drop_database(url, args.admin_url)
        else:
            results["database_url"] = url
    return results


def run_http(
    kind: str, url: str, engine: Any, changes: list[Any], args: argparse.Namespace
) -> dict[str, Any]:
    password = secrets.token_urlsafe(18)
    with engine.begin() as conn:
        if find_user(conn=conn, username=BENCH_USER) is None:
            create_user(conn=conn, username=BENCH_USER, password=password, role="admin")
        else:  # a reused database keeps the user of the run that imported it
            set_password(conn=conn, username=BENCH_USER, password=password)
    env = {
        "CLINICOPS_DATABASE_URL": url,
        "CLINICOPS_SECRET_KEY": secrets.token_hex(32),
        "CLINICOPS_DEMO_ON_EMPTY": "false",
        "CLINICOPS_DATA_DIR": str(args.data_dir),
        "CLINICOPS_STATEMENT_TIMEOUT_MS": "0",
    }
    cache = "in-process"
    if redis_answers(args.redis_url):
        env["CLINICOPS_REDIS_URL"] = args.redis_url
        cache = f"Redis ({args.redis_url})"

    def new_data_version() -> None:
        # What an import does: the next request of every figure misses the cache.
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

    log = args.data_dir / f"server-{kind}.log"
    with http.running_server(env, workers=args.workers, threads=args.threads, log=log) as server:
        print(f"[{kind}] capturing the browser's callbacks ({server.url})", flush=True)
        captured = http.capture(server.url, BENCH_USER, password, changes)
        chains = []
        for item in captured:
            heads, panels = http.panel_requests(item)
            named = [(body, section(body)) for body in panels]
            chains.append(http.Chain(item.change, heads, named, item.query))
        sessions = [http.sign_in(server.url, BENCH_USER, password) for _ in range(2)]
        floor = http.floor(server.url, sessions[0])
        print(f"[{kind}] replaying {len(chains)} filter changes x {args.rounds} (cold)", flush=True)
        cpu_before = machine_cpu_seconds()
        cold = http.replay(
            server.url, sessions, chains, rounds=args.rounds, before_each=new_data_version
        )
        cold_cpu = _cpu_per_change(cpu_before, machine_cpu_seconds(), len(cold))
        print(f"[{kind}] replaying twice more (warm: the second time)", flush=True)
        # The cold rounds left each change's figures cached under the data version of its
        # own round, and only the last change's under the current one: one untimed pass
        # caches every change at the current version, so the timed pass is all cache hits.
        http.replay(server.url, sessions, chains, rounds=1)
        cpu_before = machine_cpu_seconds()
        warm = http.replay(server.url, sessions, chains, rounds=1)
        warm_cpu = _cpu_per_change(cpu_before, machine_cpu_seconds(), len(warm))
        rss = server.peak_rss_mb()
    return {
        "cache": cache,
        "workers": args.workers,
        "threads": args.threads,
        "floor_seconds": floor,
        "cold": [_change_dict(c) for c in cold],
        "warm": [_change_dict(c) for c in warm],
        "peak_rss_mb": rss,
        "cpu_seconds_per_change": {"cold": cold_cpu, "warm": warm_cpu},
        "requests_per_change": {item.change: len(item.bodies) for item in captured},
    }


def _change_dict(change: http.ChangeTiming) -> dict[str, Any]:
    return {
        "change": change.change,
        "seconds": change.seconds,
        "panels": [
            {"panel": t.panel, "seconds": t.seconds, "status": t.status} for t in change.panels
        ],
    }


# --- Report --------------------------------------------------------------------------------


def report(all_results: list[dict[str, Any]], manifest: dict[str, Any]) -> str:
    lines = [
        f"### {manifest['rows']['procedures']:,} procedures "
        f"({manifest['rows']['followups']:,} follow-ups, {manifest['rows']['adverse_events']:,} "
        f"adverse events, {manifest['rows']['referrals']:,} referrals; 200 clinics, "
        f"{manifest['first_day']} to {manifest['last_day']})",
        "",
        f"Machine: {platform.machine()}, {_cpus()} CPUs, {_memory_gb():.0f} GiB, "
        f"{platform.python_implementation()} {platform.python_version()}; "
        f"run {datetime.now():%Y-%m-%d %H:%M}.",
        "",
    ]
    for results in all_results:
        lines += _backend_report(results)
    return "\n".join(lines)


def _cpus() -> int:
    import os

    return os.cpu_count() or 0


def _memory_gb() -> float:
    for line in Path("/proc/meminfo").read_text().splitlines():
        if line.startswith("MemTotal:"):
            return int(line.split()[1]) / 1024 / 1024
    return 0.0


def _ms(seconds: float) -> str:
    return f"{1000 * seconds:,.0f}"


def _backend_report(results: dict[str, Any]) -> list[str]:
    kind = results["backend"]
    imported = results["import"]
    lines = [
        f"#### {kind}",
        "",
        f"Import (``import_batch``, {len(imported['batches'])} batches, summaries included): "
        f"{imported['seconds']:,.0f} s, **{imported['procedures_per_second']:,.0f} procedures/s** "
        f"({imported['rows_per_second']:,.0f} rows/s, all files); importer peak RSS "
        f"{imported['peak_rss_mb']:,.0f} MB"
        + (
            f"; VACUUM ANALYZE afterwards {imported['vacuum_analyze_seconds']:,.0f} s."
            if imported.get("vacuum_analyze_seconds")
            else "."
        ),
        "",
        "Data layer, per figure (median / max over the filter changes, ms):",
        "",
        "| figure | naive GROUP BY | fast (summaries) | speed-up (medians) |",
        "|---|---:|---:|---:|",
    ]
    by_figure: dict[str, list[dict[str, Any]]] = {}
    for row in results["figures"]:
        by_figure.setdefault(row["figure"], []).append(row)
    all_same = all(row["same"] is not False for row in results["figures"])
    for name, rows in by_figure.items():
        fast = [r["fast_ms"] for r in rows]
        naive = [r["naive_ms"] for r in rows if r["naive_ms"] is not None]
        speedup = statistics.median(naive) / statistics.median(fast) if naive else float("nan")
        lines.append(
            f"| {name} | {statistics.median(naive):,.0f} / {max(naive):,.0f} | "
            f"{statistics.median(fast):,.1f} / {max(fast):,.1f} | {speedup:,.0f}x |"
            if naive
            else f"| {name} | - | {statistics.median(fast):,.1f} / {max(fast):,.1f} | - |"
        )
    lines += ["", "Data layer, every figure of one filter change (sum, ms):", ""]
    lines += ["| filter change | naive | fast | speed-up |", "|---|---:|---:|---:|"]
    by_change: dict[str, list[dict[str, Any]]] = {}
    for row in results["figures"]:
        by_change.setdefault(row["change"], []).append(row)
    for change, rows in by_change.items():
        fast = sum(r["fast_ms"] for r in rows)
        naive = sum(r["naive_ms"] or 0 for r in rows)
        lines.append(f"| {change} | {naive:,.0f} | {fast:,.0f} | {naive / fast:,.0f}x |")
    lines.append("")
    lines.append(
        "Fast and naive results were identical for every figure and filter change."
        if all_same
        else "**Some fast results differed from the naive ones (see the JSON).**"
    )
    if "http" in results:
        lines += _http_report(results["http"])
    lines.append("")
    return lines


def _cpu_report(cpu: dict[str, float | None] | None) -> list[str]:
    if not cpu or cpu.get("cold") is None:
        return []
    warm = cpu.get("warm")
    return [
        f"Machine CPU per filter change (app workers + database, all cores): cold "
        f"{_ms(cpu['cold'])} ms" + (f", warm {_ms(warm)} ms." if warm is not None else "."),
        "",
    ]


def _http_report(h: dict[str, Any]) -> list[str]:
    floor = h["floor_seconds"]
    floor_p50, floor_p95 = percentile(floor, 0.5), percentile(floor, 0.95)
    lines = [
        "",
        f"HTTP, the browser's callback requests replayed against gunicorn ({h['workers']} "
        f"workers x {h['threads']} thread{'s' if h['threads'] > 1 else ''}, result cache: "
        f"{h['cache']}); cold = a new data version before each change (every figure computed), "
        "warm = the same requests again (cache hits). Latency in ms as the client sees it on "
        "the same host:",
        "",
        "| request | cold p50 | cold p95 | warm p50 | cold p95 / floor p95 |",
        "|---|---:|---:|---:|---:|",
    ]
    cold: dict[str, list[float]] = {}
    warm: dict[str, list[float]] = {}
    statuses = set()
    for change in h["cold"]:
        for panel in change["panels"]:
            cold.setdefault(panel["panel"], []).append(panel["seconds"])
            statuses.add(panel["status"])
    for change in h["warm"]:
        for panel in change["panels"]:
            warm.setdefault(panel["panel"], []).append(panel["seconds"])
    for name, values in cold.items():
        lines.append(
            f"| {name} | {_ms(percentile(values, 0.5))} | {_ms(percentile(values, 0.95))} | "
            f"{_ms(percentile(warm.get(name, [0.0]), 0.5))} | "
            f"{percentile(values, 0.95) / floor_p95:,.1f}x |"
        )
    whole_cold = [c["seconds"] for c in h["cold"]]
    whole_warm = [c["seconds"] for c in h["warm"]]
    lines += [
        f"| **every panel of one filter change** (wall time, {len(h['cold'][0]['panels']) - 1} "
        f"panel callbacks after the filters one) | {_ms(percentile(whole_cold, 0.5))} | "
        f"**{_ms(percentile(whole_cold, 0.95))}** | {_ms(percentile(whole_warm, 0.5))} | |",
        f"| trivial callback (Dash's floor, {len(floor)} requests) | {_ms(floor_p50)} | "
        f"{_ms(floor_p95)} | | 1.0x |",
        "",
        "Every panel of one filter change, per change (cold, ms, median over rounds): "
        + "; ".join(
            f"{name}: {_ms(statistics.median(_seconds_of(h['cold'], name)))}"
            for name in dict.fromkeys(c["change"] for c in h["cold"])
        )
        + ".",
        "",
        *_cpu_report(h.get("cpu_seconds_per_change")),
        "Peak RSS per gunicorn worker (MB): "
        + ", ".join(f"{mb:,.0f}" for mb in sorted(h["peak_rss_mb"].values()))
        + f". HTTP statuses seen: {sorted(statuses)}.",
    ]
    return lines


def _seconds_of(changes: list[dict[str, Any]], name: str) -> list[float]:
    return [c["seconds"] for c in changes if c["change"] == name]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--procedures", type=int, default=1_000_000)
    parser.add_argument(
        "--backends", default=None, help="postgresql,sqlite (default: both up to 2M)"
    )
    parser.add_argument("--data-dir", type=Path, default=None)
    parser.add_argument("--admin-url", default=ADMIN_URL, help="PostgreSQL server (any database)")
    parser.add_argument("--redis-url", default=REDIS_URL)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--rounds", type=int, default=5, help="cold replays of the script")
    parser.add_argument("--no-naive", action="store_true", help="skip the naive GROUP BY timings")
    parser.add_argument("--no-http", action="store_true", help="skip the HTTP replay")
    parser.add_argument("--keep", action="store_true", help="keep the databases")
    for kind in ("postgresql", "sqlite"):
        parser.add_argument(
            f"--reuse-{kind}",
            metavar="URL",
            help=f"a {kind} database imported by an earlier --keep run (its import figures "
            "are read from the data folder)",
        )
    args = parser.parse_args()
    args.data_dir = args.data_dir or Path("/tmp/clinicops-bench") / f"{args.procedures // 1000}k"
    backends = (
        args.backends or ("postgresql,sqlite" if args.procedures <= 2_000_000 else "postgresql")
    ).split(",")
    manifest = load_manifest(args.data_dir)
    if manifest is None or manifest["procedures_requested"] != args.procedures:
        started = time.perf_counter()
        print(f"generating {args.procedures:,} procedures into {args.data_dir}", flush=True)
        subprocess.run(
            [
                sys.executable,
                "-m",
                "bench.dataset",
                "--procedures",
                str(args.procedures),
                "--out",
                str(args.data_dir),
            ],
            check=True,
            cwd=Path(__file__).resolve().parent.parent,
        )
        manifest = load_manifest(args.data_dir)
        print(f"generated in {time.perf_counter() - started:.0f} s", flush=True)
    assert manifest is not None
    all_results = []
    for kind in backends:
        results = run_backend(kind, args, manifest)
        (args.data_dir / f"results-{kind}.json").write_text(json.dumps(results, indent=1))
        all_results.append(results)
    text_report = report(all_results, manifest)
    (args.data_dir / "report.md").write_text(text_report)
    print(text_report)


if __name__ == "__main__":
    main()
