"""Shared pytest fixtures: settings, a migrated engine per backend, and a rolled-back connection.

The ``engine`` fixture is parametrised over SQLite and PostgreSQL. PostgreSQL tests use a fresh
database created for this test session (one per xdist worker) on the server at
``CLINICOPS_TEST_POSTGRES_URL`` (default: the local server, database ``test``) and dropped at
the end. Where the server is missing they skip, except under ``CI=true``, where they fail.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy import Connection, Engine, create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError

from data_access.engine import make_engine
from data_access.migrate import upgrade_to_head
from data_access.settings import Settings, load_settings

POSTGRES_ADMIN_URL = os.environ.get(
    "CLINICOPS_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}


def require(condition: bool, reason: str) -> None:
    """Skip for a missing service on a developer machine; fail under CI=true."""
    if condition:
        return
    if IN_CI:
        pytest.fail(f"{reason} (mandatory under CI=true)", pytrace=False)
    pytest.skip(reason)


def _postgres_admin_engine() -> Engine | None:
    engine = create_engine(
        POSTGRES_ADMIN_URL, isolation_level="AUTOCOMMIT", connect_args={"connect_timeout": 3}
    )
    try:
        with engine.connect():
            return engine
    except OperationalError:
        engine.dispose()
        return None


@contextmanager
def _temporary_postgres_database(prefix: str) -> Iterator[str]:
    admin = _postgres_admin_engine()
    require(admin is not None, f"PostgreSQL is not reachable at {POSTGRES_ADMIN_URL}")
    assert admin is not None
    name = f"{prefix}_{uuid.uuid4().hex[:10]}"
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = make_url(POSTGRES_ADMIN_URL).set(database=name)
    try:
        yield url.render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(scope="session")
def postgres_url(worker_id: str) -> Iterator[str]:
    """URL of a fresh, empty PostgreSQL database that lives for this test session."""
    with _temporary_postgres_database(f"clinicops_test_{worker_id}") as url:
        yield url


@pytest.fixture
def fresh_database_url(backend: str, tmp_path: Path, worker_id: str) -> Iterator[str]:
    """URL of a new, empty (unmigrated) database for one test, on each backend: for tests
    whose code commits, such as the command line's."""
    if backend == "sqlite":
        yield f"sqlite:///{tmp_path / 'fresh.sqlite3'}"
        return
    with _temporary_postgres_database(f"clinicops_fresh_{worker_id}") as url:
        yield url


@pytest.fixture(scope="session")
def worker_id(request: pytest.FixtureRequest) -> str:
    """The xdist worker name ('master' without xdist), so parallel workers never collide."""
    workerinput = getattr(request.config, "workerinput", None)
    return workerinput["workerid"] if workerinput else "master"


def make_settings(tmp_dir: Path, database_url: str = "", **overrides: object) -> Settings:
    return load_settings(data_dir=tmp_dir, database_url=database_url, **overrides)


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    """Settings for an embedded SQLite database in a temporary folder."""
    return make_settings(tmp_path)


@pytest.fixture(scope="session", params=["sqlite", "postgresql"])
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture(scope="session")
def engine(
    backend: str, tmp_path_factory: pytest.TempPathFactory, request: pytest.FixtureRequest
) -> Iterator[Engine]:
    """A migrated, empty database on each backend, shared by the session's tests."""
    data_dir = tmp_path_factory.mktemp(f"db-{backend}")
    if backend == "sqlite":
        url = f"sqlite:///{data_dir / 'test.sqlite3'}"
    else:
        url = request.getfixturevalue("postgres_url")
    eng = make_engine(make_settings(data_dir, url))
    upgrade_to_head(eng)
    yield eng
    eng.dispose()


@pytest.fixture
def conn(engine: Engine) -> Iterator[Connection]:
    """A connection inside a transaction that is rolled back after the test: tests may write
    freely and never see each other's rows. Code under test must not commit (the caller owns
    the transaction); it may use savepoints (``conn.begin_nested()``)."""
    with engine.connect() as connection:
        transaction = connection.begin()
        try:
            yield connection
        finally:
            transaction.rollback()
