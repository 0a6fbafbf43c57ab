"""The result cache is keyed by a data version that names one import of one database."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import flask
import pandas as pd
from flask_caching import Cache
from sqlalchemy import insert

from dashboard import runtime
from data_access.engine import make_engine
from data_access.migrate import upgrade_to_head
from data_access.schema import import_log
from tests.conftest import make_settings


def _runtime(tmp_path: Path, name: str, imported_at: datetime, cache: Cache) -> runtime.Runtime:
    folder = tmp_path / name
    folder.mkdir()
    settings = make_settings(folder, f"sqlite:///{folder / 'clinic.sqlite3'}")
    engine = make_engine(settings)
    upgrade_to_head(engine)
    with engine.begin() as conn:
        conn.execute(
            insert(import_log).values(
                imported_at=imported_at,
                source=name,
                rows_inserted=1,
                rows_updated=0,
                rows_rejected=0,
            )
        )
    return runtime.Runtime(settings=settings, cache=cache, _engine=engine)


def test_two_databases_sharing_a_cache_never_see_each_others_figures(tmp_path: Path) -> None:
    server = flask.Flask(__name__)
    shared = Cache(config={"CACHE_TYPE": "SimpleCache"})  # as one Redis serves both
    shared.init_app(server)
    first = _runtime(tmp_path, "first", datetime(2026, 11, 24, 9, 0, 0, 1), shared)
    second = _runtime(tmp_path, "second", datetime(2026, 11, 24, 9, 0, 0, 2), shared)
    # Both databases are at import 1; only the import's time tells them apart.
    with server.test_request_context():
        assert first.cached("source", lambda conn: "first") == "first"
    with server.test_request_context():
        assert second.cached("source", lambda conn: "second") == "second"
    with server.test_request_context():
        assert first.cached("source", lambda conn: "recomputed") == "first"  # a real hit
    with server.test_request_context():
        assert first.data_version() == "1@2026-11-24T09:00:00.000001"


def test_a_worker_reads_its_own_recent_results_without_the_shared_cache(tmp_path: Path) -> None:
    server = flask.Flask(__name__)
    shared = Cache(config={"CACHE_TYPE": "SimpleCache"})
    shared.init_app(server)
    worker = _runtime(tmp_path, "db", datetime(2026, 11, 24, 9, 0), shared)
    other_worker = runtime.Runtime(settings=worker.settings, cache=shared, _engine=worker.engine)
    with server.test_request_context():
        figures = worker.cached("figures", lambda conn: pd.DataFrame({"procedures": [1, 2]}))
        figures["procedures"] = 0  # the caller's own copy
        assert worker.cached("rows", lambda conn: [1, 2]) == [1, 2]
    shared.clear()  # e.g. Redis evicted them
    with server.test_request_context():
        again = worker.cached("figures", lambda conn: pd.DataFrame({"procedures": [7]}))
        assert again["procedures"].tolist() == [1, 2]  # kept near, as computed
        assert worker.cached("rows", lambda conn: [3]) == [3]  # a list is never kept near
    with server.test_request_context():  # another worker has its own near cache
        assert other_worker.cached("figures", lambda conn: "recomputed") == "recomputed"
    with server.test_request_context():  # and one worker's result reaches it through Redis
        worker.cached("totals", lambda conn: (5, 6))
        assert other_worker.cached("totals", lambda conn: (0, 0)) == (5, 6)
