"""Data-layer timings: every figure of the script, from the summaries and from base tables.

Benchmark support. For each filter change of :mod:`bench.script` and each figure function the
overview asks for, the fast function (``data_access.queries``) is timed ``repeats`` times
(median) and its base-table twin (``data_access.queries.naive``, the GROUP BY a BI tool would
run) once; both results are compared, so a benchmark run is also a correctness check at scale.
"""

from __future__ import annotations

import statistics
import time
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine

from bench.script import EVERYTHING, FIGURES, FilterChange


@dataclass
class FigureTiming:
    figure: str
    change: str
    fast_ms: float
    naive_ms: float | None
    same: bool | None


def _equal(fast: Any, slow: Any) -> bool:
    import pandas as pd

    if isinstance(slow, pd.DataFrame):
        if slow.empty and fast.empty:
            return list(fast.columns) == list(slow.columns)
        try:
            pd.testing.assert_frame_equal(
                fast.reset_index(drop=True),
                slow.reset_index(drop=True),
                check_dtype=False,
                check_exact=False,
                rtol=1e-9,
            )
        except AssertionError:
            return False
        return True
    if hasattr(slow, "as_dict"):
        a, b = fast.as_dict(), slow.as_dict()
        return all(
            (abs(a[k] - b[k]) < 1e-9 if isinstance(b[k], float) else a[k] == b[k]) for k in b
        )
    return bool(fast == slow)


def time_figures(
    engine: Engine, changes: list[FilterChange], *, repeats: int = 3, naive: bool = True
) -> list[FigureTiming]:
    results = []
    with engine.connect() as conn:
        for change in changes:
            filters = change.filters()
            calls = [
                (name, fast, slow, options(filters), filters)
                for name, fast, slow, options in FIGURES
            ]
            previous = filters.previous_period()
            calls.append(("kpi_totals (previous period)", *FIGURES[0][1:3], {}, previous))
            for name, fast, slow, options, wanted in calls:
                kwargs = {"conn": conn, "filters": wanted, "scope": EVERYTHING, **options}
                times = []
                for _ in range(repeats):
                    began = time.perf_counter()
                    result = fast(**kwargs)
                    times.append(time.perf_counter() - began)
                naive_ms, same = None, None
                if naive:
                    began = time.perf_counter()
                    expected = slow(**kwargs)
                    naive_ms = 1000 * (time.perf_counter() - began)
                    same = _equal(result, expected)
                results.append(
                    FigureTiming(name, change.name, 1000 * statistics.median(times), naive_ms, same)
                )
                print(
                    f"    {change.name:38} {name:32} fast {results[-1].fast_ms:8.1f} ms"
                    + (
                        f"  naive {naive_ms:9.1f} ms  {'same' if same else 'DIFFERENT'}"
                        if naive
                        else ""
                    ),
                    flush=True,
                )
    return results
