"""Where a filter change's figure time goes: each figure function, and each of its statements.

Benchmark support. For the filter changes of :mod:`bench.script` whose name contains
``--change`` (all of them by default), every figure function the overview asks for (and the
KPI totals of the previous period) is run ``--repeats`` times on one connection, without the
result cache. It prints per figure the median wall time, the part of it spent executing SQL
(a cursor-execute listener) and the statements' count; with ``--statements`` each statement's
median time and its first characters; with ``--explain`` the plan (``EXPLAIN (ANALYZE,
BUFFERS)``, PostgreSQL) of each figure's slowest statement.

    python -m bench.figure_profile --url postgresql+psycopg://postgres@127.0.0.1/DB \\
        --data /tmp/clinicops-bench/10000k --change "17 Mar" --statements
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, event

from bench.dataset import load_manifest
from bench.script import EVERYTHING, FIGURES, filter_changes
from data_access.engine import make_engine
from data_access.settings import load_settings

_executed: list[tuple[str, Any, float]] = []


def _listen(engine: Any) -> None:
    @event.listens_for(engine, "before_cursor_execute")
    def before(conn: Any, cursor: Any, statement: str, parameters: Any, *args: Any) -> None:
        conn.info["began"] = time.perf_counter()

    @event.listens_for(engine, "after_cursor_execute")
    def after(conn: Any, cursor: Any, statement: str, parameters: Any, *args: Any) -> None:
        _executed.append((statement, parameters, time.perf_counter() - conn.info["began"]))


def _explain(conn: Connection, statement: str, parameters: Any) -> str:
    rows = conn.exec_driver_sql("EXPLAIN (ANALYZE, BUFFERS) " + statement, parameters).all()
    return "\n".join("      " + row[0] for row in rows)


def profile(
    url: str, manifest: dict[str, Any], change_filter: str, repeats: int, **show: bool
) -> None:
    settings = load_settings(
        data_dir=Path(tempfile.gettempdir()), database_url=url, statement_timeout_ms=0
    )
    engine = make_engine(settings)
    _listen(engine)
    changes = [c for c in filter_changes(manifest) if change_filter in c.name]
    with engine.connect() as conn:
        for change in changes:
            filters = change.filters()
            calls = [(name, fast, options(filters), filters) for name, fast, _, options in FIGURES]
            calls.append(
                ("kpi_totals (previous period)", FIGURES[0][1], {}, filters.previous_period())
            )
            total = 0.0
            print(f"\n{change.name}")
            for name, fast, options, wanted in calls:
                walls, sqls = [], []
                per_statement: dict[int, list[float]] = defaultdict(list)
                last: list[tuple[str, Any, float]] = []
                for _ in range(repeats):
                    _executed.clear()
                    began = time.perf_counter()
                    fast(conn=conn, filters=wanted, scope=EVERYTHING, **options)
                    walls.append(time.perf_counter() - began)
                    conn.rollback()  # each call its own transaction, as in a callback
                    sqls.append(sum(seconds for *_, seconds in _executed))
                    for index, (*_, seconds) in enumerate(_executed):
                        per_statement[index].append(seconds)
                    last = list(_executed)
                wall = 1000 * statistics.median(walls)
                total += wall
                print(
                    f"  {name:32} {wall:7.1f} ms   sql {1000 * statistics.median(sqls):7.1f} ms"
                    f"   {len(last)} statements"
                )
                if show.get("statements"):
                    for index, (statement, _, _) in enumerate(last):
                        flat = " ".join(statement.split())
                        ms = 1000 * statistics.median(per_statement[index])
                        print(f"      {ms:7.2f} ms  {flat[:110]}")
                if show.get("explain") and last and conn.dialect.name == "postgresql":
                    slowest = max(
                        range(len(last)), key=lambda i: statistics.median(per_statement[i])
                    )
                    statement, parameters, _ = last[slowest]
                    print(_explain(conn, statement, parameters))
                    conn.rollback()
            print(f"  {'every figure, one after another':32} {total:7.1f} ms")
    engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", required=True, help="a database imported by bench.scale --keep")
    parser.add_argument("--data", type=Path, required=True, help="its data folder (manifest.json)")
    parser.add_argument("--change", default="", help="only the changes whose name contains this")
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--statements", action="store_true")
    parser.add_argument("--explain", action="store_true")
    args = parser.parse_args()
    manifest = load_manifest(args.data)
    if manifest is None:
        parser.error(f"no manifest.json in {args.data}")
    profile(
        args.url,
        manifest,
        args.change,
        args.repeats,
        statements=args.statements,
        explain=args.explain,
    )


if __name__ == "__main__":
    main()
