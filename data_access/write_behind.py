"""Running an import's database writes behind its parsing, one job at a time.

Data-access layer, used by the importer. Parsing and checking a chunk is Python work; writing
it is mostly the database server's. With a worker thread the server writes chunk *k* while
Python parses chunk *k+1* (psycopg releases the GIL while it waits), which on a two-core
machine nearly halves an import of millions of rows. The connection is never used by two
threads at once: one job runs at a time, and the importer calls :meth:`WriteBehind.wait`
before any other use of the connection. A job's result is handed to its ``done`` callback on
the calling thread, so the importer's own state is only ever touched there.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any, TypeVar

T = TypeVar("T")


class WriteBehind:
    """Runs jobs in order on one worker thread, or inline when ``background`` is false (SQLite
    connections belong to the thread that opened them)."""

    def __init__(self, background: bool) -> None:
        self._executor = (
            ThreadPoolExecutor(max_workers=1, thread_name_prefix="import-writer")
            if background
            else None
        )
        self._pending: tuple[Future[Any], Callable[[Any], None]] | None = None

    def submit(self, job: Callable[[], T], done: Callable[[T], None]) -> None:
        """Run ``job`` after the previous one; ``done(result)`` runs on the next :meth:`wait`."""
        self.wait()
        if self._executor is None:
            done(job())
        else:
            self._pending = (self._executor.submit(job), done)

    def wait(self) -> None:
        """Block until no job is in flight; re-raise its error, or hand over its result."""
        if self._pending is None:
            return
        future, done = self._pending
        self._pending = None
        done(future.result())

    def close(self) -> None:
        """Let the job in flight finish without handing over its outcome (the caller is
        already failing, or has waited), then stop the worker."""
        if self._pending is not None:
            self._pending[0].exception()  # waits; the caller's own error takes precedence
            self._pending = None
        if self._executor is not None:
            self._executor.shutdown(wait=True)
