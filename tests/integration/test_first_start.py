"""The first start's background summary refresh on the embedded SQLite database.

``prepare_database`` commits the demo rows, serves, and builds the summaries in a thread.
Meanwhile people sign in, which writes (audit log, throttling). Those writes must neither make
the refresh fail nor fail themselves: the refresh takes SQLite's write lock at once (``BEGIN
IMMEDIATE``) and the other writers wait for it.
"""

from __future__ import annotations

import threading
from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, event, func, select

from dashboard.app import summarise
from data_access.demo import generate_demo, load_demo
from data_access.engine import make_engine
from data_access.filters import Filters, Scope
from data_access.migrate import upgrade_to_head
from data_access.queries import audit, kpis
from data_access.schema import audit_log
from data_access.summaries import summaries_pending
from tests.conftest import make_settings


def _deferred_demo(tmp_path: Path) -> Engine:
    engine = make_engine(make_settings(tmp_path))
    upgrade_to_head(engine)
    batch = generate_demo(clinics=3, years=0.5, seed=11, end=date(2025, 6, 30))
    with engine.begin() as conn:
        load_demo(conn=conn, batch=batch, summarise=False)
    return engine


def test_a_sign_in_during_the_refresh_waits_and_both_succeed(tmp_path: Path) -> None:
    engine = _deferred_demo(tmp_path)
    half_year = Filters(start=date(2025, 1, 1), end=date(2025, 6, 30))
    with engine.connect() as conn:
        assert summaries_pending(conn)  # the base tables answer until the refresh commits
        before = kpis.kpi_totals(conn=conn, filters=half_year, scope=Scope.everything())

    def sign_in_write() -> None:
        with engine.begin() as conn:
            audit.record(conn=conn, action=audit.SIGN_IN, username="admin", address="127.0.0.1")

    writers: list[threading.Thread] = []

    def write_once_the_refresh_has_read(conn: Any, cursor: Any, statement: str, *_: Any) -> None:
        # A sign-in arrives after the refresh's first read. Give it two seconds: a refresh
        # without the write lock would let it commit first, then fail on its own first write
        # ("database is locked": its read snapshot is outdated); with the lock, the sign-in
        # waits instead.
        if writers or threading.current_thread().name != "clinicops-summaries":
            return
        if not statement.lstrip().upper().startswith("SELECT"):
            return
        writer = threading.Thread(target=sign_in_write)
        writers.append(writer)
        writer.start()
        writer.join(timeout=2)

    event.listen(engine, "after_cursor_execute", write_once_the_refresh_has_read)
    try:
        thread = summarise(engine, echo=False, background=True)
        assert thread is not None
        thread.join(timeout=120)
        assert writers, "the refresh ran no statement"
        writers[0].join(timeout=60)
    finally:
        event.remove(engine, "after_cursor_execute", write_once_the_refresh_has_read)
    with engine.connect() as conn:
        assert not summaries_pending(conn), "the background refresh did not commit"
        assert conn.execute(select(func.count()).select_from(audit_log)).scalar_one() == 1
        after = kpis.kpi_totals(conn=conn, filters=half_year, scope=Scope.everything())
    assert after == before  # the summaries answer exactly what the base tables did
    assert summarise(engine, echo=False, background=True) is None  # nothing left to do
    engine.dispose()
