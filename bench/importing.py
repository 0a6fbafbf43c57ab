"""Loading the benchmark network into a database through the real import path.

Benchmark support. ``python -m bench.importing --url URL --data DIR`` migrates the database to
the latest schema and imports every batch folder of ``DIR`` (:mod:`bench.dataset`) with
:func:`data_access.importer.import_batch`, one transaction per batch as ``clinicops import``
does (summaries included), then prints one JSON object: seconds and rows per batch, the
total, procedures per second and the importer's peak RSS. It runs in its own process so that
its memory is measured alone.
"""

from __future__ import annotations

import argparse
import json
import resource
import time
from pathlib import Path

from data_access.engine import make_engine
from data_access.importer import import_batch
from data_access.migrate import upgrade_to_head
from data_access.settings import load_settings
from data_access.summaries import compact_queues


def load(url: str, data: Path, work_dir: Path) -> dict[str, object]:
    engine = make_engine(load_settings(data_dir=work_dir, database_url=url, statement_timeout_ms=0))
    upgrade_to_head(engine)
    batches = []
    began = time.perf_counter()
    for folder in sorted(data.glob("batch_*")):
        started = time.perf_counter()
        with engine.begin() as conn:
            report = import_batch(conn=conn, directory=folder)
        compact_queues(engine)  # as ``clinicops import`` does after its commit
        seconds = time.perf_counter() - started
        batches.append({"batch": folder.name, "seconds": seconds, "inserted": report.inserted})
        print(
            f"  {folder.name}: {report.inserted['procedures']:,} procedures in {seconds:.1f} s",
            flush=True,
        )
    total = time.perf_counter() - began
    procedures = sum(int(b["inserted"]["procedures"]) for b in batches)  # type: ignore[index]
    rows = sum(sum(b["inserted"].values()) for b in batches)  # type: ignore[attr-defined]
    vacuum = 0.0
    if engine.dialect.name == "postgresql":
        # What autovacuum does within minutes of a large import; done here so that the
        # timings that follow do not depend on when it happens to run.
        started = time.perf_counter()
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.exec_driver_sql("VACUUM (ANALYZE)")
        vacuum = time.perf_counter() - started
    engine.dispose()
    return {
        "batches": batches,
        "seconds": total,
        "procedures": procedures,
        "rows": rows,
        "procedures_per_second": procedures / total,
        "rows_per_second": rows / total,
        "vacuum_analyze_seconds": vacuum,
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", required=True)
    parser.add_argument("--data", type=Path, required=True)
    parser.add_argument("--work-dir", type=Path, required=True)
    parser.add_argument("--result", type=Path, required=True)
    args = parser.parse_args()
    args.result.write_text(json.dumps(load(args.url, args.data, args.work_dir)))


if __name__ == "__main__":
    main()
