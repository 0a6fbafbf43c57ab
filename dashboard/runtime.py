"""Per-process services the callbacks use: settings, the Engine and the result cache.

Presentation-layer wiring. They hang off the Flask server (``server.extensions``), not module
globals, so tests can build several apps side by side and callbacks reach them through
``flask.current_app`` while handling a request.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, TypeVar

import flask
from flask_caching import Cache
from sqlalchemy import Connection, Engine

from data_access.engine import make_engine
from data_access.queries.clinics import data_version
from data_access.settings import Settings

EXTENSION_KEY = "clinicops"
VERSION_KEY = "clinicops_data_version"
T = TypeVar("T")


@dataclass
class Runtime:
    settings: Settings
    cache: Cache
    _engine: Engine | None = None

    @property
    def engine(self) -> Engine:
        """Created on first use, never at import: gunicorn forks workers after importing the
        app, and pooled connections must not cross a fork."""
        if self._engine is None:
            self._engine = make_engine(self.settings)
        return self._engine

    @contextmanager
    def connect(self) -> Iterator[Connection]:
        with self.engine.connect() as conn:
            yield conn

    def cached(self, name: str, compute: Callable[[Connection], T], *key: Any) -> T:
        """``compute(conn)`` memoised under (name, key..., data version): an import bumps the
        data version, so a cached figure never outlives the data it came from. A hit opens no
        database connection."""
        cache_key = repr((name, self.data_version(), *key))
        found = self.cache.get(cache_key)
        if found is not None:
            return found  # type: ignore[no-any-return]
        with self.connect() as conn:
            value = compute(conn)
        self.cache.set(cache_key, value)
        return value

    def data_version(self) -> str:
        """The data version, read once per request: a callback that asks for several figures
        pays for one query, and its figures all belong to the same version."""
        in_request = flask.has_request_context()
        if in_request and VERSION_KEY in flask.g:
            return str(flask.g.get(VERSION_KEY))
        with self.connect() as conn:
            version = data_version(conn=conn)
        if in_request:
            setattr(flask.g, VERSION_KEY, version)
        return version


def install(server: flask.Flask, runtime: Runtime) -> None:
    server.extensions[EXTENSION_KEY] = runtime


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
