"""The load test's figures: latency percentiles, throughput and errors, as JSON and Markdown.

Benchmark support for :mod:`bench.load_users`, pure: it takes the recorded steps (sign-ins,
page opens, filter changes, each with its requests) and the run's settings, and returns a
summary dict (written as the JSON result) and a Markdown table for the README.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from typing import Any

from bench.load_scenario import Step
from bench.scale import percentile

QUANTILES = (0.5, 0.95, 0.99)
#: Errors listed by name in the report (all are counted).
SHOWN_ERRORS = 5


def _quantiles(seconds: list[float]) -> dict[str, float | int]:
    return {
        "count": len(seconds),
        **{f"p{round(q * 100)}_ms": round(1000 * percentile(seconds, q), 1) for q in QUANTILES},
        "max_ms": round(1000 * max(seconds), 1) if seconds else float("nan"),
    }


def summarise(steps: list[Step], run: Mapping[str, Any]) -> dict[str, Any]:
    """Everything the report says, from the steps of one run (``run``: settings, machine)."""
    timed = [s for s in steps if s.kind != "sign-in"]
    sign_ins = [s for s in steps if s.kind == "sign-in"]
    changes = [s for s in timed if s.kind.startswith("change")]
    requests = [e for s in timed for e in s.exchanges]
    window = max((s.started + s.seconds for s in timed), default=0.0) or 1.0
    errors = [
        f"{s.user} ({s.role}) {s.page} {s.kind}: {error}" for s in steps for error in s.errors
    ]
    by_callback: dict[str, list[float]] = {}
    for exchange in requests:
        by_callback.setdefault(exchange.callback, []).append(exchange.seconds)
    return {
        **run,
        "window_seconds": round(window, 1),
        "roles": dict(Counter(s.role for s in sign_ins)),
        "signed_in": sum(1 for s in sign_ins if not s.errors),
        "filter_changes": len(changes),
        "filter_changes_by_page": dict(Counter(s.page for s in changes)),
        "filter_changes_by_kind": dict(Counter(s.kind for s in changes)),
        "page_opens": sum(1 for s in timed if s.kind == "open"),
        "requests": len(requests),
        "statuses": {str(k): v for k, v in sorted(Counter(e.status for e in requests).items())},
        "requests_per_second": round(len(requests) / window, 1),
        "filter_changes_per_second": round(len(changes) / window, 2),
        "errors": len(errors),
        "first_errors": errors[:20],
        "latency": {
            "request": _quantiles([e.seconds for e in requests]),
            "sign_in": _quantiles([s.seconds for s in sign_ins]),
            "page_open": _quantiles([s.seconds for s in timed if s.kind == "open"]),
            **{
                f"filter_change ({page})": _quantiles(
                    [s.seconds for s in changes if s.page == page]
                )
                for page in sorted({s.page for s in changes})
            },
            "filter_change (all)": _quantiles([s.seconds for s in changes]),
        },
        "latency_by_callback": {
            name: _quantiles(values) for name, values in sorted(by_callback.items())
        },
    }


def _ms(value: float | int) -> str:
    return f"{value:,.0f}"


def markdown(summary: Mapping[str, Any]) -> str:
    """The README table: the run in words, then latency rows."""
    roles = summary["roles"]
    role_text = ", ".join(f"{count} {role.replace('_', ' ')}" for role, count in roles.items())
    rss = ", ".join(f"{mb:,.0f}" for mb in summary["worker_peak_rss_mb"])
    load = summary["load_average"]
    lines = [
        "| run | |",
        "|---|---|",
        f"| users | {summary['users']} signed in ({role_text}) |",
        f"| server | `clinicops serve --production --workers {summary['workers']} --threads "
        f"{summary['threads']}` on PostgreSQL, result cache {summary['cache']} |",
        f"| duration | {summary['duration']:.0f} s (think time {summary['think'][0]}"
        f"-{summary['think'][1]} s) |",
        f"| filter changes | {summary['filter_changes']:,} "
        f"({summary['filter_changes_per_second']:.1f}/s; "
        + ", ".join(f"{n:,} {page}" for page, n in summary["filter_changes_by_page"].items())
        + f") and {summary['page_opens']:,} page opens |",
        f"| requests | {summary['requests']:,} ({summary['requests_per_second']:.1f}/s), "
        f"statuses {summary['statuses']} |",
        f"| errors | **{summary['errors']}** |",
        f"| gunicorn worker peak RSS | {rss} MB (worker restarts: {summary['worker_restarts']}) |",
        f"| load average (1 min) | {load['before']:.1f} before, {load['mean']:.1f} mean, "
        f"{load['max']:.1f} max during the run ({summary['cpus']} CPUs) |",
        "",
        "| latency (ms) | count | p50 | p95 | p99 |",
        "|---|---:|---:|---:|---:|",
    ]
    names = {"request": "one callback request", "page_open": "page open (navigation)"}
    for name, q in summary["latency"].items():
        if name == "sign_in" or not q["count"]:
            continue
        label = names.get(name, name.replace("_", " ") + ", every panel answered")
        lines.append(
            f"| {label} | {q['count']:,} | {_ms(q['p50_ms'])} | {_ms(q['p95_ms'])} | "
            f"{_ms(q['p99_ms'])} |"
        )
    if summary["first_errors"]:
        lines += ["", "First errors:", ""]
        lines += [f"- {error}" for error in summary["first_errors"][:SHOWN_ERRORS]]
    return "\n".join(lines)


def callback_table(summary: Mapping[str, Any]) -> str:
    """Per-callback latency (for reading, not for the README)."""
    lines = ["| callback | count | p50 ms | p95 ms | p99 ms |", "|---|---:|---:|---:|---:|"]
    for name, q in summary["latency_by_callback"].items():
        lines.append(
            f"| {name} | {q['count']:,} | {_ms(q['p50_ms'])} | {_ms(q['p95_ms'])} | "
            f"{_ms(q['p99_ms'])} |"
        )
    return "\n".join(lines)
