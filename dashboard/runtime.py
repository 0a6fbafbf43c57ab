"""Per-process services the callbacks use: settings, the Engine and the result cache.

Presentation-layer wiring. They hang off the Flask server (``server.extensions``), not module
globals, so tests can build several apps side by side and callbacks reach them through
``flask.current_app`` while handling a request.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, TypeVar

import flask
from flask_caching import Cache
from sqlalchemy import Connection, Engine

from dashboard.near_cache import NearCache
from dashboard.single_flight import SingleFlight
from data_access.engine import make_engine
from data_access.queries.clinics import data_version
from data_access.settings import Settings

EXTENSION_KEY = "clinicops"
VERSION_KEY = "clinicops_data_version"
CONNECTION_KEY = "clinicops_connection"
IN_USE_KEY = "clinicops_in_use"
T = TypeVar("T")
logger = logging.getLogger("clinicops.runtime")


@dataclass
class Runtime:
    settings: Settings
    cache: Cache
    _engine: Engine | None = None
    #: One computation per figure at a time (see :mod:`dashboard.single_flight`).
    single_flight: SingleFlight = field(default_factory=SingleFlight)
    #: This worker's last results, unpickled (see :mod:`dashboard.near_cache`).
    near: NearCache = field(default_factory=NearCache)

    @property
    def engine(self) -> Engine:
        """Created on first use, never at import: gunicorn forks workers after importing the
        app, and pooled connections must not cross a fork."""
        if self._engine is None:
            self._engine = make_engine(self.settings)
        return self._engine

    @contextmanager
    def connect(self) -> Iterator[Connection]:
        """A connection for a block of reads. Within a request every block shares one pooled
        connection (checked out, and pinged, once: the sign-in check, the data version and a
        callback's queries made a dozen checkouts per request); each block ends its
        transaction, so the next one sees what was committed meanwhile. Outside a request,
        a connection of its own."""
        if not flask.has_request_context():
            with self.engine.connect() as conn:
                yield conn
            return
        conn = flask.g.get(CONNECTION_KEY)
        if conn is None or conn.closed or conn.invalidated:
            conn = self.engine.connect()
            setattr(flask.g, CONNECTION_KEY, conn)
        if flask.g.get(IN_USE_KEY):  # a block inside a block ends nothing
            yield conn
            return
        setattr(flask.g, IN_USE_KEY, True)
        try:
            yield conn
        except BaseException:
            _discard(conn)  # its transaction may be aborted, or the connection broken
            raise
        finally:
            flask.g.pop(IN_USE_KEY, None)
        conn.rollback()

    def cached(self, name: str, compute: Callable[[Connection], T], *key: Any) -> T:
        """``compute(conn)`` memoised under (name, key..., data version): an import bumps the
        data version, so a cached figure never outlives the data it came from. A hit opens no
        database connection. A key that another request is computing is waited for, not
        computed again."""
        cache_key = repr((name, self.data_version(), *key))
        found = self._get(cache_key)
        if found is not None:
            return found  # type: ignore[no-any-return]
        with self.single_flight(cache_key):
            found = self._get(cache_key)  # computed while this request waited
            if found is not None:
                return found  # type: ignore[no-any-return]
            with self.connect() as conn:
                value = compute(conn)
            self.cache.set(cache_key, value)
            self.near.put(cache_key, value)
        return value

    def _get(self, cache_key: str) -> Any | None:
        """From this worker's near cache, else from the shared one (kept near for next time)."""
        found = self.near.get(cache_key)
        if found is None:
            found = self.cache.get(cache_key)
            self.near.put(cache_key, found)
        return found

    def data_version(self) -> str:
        """The data version, read once per request (by the sign-in check, with the user): a
        callback that asks for several figures pays for no query of its own, and its
        figures all belong to the same version."""
        in_request = flask.has_request_context()
        if in_request and VERSION_KEY in flask.g:
            return str(flask.g.get(VERSION_KEY))
        with self.connect() as conn:
            version = data_version(conn=conn)
        if in_request:
            setattr(flask.g, VERSION_KEY, version)
        return version


def remember_data_version(version: str) -> None:
    """The data version, read by the request's sign-in check along with the user: the
    request's figures use it instead of asking again."""
    setattr(flask.g, VERSION_KEY, version)


def _discard(conn: Connection) -> None:
    """Give a request's connection back to the pool (which resets it) and forget it."""
    if flask.g.get(CONNECTION_KEY) is conn:
        flask.g.pop(CONNECTION_KEY)
    try:
        conn.close()
    except Exception:  # a broken connection: the pool has already discarded it
        logger.debug("closing a broken connection failed", exc_info=True)


def _release_request_connection(_error: BaseException | None = None) -> None:
    conn = flask.g.get(CONNECTION_KEY)
    if conn is not None:
        _discard(conn)


def install(server: flask.Flask, runtime: Runtime) -> None:
    server.extensions[EXTENSION_KEY] = runtime
    server.teardown_request(_release_request_connection)


def of(server: flask.Flask) -> Runtime:
    runtime: Runtime = server.extensions[EXTENSION_KEY]
    return runtime


def current() -> Runtime:
    """The runtime of the app handling the current request."""
    runtime: Runtime = flask.current_app.extensions[EXTENSION_KEY]
    return runtime


def make_cache(settings: Settings) -> Cache:
    """Redis when ``CLINICOPS_REDIS_URL`` is set (shared by all workers), else in-process."""
    if settings.redis_url:
        config = {
            "CACHE_TYPE": "RedisCache",
            "CACHE_REDIS_URL": settings.redis_url,
            "CACHE_DEFAULT_TIMEOUT": 3600,
            "CACHE_KEY_PREFIX": "clinicops:",
        }
    else:
        config = {
            "CACHE_TYPE": "SimpleCache",
            "CACHE_DEFAULT_TIMEOUT": 3600,
            "CACHE_THRESHOLD": 2000,
        }
    return Cache(config=config)
