"""Where an import's time goes: every SQL statement timed, grouped by import phase.

Benchmark support. Imports batch folders (``bench.dataset`` output, or any contract batches)
into a database created for the run, through :func:`data_access.importer.import_batch`, one
transaction per batch as ``clinicops import`` does. A cursor-execute listener times every
statement (on whichever thread runs it: the importer writes behind its parsing), attributed
to the phase it ran in (the file being imported, or the step of the summary refresh), and
the main thread's wait for the writer is timed too, so that per file::

    Python (parse + checks) ~= wall - time the main thread waited for the writer

It prints, per phase, the wall time and the SQL time, and the statements that took longest.

    python -m bench.import_profile --data /tmp/b1 --batches 2
    python -m bench.import_profile --data /tmp/b1 --backend sqlite --batches 1
"""

from __future__ import annotations

import argparse
import contextlib
import os
import re
import tempfile
import threading
import time
import uuid
import zlib
from collections import defaultdict
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, event, text
from sqlalchemy.engine import make_url

from data_access import import_run, importer, write_behind
from data_access.engine import make_engine
from data_access.importer import import_batch
from data_access.migrate import upgrade_to_head
from data_access.settings import load_settings
from data_access.summaries import compact_queues
from data_access.summaries import refresh as refresh_module
from data_access.summaries import visits as visits_module

ADMIN_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
TOP, WIDTH = 40, 160

_phase = threading.local()
_main_phase: list[str] = ["other"]
wall: dict[str, float] = defaultdict(float)
sql: dict[str, float] = defaultdict(float)
statements: dict[tuple[str, str], list[float]] = defaultdict(lambda: [0.0, 0, 0])


def _current() -> str:
    return getattr(_phase, "name", None) or _main_phase[-1]


@contextlib.contextmanager
def phase(name: str) -> Iterator[None]:
    _main_phase.append(name)
    started = time.perf_counter()
    try:
        yield
    finally:
        wall[name] += time.perf_counter() - started
        _main_phase.pop()


def _wrap(owner: Any, attribute: str, name: Callable[..., str]) -> None:
    original = getattr(owner, attribute, None)
    if original is None:  # not in this version of the code: profile the others
        return

    def wrapped(*args: Any, **kwargs: Any) -> Any:
        with phase(name(*args, **kwargs)):
            return original(*args, **kwargs)

    setattr(owner, attribute, wrapped)


def _instrument() -> None:
    _wrap(import_run.ImportPass, "_run_file", lambda self, layout: f"file {layout.spec.name}")
    _wrap(importer, "refresh_summaries", lambda conn: "refresh")
    _wrap(refresh_module, "refresh_visits", lambda conn: "refresh: visits")
    _wrap(refresh_module, "_refresh_procedure_days", lambda conn: "refresh: procedure days")
    _wrap(refresh_module, "_refresh_referral_days", lambda conn: "refresh: referral days")
    _wrap(visits_module, "_rebuild_cells", lambda conn, cells: "refresh: visits: patients")
    _wrap(visits_module, "_apply_steps", lambda conn, steps: "refresh: visits: patients")

    # The writer thread runs its jobs in the phase that submitted them.
    original_submit = write_behind.WriteBehind.submit

    def submit(self: Any, job: Callable[[], Any], done: Callable[[Any], None]) -> None:
        name = _current() + ": write"

        def named() -> Any:
            _phase.name = name
            try:
                return job()
            finally:
                _phase.name = None

        original_submit(self, named, done)

    write_behind.WriteBehind.submit = submit  # type: ignore[method-assign]
    original_wait = write_behind.WriteBehind.wait

    def wait(self: Any) -> None:
        with phase(_current() + ": waiting for the writer"):
            original_wait(self)

    write_behind.WriteBehind.wait = wait  # type: ignore[method-assign]


def _listen(engine: Any) -> None:
    @event.listens_for(engine, "before_cursor_execute")
    def before(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        conn.info.setdefault("started", []).append(time.perf_counter())

    @event.listens_for(engine, "after_cursor_execute")
    def after(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        seconds = time.perf_counter() - conn.info["started"].pop()
        name = _current()
        sql[name] += seconds
        # The start of a statement and a digest of the whole (many share their first words).
        label = f"{zlib.crc32(statement.encode()) % 10000:04d} " + re.sub(r"\s+", " ", statement)
        entry = statements[(name, label)]
        entry[0] += seconds
        entry[1] += 1
        entry[2] += max(cursor.rowcount, 0)


def _report(total: float, procedures: int) -> None:
    print(f"\ntotal {total:.1f} s, {procedures:,} procedures: {procedures / total:,.0f}/s")
    print(f"\n{'phase':55} {'wall s':>8} {'SQL s':>8}")
    for name in sorted(set(wall) | set(sql), key=lambda n: -max(wall[n], sql[n])):
        print(f"{name:55} {wall[name]:8.1f} {sql[name]:8.1f}")
    print("\nslowest statements (total s, count, rows, phase, digest and statement)")
    top = sorted(statements.items(), key=lambda item: -item[1][0])[:TOP]
    for (name, label), (seconds, count, rows) in top:
        print(f"{seconds:7.2f} {count:5.0f} {rows:9,.0f}  {name[:30]:30}  {label[:WIDTH]}")


def run(url: str, data: Path, batches: int, work_dir: Path) -> None:
    engine = make_engine(load_settings(data_dir=work_dir, database_url=url, statement_timeout_ms=0))
    upgrade_to_head(engine)
    _instrument()
    _listen(engine)
    folders = sorted(data.glob("batch_*"))[:batches] or [data]
    began = time.perf_counter()
    procedures = 0
    python_cpu = server_cpu = 0.0
    for folder in folders:
        started = time.perf_counter()
        with engine.connect() as conn:
            backend = _backend_pid(conn)
            conn.rollback()  # the pid's read began a transaction: the import gets its own
            cpu = time.process_time(), _server_cpu(backend)
            with conn.begin():
                report = import_batch(conn=conn, directory=folder)
            compact_queues(engine)  # as ``clinicops import`` does after its commit
            python_cpu += time.process_time() - cpu[0]
            server_cpu += _server_cpu(backend) - cpu[1]
        procedures += report.inserted["procedures"]
        print(
            f"  {folder.name}: {report.inserted['procedures']:,} procedures "
            f"in {time.perf_counter() - started:.1f} s",
            flush=True,
        )
    _report(time.perf_counter() - began, procedures)
    # CPU time is the work done, whatever else the machine runs: wall time is not, on a
    # shared machine.
    print(f"\nCPU: importer process {python_cpu:.1f} s, its PostgreSQL backend {server_cpu:.1f} s")
    engine.dispose()


def _backend_pid(conn: Any) -> int | None:
    if conn.dialect.name != "postgresql":
        return None
    return int(conn.execute(text("SELECT pg_backend_pid()")).scalar_one())


def _server_cpu(pid: int | None) -> float:
    """User + system CPU seconds of a local server process (0 if it cannot be read)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def main() -> None:
    global TOP, WIDTH
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, required=True)
    parser.add_argument("--batches", type=int, default=10)
    parser.add_argument("--backend", choices=["postgresql", "sqlite"], default="postgresql")
    parser.add_argument("--admin-url", default=ADMIN_URL)
    parser.add_argument("--prefix", default="imp_profile")
    parser.add_argument("--keep", action="store_true", help="keep the PostgreSQL database")
    parser.add_argument("--top", type=int, default=TOP)
    parser.add_argument("--width", type=int, default=WIDTH)
    args = parser.parse_args()
    TOP, WIDTH = args.top, args.width
    with tempfile.TemporaryDirectory(prefix="clinicops-profile-") as tmp:
        if args.backend == "sqlite":
            run(f"sqlite:///{tmp}/profile.sqlite3", args.data, args.batches, Path(tmp))
            return
        admin = create_engine(args.admin_url, isolation_level="AUTOCOMMIT")
        name = f"{args.prefix}_{uuid.uuid4().hex[:8]}"
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        try:
            url = make_url(args.admin_url).set(database=name).render_as_string(hide_password=False)
            run(url, args.data, args.batches, Path(tmp))
        finally:
            if args.keep:
                print(f"kept database {name}")
            else:
                with admin.connect() as conn:
                    conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            admin.dispose()


if __name__ == "__main__":
    main()
