"""Importing a batch folder in the clinic export format (``shared/DATA_CONTRACT.md``).

Data-access layer; the CLI's ``clinicops import`` calls :func:`import_batch` inside its own
transaction (``with engine.begin() as conn``) and this module never commits. The work runs in
a savepoint, so a refused batch leaves the caller's transaction as it was.

Rules, as the contract sets them and as decided where it is silent:

* All or nothing by default: any problem raises :class:`ImportRejected` listing every problem
  of every file (``file:line: column: reason``; the header is line 1, a record spanning lines
  is reported at the line it starts on). Rows refused only because a row they refer to was
  refused are not listed again. Batch-level problems (no such folder, no contract file, a file
  that is not UTF-8 or not CSV, a header without a required column or with one twice) refuse
  the batch in every mode.
* ``skip_invalid``: valid rows are imported; every rejected row goes, unchanged, to one rejects
  CSV (see :mod:`data_access.rejects`; default ``<directory>/rejects-<timestamp>.csv``), and
  rows referring to a rejected row (a procedure of a rejected clinic, a follow-up of a rejected
  procedure, even one that exists in the database) are rejected too.
* Idempotent upserts by id; a second occurrence of an id in a file is an error naming both
  lines (the first occurrence stands under ``skip_invalid``).
* A procedure whose new date would fall after a follow-up or event it keeps in the database
  is refused; under ``skip_invalid`` the pass is rolled back and rerun with that row rejected.
* Dates are clinic-local: a date-time with a UTC offset is converted to the zone of its clinic
  (of its procedure's clinic for follow-ups and events), which is derived at import as
  ``STATE_TIMEZONES[state]``, else ``default_timezone``. A date more than one day after
  ``today`` is refused in every date column (``opened_on`` and ``referred_on`` included).
* Streaming: records are read, checked and written in chunks; besides a chunk, only the ids
  seen in the current file (to name the line of a duplicate) and the ids of rejected rows
  are held in memory.
* Cell rules (trimming, integers like ``3.0``, date-time forms, case of codes) are in
  :mod:`data_access.validation`; formula neutralisation in :mod:`data_access.csv_rows`. Blank
  lines are not records. Text is only ever passed as bound parameters or through COPY.
"""

from __future__ import annotations

import gc
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy import Connection, insert

from data_access.batch_problems import ImportRejected, Problem
from data_access.contract import FILES
from data_access.csv_rows import Layout, find_layouts
from data_access.import_run import ImportPass, PassResult
from data_access.row_checks import Issue
from data_access.schema import import_log
from data_access.summaries import refresh_summaries

__all__ = ["ImportRejected", "ImportReport", "Problem", "import_batch"]

_FILE_ORDER = {spec.filename: index for index, spec in enumerate(FILES)}


@dataclass
class ImportReport:
    """Rows per contract file (``clinics``, ``procedures``, ...) and what became of them."""

    inserted: dict[str, int]
    updated: dict[str, int]
    unchanged: dict[str, int]
    rejected: dict[str, int]
    warnings: list[str]
    rejects_path: Path | None
    import_id: int | None


def import_batch(
    *,
    conn: Connection,
    directory: Path,
    skip_invalid: bool = False,
    rejects_path: Path | None = None,
    today: date | None = None,
    default_timezone: str = "America/Chicago",
    progress: Callable[[int], None] | None = None,
) -> ImportReport:
    """Import the contract files in ``directory``; ``default_timezone`` is the zone of clinics
    without a state, ``today`` the date that "the future" counts from, and ``progress`` is
    called with the number of records just processed."""
    ZoneInfo(default_timezone)  # an unknown zone is the caller's bug: fail before any work
    layouts, problems, warnings = find_layouts(directory)
    if problems:
        raise ImportRejected(problems)
    latest = (today or date.today()) + timedelta(days=1)
    preset: dict[tuple[str, int], Issue] = {}
    with _collector_paused():
        return _import(
            conn=conn,
            directory=directory,
            layouts=layouts,
            warnings=warnings,
            skip_invalid=skip_invalid,
            rejects_path=rejects_path,
            latest=latest,
            default_timezone=default_timezone,
            preset=preset,
            progress=progress,
        )


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Python's cycle collector off for the import. A pass allocates millions of short-lived
    containers (a list per record, a tuple per row) and creates no cycles of its own, but
    every few hundred allocations the collector ran and walked them: about a third of the
    parsing time of a large batch. Collections resume, and catch up, afterwards."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _import(
    *,
    conn: Connection,
    directory: Path,
    layouts: list[Layout],
    warnings: list[str],
    skip_invalid: bool,
    rejects_path: Path | None,
    latest: date,
    default_timezone: str,
    preset: dict[tuple[str, int], Issue],
    progress: Callable[[int], None] | None,
) -> ImportReport:
    while True:
        savepoint = conn.begin_nested()
        attempt = ImportPass(
            conn=conn,
            layouts=layouts,
            skip_invalid=skip_invalid,
            latest=latest,
            default_timezone=default_timezone,
            preset=preset,
            progress=progress,
        )
        try:
            result = attempt.run()
            moved = attempt.moved_problems()
        except BaseException:
            savepoint.rollback()
            attempt.rejects.close()
            raise
        if moved and skip_invalid:
            # Rare: rerun with those procedures rejected up front, so their rows in the batch
            # are rejected as dependents and the database keeps its consistent version.
            savepoint.rollback()
            attempt.rejects.close()
            preset.update({("procedures", p.line): Issue(p.column, p.reason) for p in moved})
            continue
        if result.problems or moved:
            savepoint.rollback()
            attempt.rejects.close()
            found = result.problems + moved
            raise ImportRejected(sorted(found, key=lambda p: (_FILE_ORDER[p.file], p.line)))
        try:
            # The summaries follow the batch in the same savepoint: they never disagree.
            refresh_summaries(conn)
        except BaseException:
            savepoint.rollback()
            attempt.rejects.close()
            raise
        import_id = _log(conn, directory, result)
        savepoint.commit()
        written = attempt.rejects.finish(rejects_path or _default_rejects_path(directory))
        return ImportReport(
            inserted=result.inserted,
            updated=result.updated,
            unchanged=result.unchanged,
            rejected=result.rejected,
            warnings=warnings,
            rejects_path=written,
            import_id=import_id,
        )


def _log(conn: Connection, directory: Path, result: PassResult) -> int:
    """One ``import_log`` row per successful import; its id is the new data version."""
    row = conn.execute(
        insert(import_log).values(
            imported_at=datetime.now(UTC).replace(tzinfo=None),  # UTC, like every log time
            source=str(directory),
            rows_inserted=sum(result.inserted.values()),
            rows_updated=sum(result.updated.values()),
            rows_rejected=sum(result.rejected.values()),
        )
    )
    assert row.inserted_primary_key is not None
    return int(row.inserted_primary_key[0])


def _default_rejects_path(directory: Path) -> Path:
    return directory / f"rejects-{datetime.now():%Y%m%d-%H%M%S}.csv"
