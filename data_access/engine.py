"""Engine construction for SQLite and PostgreSQL behind one code path.

Data-access wiring: callers create one Engine per process, lazily (never at import, so that
gunicorn's forked workers never share pooled connections), and own their transactions.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url

from data_access.settings import Settings


def _sqlite_on_connect(dbapi_connection: Any, _record: Any) -> None:
    # pysqlite opens transactions lazily and on its own terms, which breaks SAVEPOINT (a
    # savepoint issued first becomes the outer transaction, and releasing it commits). Take
    # transaction control from the driver; _sqlite_on_begin emits BEGIN instead (the recipe in
    # SQLAlchemy's SQLite dialect docs, "Serializable isolation / Savepoints / Transactional DDL").
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    # Foreign keys are off by default in SQLite; WAL lets the dashboard read during an import.
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    # A writer waits for another's lock up to a minute (the first start's background summary
    # refresh holds it for about half of that) before giving up with "database is locked".
    cursor.execute("PRAGMA busy_timeout=60000")
    cursor.close()


#: Connection execution option: start SQLite transactions with ``BEGIN IMMEDIATE``, taking the
#: write lock at once. A long writer that reads first (a summary refresh) otherwise fails with
#: "database is locked" as soon as any other write commits after its first read (WAL cannot
#: upgrade an outdated read snapshot, and SQLite does not wait in that case).
SQLITE_IMMEDIATE = "clinicops_sqlite_immediate"


def _sqlite_on_begin(connection: Any) -> None:
    immediate = connection.get_execution_options().get(SQLITE_IMMEDIATE, False)
    connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


def make_engine(settings: Settings, **kwargs: Any) -> Engine:
    """Create the Engine for ``settings.database_url`` with timeouts that make an outage fail
    fast instead of hanging a request."""
    url = make_url(settings.database_url)
    if url.get_backend_name() == "sqlite":
        if url.database and url.database != ":memory:":
            Path(url.database).expanduser().parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, **kwargs)
        event.listen(engine, "connect", _sqlite_on_connect)
        event.listen(engine, "begin", _sqlite_on_begin)
        return engine
    connect_args: dict[str, Any] = {"connect_timeout": settings.connect_timeout_s}
    if settings.statement_timeout_ms:
        connect_args["options"] = f"-c statement_timeout={settings.statement_timeout_ms}"
    kwargs.setdefault("pool_pre_ping", True)
    kwargs.setdefault("pool_size", 5)
    return create_engine(url, connect_args=connect_args, **kwargs)
