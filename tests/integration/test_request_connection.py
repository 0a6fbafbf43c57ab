"""Within a request, the runtime's read blocks share one pooled connection, end their
transaction, and never hand on a connection an error left unusable (on both backends)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import flask
import pytest
from flask_caching import Cache
from sqlalchemy import Engine, event, func, insert, select, text
from sqlalchemy.exc import DBAPIError

from dashboard import runtime
from data_access.engine import make_engine
from data_access.migrate import upgrade_to_head
from data_access.schema import import_log
from tests.conftest import make_settings


@pytest.fixture
def served(fresh_database_url: str, tmp_path: Path) -> Iterator[tuple[flask.Flask, Engine]]:
    settings = make_settings(tmp_path, fresh_database_url)
    engine = make_engine(settings)
    upgrade_to_head(engine)
    server = flask.Flask(__name__)
    cache = Cache(config={"CACHE_TYPE": "SimpleCache"})
    cache.init_app(server)
    runtime.install(server, runtime.Runtime(settings=settings, cache=cache, _engine=engine))
    yield server, engine
    engine.dispose()


def _checkouts(engine: Engine) -> list[object]:
    seen: list[object] = []
    event.listen(engine, "checkout", lambda dbapi_conn, record, proxy: seen.append(record))
    return seen


def _imports(conn: object) -> int:
    return int(conn.execute(select(func.count()).select_from(import_log)).scalar_one())  # type: ignore[attr-defined]


def _log_an_import(engine: Engine) -> None:
    with engine.begin() as conn:
        conn.execute(
            insert(import_log).values(
                imported_at=datetime(2026, 11, 24, 12, 0),
                source="test",
                rows_inserted=1,
                rows_updated=0,
                rows_rejected=0,
            )
        )


def test_one_checkout_per_request_and_back_to_the_pool_at_its_end(
    served: tuple[flask.Flask, Engine],
) -> None:
    server, engine = served
    checkouts = _checkouts(engine)
    with server.test_request_context():
        rt = runtime.current()
        for _ in range(4):  # the sign-in check, the data version, two queries
            with rt.connect() as conn:
                _imports(conn)
        assert rt.cached("figure", _imports) == 0
        assert len(checkouts) == 1
        server.do_teardown_request()
        assert engine.pool.checkedout() == 0  # type: ignore[attr-defined]
    with server.test_request_context():  # the next request checks out again
        with runtime.current().connect() as conn:
            _imports(conn)
        server.do_teardown_request()
    assert len(checkouts) == 2


def test_each_block_sees_what_was_committed_before_it(
    served: tuple[flask.Flask, Engine],
) -> None:
    # On SQLite an open read transaction keeps its snapshot: a block that did not end its
    # transaction would not see a write committed by the same request (a case review saved,
    # then the history read back).
    server, engine = served
    with server.test_request_context():
        rt = runtime.current()
        with rt.connect() as conn:
            assert _imports(conn) == 0
        _log_an_import(engine)
        with rt.connect() as conn:
            assert _imports(conn) == 1
        server.do_teardown_request()


def test_a_failed_block_leaves_a_working_connection_for_the_next(
    served: tuple[flask.Flask, Engine],
) -> None:
    server, _engine = served
    with server.test_request_context():
        rt = runtime.current()
        with pytest.raises(DBAPIError), rt.connect() as conn:
            # On PostgreSQL the transaction is aborted after this: "current transaction is
            # aborted, commands ignored until end of transaction block".
            conn.execute(text("SELECT * FROM no_such_table"))
        with rt.connect() as conn:
            assert _imports(conn) == 0
        server.do_teardown_request()


def test_a_block_inside_a_block_keeps_the_outer_transaction(
    served: tuple[flask.Flask, Engine],
) -> None:
    server, engine = served
    with server.test_request_context():
        rt = runtime.current()
        with rt.connect() as outer:
            outer.execute(select(1))
            with rt.connect() as inner:
                assert inner is outer
            assert outer.in_transaction()  # the inner block ended nothing
        assert not outer.in_transaction()
        server.do_teardown_request()
    assert engine.pool.checkedout() == 0  # type: ignore[attr-defined]
